# expect: error
# why: connects to unix sockets at host paths: one the test listens on ({{MARKER}}, mode
# 0777 under /run), the Docker engine's and the D-Bus system bus. The network namespace
# does not cover filesystem sockets; the minimal root has no /run, so none exists.
import socket
reached = False
for path in ["/run/assay-hostile-{{MARKER}}.sock", "/run/docker.sock",
             "/var/run/docker.sock", "/run/dbus/system_bus_socket"]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
    except OSError:
        continue
    s.sendall(b"reached {{MARKER}}")
    reached = True  # reached the host: the verdict would be passed
if not reached:
    raise FileNotFoundError("no host socket reachable")
