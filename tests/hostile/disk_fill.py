# expect: error
# why: writes until the disk is full; the private /tmp is size-capped and RLIMIT_FSIZE bounds
# one file, so the write fails with OSError long before the host disk notices.
import os
chunk = b"\0" * (1 << 20)
n = 0
while True:
    with open(os.path.join("/tmp", "fill-{{MARKER}}-%d" % (n // 16)), "ab") as f:
        f.write(chunk)
    n += 1
