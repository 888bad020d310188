"""A threaded HTTP server for the fixture sites in tests/fixtures/sites, on 127.0.0.1 only.

Static files get a strong ETag and a Last-Modified and answer conditional GETs with 304. Query paging maps to
files: `index.html?pageNum=2` → `index.p2.html`, `/api/all/146?page=1` → `146.p1.json`. Special paths simulate
what real sites do: `/challenge/` (瑞数 412 page), `/slow/` (slower than any test timeout), `/loop/` (a redirect
loop), `/huge/` (a 20 MB page). Attachments (PDF, DOCX) are generated in memory at start-up. Tests may replace
a page's bytes through `FixtureServer.overrides` to simulate a changed article.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
FIXED_MTIME = 1735689600  # 2025-01-01: Last-Modified of every fixture file
PAGE_PARAM = re.compile(r"^(?:page|pageNum|pageIndex)$")
TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".json": "application/json",
         ".pdf": "application/pdf", ".txt": "text/plain",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip
NO_CHARSET = {"/trs/zfgzbg/202401/t20240122_0901.html"}  # the GBK page: no charset anywhere
CHALLENGE = (
    b'<html><head><meta content="xV0kq3w1ZP"><script type="text/javascript">$_ts=window["$_ts"];if(!$_ts)'
    b'$_ts={};$_ts.nsd=80112;$_ts.cd="qWnkrAlk";</script><script src="/Ks4mP1/a8Yc2.js" r="m"></script>'
    b"</head><body></body></html>"
)
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def pdf_bytes(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    page.setFont("STSong-Light", 12)
    for n, line in enumerate(lines):
        page.drawString(60, 780 - 22 * n, line)
    page.save()
    return buffer.getvalue()


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def attachments() -> dict[str, bytes]:
    return {
        "/trs/zfgzbg/202501/W020250121500001.pdf": pdf_bytes(
            ["2025年北京市政府工作报告（图文版）", "地区生产总值增长5%左右。", "城镇新增就业不少于26万人。"]
        ),
        "/trs/zfgzbg/202402/W020240210600001.docx": docx_bytes(
            "重点任务清单", ["新建5G基站6000个，由市通信管理局牵头。", "培育算力中心3家，由市经济和信息化局牵头。"]
        ),
        "/generic/files/2025yshj.docx": docx_bytes(
            "嘉兴市2025年营商环境优化提升工作要点",
            ["全年新增经营主体8万户以上。", "涉企审批事项平均办理时间压减到3个工作日以内。"],
        ),
    }


class FixtureServer:
    def __init__(self, root: Path = SITES, slow_seconds: float = 3.0) -> None:
        self.root, self.slow_seconds = root, slow_seconds
        self.overrides: dict[str, bytes] = {}
        self.generated = attachments()
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

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


def _handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            server.requests.append(self.path)
            if parts.path == "/robots.txt":
                return self.send(200, ROBOTS, "text/plain")
            if "/challenge/" in parts.path:
                return self.send(412, CHALLENGE, "text/html", extra={"Set-Cookie": "FSSBBIl1UgzbN7N80S=abc; Path=/"})
            if "/slow/" in parts.path:
                time.sleep(server.slow_seconds)
            if "/loop/" in parts.path:
                target = (
                    parts.path.replace("/loop/", "/loop/x")
                    if "/loop/x" not in parts.path
                    else parts.path.replace("/loop/x", "/loop/")
                )
                return self.send(302, b"", "text/html", extra={"Location": target})
            if "/huge/" in parts.path:
                return self.send(
                    200, b"<html><body>" + b"<p>x</p>" * (20 * 1024 * 1024 // 8) + b"</body></html>", "text/html"
                )
            body = server.resolve(parts.path, parts.query)
            if body is None:
                return self.send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8")
            self.static(parts.path, body)

        def static(self, path: str, body: bytes) -> None:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = formatdate(FIXED_MTIME if path not in server.overrides else time.time(), usegmt=True)
            validators = {"ETag": etag, "Last-Modified": modified}
            if self._not_modified(etag, modified):
                return self.send(304, b"", None, extra=validators)
            self.send(200, body, _type(path), extra=validators)

        def _not_modified(self, etag: str, modified: str) -> bool:
            if self.headers.get("If-None-Match"):
                return self.headers["If-None-Match"] == etag
            since = self.headers.get("If-Modified-Since")
            return bool(since) and parsedate_to_datetime(since) >= parsedate_to_datetime(modified)

        def send(self, status: int, body: bytes, content_type: str | None, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            try:
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler hung up (timeout, size limit): expected

    def _type(path: str) -> str:
        if path in NO_CHARSET:
            return "text/html"
        suffix = Path(path).suffix
        return TYPES.get(suffix, "application/json" if "/api/" in path else "text/html")

    return Handler


if __name__ == "__main__":  # serve the fixtures by hand: python -m tests.crawler.fixture_server
    with FixtureServer() as fixture:
        print(fixture.base, flush=True)
        threading.Event().wait()
