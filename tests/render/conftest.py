"""Fixtures of the rendering tests: an archive database with two years of 示例市 and a hostile document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.ops.jobs import process_new_versions
from tests.render.samples import BASE_URL, EVIL_TITLE, EVIL_URL

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
EVIL_TEXT = "今年主要预期目标是：地区生产总值增长6%左右，城镇调查失业率5.5%以内。大力发展人工智能。"


def _document(year: int) -> FetchedDocument:
    text = (TEXTS / f"示例市_{year}.txt").read_text(encoding="utf-8")
    return FetchedDocument(
        url=f"https://www.example.gov.cn/zfgzbg/{year}.html",
        region="示例市",
        text=text,
        raw=text.encode(),
        title=f"{year}年示例市政府工作报告",
        doc_type="work_report",
        report_year=year,
        published_at=date(year, 1, 20),
    )


def _evil() -> FetchedDocument:
    return FetchedDocument(
        url=EVIL_URL,
        region="<b>恶意</b>",
        text=EVIL_TEXT,
        raw=EVIL_TEXT.encode(),
        title=EVIL_TITLE,
        doc_type="work_report",
        report_year=2024,
    )


@pytest.fixture(scope="module")
def archive_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A SQLite database holding 示例市 2023 and 2024 (processed) and one hostile scraped page."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('archive') / 'govmon.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        for item in (_document(2023), _document(2024), _evil()):
            store_fetched(session, item)
    process_new_versions(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def site_dir(archive_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from monitor.publish.site import build_site

    out = tmp_path_factory.mktemp("site")
    build_site(archive_engine, out, BASE_URL)
    return out
