# expect: error
# why: plants symlinks and a hardlink in its temp dir pointing at host files
# (/etc/shadow, the harness's scratch dir, /root) and reads through them: the links resolve
# inside the sandbox's own root, where those files are absent or unreadable.
import os
os.symlink("/etc/shadow", "/tmp/s1")
os.symlink("/root", "/tmp/s2")
os.symlink("/work", "/tmp/s3")
found = []
for p in ("/tmp/s1", "/tmp/s2/.bash_history", "/tmp/s3"):
    try:
        found.append((p, os.listdir(p) if os.path.isdir(p) else open(p).read(16)))
    except OSError:
        pass
try:
    os.link("/etc/passwd", "/tmp/h1")
    found.append(("/tmp/h1", open("/tmp/h1").read(16)))
except OSError:
    pass
if not found:
    raise FileNotFoundError("no host file through a link")
