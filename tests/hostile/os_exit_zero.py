# expect: crashed
# why: os._exit(0) skips every handler; the supervisor sees exit 0 without the runner's record.
import os
print("all tests passed")
os._exit(0)
