"""A real HTTP receiver on loopback for the webhook tests: it answers each
request by a script ("500", "hang", "200", "block"), records what came
(headers and body), and keeps the event ids it accepted (2xx), dropping
repeats by id as the README tells receivers to."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, script=(), default: str = "200") -> None:
        self.script = list(script)
        self.default = default
        self.requests: list[dict] = []
        self.accepted: list[str] = []
        self.release = threading.Event()  # ends a "hang" or "block"
        self.arrived = threading.Event()  # set on every request
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    mode = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.requests.append({"headers": dict(self.headers), "body": body, "mode": mode,
                                              "path": self.path})
                receiver.arrived.set()
                if mode in ("hang", "block"):
                    receiver.release.wait(timeout=60)
                    if mode == "hang":
                        return  # the sender gave up long ago
                    mode = "200"
                status = int(mode)
                if 200 <= status < 300:
                    with receiver.lock:
                        event_id = self.headers.get("Webhook-Id", "")
                        if event_id not in receiver.accepted:
                            receiver.accepted.append(event_id)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
