"""A small threaded HTTP server for a directory of static pages, on 127.0.0.1 only (the demo site, test fixtures).

Static files get a strong ETag and a Last-Modified and answer conditional GETs with 304, as CMS sites do, so a
second crawl finds nothing new. Query paging maps to files: `index.html?pageNum=2` → `index.p2.html`,
`/api/all/146?page=1` → `146.p1.json`. An HTML file that is not UTF-8 is served without a charset (as many
GBK sites do), so the crawler must detect its encoding. Subclasses add special paths by overriding `route`;
tests may replace a page's bytes through `overrides` to simulate a changed article.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXED_MTIME = 1735689600  # 2025-01-01: Last-Modified of every file
PAGE_PARAM = re.compile(r"^(?:page|pageNum|pageIndex)$")
TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".json": "application/json",
         ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
NOT_FOUND = b"<html><body><h1>404 Not Found</h1></body></html>"


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class SiteServer:
    """Serve `root` on 127.0.0.1 (a free port unless `port` is given) in a daemon thread; a context manager."""

    def __init__(self, root: Path, fixed_mtime: float = FIXED_MTIME, port: int = 0) -> None:
        self.root, self.fixed_mtime = root.resolve(), fixed_mtime
        self.overrides: dict[str, bytes] = {}
        self.generated: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path: str) -> Reply | None:
        """A reply for a special path, or None to serve the static file. Subclasses extend it."""
        return Reply(200, ROBOTS, "text/plain") if path == "/robots.txt" else None

    def resolve(self, path: str, query: str) -> bytes | None:
        if path in self.overrides:
            return self.overrides[path]
        if path in self.generated:
            return self.generated[path]
        for candidate in _candidates(path, query):
            file = (self.root / candidate.lstrip("/")).resolve()
            if file.is_file() and self.root in file.parents:
                return file.read_bytes()
        return None

    def modified(self, path: str) -> float:
        return time.time() if path in self.overrides else self.fixed_mtime


def _candidates(path: str, query: str) -> list[str]:
    if path.endswith("/"):
        path += "index.html"
    page = next((v for k, v in parse_qsl(query) if PAGE_PARAM.match(k)), None)
    if page is None or page == "1":
        return [path, _paged(path, "1")] if page else [path]
    return [_paged(path, page)]


def _paged(path: str, page: str) -> str:
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        return f"{path}.p{page}.json"
    return f"{stem}.p{page}.{ext}"


def content_type(path: str, body: bytes) -> str:
    """By suffix; an HTML page that is not UTF-8 gets no charset at all (the crawler must detect it)."""
    kind = TYPES.get(Path(path).suffix, "application/json" if "/api/" in path else "text/html; charset=utf-8")
    if kind.startswith("text/html"):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return "text/html"
    return kind


def _handler(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            server.requests.append(self.path)
            reply = server.route(parts.path)
            if reply is not None:
                return self.send(reply)
            body = server.resolve(parts.path, parts.query)
            if body is None:
                return self.send(Reply(404, NOT_FOUND))
            self.static(parts.path, body)

        def static(self, path: str, body: bytes) -> None:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            validators = {"ETag": etag, "Last-Modified": formatdate(server.modified(path), usegmt=True)}
            if self._not_modified(etag, validators["Last-Modified"]):
                return self.send(Reply(304, b"", None, validators))
            self.send(Reply(200, body, content_type(path, body), validators))

        def _not_modified(self, etag: str, modified: str) -> bool:
            if self.headers.get("If-None-Match"):
                return self.headers["If-None-Match"] == etag
            since = self.headers.get("If-Modified-Since")
            return since is not None and parsedate_to_datetime(since) >= parsedate_to_datetime(modified)

        def send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            try:
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler hung up (timeout, size limit): expected

    return Handler
