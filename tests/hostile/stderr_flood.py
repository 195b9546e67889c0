# expect: output_limit
# why: a flood of 1 KiB lines on stderr (not stdout): the cap counts both streams, so the
# run is stopped at the flood cap and the harness keeps only the head.
import sys
while True:
    sys.stderr.write("e" * 1023 + "\n")
