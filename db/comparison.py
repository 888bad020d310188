"""Reads for the comparison across regions: every region's report of a year and of the year before.

Returns the pure records of `monitor.compare` (no ORM object leaves), with only the figures of the metrics
asked about, from the latest version of each document — one query for the documents, one for their figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from db.derived import to_target
from monitor.compare.regions import Gathered, ReportFigures
from monitor.extract.model import Target


def gather(session: Session, year: int, metric_keys: Collection[str], doc_type: str = "work_report") -> Gathered:
    """The reports of `year` and `year - 1` of every region (the nation's included) with their figures of
    `metric_keys`, and the regions that have a report of this type in any year."""
    latest = (
        select(func.max(m.DocumentVersion.id))
        .join(m.Document)
        .where(m.Document.doc_type == doc_type, m.Document.report_year.in_((year, year - 1)))
        .group_by(m.Document.id)
    )
    docs = session.execute(
        select(m.DocumentVersion.id, m.Document.id, m.Document.region, m.Document.report_year, m.Document.title,
               m.Document.url, m.DocumentVersion.review_state).join(m.Document).where(m.DocumentVersion.id.in_(latest))
    ).all()  # fmt: skip
    figures = _figures(session, [row[0] for row in docs], metric_keys)
    reports = [ReportFigures(doc_id, region, report_year or year, title, url, tuple(figures.get(version_id, ())),
                             state == "pending")
               for version_id, doc_id, region, report_year, title, url, state in docs]  # fmt: skip
    return Gathered(
        year=year,
        current=tuple(r for r in reports if r.year == year),
        prior=tuple(r for r in reports if r.year == year - 1),
        regions_seen=frozenset(regions_with(session, doc_type)),
    )


def _figures(session: Session, version_ids: list[int], metric_keys: Collection[str]) -> dict[int, list[Target]]:
    by_version: dict[int, list[Target]] = defaultdict(list)
    if not version_ids or not metric_keys:
        return by_version
    query = (
        select(m.TargetRow)
        .where(m.TargetRow.version_id.in_(version_ids), m.TargetRow.metric_key.in_(list(metric_keys)))
        .order_by(m.TargetRow.version_id, m.TargetRow.id)
    )
    for row in session.scalars(query):
        by_version[row.version_id].append(to_target(row))
    return by_version


def regions_with(session: Session, doc_type: str = "work_report") -> list[str]:
    query = select(m.Document.region).where(m.Document.doc_type == doc_type).distinct()
    return list(session.scalars(query))


def reporting_regions(session: Session, doc_type: str = "work_report") -> dict[int, frozenset[str]]:
    """Year → regions with a stored report of the type of that year."""
    query = (
        select(m.Document.report_year, m.Document.region)
        .where(m.Document.doc_type == doc_type, m.Document.report_year.is_not(None))
        .distinct()
    )
    years: dict[int, set[str]] = defaultdict(set)
    for year, region in session.execute(query):
        if year is not None:
            years[year].add(region)
    return {year: frozenset(regions) for year, regions in years.items()}
