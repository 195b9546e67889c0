# expect: error
# why: writes outside the private temp dir. /tmp is private (the write lands in the sandbox's
# own tmpfs and vanishes), every other place is read-only for the sandbox uid.
open("/tmp/assay-hostile-{{MARKER}}", "w").write("x")
for path in ["/var/tmp/assay-hostile-{{MARKER}}", "/dev/shm/assay-hostile-{{MARKER}}"]:
    try:
        open(path, "w").write("x")
    except OSError:
        pass
open("/root/assay-hostile-{{MARKER}}", "w").write("x")
