"""Every scraped string is escaped in every HTML output, from the database on: the HTML e-mail as delivered, every
archive page and the Atom feed. Title, region, the source sentence of a figure, `</script>` and attribute
break-outs come out as text; `javascript:` URLs never become links.

tests/render/test_xss.py covers a hostile title and URL in hand-built digest contexts and a one-year archive;
this adds hostile regions and sentences, two years (so changes and trend charts are drawn), the e-mail as sent
through the outbox, and a header-injection attempt in the subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from db import outbox
from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.channels.outbox import DirectoryTransport
from monitor.config import Settings
from monitor.digest.selection import Filters
from monitor.ops.jobs import process_new_versions, send_due_digests
from monitor.publish.site import build_site

REGION = '<i>区</i>"><script>alert("region")</script>'
TITLE = '</script><script>alert("title")</script>"><img src=x onerror=alert(1)>{year}年政府工作报告'
INJECTED = "\r\nBcc: victim@example.org\r\nX-Injected: yes"
SENTENCE = "今年主要预期目标是：地区生产总值增长{gdp}%左右<img src=x onerror=alert(2)>，城镇调查失业率5.5%以内。"
MARKUP = "<img src=x onerror=alert(2)>"  # must come out as the text it is
URLS = {2024: "javascript:alert(document.cookie)//https://www.gov.cn/", 2025: " JaVaScRiPt:alert(5)"}
BASE_URL = "https://govmon.example.org/archive"
ATOM = "{http://www.w3.org/2005/Atom}"


def hostile(year: int, gdp: str) -> FetchedDocument:
    text = SENTENCE.format(gdp=gdp) + "大力发展人工智能和低空经济。" * 2
    title = TITLE.format(year=year) + (INJECTED if year == 2025 else "")
    return FetchedDocument(url=URLS[year], region=REGION, text=text, raw=text.encode(), title=title,
                           doc_type="work_report", report_year=year, published_at=date(year, 1, 20))  # fmt: skip


@dataclass
class Outputs:
    site: Path
    mail: EmailMessage


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outputs]:
    root = tmp_path_factory.mktemp("hostile")
    engine = make_engine(f"sqlite:///{root / 'govmon.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        for year, gdp in ((2024, "5"), (2025, "6")):
            store_fetched(session, hostile(year, gdp))
        outbox.upsert_subscriber(session, "reader@example.org", Filters(), "immediate", "both")
    assert not process_new_versions(engine).errors
    build_site(engine, root / "site", BASE_URL)
    transport = DirectoryTransport(root / "mail")
    settings = Settings(data_dir=str(root), secret_key="k", base_url=BASE_URL)
    report = send_due_digests(engine, settings, transport, force=True)
    engine.dispose()
    assert report.sent == 1, report
    (eml,) = transport.written
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    yield Outputs(root / "site", mail)


def assert_inert(html: str) -> BeautifulSoup:
    lowered = html.lower()
    assert "<script" not in lowered and "</script" not in lowered and "<img src=x" not in lowered
    doc = BeautifulSoup(html, "lxml")
    assert not doc.find_all(["script", "iframe", "object", "embed", "img"])
    for tag in doc.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"<{tag.name} {name}=…>"
            assert "javascript" not in str(value).lower(), f"<{tag.name} {name}={value!r}>"
        if tag.name == "a" and tag.get("href"):
            assert urlsplit(str(tag["href"])).scheme in ("", "http", "https"), tag
    return doc


def text_of(doc: BeautifulSoup) -> str:
    return " ".join(doc.get_text(" ").split())


def test_html_email_shows_hostile_strings_as_text(outputs: Outputs) -> None:
    part = outputs.mail.get_body(("html",))
    assert part is not None
    doc = assert_inert(part.get_content())
    shown = text_of(doc)
    for expected in (TITLE.format(year=2025), REGION, MARKUP):
        assert expected in shown, expected


def test_a_title_cannot_inject_mail_headers(outputs: Outputs) -> None:
    assert outputs.mail["Bcc"] is None and outputs.mail["X-Injected"] is None
    assert "\n" not in str(outputs.mail["Subject"]) and "\r" not in str(outputs.mail["Subject"])
    assert [str(v) for v in outputs.mail.get_all("To", [])] == ["reader@example.org"]


def test_every_archive_page_shows_hostile_strings_as_text(outputs: Outputs) -> None:
    pages = sorted(outputs.site.rglob("*.html"))
    shown = {
        page.relative_to(outputs.site).as_posix(): text_of(assert_inert(page.read_text("utf-8"))) for page in pages
    }
    documents = [text for name, text in shown.items() if name.startswith("documents/")]
    assert len(documents) == 2 and all(REGION in text and MARKUP in text for text in documents)
    assert any(TITLE.format(year=2025).strip() in text for text in documents)
    assert REGION in shown["index.html"]
    (region_page,) = [text for name, text in shown.items() if name.startswith("regions/")]
    assert REGION in region_page and TITLE.format(year=2024) in region_page
    (region_file,) = (outputs.site / "regions").glob("*.html")
    assert "<svg" in region_file.read_text("utf-8")  # two years of targets: the trend charts are drawn too


def test_atom_feed_keeps_hostile_strings_as_text(outputs: Outputs) -> None:
    raw = (outputs.site / "feed.atom").read_bytes()
    assert b"<script" not in raw.lower() and b"<img" not in raw.lower()
    root = etree.fromstring(raw)  # well-formed XML despite the markup in the data
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert etree.QName(el).localname.lower() not in ("script", "img", "iframe", "object", "embed"), el.tag
        for name, value in el.attrib.items():
            assert not etree.QName(name).localname.lower().startswith("on") and "javascript" not in value.lower()
    titles = [t.text or "" for t in root.iter(f"{ATOM}title")]
    assert any(TITLE.format(year=2025) in t for t in titles), titles
    links = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    assert links and all(urlsplit(href).scheme in ("http", "https") for href in links)
