# expect: memory
# why: grows slowly, 8 MB every 20 ms, touching every page, so no single allocation is large
# and the limit is crossed only after a while: the memory limit stops it (about 1.3 s to
# pass --memory 512), not the wall clock, and the verdict is memory.
# timeout: 10
# why-timeout: the growth is paced; with the cores busy the pace is slower, and the verdict
# must be memory, not timeout, however slow the machine.
import time
hog = []
while True:
    hog.append(bytearray(b"x" * (8 << 20)))
    time.sleep(0.02)
