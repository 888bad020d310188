"""A raw-socket HTTP/1.1 server whose pages fail the way real servers and networks do.

Each fault has a TRS-style column `/<fault>/index.html` listing two good articles and one faulty one. The good
ones are always served whole (keep-alive, correct Content-Length); the faulty one, until `fixed` is set:

- `reset`           half the body, then a TCP reset (SO_LINGER 0 close)
- `reset_unframed`  the same without Content-Length (a body framed by the connection's close, as old servers do)
- `trickle_timeout` the body a few bytes at a time, far slower than the crawl's DOWNLOAD_TIMEOUT
- `trickle_ok`      the body a few bytes at a time, slow but well within the timeout (must succeed)
- `gzip_truncated`  a gzip body cut short (with a Content-Length that matches the cut); the good pages of this
                    column are gzipped whole
- `length_long`     Content-Length larger than the body, then the connection closes
- `length_short`    Content-Length smaller than the body; the surplus bytes stay on the kept-alive connection
- `length_short_tail` the same, cutting in the middle of a character of a comment after `</html>` (the text is
                    whole, and must not be decoded as GB18030 mojibake)

`generated(n, delay)` adds a column `/bulk/index.html` of n good articles, each answered after `delay` seconds,
for crawls that must still be fetching while something else breaks (`stalls` holds chosen ones much longer).
`hits` counts requests per path and `log`
records when each came.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import struct
import threading
import time
from collections import Counter

FAULTS = ("reset", "reset_unframed", "trickle_timeout", "trickle_ok", "gzip_truncated", "length_long", "length_short",
          "length_short_tail")  # fmt: skip
CITIES = {
    "reset": "甲市", "trickle_timeout": "乙市", "trickle_ok": "丙市", "gzip_truncated": "丁市",
    "length_long": "戊市", "length_short": "己市", "reset_unframed": "辛市", "length_short_tail": "壬市",
    "bulk": "庚市",
}  # fmt: skip
ARTICLES = (  # (file, title pattern); the last one is the faulty article of each column
    ("202501/t20250121_1001.html", "{city}2025年政府工作报告"),
    ("202502/t20250210_1002.html", "{city}2025年数字经济发展行动方案"),
    ("202412/t20241230_1003.html", "{city}发展改革委2024年工作总结和2025年工作思路"),
)
TRICKLE_CHUNKS = 12


def list_page(column: str, links: list[tuple[str, str]]) -> bytes:
    items = "\n".join(
        f'    <li><a href="./{href}" title="{title}" target="_blank">{title}</a><span>2025-01-21</span></li>'
        for href, title in links
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{CITIES[column]}人民政府">
<meta name="ColumnName" content="政府工作报告">
<title>政府工作报告_{CITIES[column]}人民政府门户网站</title>
</head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="list">
  <ul>
{items}
  </ul>
</div>
<div class="page"><script type="text/javascript">createPageHTML(1, 0, "index", "html");</script></div>
<div class="footer">主办：{CITIES[column]}人民政府办公厅</div>
</body>
</html>
""".encode()


def paragraphs(column: str, number: int) -> list[str]:
    """Body text unique to the article, long enough that a cut is obvious."""
    city = CITIES[column]
    return [
        f"各位代表：这是{city}第{number}号文件（{column}）的正文。",
        f"回顾过去一年，{city}地区生产总值增长5.{number}%，一般公共预算收入完成{100 + number}亿元。",
        *(
            f"第{n}项重点任务：{city}推进第{number}批科技创新项目{n * 10 + number}个，新增就业{n}万人以上。"
            for n in range(1, 25)
        ),
        f"今年主要预期目标：地区生产总值增长5%左右，研发经费投入强度达到{number}.5%左右。END{column}{number}",
    ]


def article_page(column: str, number: int, title: str) -> bytes:
    body = "\n".join(f"      <p>{p}</p>" for p in paragraphs(column, number))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2025-01-21 08:15:00">
<title>{title}_{CITIES[column]}人民政府</title>
</head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="article">
  <h1>{title}</h1>
  <div class="info"><span>发布日期：2025-01-21</span> <span>来源：{CITIES[column]}人民政府办公厅</span></div>
  <div class="view TRS_UEDITOR trs_paper_default trs_web">
    <div class="TRS_Editor">
{body}
    </div>
  </div>
