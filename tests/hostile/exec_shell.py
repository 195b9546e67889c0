# expect: crashed
# why: replaces the interpreter with /bin/sh, which exits 0; the runner is gone before its last record, which is a crash.
# expect-wasi: error
# why-wasi: WASI has no exec (os.execv does not exist: AttributeError).
import os
os.execv("/bin/sh", ["sh", "-c", "echo passed; exit 0"])
