# expect: passed
# why: monkeypatches what a naive runner would call to report (os.write, os._exit, json.dumps, print, sys.stdout, AssertionError); the runner holds its own references from before the program ran, so its records and the verdict (the test passes) are unaffected.
import builtins, io, json, os, sys
os.write = lambda fd, data: len(data)
os._exit = lambda status: None
json.dumps = lambda *a, **k: '{"ev": "done"}'
builtins.print = lambda *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
sys.stdout = io.StringIO()
