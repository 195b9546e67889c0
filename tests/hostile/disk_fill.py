# expect: error
# why: writes until the disk is full; the private /tmp is size-capped and RLIMIT_FSIZE bounds
# one file, so the write fails with OSError long before the host disk notices.
# expect-wasi: crashed
# why-wasi: WASI has no RLIMIT_FSIZE: the supervisor measures the private /tmp at every epoch tick
# and stops the guest past the cap, as SIGXFSZ stops a native program (python ignores SIGXFSZ).
import os
chunk = b"\0" * (1 << 20)
n = 0
while True:
    with open(os.path.join("/tmp", "fill-{{MARKER}}-%d" % (n // 16)), "ab") as f:
        f.write(chunk)
    n += 1
