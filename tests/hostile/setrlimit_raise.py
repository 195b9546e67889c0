# expect: error
# why: tries to raise every hard limit back to unlimited; an unprivileged process may only lower them (ValueError), so the limits stand.
# expect-wasi: error
# why-wasi: WASI has no resource module (ImportError).
import resource
for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE"):
    r = getattr(resource, name)
    resource.setrlimit(r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
raise AssertionError("a hard limit was raised")
