"""Serve a demo site from memory on 127.0.0.1, one thread per request."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crawler.demo.site import Resource, build_en_site, build_ja_site

NOT_FOUND = Resource(404, "text/html; charset=utf-8", b"<html><body><h1>404 Not Found</h1></body></html>")


class _Handler(BaseHTTPRequestHandler):
    server_version = "DemoNews/1.0"

    def _send(self, head_only: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        res = self.server.pages.get(path, NOT_FOUND)  # type: ignore[attr-defined]
        # An ETag from the content, and 304 to a matching If-None-Match, as a real site would:
        # what incremental crawls' conditional GETs are made for.
        etag = '"' + hashlib.sha1(res.body).hexdigest()[:16] + '"'
        status = res.status
        if status == 200 and self.headers.get("If-None-Match") == etag:
            status = 304
        self.server.log.append((self.command, path, status))  # type: ignore[attr-defined]
        self.send_response(status)
        if status == 304:
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_header("Content-Type", res.content_type)
        self.send_header("Content-Length", str(len(res.body)))
        if status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        if not head_only:
            self.wfile.write(res.body)

    def do_GET(self) -> None:
        self._send(False)

    def do_HEAD(self) -> None:
        self._send(True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class DemoServer:
    """One demo site on 127.0.0.1:port (0 = a free port), served from a background thread."""

    def __init__(self, build: Callable[[str], dict[str, Resource]], port: int = 0) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.httpd.pages = build(self.base_url)  # type: ignore[attr-defined]
        self.httpd.log = []  # type: ignore[attr-defined]  # (method, path, status) of every request
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def pages(self) -> dict[str, Resource]:
        """The served pages by path; change them between crawls to change the site."""
        pages: dict[str, Resource] = self.httpd.pages  # type: ignore[attr-defined]
        return pages

    @property
    def log(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request served, in order."""
        log: list[tuple[str, str, int]] = self.httpd.log  # type: ignore[attr-defined]
        return log

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_or_zero(port: int) -> int:
    """port when it can be bound on 127.0.0.1, else 0 (any free port)."""
    import socket

    with socket.socket() as s:
        # As the HTTP server does: TIME_WAIT sockets of the last run must not block the port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


def demo_servers(ja_port: int = 0, en_port: int = 0) -> tuple[DemoServer, DemoServer]:
    return DemoServer(build_ja_site, ja_port), DemoServer(build_en_site, en_port)


def start_urls(ja: DemoServer, en: DemoServer) -> list[str]:
    """The entry points the demo crawls: the Japanese sitemap index and home page, the English feeds and home page."""
    return [
        f"{ja.base_url}/sitemap.xml",
        f"{ja.base_url}/",
        f"{en.base_url}/feed.rss",
        f"{en.base_url}/atom.xml",
        f"{en.base_url}/",
    ]
