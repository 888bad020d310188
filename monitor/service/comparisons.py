"""The comparison across regions as use cases: read the database (db/comparison.py), build the pure tables.

Called by `govmon compare`, the archive site builder and the digest job; each opens its own short transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.comparison import gather, reporting_regions
from db.session import session_scope
from monitor.compare import CompareTable, Gathered, Matrix, build_matrix, compare, headline_keys
from monitor.compare.catalogue import metric_names
from monitor.compare.levels import in_level
from monitor.compare.pages import compare_href, compare_page, matrix_href, matrix_page, matrix_title
from monitor.compare.picture import national_blocks
from monitor.compare.regions import latest_year
from monitor.compare.views import csv_text
from monitor.digest.national import MIN_REGIONS, NationalBlock
from monitor.digest.selection import DocumentUpdate


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
_PAGE = re.compile(r"compare/(?:(?P<key>[a-z][a-z0-9_]{0,79})/)?(?P<year>(?:19|20)\d\d)\.(?P<ext>html|csv)")


class ComparePages:
    """The archive's comparison pages over one session: which exist, and each rendered on demand.

    `compare/<year>.html` is the year's matrix of provinces and of cities; `compare/<metric>/<year>.html` and
    `.csv` a metric's tables of that year (headline metrics are listed in `paths()`; any catalogue metric
    answers on request). `monitor.publish.site.Archive` serves them for `site build` and `serve` alike.
    """

    def __init__(self, session: Session, *, live: bool = False, doc_type: str = "work_report") -> None:
        self.session, self.live, self.doc_type = session, live, doc_type
        self._matrices: dict[int, list[Matrix]] = {}

    @cached_property
    def years(self) -> list[int]:
        """Years with a report of a province or a city, oldest first."""
        reporting = reporting_regions(self.session, self.doc_type)
        return sorted(y for y, regions in reporting.items() if any(in_level(r, "all") for r in regions))

    def matrices(self, year: int) -> list[Matrix]:
        if year not in self._matrices:
            gathered = gather(self.session, year, headline_keys(), self.doc_type)
            self._matrices[year] = [build_matrix(gathered, headline_keys(), level) for level in SITE_LEVELS]
        return self._matrices[year]

    def tables(self, key: str, year: int) -> list[CompareTable]:
        """The metric's tables of the year, one per level in which some region sets it."""
        if key in headline_keys():
            found = [t for m in self.matrices(year) for t in (*m.tables, *m.rare) if t.metric_key == key]
        else:
            gathered = gather(self.session, year, [key], self.doc_type)
            found = [t for t in (compare(gathered, key, level) for level in SITE_LEVELS) if t.summary.with_target]
        return found

    def paths(self) -> list[str]:
        found = []
        for year in self.years:
            found.append(matrix_href(year))
            keys = dict.fromkeys(t.metric_key for m in self.matrices(year) for t in (*m.tables, *m.rare))
            found += [compare_href(key, year, ext) for key in keys for ext in ("html", "csv")]
        return found

    def page(self, path: str) -> str | None:
        from monitor.publish.render import render_compare, render_matrix

        match = _PAGE.fullmatch(path)
        if match is None or int(match["year"]) not in self.years:
            return None
        key, year, ext = match["key"], int(match["year"]), match["ext"]
        if key is None:
            return render_matrix(matrix_page(self.matrices(year)), live=self.live) if ext == "html" else None
        tables = self.tables(key, year) if key in metric_names() else []
        if not tables:
            return None
        if ext == "csv":
            return csv_text(*tables)
        years = [y for y in self.years if y == year or self.tables(key, y)]
        return render_compare(compare_page(tables, years), live=self.live)

    @property
    def latest_matrix(self) -> tuple[str, str] | None:
        """(title, href) of the newest year's matrix, for the index."""
        return (matrix_title(self.years[-1]), matrix_href(self.years[-1])) if self.years else None


# --- the digest's national picture ---------------------------------------------------------------------------


def _without_held(gathered: Gathered) -> Gathered:
    """A report held for review shows no headline figure in a digest: the picture leaves it out entirely."""
    return replace(gathered, current=tuple(r for r in gathered.current if not r.held))


def national_picture(engine: Engine, updates: Sequence[DocumentUpdate]) -> list[NationalBlock]:
    """Candidate blocks of the digests' national picture: for each year and level of which the window holds
    work reports of three or more regions, one block per headline metric (each digest keeps its own)."""
    by_year: dict[int, set[str]] = defaultdict(set)
    for u in updates:
        if u.doc_type == "work_report" and u.report_year is not None and not u.held:
            by_year[u.report_year].add(u.region)
    blocks: list[NationalBlock] = []
    for year, regions in sorted(by_year.items(), reverse=True):  # the newest year's picture first
        levels = [lv for lv in SITE_LEVELS if sum(in_level(r, lv) for r in regions) >= MIN_REGIONS]
        if levels:
            with session_scope(engine) as session:
                gathered = _without_held(gather(session, year, headline_keys()))
            for level in levels:
                blocks += national_blocks([compare(gathered, key, level) for key in headline_keys()], regions)
    return blocks
