# expect: crashed
# why: registers an atexit hook and an excepthook that would leave with status 0, then calls sys.exit(0): the runner catches the SystemExit itself (a crash) and ends with os._exit, so no hook of the program ever runs.
import atexit, os, sys
atexit.register(lambda: os._exit(0))
sys.excepthook = lambda *args: os._exit(0)
sys.exit(0)
