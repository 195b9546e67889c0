# expect: crashed
# why: os.abort() raises SIGABRT (in WASI, abort is a trap, which the backend maps to the same signal); a signal before the runner's last record is a crash, never a pass.
import os
os.abort()
