# expect: error
# why: listens on every address at a port the test names while the test connects to that
# port from the host, on loopback and on each of the host's addresses: the sandbox's
# network is its own (or, on wasi, it has no sockets), so no host connection arrives and
# accept times out.
# timeout: 5
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", {{INBOUND_PORT}}))
s.listen()
s.settimeout(2)
conn, _ = s.accept()  # socket.timeout unless a host connection got in
conn.sendall(b"inbound {{MARKER}}")
