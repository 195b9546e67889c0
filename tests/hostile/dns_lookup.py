# expect: error
# why: resolves a public name; with no network (and no resolver reachable) the lookup fails (socket.gaierror).
import socket
socket.getaddrinfo("example.com", 80)
