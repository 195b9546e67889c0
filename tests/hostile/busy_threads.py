# expect: timeout
# why: eight spinning threads and a main thread that waits for them forever.
# expect-wasi: error
# why-wasi: WASI has no threads: Thread.start raises RuntimeError (can't start new thread) before anything spins.
import threading

def spin():
    while True:
        pass

threads = [threading.Thread(target=spin) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
