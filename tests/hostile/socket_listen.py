# expect: error
# why: binds and listens on every address it can, then connects to itself through the
# host's name: only the sandbox's own loopback (down) exists, so binding a host port is
# impossible and nothing outside can connect in; DNS lookups fail without a network.
import socket
s = socket.socket()
s.bind(("0.0.0.0", 0))
s.listen()
port = s.getsockname()[1]
socket.create_connection(("127.0.0.1", port), timeout=1).close()  # loopback is down
socket.getaddrinfo("example.com", 80)
