"""Review state of stored versions: why extraction is unsure of one, and an operator's acceptance.

A version with reasons is `pending` and its headline changes stay out of digests (`held`); `govmon review
--accept` makes it `accepted`, and a reprocess that finds no reason clears it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m


@dataclass(frozen=True)
class ReviewRow:
    """A version whose extraction is unsure of itself, and whether an operator has accepted it."""

    document_id: int
    version_id: int
    region: str
    title: str
    report_year: int | None
    reasons: list[str]
    state: str


def save_review(session: Session, version_id: int, reasons: list[str]) -> None:
    """Record why a version needs review. An operator's acceptance stands while the reasons stay the ones accepted;
    a reprocess that finds none clears the flag."""
    version = session.get(m.DocumentVersion, version_id)
    if version is None:
        return
    accepted = version.review_state == "accepted" and set(reasons) <= set(version.review_reasons or [])
    version.review_reasons = list(reasons) if reasons else []
    version.review_state = None if not reasons else "accepted" if accepted else "pending"


def held(session: Session, version_id: int) -> tuple[str, ...]:
    """The reasons a version's headline changes are held out of digests (none when it is clear or accepted)."""
    version = session.get(m.DocumentVersion, version_id)
    if version is None or version.review_state != "pending":
        return ()
    return tuple(version.review_reasons or ())


def reviews(session: Session, *, pending_only: bool = True) -> list[ReviewRow]:
    """Documents whose latest version is flagged for review, newest document first."""
    latest_ids = select(func.max(m.DocumentVersion.id)).group_by(m.DocumentVersion.document_id)
    query = (
        select(m.DocumentVersion, m.Document)
        .join(m.Document)
        .where(m.DocumentVersion.id.in_(latest_ids), m.DocumentVersion.review_state.is_not(None))
    )
    if pending_only:
        query = query.where(m.DocumentVersion.review_state == "pending")
    rows = session.execute(query.order_by(m.Document.id.desc(), m.DocumentVersion.id.desc())).all()
    latest: dict[int, ReviewRow] = {}
    for version, doc in rows:
        reasons = list(version.review_reasons or [])
        row = ReviewRow(doc.id, version.id, doc.region, doc.title, doc.report_year, reasons, version.review_state or "")
        latest.setdefault(doc.id, row)
    return list(latest.values())


def accept_review(session: Session, document_id: int) -> ReviewRow | None:
    """Accept a document's flagged version: its held changes go out with the next digests."""
    pending = [r for r in reviews(session) if r.document_id == document_id]
    if not pending:
        return None
    version = session.get(m.DocumentVersion, pending[0].version_id)
    assert version is not None
    version.review_state = "accepted"
    version.processed_at = m.utcnow()  # digests gather versions by when their changes became ready
    return pending[0]
