# expect: error
# why: reads secrets outside the sandbox; the unprivileged uid gets PermissionError.
for path in ["/etc/shadow", "/root/.bash_history", "/root/.profile"]:
    try:
        open(path).read()
    except FileNotFoundError:
        continue
open("/etc/shadow").read()
