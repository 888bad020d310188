"""Repository of subscribers, digest inputs and the delivery outbox: every digest sent at most once, none lost.

A Delivery row is written (with its idempotency key, Message-ID and rendered payload) before any byte goes
to the SMTP server; its status moves pending → sending → sent, or back to pending with a later
`next_attempt_at` on a temporary failure. A row found in `sending` after a crash is marked `unknown`: it may
or may not have reached the server, so it is never resent automatically.

A mail sender takes its rows a batch at a time: pending → `claimed` for a lease (`claim_batch`; the row's
`next_attempt_at` holds the lease's end, which also tells this claim from a later one), then each row in turn
claimed → sending (`start_sending`, in the transaction that records the row before it sent) just before its
message leaves. Nothing of a claimed row has left the process, so a claim outlived by its sender is simply taken
again once its lease has ended; only the one row in `sending` can have been handed over.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from db.derived import get_version, load_extraction, previous_in_series, previous_version_of_document
from db.reviews import held
from monitor.channels.addresses import address_key, parse_address
from monitor.digest.selection import DocumentUpdate, Filters
from monitor.vocabulary import StoredChange

# the outbox table itself: statements on it skip the ORM's bookkeeping, which the sender's hot path cannot afford
_DELIVERIES: Table = m.Delivery.__table__  # type: ignore[assignment]
_D = _DELIVERIES.c
_PAYLOADS: Table = m.DeliveryPayload.__table__  # type: ignore[assignment]
_P = _PAYLOADS.c

CADENCES = ("immediate", "daily", "weekly")
FORMATS = ("html", "text", "both")
STATUSES = ("pending", "active", "unsubscribed")  # only active subscribers get digests


@dataclass(frozen=True)
class SubscriberRow:
    id: int
    email: str  # "" for a channel subscriber
    filters: Filters
    cadence: str
    format: str
    status: str
    created_at: datetime
    last_digest_at: datetime | None
    confirmed_at: datetime | None = None
    confirm_sent_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    channel: str = "email"
    channel_url: str = field(default="", repr=False)  # credentials: never in a repr or a log
    channel_secret: str = field(default="", repr=False)
    channel_key: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def identity(self) -> str:
        """What the subscriber's signed links are bound to: the address, or the channel's receiver."""
        return self.email if self.channel == "email" else f"{self.channel}:{self.channel_key}"


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    subscriber_id: int
    email: str  # "" for a channel subscriber
    idempotency_key: str
    message_id: str
    status: str
    attempts: int
    last_error: str | None
    payload: bytes | None
    created_at: datetime
    sent_at: datetime | None
    channel: str = "email"
    channel_url: str = field(default="", repr=False)
    channel_secret: str = field(default="", repr=False)


# --- subscribers ---------------------------------------------------------------------------------------------


def _subscriber_row(s: m.Subscriber) -> SubscriberRow:
    filters = Filters(tuple(s.regions), tuple(s.doc_types), tuple(s.metrics), tuple(s.themes))
    return SubscriberRow(s.id, s.email or "", filters, s.cadence, s.format, s.status, s.created_at,
                         s.last_digest_at, s.confirmed_at, s.confirm_sent_at, s.unsubscribed_at, s.channel or "email",
                         s.channel_url or "", s.channel_secret or "", s.channel_key or "")  # fmt: skip


def channel_key(kind: str, url: str) -> str:
    """One subscriber per receiver: the same kind and URL name the same subscriber (the URL itself stays unindexed)."""
    return hashlib.sha256(f"{kind}\n{url.strip()}".encode()).hexdigest()


def _check(cadence: str, fmt: str) -> None:
    if cadence not in CADENCES or fmt not in FORMATS:
        raise ValueError(f"cadence must be one of {CADENCES} and format one of {FORMATS}")


def _by_email(session: Session, email: str) -> m.Subscriber | None:
    """The subscriber with this address, whatever its case."""
    return session.scalar(select(m.Subscriber).where(m.Subscriber.email_key == address_key(email)))


def _set_filters(row: m.Subscriber, filters: Filters, cadence: str, fmt: str) -> None:
    row.regions, row.doc_types = list(filters.regions), list(filters.doc_types)
    row.metrics, row.themes = list(filters.metrics), list(filters.themes)
    row.cadence, row.format = cadence, fmt


def _new_row(email: str, status: str) -> m.Subscriber:
    """A subscriber row for a validated address (InvalidAddress when it is none)."""
    address = parse_address(email)
    return m.Subscriber(email=address.email, email_key=address.key, created_at=m.utcnow(), status=status)


def upsert_subscriber(session: Session, email: str, filters: Filters, cadence: str, fmt: str) -> SubscriberRow:
    """Add an active subscriber, or update the one with this address (whatever its case) and make it active (the
    operator's word is consent); InvalidAddress when `email` is not an address."""
    _check(cadence, fmt)
    row = _by_email(session, parse_address(email).email)
    if row is None:
        row = _new_row(email, "active")
        row.confirmed_at = m.utcnow()
        session.add(row)
    _set_filters(row, filters, cadence, fmt)
    if row.status != "active":
        row.status, row.confirmed_at = "active", m.utcnow()
    session.flush()
    return _subscriber_row(row)


def upsert_channel(
    session: Session, kind: str, url: str, secret: str, filters: Filters, cadence: str, fmt: str
) -> tuple[SubscriberRow, bool]:
    """Add an active channel subscriber, or update the one with this kind and URL (its secret too, and make it
    active); the row and whether it existed. The caller has checked the URL and the secret for the medium."""
    _check(cadence, fmt)
    key = channel_key(kind, url)
    row = session.scalar(select(m.Subscriber).where(m.Subscriber.channel_key == key))
    existed = row is not None
    if row is None:
        row = m.Subscriber(email=None, email_key=None, channel=kind, channel_url=url.strip(), channel_key=key,
                           created_at=m.utcnow(), confirmed_at=m.utcnow(), status="active")  # fmt: skip
        session.add(row)
    row.channel_secret = secret or None
    _set_filters(row, filters, cadence, fmt)
    if row.status != "active":
        row.status, row.confirmed_at = "active", m.utcnow()
    session.flush()
    return _subscriber_row(row), existed


def add_pending(session: Session, email: str, filters: Filters, cadence: str, fmt: str) -> SubscriberRow:
    """A new subscriber waiting for their confirmation (double opt-in): no digest goes to them before."""
    _check(cadence, fmt)
    row = _new_row(email, "pending")
    _set_filters(row, filters, cadence, fmt)
    session.add(row)
    session.flush()
    return _subscriber_row(row)


def update_filters(session: Session, subscriber_id: int, filters: Filters, cadence: str, fmt: str) -> SubscriberRow:
    _check(cadence, fmt)
    row = session.get(m.Subscriber, subscriber_id)
    if row is None:
        raise LookupError(f"no subscriber #{subscriber_id}")
    _set_filters(row, filters, cadence, fmt)
    session.flush()
    return _subscriber_row(row)


def set_status(session: Session, subscriber_id: int, status: str) -> bool:
    """Move a subscriber to `status`, noting when; False when it was already there (or is gone)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    row = session.get(m.Subscriber, subscriber_id)
    if row is None or row.status == status:
        return False
    row.status = status
    if status == "active":
        row.confirmed_at = m.utcnow()
    elif status == "unsubscribed":
        row.unsubscribed_at = m.utcnow()
    return True


def note_confirmation_sent(session: Session, subscriber_id: int, when: datetime) -> None:
    row = session.get(m.Subscriber, subscriber_id)
    if row is not None:
        row.confirm_sent_at = when


def _named(email_or_id: str) -> ColumnElement[bool]:
    """Rows an operator names: `#12` or `12` (an id: any stored address can be named, however long or invalid),
    else an address, matched without regard to case (and exactly, for rows migration 0007 left without a key)."""
    text = email_or_id.strip()
    if text.lstrip("#").isdigit():
        return m.Subscriber.id == int(text.lstrip("#"))
    return or_(m.Subscriber.email_key == address_key(text), m.Subscriber.email == text)


def find_subscriber(session: Session, email_or_id: str) -> SubscriberRow | None:
    row = session.scalars(select(m.Subscriber).where(_named(email_or_id)).order_by(m.Subscriber.id)).first()
    return None if row is None else _subscriber_row(row)


def list_subscribers(session: Session, *, active_only: bool = False, email: str | None = None) -> list[SubscriberRow]:
    query = select(m.Subscriber).order_by(m.Subscriber.id)
    if active_only:
        query = query.where(m.Subscriber.status == "active")
    if email:
        query = query.where(_named(email))
    return [_subscriber_row(s) for s in session.scalars(query)]


def get_subscriber(session: Session, subscriber_id: int) -> SubscriberRow | None:
    row = session.get(m.Subscriber, subscriber_id)
    return None if row is None else _subscriber_row(row)


def remove_subscriber(session: Session, email_or_id: str) -> list[str]:
    """Delete the subscribers `email_or_id` names (see `_named`); the addresses removed (`#id (kind)` for a
    channel subscriber)."""
    rows = session.scalars(select(m.Subscriber).where(_named(email_or_id))).all()
    for row in rows:
        session.delete(row)
    return [row.email or f"#{row.id} ({row.channel})" for row in rows]


def deactivate(session: Session, subscriber_id: int) -> bool:
    """Unsubscribe; True when the subscriber was not unsubscribed before."""
    return set_status(session, subscriber_id, "unsubscribed")


def cancel_unsent(session: Session, subscriber_id: int) -> int:
    """Mark the subscriber's digests still waiting in the outbox `cancelled` (they unsubscribed before them)."""
    result = session.execute(
        update(m.Delivery)
        .where(m.Delivery.subscriber_id == subscriber_id, m.Delivery.status.in_(("pending", "claimed")))
        .values(status="cancelled", last_error="the subscriber unsubscribed before it was sent")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def subscriber_counts(session: Session) -> dict[str, int]:
    query = select(m.Subscriber.status, func.count()).group_by(m.Subscriber.status)
    return {status: n for status, n in session.execute(query)}


def mark_digested(session: Session, subscriber_id: int | Sequence[int], until: datetime) -> None:
    """The subscriber's (or subscribers') window now ends at `until`."""
    ids = [subscriber_id] if isinstance(subscriber_id, int) else list(subscriber_id)
    if ids:
        session.execute(_DIGESTED, {"ids": ids, "until": until})


_SUBSCRIBERS: Table = m.Subscriber.__table__  # type: ignore[assignment]
_DIGESTED = (  # built once: thousands of subscribers are marked in one run
    update(_SUBSCRIBERS)
    .where(_SUBSCRIBERS.c.id.in_(bindparam("ids", expanding=True)))
    .values(last_digest_at=bindparam("until", type_=m.UTCDateTime()))
)


# --- what happened in a window -------------------------------------------------------------------------------


def updates_between(session: Session, start: datetime, end: datetime) -> list[DocumentUpdate]:
    """Every version processed in [start, end), with its stored changes, as pure digest input."""
    query = (
        select(m.DocumentVersion.id)
        .where(m.DocumentVersion.processed_at >= start, m.DocumentVersion.processed_at < end)
        .order_by(m.DocumentVersion.id)
    )
    return [_update(session, version_id) for version_id in session.scalars(query)]


def _update(session: Session, version_id: int) -> DocumentUpdate:
    version = get_version(session, version_id)
    if version is None:
        raise LookupError(f"version {version_id} vanished while gathering the digest")
    prior = previous_in_series(session, version_id)
    previous_page = previous_version_of_document(session, version_id)
    changes = session.scalars(select(m.ChangeRow).where(m.ChangeRow.new_version_id == version_id))
    targets = load_extraction(session, version).targets
    return DocumentUpdate(
        document_id=version.document_id,
        version_id=version_id,
        title=version.title,
        region=version.region,
        doc_type=version.doc_type,
        report_year=version.report_year,
        url=version.url,
        published=version.published_at.isoformat() if version.published_at else None,
        is_new_document=previous_page is None,
        changed_since_previous_version=(
            previous_page is not None and _fingerprint(session, previous_page) != _fingerprint(session, version_id)
        ),
        compared_with=prior.title if prior else None,
        compared_year=prior.report_year if prior else None,
        compared_id=prior.document_id if prior else None,
        changes=tuple(
            StoredChange(c.category, c.metric, c.metric_key, c.change, c.old, c.new, c.significance) for c in changes
        ),
        headline_targets=tuple(
            t.to_dict()
            for t in targets
            if t.headline and t.status == "target" and t.year in (None, version.report_year)
        ),
        processed_at=version.processed_at,
        held=held(session, version_id),
    )


def _fingerprint(session: Session, version_id: int) -> tuple[frozenset[tuple[object, ...]], frozenset[str]]:
    """What a page version says: its targets (metric, value, status …) and its themes."""
    targets = session.execute(
        select(m.TargetRow.metric_key, m.TargetRow.metric, m.TargetRow.value, m.TargetRow.value_max, m.TargetRow.unit,
               m.TargetRow.qualifier, m.TargetRow.status, m.TargetRow.year).where(m.TargetRow.version_id == version_id)
    )  # fmt: skip
    themes = session.scalars(
        select(m.PriorityRow.theme).where(m.PriorityRow.version_id == version_id, m.PriorityRow.source == "theme")
    )
    return frozenset(tuple(row) for row in targets), frozenset(themes)


# --- outbox --------------------------------------------------------------------------------------------------


# who a delivery goes to, read with it
_TO = (m.Subscriber.email, m.Subscriber.channel, m.Subscriber.channel_url, m.Subscriber.channel_secret)


def _delivery_row(d: m.Delivery, to: Sequence[str | None], payload: bytes | None = None) -> DeliveryRow:
    email, channel, url, secret = to
    return DeliveryRow(d.id, d.subscriber_id, email or "", d.idempotency_key, d.message_id, d.status, d.attempts,
                       d.last_error, payload, d.created_at, d.sent_at,
                       channel or "email", url or "", secret or "")  # fmt: skip


def enqueue(session: Session, subscriber_id: int, key: str, message_id: str, payload: bytes,
            window: tuple[datetime, datetime]) -> bool:  # fmt: skip
    """Write the outbox row unless one with this key exists; True when a new row was written.

    One INSERT … ON CONFLICT DO NOTHING on the key: a digest another process enqueued first is not written twice.
    """
    return enqueue_many(session, [Queued(subscriber_id, key, message_id, payload, window)]) == 1


def _enqueue_one(session: Session, row: Queued) -> bool:
    """`enqueue` where INSERT … RETURNING is missing (SQLite before 3.35)."""
    if session.scalar(select(m.Delivery.id).where(m.Delivery.idempotency_key == row.key)) is not None:
        return False
    try:
        with session.begin_nested():
            delivery = m.Delivery(**_values(row, m.utcnow()))
            session.add(delivery)
            session.flush()
            session.add(m.DeliveryPayload(delivery_id=delivery.id, payload=row.payload))
    except IntegrityError:  # another process enqueued the same digest first
        return False
    return True


@dataclass(frozen=True)
class Queued:
    """One digest for the outbox, as `enqueue` takes it."""

    subscriber_id: int
    key: str
    message_id: str
    payload: bytes = field(repr=False)
    window: tuple[datetime, datetime]


def enqueue_many(session: Session, rows: Sequence[Queued]) -> int:
    """`enqueue` for many digests, a statement for the rows and one for their messages; how many rows were new."""
    statement = _ENQUEUE.get(session.get_bind().dialect.name)
    if statement is None:
        return sum(_enqueue_one(session, r) for r in rows)
    if not rows:
        return 0
    now = m.utcnow()
    written = session.execute(statement, [_values(r, now) for r in rows]).all()
    if not written:
        return 0
    payloads: dict[str, bytes] = {}
    for r in rows:
        payloads.setdefault(r.key, r.payload)  # the first of one key in the batch is the one written
    session.execute(insert(_PAYLOADS), [{"delivery_id": w.id, "payload": payloads[w.idempotency_key]} for w in written])
    return len(written)


def _values(row: Queued, now: datetime) -> dict[str, object]:
    return {"subscriber_id": row.subscriber_id, "idempotency_key": row.key, "message_id": row.message_id,
            "status": "pending", "attempts": 0, "window_start": row.window[0], "window_end": row.window[1],
            "created_at": now}  # fmt: skip


# INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect that has both (SQLite from 3.35)
_ENQUEUE = {
    name: dialect_insert(_DELIVERIES)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(_D.id, _D.idempotency_key)
    for name, dialect_insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
    if name == "postgresql" or sqlite3.sqlite_version_info >= (3, 35)
}


def enqueue_notice(session: Session, subscriber_id: int, key: str, message_id: str, payload: bytes) -> int | None:
    """Write an outbox row for a mail that is not a digest (a sign-up confirmation); its id, None if it exists."""
    if session.scalar(select(m.Delivery.id).where(m.Delivery.idempotency_key == key)) is not None:
        return None
    row = m.Delivery(subscriber_id=subscriber_id, idempotency_key=key, message_id=message_id, status="pending",
                     attempts=0, created_at=m.utcnow())  # fmt: skip
    session.add(row)
    session.flush()
    session.add(m.DeliveryPayload(delivery_id=row.id, payload=payload))
    session.flush()
    return row.id


def delivery_row(session: Session, delivery_id: int) -> DeliveryRow | None:
    """One outbox row without its payload."""
    query = select(m.Delivery, *_TO).join(m.Subscriber).where(m.Delivery.id == delivery_id)
    found = session.execute(query).first()
    return None if found is None else _delivery_row(found[0], found[1:])


def due_deliveries(session: Session, now: datetime) -> list[DeliveryRow]:
    """The rows due for sending, without their payloads (see `payload_of`): thousands can be due at once."""
    # columns, not ORM objects: a run reads thousands of rows, and each object costs more than sending its row
    columns = (_D.id, _D.subscriber_id, _D.idempotency_key, _D.message_id, _D.status, _D.attempts, _D.last_error,
               _D.created_at, _D.sent_at, *_TO)  # fmt: skip
    query = select(*columns).join(m.Subscriber).where(_due(now)).order_by(_D.id)
    return [DeliveryRow(r[0], r[1], r[9] or "", r[2], r[3], r[4], r[5], r[6], None, r[7], r[8], r[10] or "email",
                        r[11] or "", r[12] or "") for r in session.execute(query)]  # fmt: skip


def _due(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Pending and not backing off, or claimed by a sender whose lease has ended (it stopped before sending)."""
    waiting = (_D.status == "pending") & (_D.next_attempt_at.is_(None) | (_D.next_attempt_at <= now))
    return waiting | ((_D.status == "claimed") & (_D.next_attempt_at <= now))


def payload_of(session: Session, delivery_id: int) -> bytes:
    return session.scalar(select(_P.payload).where(_P.delivery_id == delivery_id)) or b""


def list_deliveries(session: Session, statuses: Sequence[str] = ()) -> list[DeliveryRow]:
    query = select(m.Delivery, *_TO, _P.payload).join(m.Subscriber).outerjoin(_PAYLOADS).order_by(m.Delivery.id)
    if statuses:
        query = query.where(m.Delivery.status.in_(statuses))
    return [_delivery_row(row[0], row[1:5], row[5]) for row in session.execute(query)]


def status_of(session: Session, key: str) -> str | None:
    """The status of the outbox row with this idempotency key (None: there is none)."""
    return session.scalar(select(m.Delivery.status).where(m.Delivery.idempotency_key == key))


def claim(session: Session, delivery_id: int) -> bool:
    """pending → sending, atomically; False when another sender got it first."""
    result = session.execute(
        update(m.Delivery)
        .where(m.Delivery.id == delivery_id, m.Delivery.status == "pending")
        .values(status="sending", attempts=m.Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


LEASE = timedelta(minutes=5)  # how long a batch stays claimed by a sender that may have stopped


def claim_batch(db: Session | Connection, ids: Sequence[int], now: datetime, lease_until: datetime) -> dict[int, bytes]:
    """Claim the rows among `ids` that are still due, until `lease_until`, in one statement; their messages by id.

    A row another sender holds is left to it: on PostgreSQL the rows it is claiming at this moment are skipped
    rather than waited for (FOR UPDATE SKIP LOCKED), and under SQLite's write lock claims never overlap. The
    attempt is counted when the row is sent (`start_sending`), not here.
    """
    claimed = list[int](db.execute(_CLAIM, {"ids": list(ids), "now": now, "lease": lease_until}).scalars())
    if not claimed:
        return {}
    payloads: dict[int, bytes] = {row.delivery_id: row.payload for row in db.execute(_PAYLOADS_OF, {"ids": claimed})}
    return {row: payloads.get(row, b"") for row in claimed}


def start_sending(db: Session | Connection, delivery_id: int, lease_until: datetime) -> bool:
    """claimed → sending (an attempt counted), for the claim whose lease ends at `lease_until`; False when that
    claim is lost: its lease ended and another sender took the row, or the subscriber unsubscribed meanwhile."""
    result = db.execute(_START, {"row": delivery_id, "lease": lease_until})
    return bool(getattr(result, "rowcount", 0))


class Steps:
    """The sender's step between two messages — the one before recorded `sent`, the next one `sending` (see
    `mark_sent`, `start_sending`) — in one transaction on the driver's own connection.

    It runs once per message, and through the SQL toolkit its statements cost several times what the database
    spends on them; so the two statements are written here in plain SQL, with the toolkit's own conversion of the
    timestamps (a lease must compare equal to the one `claim_batch` stored). The connection must have no
    transaction of the toolkit's open while a step runs."""

    def __init__(self, conn: Connection) -> None:
        self._driver: Any = conn.connection.driver_connection
        dialect = conn.dialect
        self._errors: type[Exception] = dialect.loaded_dbapi.Error
        self._begin = "BEGIN IMMEDIATE" if dialect.name == "sqlite" else None  # as `db.session` begins them
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        convert = m.UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self._time: Callable[[datetime], object] = convert if convert is not None else (lambda value: value)
        self._sent = f"UPDATE deliveries SET status = 'sent', sent_at = {mark}, last_error = NULL WHERE id = {mark}"
        self._start = (
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, next_attempt_at = NULL "
            f"WHERE id = {mark} AND status = 'claimed' AND next_attempt_at = {mark}"
        )

    def advance(self, sent: int | None, start: int, lease_until: datetime) -> bool:
        """Record `sent` (when not None) and start `start`, at once; whether `start` was still this claim's."""
        cursor, statement = None, self._begin or "cursor"
        try:
            cursor = self._driver.cursor()
            if self._begin:
                cursor.execute(self._begin)
            if sent is not None:
                statement = self._sent
                cursor.execute(self._sent, (self._time(m.utcnow()), sent))
            statement = self._start
            cursor.execute(self._start, (start, self._time(lease_until)))
            started = cursor.rowcount == 1
            statement = "COMMIT"
            self._driver.commit()
        except BaseException as exc:
            with contextlib.suppress(Exception):  # a connection that is gone has nothing to roll back
                self._driver.rollback()
            if isinstance(exc, self._errors):  # raised as the toolkit raises every other statement's errors
                raise DBAPIError.instance(statement, None, exc, self._errors) from exc
            raise
        finally:
            if cursor is not None:
                with contextlib.suppress(Exception):
                    cursor.close()
        return started


def release(db: Session | Connection, ids: Sequence[int], lease_until: datetime) -> int:
    """Rows of this claim that will not be sent by it (the sender stops early) back to pending, due at once."""
    if not ids:
        return 0
    result = db.execute(_RELEASE, {"ids": list(ids), "lease": lease_until})
    return int(getattr(result, "rowcount", 0) or 0)


def mark_sent(db: Session | Connection, delivery_id: int) -> None:
    # one UPDATE on the table, without loading the row
    db.execute(_SENT, {"row": delivery_id, "at": m.utcnow()})


# The sender's statements, built once: building one costs several times what running it does.
_NOW, _LEASE = bindparam("now", type_=m.UTCDateTime()), bindparam("lease", type_=m.UTCDateTime())
_FREE = select(_D.id).where(_D.id.in_(bindparam("ids", expanding=True)), _due(_NOW)).with_for_update(skip_locked=True)
_CLAIM = (
    update(_DELIVERIES)
    .where(_D.id.in_(_FREE.scalar_subquery()), _due(_NOW))
    .values(status="claimed", next_attempt_at=_LEASE)
    .returning(_D.id)
)
_PAYLOADS_OF = select(_P.delivery_id, _P.payload).where(_P.delivery_id.in_(bindparam("ids", expanding=True)))
_START = (
    update(_DELIVERIES)
    .where(_D.id == bindparam("row"), _D.status == "claimed", _D.next_attempt_at == _LEASE)
    .values(status="sending", attempts=_D.attempts + 1, next_attempt_at=None)
)
_RELEASE = (
    update(_DELIVERIES)
    .where(_D.id.in_(bindparam("ids", expanding=True)), _D.status == "claimed", _D.next_attempt_at == _LEASE)
    .values(status="pending", next_attempt_at=None)
)
_SENT = (
    update(_DELIVERIES)
    .where(_D.id == bindparam("row"))
    .values(status="sent", sent_at=bindparam("at", type_=m.UTCDateTime()), last_error=None)
)


def backoff(attempts: int) -> timedelta:
    """The wait after a temporary failure of attempt number `attempts`: 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** min(attempts, 10))


def mark_retry(session: Session, delivery_id: int, error: str, now: datetime, *, max_attempts: int,
               at_least: timedelta | None = None) -> None:  # fmt: skip
    """Back to pending with an exponential backoff (never shorter than `at_least`, the wait a receiver asked
    for), or failed after `max_attempts`."""
    delivery = session.get(m.Delivery, delivery_id)
    if delivery is None:
        return
    delivery.last_error = error[:2000]
    if delivery.attempts >= max_attempts:
        delivery.status = "failed"
        return
    delivery.status = "pending"
    delivery.next_attempt_at = now + max(backoff(delivery.attempts), at_least or timedelta(0))


def mark_failed(session: Session, delivery_id: int, error: str) -> None:
    delivery = session.get(m.Delivery, delivery_id)
    if delivery is not None:
        delivery.status, delivery.last_error = "failed", error[:2000]


def mark_unknown(session: Session, delivery_id: int, error: str) -> None:
    """Handed over without a confirmation: never resent automatically, shown to the operator."""
    delivery = session.get(m.Delivery, delivery_id)
    if delivery is not None:
        delivery.status, delivery.last_error = "unknown", error[:2000]


def waiting(session: Session) -> tuple[int, datetime | None]:
    """How many rows are still pending (or claimed by a sender that stopped, until its lease ends), and when the
    earliest of them that is backing off is due."""
    count, due_at = session.execute(
        select(func.count(), func.min(m.Delivery.next_attempt_at)).where(m.Delivery.status.in_(("pending", "claimed")))
    ).one()
    return int(count), due_at


def recover_interrupted(session: Session) -> int:
    """Rows left in `sending` by a crash become `unknown`: never resent, shown to the operator."""
    # one UPDATE: a sender still at work may record its row `sent` meanwhile, and that must not be undone
    result = session.execute(
        update(_DELIVERIES)
        .where(_D.status == "sending")
        .values(status="unknown", last_error="interrupted while sending: it may or may not have been delivered")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delivery_counts(session: Session) -> dict[str, int]:
    query = select(m.Delivery.status, func.count()).group_by(m.Delivery.status)
    return {status: n for status, n in session.execute(query)}
