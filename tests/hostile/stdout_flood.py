# expect: output_limit
# why: stdout without end; the harness keeps only a head, discards the rest and stops the
# run at the flood cap (the suite runs with --max-output 64MiB, far below the timeout).
import sys
line = "x" * 1023 + "\n"
while True:
    sys.stdout.write(line)
