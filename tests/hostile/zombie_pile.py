# expect: passed
# why: forks 40 children that exit at once and are never reaped, then passes; the verdict stands and the zombies go with the execution, which the suite checks on the host.
# expect-wasi: error
# why-wasi: os.fork does not exist in WASI (AttributeError).
import os
for _ in range(40):
    if os.fork() == 0:
        os._exit(0)
