"""SQLAlchemy 2 typed models: the tables, and nothing that leaves `db/` (the repositories return dataclasses).

Raw crawl results (Source, CrawlRun, Document, DocumentVersion) are stored as fetched; everything below
(TargetRow, PriorityRow, ChangeRow: named apart from the domain's Target, Priority and Change) is derived from a
DocumentVersion and can be rebuilt by `govmon reprocess`. Subscriber and Delivery form the digest outbox.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back time-zone aware, on SQLite (which keeps no offset) as on PostgreSQL.

    A naive value given to it is taken as UTC; an aware one in any zone is converted, so comparisons in SQL and
    in Python always agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: UTCDateTime()}  # noqa: RUF012


class Source(Base):
    """One registry entry, mirrored in the database so runs and documents can point at it."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str] = mapped_column(String(50))
    level: Mapped[str] = mapped_column(String(20), default="other")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    health: Mapped[str] = mapped_column(String(20), default="unknown")  # unknown/ok/blocked/broken
    last_error: Mapped[str | None] = mapped_column(Text)
    last_crawled_at: Mapped[datetime | None]


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # running/ok/blocked/broken/failed
    pages: Mapped[int] = mapped_column(default=0)
    new_documents: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    region: Mapped[str] = mapped_column(String(50), index=True)
    doc_type: Mapped[str] = mapped_column(String(20), default="other")  # work_report/plan/summary/other
    report_year: Mapped[int | None] = mapped_column(index=True)
    published_at: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when a later fetch last found the stored version still current (a 304, or the same text): the crawler's
    # revisit age counts from here or from the latest version's fetch, whichever is later
    checked_at: Mapped[datetime | None] = mapped_column(default=None)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.id", cascade="all, delete-orphan"
    )


class DocumentVersion(Base):
    """What one fetch returned. A changed page is a new version, never an overwrite."""

    __tablename__ = "document_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    http_status: Mapped[int | None]
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime | None]  # set once extraction and diff have run
    extractor_version: Mapped[str | None] = mapped_column(String(40))
    # why extraction is unsure of this version (empty: it is not); its headline changes wait for a reprocess that
    # clears the reasons or for an operator's `govmon review --accept`
    review_reasons: Mapped[list[str]] = mapped_column(default=list)
    review_state: Mapped[str | None] = mapped_column(String(20))  # None, pending or accepted

    document: Mapped[Document] = relationship(back_populates="versions")


class TargetRow(Base):
    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"), index=True)
    metric_key: Mapped[str | None] = mapped_column(String(80), index=True)
    metric: Mapped[str] = mapped_column(String(200))
    phrase: Mapped[str] = mapped_column(String(500), default="")
    value: Mapped[float]
    value_max: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(30))
    qualifier: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # level/growth/increment/share/reduction/cap/cumulative
    status: Mapped[str] = mapped_column(String(20))  # target/achieved/expected
    year: Mapped[int | None]
    sentence: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int]
    span_end: Mapped[int]
    raw: Mapped[str] = mapped_column(String(200), default="")
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    section: Mapped[str] = mapped_column(String(20), default="")
    term_start: Mapped[int | None]  # first and last year of a multi-year goal or result
    term_end: Mapped[int | None]
    confidence: Mapped[float] = mapped_column(default=1.0)


class PriorityRow(Base):
    __tablename__ = "priorities"
    __table_args__ = (UniqueConstraint("version_id", "theme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float]
    count: Mapped[int]
    sentences: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(20), default="theme")  # theme (themes.yaml) or keyword


class ChangeRow(Base):
    """One row of a diff between two versions; re-running the diff replaces the pair's rows."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_pair", "old_version_id", "new_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(50), index=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    old_version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"))
    new_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20), default="target")  # target/priority
    metric_key: Mapped[str | None] = mapped_column(String(80))
    metric: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(String(20))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    significance: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # None for a channel subscriber
    # monitor.channels.addresses.address_key(email): one subscriber per address whatever its case; NULL only on
    # rows that duplicated an older address when the key was introduced (kept, inactive, for their history)
    email_key: Mapped[str | None] = mapped_column(String(320), unique=True, index=True)
    regions: Mapped[list[str]] = mapped_column(default=list)
    themes: Mapped[list[str]] = mapped_column(default=list)
    metrics: Mapped[list[str]] = mapped_column(default=list)
    doc_types: Mapped[list[str]] = mapped_column(default=list)
    cadence: Mapped[str] = mapped_column(String(20), default="daily")  # immediate/daily/weekly
    format: Mapped[str] = mapped_column(String(10), default="both")  # html/text/both
    # pending (signed up on the web, not yet confirmed) / active / unsubscribed; only active ones get digests
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_digest_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirm_sent_at: Mapped[datetime | None]  # the last confirmation mail: throttles mails to one address
    unsubscribed_at: Mapped[datetime | None]  # a confirmation link issued before it no longer works
    # "email", or a channel of monitor.channels.KINDS; its URL and secret are credentials (shown masked only), and
    # channel_key (a digest of kind and URL) keeps one subscriber per receiver
    channel: Mapped[str] = mapped_column(String(20), default="email")
    channel_url: Mapped[str | None] = mapped_column(Text)
    channel_secret: Mapped[str | None] = mapped_column(Text)
    channel_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class Delivery(Base):
    """Outbox row, written before a digest is sent, so a crash can neither lose it nor send it twice."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    message_id: Mapped[str] = mapped_column(String(300))
    # pending/claimed/sending/sent/failed/unknown/cancelled
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]


class DeliveryPayload(Base):
    """An outbox row's rendered message, so a retry resends the same bytes. It lives apart from the row's state
    because SQLite writes a whole row again on every UPDATE: in the row, a message would be rewritten at each step
    of its delivery (claimed, sending, sent)."""

    __tablename__ = "delivery_payloads"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class CrawlJob(Base):
    """A per-source crawl job handed to the task queue; its id is the queue's message id, stable across redeliveries.

    Unique per (source, cycle), so a cycle crawls each source once however often its message is delivered.
    """

    __tablename__ = "crawl_jobs"
    __table_args__ = (UniqueConstraint("source_id", "cycle"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(100), index=True)
    cycle: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/done/failed
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    new_documents: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
