"""The demo network: one local HTTP server playing every demo source's platform.

Routes come from the demo sources file itself: each source's URL path is served
in its platform's format from ``content/<source_id>.toml``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from marathon.config import bundled_path, load_sources
from marathon.demo import formats
from marathon.demo.content import DemoPost, load_demo_posts
from marathon.model import Source

DEMO_PORT = 8765
WEBSITE_PER_PAGE = 8
MASTODON_LIMIT = 20


@dataclass
class Route:
    source: Source
    path: str
    posts: list[DemoPost]


def rebase_sources(sources: list[Source], base_url: str) -> list[Source]:
    """Point each source's URL at ``base_url`` (the port the demo server got), keeping the path."""
    out = []
    for source in sources:
        parts = urlsplit(source.url)
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        out.append(replace(source, url=base_url.rstrip("/") + rest))
    return out


class DemoHandler(BaseHTTPRequestHandler):
    server: "DemoServer"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, as real servers send them

    def log_message(self, format: str, *args) -> None:  # the demo is quiet; the crawler reports
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        base = f"http://{self.headers.get('Host') or self.server.host}"
        if self.server.latency:
            time.sleep(self.server.latency)
        try:
            result = self.server.respond(base, path, query)
        except (ValueError, KeyError):
            result = None
        if result is None:
            self._send(404, "text/plain; charset=utf-8", b"not found")
        else:
            self._send(*result)

    def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        if status == 200:
            # Validators like a real web server's, so crawlers can make conditional requests.
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = dict(headers or {}, ETag=etag)
            if self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        self.server.bytes_sent += len(body)
        self.server.requests += 1
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sources: list[Source], host: str = "127.0.0.1", port: int = 0,
                 posts: dict[str, list[DemoPost]] | None = None, latency: float = 0.0):
        super().__init__((host, port), DemoHandler)
        self.host = f"{host}:{self.server_address[1]}"
        self.bytes_sent = 0
        self.requests = 0
        self.latency = latency  # seconds added to every response (benchmarks model a distant server)
        posts = posts or {}
        self.routes = [Route(s, urlsplit(s.url).path, posts[s.id] if s.id in posts else load_demo_posts(s.id))
                       for s in sources]

    def respond(self, base: str, path: str, query: dict) -> tuple | None:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        if path.startswith("/media/") and path.endswith(".svg"):
            return 200, "image/svg+xml", formats.placeholder_svg(path)
        for route in self.routes:
            handler = getattr(self, f"_{route.source.platform}", None)
            if handler:
                result = handler(base, route, path, query)
                if result is not None:
                    return result
        return None

    def _rss(self, base, route, path, query):
        if path != route.path:
            return None
        if route.path.endswith("atom.xml"):
            lang = route.posts[0].lang if route.posts else "en"
            body = formats.atom_feed(base, route.path, route.source.name, route.posts, lang)
            return 200, "application/atom+xml; charset=utf-8", body.encode()
        return 200, "application/rss+xml; charset=utf-8", formats.rss_feed(base, route.path, route.source.name, route.posts).encode()

    def _website(self, base, route, path, query):
        if path == route.path:
            page = int(query.get("page", ["1"])[0])
            if page < 1 or (page - 1) * WEBSITE_PER_PAGE >= max(len(route.posts), 1):
                return None
            lang = route.posts[0].lang if route.posts else "en"
            html = formats.website_listing(base, route.path, route.source.name, route.posts, page, WEBSITE_PER_PAGE, lang)
            return 200, "text/html; charset=utf-8", html.encode()
        if path.startswith(route.path):
            slug = path[len(route.path):].strip("/")
            for post in route.posts:
                if post.id == slug:
                    html = formats.website_article(base, route.path, route.source.name, post)
                    return 200, "text/html; charset=utf-8", html.encode()
        return None

    def _telegram(self, base, route, path, query):
        if path != route.path:
            return None
        channel = route.path.rsplit("/", 1)[-1]
        before = int(query["before"][0]) if "before" in query else None
        html = formats.telegram_page(base, channel, route.source.name, route.posts, before)
        return 200, "text/html; charset=utf-8", html.encode()

    def _mastodon(self, base, route, path, query):
        if path != route.path:
            return None
        account_id = route.path.split("/")[-2]
        account = route.source.id.split("-")[1]
        limit = min(int(query.get("limit", [str(MASTODON_LIMIT)])[0]), 40)
        newest = sorted(route.posts, key=lambda p: int(p.id), reverse=True)
        if "max_id" in query:
            newest = [p for p in newest if int(p.id) < int(query["max_id"][0])]
        if "since_id" in query:
            newest = [p for p in newest if int(p.id) > int(query["since_id"][0])]
        chunk = newest[:limit]
        body = json.dumps([formats.mastodon_status(base, account_id, account, p) for p in chunk], ensure_ascii=False)
        headers = {}
        if chunk:
            links = [f'<{base}{route.path}?max_id={chunk[-1].id}>; rel="next"'] if len(newest) > limit else []
            links.append(f'<{base}{route.path}?min_id={chunk[0].id}>; rel="prev"')
            headers["Link"] = ", ".join(links)
        return 200, "application/json; charset=utf-8", body.encode(), headers


@dataclass
class DemoNetwork:
    """A running demo server and the sources pointed at it."""

    server: DemoServer
    thread: threading.Thread
    sources: list[Source]

    @property
    def base_url(self) -> str:
        return f"http://{self.server.host}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "DemoNetwork":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_demo_network(port: int = 0, sources_file: Path | None = None) -> DemoNetwork:
    """Serve the demo sources on 127.0.0.1:``port`` (0 picks a free one) in a background thread."""
    bundled = load_sources(sources_file or bundled_path("sources.toml"))
    server = DemoServer(bundled, port=port)
    sources = rebase_sources(bundled, f"http://{server.host}")
    server.routes = [Route(s, urlsplit(s.url).path, r.posts) for s, r in zip(sources, server.routes)]
    thread = threading.Thread(target=server.serve_forever, name="demo-network", daemon=True)
    thread.start()
    return DemoNetwork(server, thread, sources)
