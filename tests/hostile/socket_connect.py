# expect: error
# why: connects to a listener on the host's loopback and to a public address; the network
# namespace has neither, so connect() raises OSError.
import socket
for addr in [("127.0.0.1", {{HOST_PORT}}), ("1.1.1.1", 53)]:
    try:
        socket.create_connection(addr, timeout=2).close()
    except OSError:
        continue
    raise SystemExit("unreachable")  # not reached when isolated
socket.create_connection(("127.0.0.1", {{HOST_PORT}}), timeout=2)
