"""Fixtures of the web tests: a database with two years of 示例市 (processed), settings whose sign-up mails land
as .eml files, and the app under Starlette's test client."""

from __future__ import annotations

import email
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.config import Settings
from monitor.ops.jobs import process_new_versions
from monitor.web import create_app
from monitor.web.state import Limits

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
BASE = "http://testserver"
SECRET = "web-test-secret"


def report(year: int, region: str = "示例市") -> FetchedDocument:
    text = (TEXTS / f"示例市_{year}.txt").read_text(encoding="utf-8").replace("示例市", region)
    return FetchedDocument(url=f"https://www.example.gov.cn/{region}/{year}.html", region=region, text=text,
                           raw=text.encode(), title=f"{year}年{region}政府工作报告", doc_type="work_report",
                           report_year=year)  # fmt: skip


def store(engine: Engine, *items: FetchedDocument) -> None:
    with session_scope(engine) as session:
        for item in items:
            store_fetched(session, item)
    process_new_versions(engine)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'govmon.db'}")
    upgrade(engine)
    store(engine, report(2023), report(2024))
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db: Engine, tmp_path: Path) -> Settings:
    return Settings(database_url=db.url.render_as_string(hide_password=False), data_dir=str(tmp_path),
                    mail_dir=str(tmp_path / "mail"), base_url=BASE, secret_key=SECRET)  # fmt: skip


AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings) -> Iterator[AppFactory]:
    clients: list[TestClient] = []

    def make(limits: Limits | None = None, now: Callable[[], datetime] | None = None, **changes: object) -> TestClient:
        app = create_app(settings.replace(**changes), limits=limits or Limits(100, 100), now=now, page_ttl=0.0)
        client = TestClient(app, base_url=BASE, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: AppFactory) -> TestClient:
    return make_client()


def mails(settings: Settings) -> list[Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(Path(settings.mail_dir).glob("*.eml"))]


def body(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def link(message: Message, path: str) -> str:
    """The path and query of the link to `path` in a mail (relative to the test server)."""
    found = re.search(rf"{re.escape(BASE)}(/{path}\?token=[\w.\-]+)", body(message))
    assert found, body(message)
    return found.group(1)


def csrf(client: TestClient, path: str) -> str:
    """The CSRF token of the form on `path` (the client keeps the cookie)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_up(client: TestClient, email_address: str, **fields: object) -> object:
    data = {"csrf_token": csrf(client, "/subscribe"), "email": email_address, "cadence": "immediate",
            "format": "both", **fields}  # fmt: skip
    return client.post("/subscribe", data=data)


def now_utc() -> datetime:
    return datetime.now(UTC)
