"""Regions × headline metrics: the overview an analyst prints first (pure).

Each cell is a region's annual target with an arrow for its change against the year before; a column is kept
when at least a quarter of the reporting regions set that metric, the others are named under the table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor.compare.regions import CompareRow, CompareTable, Gathered, compare
from monitor.compare.views import figure, mark

MIN_SHARE = 0.25  # a metric set by fewer of the reporting regions is left out of the printed matrix


@dataclass(frozen=True)
class Cell:
    row: CompareRow | None  # None: the region has no report of the year

    @property
    def text(self) -> str:
        if self.row is None or self.row.target is None:
            return f"{figure(None)}{mark(self.row.change) if self.row else ''}"
        return f"{figure(self.row.target)}{mark(self.row.change)}"


@dataclass(frozen=True)
class Matrix:
    year: int
    level: str
    tables: tuple[CompareTable, ...]  # the columns, headline order
    rare: tuple[CompareTable, ...]  # headline metrics too few regions set
    regions: tuple[str, ...]

    def cell(self, table: CompareTable, region: str) -> Cell:
        return Cell(next((r for r in table.rows if r.region == region), None))

    def to_dict(self) -> dict[str, Any]:
        """Every headline metric any region set (rare ones included), each with its summary, and the cells."""
        tables = (*self.tables, *self.rare)
        return {
            "year": self.year,
            "level": self.level,
            "metrics": [_metric_dict(t) for t in tables],
            "rows": [{"region": region, "cells": {t.metric_key: _cell_dict(self.cell(t, region)) for t in tables}}
                     for region in self.regions],
        }  # fmt: skip


def _metric_dict(table: CompareTable) -> dict[str, Any]:
    return {"metric": table.metric, "metric_key": table.metric_key, "summary": table.summary.to_dict()}


def _cell_dict(cell: Cell) -> dict[str, Any] | None:
    row = cell.row
    if row is None:
        return None
    return {"target": row.target.to_dict() if row.target else None, "change": row.change, "gap": row.gap}


def build_matrix(gathered: Gathered, keys: Sequence[str], level: str = "province") -> Matrix:
    every = [compare(gathered, key, level) for key in keys]
    regions = [r.region for r in every[0].rows] if every else []  # rows: every region with a report, in order
    tables = [t for t in every if t.summary.with_target]
    floor = max(1, MIN_SHARE * len(regions))
    common = tuple(t for t in tables if t.summary.with_target >= floor)
    rare = tuple(t for t in tables if t.summary.with_target < floor)
    return Matrix(gathered.year, level, common, rare, tuple(regions))


def matrix_csv(matrix: Matrix) -> str:
    """The matrix as CSV: one column per headline metric, each cell the target and its change mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", *(t.metric_key for t in matrix.tables)])
    writer.writerows([region, *(matrix.cell(t, region).text for t in matrix.tables)] for region in matrix.regions)
    return "\ufeff" + out.getvalue()
