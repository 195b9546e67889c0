# expect: error
# why: looks for the host from inside: the harness's command line (it holds {{MARKER}})
# in any visible /proc/*/cmdline or environ (PID 1 is a fork of the harness), files the
# test left under the host's /var/lib and /home, and a mount the test made on the host in
# the mount table. The minimal root and hidepid show none of it; finding any would pass.
import os
leaks = []
for pid in os.listdir("/proc"):
    for name in ("cmdline", "environ"):
        try:
            with open("/proc/%s/%s" % (pid, name), "rb") as f:
                if b"{{MARKER}}" in f.read():
                    leaks.append("/proc/%s/%s" % (pid, name))
        except OSError:
            pass
for path in ["/var/lib/assay-hostile-{{MARKER}}", "/home/assay-hostile-{{MARKER}}"]:
    if os.path.exists(path):
        leaks.append(path)
try:
    with open("/proc/self/mountinfo") as f:
        if "{{MARKER}}" in f.read():
            leaks.append("mountinfo")
except OSError:
    pass
if not leaks:
    raise LookupError("nothing of the host is visible")
print("host visible:", leaks)
