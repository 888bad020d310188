"""Mails that are not digests: the sign-up confirmation and the "already subscribed" notice.

They go through the outbox like digests (a row written before anything is sent, retried by the next digest run
when the server is down) and are sent at once by `send`. Both are plain text in Chinese with the link on a line
of its own, marked `Auto-Submitted: auto-generated` so that vacation replies stay away.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.publish.render import render

if TYPE_CHECKING:
    from db.outbox import SubscriberRow
    from monitor.channels.outbox import SendReport, Transport


class HasUrl(Protocol):
    def url(self, path: str, token: str | None = None) -> str: ...


@dataclass(frozen=True)
class Notice:
    kind: str
    key: str  # the outbox idempotency key
    message_id: str
    payload: bytes


def confirmation(settings: Settings, row: SubscriberRow, links: HasUrl) -> Notice:
    context = {"email": row.email, "confirm_url": links.url("confirm"), "follows": _follows(row)}
    return _notice(settings, row, "confirmation", "请确认订阅 govmon 摘要", "mail/confirm.txt.j2", context,
                   links.url("confirm"))  # fmt: skip


def already_subscribed(settings: Settings, row: SubscriberRow, links: HasUrl) -> Notice:
    context = {"email": row.email, "preferences_url": links.url("preferences"), "follows": _follows(row)}
    return _notice(settings, row, "already-subscribed", "您已订阅 govmon 摘要", "mail/already.txt.j2", context,
                   links.url("preferences") + datetime.now().isoformat())  # fmt: skip


def _follows(row: SubscriberRow) -> str:
    f = row.filters
    return " · ".join((*f.regions, *f.doc_types, *f.metrics, *f.themes)) or "全部地区与文件"


def _notice(settings: Settings, row: SubscriberRow, kind: str, subject: str, template: str,
            context: dict[str, str], unique: str) -> Notice:  # fmt: skip
    from monitor.channels.outbox import as_bytes, message_id_for

    key = f"{kind}:{row.id}:" + hashlib.sha256(unique.encode("utf-8")).hexdigest()[:40]
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, settings.smtp_from, row.email
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = message_id_for(hashlib.sha256(key.encode()).hexdigest(), settings.smtp_from)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render(template, **context), charset="utf-8")
    return Notice(kind, key[:128], str(message["Message-ID"]), as_bytes(message))


def send(engine: Engine, settings: Settings, delivery_id: int, transport: Transport | None = None,
         now: Callable[[], datetime] | None = None) -> SendReport:  # fmt: skip
    """Send one queued notice now; when that fails it stays in the outbox for the next digest run."""
    from monitor.channels.outbox import send_one
    from monitor.ops.jobs import transport_for

    clock = now or (lambda: datetime.now().astimezone())
    return send_one(engine, transport or transport_for(settings), settings.smtp_from, delivery_id, clock)
