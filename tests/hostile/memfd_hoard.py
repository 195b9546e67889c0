# expect: memory
# why: fills 28 memfds of 60 MB with os.write, never mapping them: RLIMIT_AS does not see
# that memory, the execution's memory cgroup does (1,680 MB against --memory 512).
# timeout: 10
# why-timeout: writing past 576 MB takes 0.3 s idle but near 2 s with the cores busy; the
# verdict must be memory however slow the machine, so the wall limit is not what decides.
# expect-wasi: error
# why-wasi: WASI has no memfd_create (AttributeError).
import os
fds = []
block = b"x" * (1 << 20)
for i in range(28):
    fd = os.memfd_create("hoard%d" % i)
    for _ in range(60):
        os.write(fd, block)
    fds.append(fd)
