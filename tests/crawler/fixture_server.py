"""The server of the fixture sites in tests/fixtures/sites: govmon's demo `SiteServer` plus what real sites do.

Static serving, ETag/Last-Modified, query paging and the GBK page without a charset come from
`monitor.demo.server`. Special paths here simulate misbehaving sites: `/challenge/` (瑞数 412 page), `/slow/`
(slower than any test timeout), `/loop/` (a redirect loop), `/huge/` (a 20 MB page). Attachments (PDF, DOCX) are
generated in memory at start-up. Tests may replace a page's bytes through `FixtureServer.overrides`.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from monitor.demo.server import Reply, SiteServer

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
CHALLENGE = (
    b'<html><head><meta content="xV0kq3w1ZP"><script type="text/javascript">$_ts=window["$_ts"];if(!$_ts)'
    b'$_ts={};$_ts.nsd=80112;$_ts.cd="qWnkrAlk";</script><script src="/Ks4mP1/a8Yc2.js" r="m"></script>'
    b"</head><body></body></html>"
)


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


class FixtureServer(SiteServer):
    def __init__(self, root: Path = SITES, slow_seconds: float = 3.0) -> None:
        super().__init__(root)
        self.slow_seconds = slow_seconds
        self.generated = attachments()

    def __enter__(self) -> FixtureServer:
        super().__enter__()
        return self

    def route(self, path: str) -> Reply | None:
        if "/challenge/" in path:
            return Reply(412, CHALLENGE, "text/html", {"Set-Cookie": "FSSBBIl1UgzbN7N80S=abc; Path=/"})
        if "/slow/" in path:
            time.sleep(self.slow_seconds)
        if "/loop/" in path:
            target = path.replace("/loop/", "/loop/x") if "/loop/x" not in path else path.replace("/loop/x", "/loop/")
            return Reply(302, b"", "text/html", {"Location": target})
        if "/huge/" in path:
            return Reply(200, b"<html><body>" + b"<p>x</p>" * (20 * 1024 * 1024 // 8) + b"</body></html>", "text/html")
        return super().route(path)


if __name__ == "__main__":  # serve the fixtures by hand: python -m tests.crawler.fixture_server
    with FixtureServer() as fixture:
        print(fixture.base, flush=True)
        threading.Event().wait()
