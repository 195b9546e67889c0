# expect: error
# why: reads the environment and command line of every process it can see in /proc and of
# the harness by pid ({{HARNESS_PID}} is this test's process), looking for {{MARKER}}: only
# its own processes are visible, and they hold only the fixed environment.
import os
found = []
for pid in set(os.listdir("/proc")) | {"{{HARNESS_PID}}", "1"}:
    for name in ("environ", "cmdline"):
        try:
            with open("/proc/%s/%s" % (pid, name), "rb") as f:
                data = f.read()
        except OSError:
            continue
        if b"{{MARKER}}" in data or b"score" in data:
            found.append("/proc/%s/%s" % (pid, name))
if not found:
    raise LookupError("no other process's secrets visible")
