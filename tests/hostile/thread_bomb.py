# expect: error
# why: starts threads without end; RLIMIT_NPROC (threads count as tasks) makes
# Thread.start() fail with RuntimeError ("can't start new thread") long before the host
# notices.
# expect-wasi: error
# why-wasi: WASI has no threads: the first start() raises RuntimeError.
import threading, time
threads = []
while True:
    t = threading.Thread(target=time.sleep, args=(30,), daemon=True)
    t.start()
    threads.append(t)
