"""Cross-region comparison (pure): one metric across every region that reported a year, and the headline matrix.

`figures` picks the figure that stands for a metric in a report, `regions` builds the table and its summary,
`matrix` the regions × headline-metrics overview, `views` the text of cells and summaries, `pages` and `bars`
the archive pages, `picture` the national picture of the digest. The database reads live in
`db/comparison.py`; the command in `monitor/cli/compare.py`.
"""

from __future__ import annotations

from monitor.compare.catalogue import UnknownMetric, headline_keys, metric_name, resolve_metric
from monitor.compare.figures import annual_target, last_result
from monitor.compare.levels import LEVELS, region_level
from monitor.compare.matrix import Matrix, build_matrix
from monitor.compare.regions import CompareRow, CompareSummary, CompareTable, Gathered, ReportFigures, compare

__all__ = [
    "LEVELS",
    "CompareRow",
    "CompareSummary",
    "CompareTable",
    "Gathered",
    "Matrix",
    "ReportFigures",
    "UnknownMetric",
    "annual_target",
    "build_matrix",
    "compare",
    "headline_keys",
    "last_result",
    "metric_name",
    "region_level",
    "resolve_metric",
]
