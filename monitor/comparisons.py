"""The comparison across regions as use cases: read the database (db/comparison.py), build the pure tables.

Called by `govmon compare`, the archive site builder and the digest job; each opens its own short transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from db.comparison import gather, reporting_regions
from db.session import session_scope
from monitor.compare import CompareTable, Gathered, Matrix, build_matrix, compare, headline_keys
from monitor.compare.levels import LEVEL_WORDS
from monitor.compare.regions import latest_year


class NothingToCompare(LookupError):
    """No stored report of the year and level: the message says which years there are."""


def load_gathered(engine: Engine, keys: Sequence[str], year: int | None, level: str,
                  doc_type: str = "work_report") -> Gathered:  # fmt: skip
    with session_scope(engine) as session:
        reporting = reporting_regions(session, doc_type)
        chosen = year if year is not None else latest_year(reporting, level)
        if chosen is None:
            raise NothingToCompare(
                f"no {level} {doc_type} is stored: import or crawl reports first"
            )
        if not any(r for r in reporting.get(chosen, ()) if _level_ok(r, level)):
            raise NothingToCompare(_no_year(chosen, level, doc_type, reporting))
        return gather(session, chosen, keys, doc_type)


def _level_ok(region: str, level: str) -> bool:
    from monitor.compare.levels import in_level

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
