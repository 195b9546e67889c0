# expect: timeout
# why: blocks in sleep (no CPU used, so only the wall clock can end it).
import time
time.sleep(10**6)
