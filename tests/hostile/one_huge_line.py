# expect: output_limit
# why: one line without end on stdout, never a newline: the capture must not wait for a
# line to finish (nor hold the line in memory) before it counts and caps.
import sys
chunk = "y" * (1 << 16)
while True:
    sys.stdout.write(chunk)
    sys.stdout.flush()
