"""A local HTTP server that plays back recorded responses: for tests and benchmarks, never the internet."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


HANDLED = object()  # returned by a route callable that wrote its own response (stalls, broken bodies)


@dataclass
class Recorded:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: "RecordedServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(self.path)
        self.server.request_headers.append(dict(self.headers))
        answer = self.server.lookup(self.path)
        if callable(answer):
            answer = answer(self)
        if answer is HANDLED:
            return
        if answer is None:
            answer = Recorded(404, b"not found", "text/plain")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(answer.body)


class RecordedServer(ThreadingHTTPServer):
    """Serves ``routes``: path-with-query -> Recorded (or a callable taking the handler)."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Recorded | Callable], port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.routes = routes
        self.requests: list[str] = []
        self.request_headers: list[dict] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def lookup(self, path: str):
        if path in self.routes:
            return self.routes[path]
        return self.routes.get(path.split("?", 1)[0])

    def __enter__(self) -> "RecordedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
