# expect: passed
# why: leaves a daemonized grandchild running and then passes; the verdict stands, and the
# child must be gone afterwards (PID namespace teardown), which the suite checks on the host.
# expect-wasi: error
# why-wasi: os.fork does not exist in WASI (AttributeError): no child can be left behind.
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "1000", "{{MARKER}}"])
    os._exit(0)
time.sleep(0.2)
