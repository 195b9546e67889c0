# expect: passed
# why: writes 8 MB of binary garbage (NUL bytes, invalid UTF-8, lone surrogates' bytes) to
# stdout and stderr, then returns normally: output is data, never parsed, and a correct
# program that writes garbage still passes.
import os, sys
chunk = bytes(range(256)) * 4096
for _ in range(8):
    sys.stdout.buffer.write(chunk)
    sys.stderr.buffer.write(chunk)
sys.stdout.flush()
