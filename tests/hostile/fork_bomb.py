# expect: error
# why: unbounded fork(); RLIMIT_NPROC makes fork() fail (BlockingIOError) in the runner's process.
# expect-wasi: error
# why-wasi: os.fork does not exist in WASI: AttributeError on the first call.
import os
while True:
    os.fork()