</div>
<div class="footer">主办：{CITIES[column]}人民政府办公厅</div>
</body>
</html>
""".encode()


class FaultServer:
    """Serve the fault columns on 127.0.0.1 in daemon threads; a context manager."""

    def __init__(self, trickle_ok_seconds: float = 0.6, trickle_slow_seconds: float = 30.0) -> None:
        self.fixed = False
        self.trickle_ok_seconds, self.trickle_slow_seconds = trickle_ok_seconds, trickle_slow_seconds
        self.bulk_delay = 0.0
        self.stalls: dict[str, float] = {}  # path → seconds to wait before answering
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[float, str]] = []  # (time.monotonic(), path) of every request
        self.pages: dict[str, bytes] = {}
        self.titles: dict[str, str] = {}  # path → title of every article
        self.faulty: dict[str, str] = {}  # path of a faulty article → its fault
        for column in FAULTS:
            self._column(column, len(ARTICLES))
        self.server = _Server(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _column(self, column: str, count: int) -> None:
        links = []
        for number in range(1, count + 1):
            file, pattern = ARTICLES[(number - 1) % len(ARTICLES)]
            file = f"202501/t20250121_{3000 + number}.html" if count > len(ARTICLES) else file
            title = pattern.format(city=CITIES[column]) + (f"（第{number}批）" if count > len(ARTICLES) else "")
            path = f"/{column}/{file}"
            self.pages[path] = article_page(column, number, title)
            self.titles[path] = title
            links.append((file, title))
        self.pages[f"/{column}/index.html"] = list_page(column, links)
        if column in FAULTS:
            self.faulty[f"/{column}/{ARTICLES[-1][0]}"] = column

    def generated(self, count: int, delay: float) -> FaultServer:
        """Add the `bulk` column: `count` good articles, each answered after `delay` seconds."""
        self._column("bulk", count)
        self.bulk_delay = delay
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def articles(self, column: str) -> dict[str, str]:
        """URL → title of the column's articles."""
        return {self.base + p: t for p, t in self.titles.items() if p.startswith(f"/{column}/")}

    def fault_url(self, column: str) -> str:
        return self.base + next(p for p, c in self.faulty.items() if c == column)

    def registry(self, columns: tuple[str, ...]) -> str:
        """A source registry (YAML text) with one TRS source per column."""
        return "".join(
            f"- id: fault-{c.replace('_', '-')}\n  region: {CITIES[c]}\n  cms: trs\n"
            f'  start_urls: ["{self.base}/{c}/index.html"]\n'
            for c in columns
        )

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _handler(site: FaultServer) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        timeout = 30

        def handle(self) -> None:
            try:
                while self.serve_one():
                    pass
            except OSError:  # the client gave up (a timeout) or reset the connection
                pass

        def serve_one(self) -> bool:
            """Answer one request; False when the connection is done."""
            request_line = self.rfile.readline()
            if not request_line:
                return False
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            path = request_line.split()[1].decode("latin-1").split("?")[0]
            site.hits[path] += 1
            site.log.append((time.monotonic(), path))
            if path.startswith("/bulk/20"):
                time.sleep(site.stalls.get(path, site.bulk_delay))
            body = site.pages.get(path)
            if body is None:
                return self.send(404, b"<html><body>404 Not Found</body></html>")
            fault = None if site.fixed else site.faulty.get(path)
            if fault is None:
                if path.startswith("/gzip_truncated/") and "/20" in path:
                    return self.send(200, gzip.compress(body, mtime=0), extra=b"Content-Encoding: gzip\r\n")
                return self.send(200, body)
            return getattr(self, fault)(body)

        def send(self, status: int, body: bytes, extra: bytes = b"", length: int | None = None) -> bool:
            self.wfile.write(head(status, len(body) if length is None else length, extra) + body)
            self.wfile.flush()
            return True

        def reset(self, body: bytes, length: int | None = -1) -> bool:
            self.wfile.write(head(200, len(body) if length == -1 else length) + body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False  # closing now sends an RST

        def reset_unframed(self, body: bytes) -> bool:
            return self.reset(body, length=None)

        def trickle(self, body: bytes, seconds: float) -> bool:
            self.wfile.write(head(200, len(body)))
            step = -(-len(body) // TRICKLE_CHUNKS)
            for start in range(0, len(body), step):
                time.sleep(seconds / TRICKLE_CHUNKS)
                self.wfile.write(body[start : start + step])
                self.wfile.flush()
            return True

        def trickle_timeout(self, body: bytes) -> bool:
            return self.trickle(body, site.trickle_slow_seconds)

        def trickle_ok(self, body: bytes) -> bool:
            return self.trickle(body, site.trickle_ok_seconds)

        def gzip_truncated(self, body: bytes) -> bool:
            packed = gzip.compress(body, mtime=0)
            return self.send(200, packed[: len(packed) * 2 // 3], extra=b"Content-Encoding: gzip\r\n")

        def length_long(self, body: bytes) -> bool:
            self.send(200, body, length=len(body) + 500)
            return False

        def length_short(self, body: bytes) -> bool:
            return self.send(200, body, length=len(body) // 2)

        def length_short_tail(self, body: bytes) -> bool:
            tail = "<!-- 本页面由内容管理系统生成 -->\n".encode()
            return self.send(200, body + tail, length=len(body) + len("<!-- 本页".encode()) + 1)

    return Handler


def head(status: int, length: int | None, extra: bytes = b"") -> bytes:
    """Status line and headers; without a length the body ends when the connection closes."""
    reason = {200: b"OK", 404: b"Not Found"}[status]
    framing = (
        b"Content-Length: %d\r\nConnection: keep-alive\r\n" % length if length is not None else b"Connection: close\r\n"
    )
    return b"HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n%s%s\r\n" % (status, reason, framing, extra)
