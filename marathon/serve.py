"""Serve a built site on 127.0.0.1 (for the demo and for previews); no external requests involved."""

from __future__ import annotations

import functools
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """``preferred`` if it is free, else a port the OS picks."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError("no free port")


def make_site_server(out: Path, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server for the directory ``out`` (followed anew per request, so a rebuild shows at once)."""
    handler = functools.partial(QuietHandler, directory=str(out))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_background(out: Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    server = make_site_server(out, port)
    threading.Thread(target=server.serve_forever, daemon=True, name="site-server").start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
