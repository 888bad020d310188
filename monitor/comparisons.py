"""The comparison across regions as use cases: read the database (db/comparison.py), build the pure tables.

Called by `govmon compare`, the archive site builder and the digest job; each opens its own short transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.comparison import gather, reporting_regions
from db.session import session_scope
from monitor.compare import CompareTable, Gathered, Matrix, build_matrix, compare, headline_keys
from monitor.compare.levels import in_level
from monitor.compare.pages import compare_href, compare_page, matrix_href, matrix_page, matrix_title
from monitor.compare.picture import national_blocks
from monitor.compare.regions import latest_year
from monitor.compare.views import csv_text
from monitor.digest import DocumentUpdate
from monitor.national import MIN_REGIONS, NationalBlock


class NothingToCompare(LookupError):
    """No stored report of the year and level: the message says which years there are."""


def load_gathered(engine: Engine, keys: Sequence[str], year: int | None, level: str,
                  doc_type: str = "work_report") -> Gathered:  # fmt: skip
    with session_scope(engine) as session:
        reporting = reporting_regions(session, doc_type)
        chosen = year if year is not None else latest_year(reporting, level)
        if chosen is None:
            raise NothingToCompare(f"no {level} {doc_type} is stored: import or crawl reports first")
        if not any(r for r in reporting.get(chosen, ()) if _level_ok(r, level)):
            raise NothingToCompare(_no_year(chosen, level, doc_type, reporting))
        return gather(session, chosen, keys, doc_type)


def _level_ok(region: str, level: str) -> bool:
    return in_level(region, level)


def _no_year(year: int, level: str, doc_type: str, reporting: dict[int, frozenset[str]]) -> str:
    years = sorted((y for y, regions in reporting.items() if any(_level_ok(r, level) for r in regions)), reverse=True)
    stored = ", ".join(map(str, years)) or "none"
    return f"no {doc_type} of {year} is stored for level {level} (years stored: {stored})"


def load_table(engine: Engine, key: str, year: int | None = None, level: str = "province",
               doc_type: str = "work_report") -> CompareTable:  # fmt: skip
    return compare(load_gathered(engine, [key], year, level, doc_type), key, level)


def load_matrix(engine: Engine, year: int | None = None, level: str = "province",
                doc_type: str = "work_report") -> Matrix:  # fmt: skip
    keys = headline_keys()
    return build_matrix(load_gathered(engine, keys, year, level, doc_type), keys, level)


# --- archive pages -------------------------------------------------------------------------------------------

SITE_LEVELS = ("province", "city")


@dataclass(frozen=True)
class SiteFile:
    path: str  # relative to the site root
    text: str


@dataclass(frozen=True)
class SiteComparisons:
    files: tuple[SiteFile, ...]
    latest_matrix: tuple[str, str] | None  # (title, href) of the newest year's matrix, for the index


def site_comparisons(session: Session, doc_type: str = "work_report") -> SiteComparisons:
    """Every year's matrix and every headline metric's page of each year (with its CSV), rendered."""
    from monitor.render import render_compare, render_matrix

    years = [ms for ms in _matrices_by_year(session, doc_type) if any(m.regions for m in ms)]
    files = [SiteFile(matrix_href(ms[0].year), render_matrix(matrix_page(ms))) for ms in years]
    for key, by_year in _tables_by_metric(years).items():
        for year, tables in by_year.items():
            files.append(SiteFile(compare_href(key, year), render_compare(compare_page(tables, list(by_year)))))
            files.append(SiteFile(compare_href(key, year, "csv"), csv_text(*tables)))
    latest = (matrix_title(years[-1][0].year), matrix_href(years[-1][0].year)) if years else None
    return SiteComparisons(tuple(files), latest)


def _matrices_by_year(session: Session, doc_type: str) -> list[list[Matrix]]:
    """Per stored year, oldest first: the headline matrix of provinces and of cities."""
    keys = headline_keys()
    gathered = [gather(session, year, keys, doc_type) for year in sorted(reporting_regions(session, doc_type))]
    return [[build_matrix(g, keys, level) for level in SITE_LEVELS] for g in gathered]


def _tables_by_metric(years: Sequence[Sequence[Matrix]]) -> dict[str, dict[int, list[CompareTable]]]:
    """metric_key → year → its tables (one per level that set it)."""
    by_metric: dict[str, dict[int, list[CompareTable]]] = defaultdict(dict)
    for matrices in years:
        for matrix in matrices:
            for table in (*matrix.tables, *matrix.rare):
                by_metric[table.metric_key].setdefault(matrix.year, []).append(table)
    return by_metric


# --- the digest's national picture ---------------------------------------------------------------------------


def national_picture(engine: Engine, updates: Sequence[DocumentUpdate]) -> list[NationalBlock]:
    """Candidate blocks of the digests' national picture: for each year and level of which the window holds
    work reports of three or more regions, one block per headline metric (each digest keeps its own)."""
    by_year: dict[int, set[str]] = defaultdict(set)
    for u in updates:
        if u.doc_type == "work_report" and u.report_year is not None:
            by_year[u.report_year].add(u.region)
    blocks: list[NationalBlock] = []
    for year, regions in sorted(by_year.items(), reverse=True):  # the newest year's picture first
        levels = [lv for lv in SITE_LEVELS if sum(in_level(r, lv) for r in regions) >= MIN_REGIONS]
        if levels:
            with session_scope(engine) as session:
                gathered = gather(session, year, headline_keys())
            for level in levels:
                blocks += national_blocks([compare(gathered, key, level) for key in headline_keys()], regions)
    return blocks
