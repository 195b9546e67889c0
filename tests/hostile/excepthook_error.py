# expect: error
# why: an excepthook that would exit 0 and print a pass, then an uncaught exception; the runner catches the exception first, so the verdict is the exception's.
import os, sys
def hook(*args):
    print("passed")
    os._exit(0)
sys.excepthook = hook
raise RuntimeError("hostile")
