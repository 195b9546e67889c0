"""A Chat Completions server for the tests: answers from a script, counts requests.

Usage: chat_server.py SCRIPT.json. Prints its port on the first stdout line.

SCRIPT maps a key to a list of replies; a request whose last user message contains the
key gets the key's next reply (the last one repeats). A reply is
{"status": 200, "headers": {...}, "body": <JSON value, or a string sent as is>,
 "delay": seconds to wait before answering}.
GET /stats returns {"requests": N, "by_key": {...}, "authorization": [...],
"response_format": count of requests that asked for structured output}.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT = json.load(open(sys.argv[1]))
LOCK = threading.Lock()
STATS = {"requests": 0, "by_key": {}, "authorization": [], "response_format": 0, "unmatched": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=None):
        data = body if isinstance(body, str) else json.dumps(body)
        data = data.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its request timeout): as a real server sees it

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                self.send(200, STATS)
        else:
            self.send(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length))
        if self.path != "/v1/chat/completions":
            self.send(404, {"error": {"message": f"Unknown request URL: POST {self.path}"}})
            return
        user = [m["content"] for m in request["messages"] if m["role"] == "user"][-1]
        with LOCK:
            STATS["requests"] += 1
            STATS["authorization"].append(self.headers.get("Authorization"))
            STATS["response_format"] += "response_format" in request
            key = next((k for k in SCRIPT if k in user), None)
            if key is None:
                STATS["unmatched"] += 1
                reply = {"status": 400, "body": {"error": {"message": "no scripted reply"}}}
            else:
                n = STATS["by_key"].get(key, 0)
                STATS["by_key"][key] = n + 1
                replies = SCRIPT[key]
                reply = replies[min(n, len(replies) - 1)]
        time.sleep(reply.get("delay", 0))
        self.send(reply.get("status", 200), reply["body"], reply.get("headers"))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
