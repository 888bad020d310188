"""Units of work that the CLI, the scheduler and workers call (named apart from Scrapy's item pipelines).

Each job opens its own transactions on the engine it is given, so it can run in any process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import derived
from db.session import session_scope
from monitor.diff import diff
from monitor.extract import extract

EXTRACTOR_VERSION = "1"
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ProcessReport:
    versions: int = 0
    targets: int = 0
    changes: int = 0
    errors: list[str] = field(default_factory=list)


def process_new_versions(
    engine: Engine, *, all_versions: bool = False, progress: Progress | None = None
) -> ProcessReport:
    """Extract every unprocessed version, store its targets and priorities, diff it with the prior year.

    Versions are handled oldest year first, each in its own transaction, so a crash loses at most one version's
    work and a rerun picks up where it stopped. With `all_versions` everything is re-extracted (`reprocess`).
    """
    with session_scope(engine) as session:
        todo = derived.unprocessed_versions(session, all_versions=all_versions)
    report = ProcessReport()
    for done, version_id in enumerate(todo, start=1):
        try:
            _process_one(engine, version_id, report)
        except Exception as exc:  # one bad document must not stop the others; it is reported
            report.errors.append(f"version {version_id}: {type(exc).__name__}: {exc}")
        if progress:
            progress(done, len(todo))
    return report


def _process_one(engine: Engine, version_id: int, report: ProcessReport) -> None:
    with session_scope(engine) as session:
        version = derived.get_version(session, version_id)
        if version is None:
            return
        extraction = extract(version.text, region=version.region, year=version.report_year,
                             doc_type=version.doc_type, title=version.title, url=version.url)  # fmt: skip
        derived.save_extraction(session, version_id, extraction)
        report.versions += 1
        report.targets += len(extraction.targets)
        report.changes += _diff_with_prior_year(session, version)
        derived.mark_processed(session, version_id, EXTRACTOR_VERSION)
    with session_scope(engine) as session:  # a later year's report already stored is re-diffed against this one
        for later in derived.later_in_series(session, version_id):
            _diff_with_prior_year(session, later)


def _diff_with_prior_year(session: Session, version: derived.VersionInfo) -> int:
    prior = derived.previous_in_series(session, version.version_id)
    if prior is None:
        return 0
    old = derived.load_extraction(session, prior)
    new = derived.load_extraction(session, version)
    return derived.save_changes(session, prior, version, diff(old, new))
