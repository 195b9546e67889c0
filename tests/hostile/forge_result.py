# expect: crashed
# why: prints what a naive harness would take for success on every file descriptor it can
# find, then leaves with status 0 before the tests.
import os, json
for fd in range(1, 20):
    for line in ['{"ev": "done"}', "passed", json.dumps({"ev": "done", "nonce": ""})]:
        try:
            os.write(fd, (line + "\n").encode())
        except OSError:
            pass
os._exit(0)
