# expect: output_limit
# why: 100 MB of stdout; the harness keeps only a head and stops the run at the output cap.
import sys
line = "x" * 1023 + "\n"
for _ in range(100 * 1024):
    sys.stdout.write(line)
