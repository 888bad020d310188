"""Encoding detection, attachment text and challenge detection."""

from __future__ import annotations

import pytest

from crawler import fetchers
from tests.crawler.fixture_server import CHALLENGE, SITES, docx_bytes, pdf_bytes

TEXT = "政府工作报告：地区生产总值增长5%左右"


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        (TEXT.encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
        (TEXT.encode("gbk"), "text/html; charset=GB2312", "gb18030"),
        (b'<meta charset="gbk">' + TEXT.encode("gbk"), "text/html", "gb18030"),
        (b'<META http-equiv="Content-Type" content="text/html; charset=gb2312">' + TEXT.encode("gbk"), None, "gb18030"),
        (TEXT.encode("utf-8"), None, "utf-8"),
        (TEXT.encode("gbk"), None, "gb18030"),  # no declaration at all: strict UTF-8 fails, GB18030
        (TEXT.encode("gbk"), "text/html; charset=utf-8", "gb18030"),  # a lying header
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), None, "utf-8"),
    ],
)
def test_decode_html(body: bytes, content_type: str | None, encoding: str) -> None:
    decoded = fetchers.decode_html(body, content_type)
    assert decoded.encoding == encoding
    assert TEXT in decoded.text


def test_gbk_fixture_page_without_any_charset() -> None:
    body = (SITES / "trs/zfgzbg/202401/t20240122_0901.html").read_bytes()
    assert "城镇新增就业26万人以上" in fetchers.decode_html(body, "text/html").text


def test_pdf_and_docx_text() -> None:
    pdf = pdf_bytes(["2025年工作要点", "新增高新技术企业600家以上"])
    assert fetchers.attachment_kind("x.pdf", None, pdf) == "pdf"
    assert "新增高新技术企业600家以上" in fetchers.attachment_text("pdf", pdf)
    docx = docx_bytes("2025年工作要点", ["技术合同成交额突破200亿元"])
    assert fetchers.attachment_kind("x.docx", "application/octet-stream", docx) == "docx"
    assert "技术合同成交额突破200亿元" in fetchers.attachment_text("docx", docx)


def test_broken_attachment_is_unsupported() -> None:
    with pytest.raises(fetchers.UnsupportedAttachment):
        fetchers.attachment_text("pdf", b"%PDF-1.4 truncated")


def test_legacy_word_97_doc_through_antiword() -> None:
    """A real Word 97 file (tests/fixtures/make_doc.py: python-docx text converted by LibreOffice)."""
    import os
    import shutil

    if shutil.which("antiword") is None:
        if os.environ.get("CI"):
            pytest.fail("antiword is required in CI (scripts/bootstrap installs it)")
        pytest.skip("antiword is not installed")
    body = (SITES / "menus/ghjh/202502/W020250210000001.doc").read_bytes()
    assert fetchers.attachment_kind("W020250210000001.doc", "application/octet-stream", body) == "doc"
    text = fetchers.attachment_text("doc", body)
    assert text.startswith("示例县2025年农业农村工作要点") and "粮食总产量达到21万吨" in text


def test_doc_without_antiword(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetchers.shutil, "which", lambda name: None)
    assert fetchers.attachment_kind("a.doc", None, b"\xd0\xcf\x11\xe0rest") == "doc"
    with pytest.raises(fetchers.UnsupportedAttachment, match="antiword"):
        fetchers.attachment_text("doc", b"\xd0\xcf\x11\xe0rest")


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (412, CHALLENGE, {}, "瑞数"),
        (412, b"", {}, "412"),
        (521, b"<script>document.cookie='__jsl_clearance=1'</script>", {}, "加速乐"),
        (200, b"<html><script>var wzwschallenge='x'</script></html>", {}, "wzws"),
        (403, "<title>403</title>网防G01 eventID".encode(), {}, "网防G01"),
        (200, b"<html>ok</html>", {"set-cookie": "wzws_sessionid=abc"}, "wzws"),
        (200, b"<html>ok</html>", {"set-cookie": "__jsluid_s=abc"}, "加速乐"),
        (200, b"<html>ok</html>", {}, None),
        (200, "<title>403</title><p>正文内容</p>".encode() * 2000, {}, None),  # real content titled 403
        (404, b"<h1>Not Found</h1>", {}, None),
    ],
)
def test_challenge_reason(status: int, body: bytes, headers: dict[str, str], expected: str | None) -> None:
    reason = fetchers.challenge_reason(status, body, headers)
    assert (reason is None) if expected is None else (reason is not None and expected in reason)
