"""The checks that keep a body cut short out of the database, as pure functions (the crawls are in test_http_faults)."""

from __future__ import annotations

import gzip
import struct

import pytest

from crawler import fetchers
from tests.reliability.faults import article_page

PAGE = article_page("reset", 1, "甲市2025年政府工作报告")
TEXT = "甲市地区生产总值增长5.1%"


@pytest.mark.parametrize(
    ("body", "cut"),
    [
        (PAGE, False),
        (PAGE[: len(PAGE) // 2], True),
        (PAGE.replace(b"</html>", b""), False),  # sloppy: </body> is enough
        (PAGE.replace(b"</body>", b""), False),  # sloppy: </html> is enough
        (PAGE.replace(b"</body>", b"").replace(b"</html>", b"")[:-50], True),
        (PAGE.upper(), False),
        (b"<p>a fragment without a document around it</p>", False),
    ],
)
def test_cut_short(body: bytes, cut: bool) -> None:
    assert fetchers.cut_short(body) is cut


def test_gzip_truncated() -> None:
    packed = gzip.compress(PAGE, mtime=0)
    assert not fetchers.gzip_truncated(packed)
    assert fetchers.gzip_truncated(packed[: len(packed) * 2 // 3])
    assert fetchers.gzip_truncated(packed[:-4])  # only the length field of the trailer missing
    bad_crc = packed[:-8] + struct.pack("<I", 12345) + packed[-4:]
    assert not fetchers.gzip_truncated(bad_crc)  # whole but damaged: Scrapy's leniency applies
    assert not fetchers.gzip_truncated(packed + b"\0\0junk")  # trailing garbage after a whole stream


def test_the_crawler_rejects_a_truncated_gzip_body_and_keeps_lenient_ones() -> None:
    from scrapy.downloadermiddlewares import httpcompression

    import crawler.middlewares  # noqa: F401  (importing it installs the strict gunzip)

    packed = gzip.compress(PAGE, mtime=0)
    assert httpcompression.gunzip(packed) == PAGE
    assert httpcompression.gunzip(packed + b"\0\0junk") == PAGE
    with pytest.raises(fetchers.TruncatedBody, match="ends before its end-of-stream marker"):
        httpcompression.gunzip(packed[: len(packed) // 2])


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", None])
@pytest.mark.parametrize("missing", [1, 2])
def test_a_body_cut_mid_character_stays_in_its_encoding(content_type: str | None, missing: int) -> None:
    """Cut inside the last character, a UTF-8 page is still UTF-8: falling back to GB18030 garbles all of it."""
    body = PAGE.replace(b"</html>\n", "</html><!-- 生成 -->".encode())
    cut = body[: body.rindex("成".encode()) + 3 - missing]
    decoded = fetchers.decode_html(cut, content_type)
    assert decoded.encoding == "utf-8"
    assert TEXT in decoded.text and decoded.text.endswith("生\ufffd")


def test_a_gbk_page_is_still_sniffed_as_gb18030() -> None:
    body = "<html><body><p>地区生产总值增长5%左右，居民消费价格涨幅2%左右。</p></body></html>".encode("gbk")
    assert fetchers.decode_html(body, "text/html").encoding == "gb18030"
    assert fetchers.decode_html(body[:-20], None).encoding == "gb18030"  # cut GBK is not mistaken for UTF-8
