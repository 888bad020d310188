"""A page has one text and one content hash however it arrived: crawled from a site, or imported from a file.

The fixture sites (TRS, JCMS, Ucap and an unknown CMS) are crawled from the loopback server; the bytes of every
article page the crawl stored are then saved as files and imported into another database with `govmon import`.
Both must store the same text, hence the same content hash (`db.repository.content_hash`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from db import models as m
from db.migrate import upgrade
from db.session import make_engine, session_scope
from tests.crawler.conftest import ROOT, registry, run_crawl
from tests.crawler.fixture_server import FixtureServer

SOURCES = ("fx-trs", "fx-jcms", "fx-ucap", "fx-generic")


def stored_pages(db_url: str) -> dict[str, tuple[bytes, str, str]]:
    """URL → (raw bytes, text, content hash) of every stored HTML version."""
    engine = make_engine(db_url)
    query = select(m.Document.url, m.DocumentVersion.raw, m.DocumentVersion.text, m.DocumentVersion.content_hash)
    with session_scope(engine) as session:
        rows = session.execute(query.join(m.DocumentVersion).where(m.DocumentVersion.content_type.like("text/html%")))
        pages = {url: (bytes(raw), text, digest) for url, raw, text, digest in rows}
    engine.dispose()
    return pages


def new_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def test_a_crawled_page_and_the_same_page_imported_have_one_text_and_hash(site: FixtureServer, tmp_path: Path) -> None:
    crawled_db = new_database(tmp_path / "crawled.db")
    crawl = run_crawl(crawled_db, registry(site, tmp_path), *(a for s in SOURCES for a in ("--source", s)))
    assert crawl.code in (0, 7), crawl.stderr
    crawled = stored_pages(crawled_db)
    assert len(crawled) >= 6, sorted(crawled)  # articles of every family, not one lucky page

    imported_db = new_database(tmp_path / "imported.db")
    files = tmp_path / "files"
    files.mkdir()
    for number, (raw, _, _) in enumerate(crawled.values()):
        (files / f"page{number}.html").write_bytes(raw)
    command = [sys.executable, "-m", "monitor", "--db", imported_db, "import", str(files), "--glob", "*.html",
               "--region", "北京市", "--year", "2025", "--doc-type", "plan", "--no-process"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    imported = stored_pages(imported_db)
    by_file = {url.rsplit("/", 1)[-1]: (text, digest) for url, (_, text, digest) in imported.items()}

    for number, (url, (_, text, digest)) in enumerate(crawled.items()):
        assert by_file[f"page{number}.html"] == (text, digest), url
