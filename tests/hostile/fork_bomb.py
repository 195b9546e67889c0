# expect: error
# why: unbounded fork(); RLIMIT_NPROC makes fork() fail (BlockingIOError) in the runner's process.
import os
while True:
    os.fork()
