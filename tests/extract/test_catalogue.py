"""One metric catalogue: metrics.yaml holds every attribute, and no list of metric keys lives in Python code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from monitor.compare.diff import OTHER_WEIGHT, significance
from monitor.digest import archive
from monitor.digest import selection as digest
from monitor.extract import metrics
from monitor.extract.model import KINDS, Target
from monitor.extract.units import FAMILIES, UNITS

ROOT = Path(__file__).resolve().parents[2]
# the demo's subscribers are demo data: one of them follows one metric, as a user would
ALLOWED = {ROOT / "monitor" / "demo" / "run.py"}


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_no_metric_key_is_written_in_python_code() -> None:
    keys = set(metrics.metric_keys())
    found = {}
    for path in sorted((ROOT / "monitor").rglob("*.py")) + sorted((ROOT / "db").rglob("*.py")):
        if path not in ALLOWED and (named := _string_constants(path) & keys):
            found[str(path.relative_to(ROOT))] = sorted(named)
    assert not found, f"metric keys written in code (put the attribute in metrics.yaml instead): {found}"


def test_every_attribute_is_well_formed() -> None:
    base_units = set(UNITS.values())
    charts = []
    for key in metrics.metric_keys():
        m = metrics.metric(key)
        assert m is not None and m.key == key and m.name
        assert m.measure is None or m.measure in KINDS, key
        assert m.direction in ("up", "down", None), key
        assert m.headline is None or 0 < m.headline <= 1, key
        assert m.required in (None, "work_report", "plan", "summary"), key
        assert m.units <= base_units, (key, m.units - base_units)
        assert m.alike <= m.units, key
        charts += [m.chart] if m.chart is not None else []
    assert len(charts) == len(set(charts)), "two metrics share a place in the trend order"
    assert set(FAMILIES["mass"]) <= base_units


def test_flows_are_keys_of_their_own() -> None:
    stock = metrics.metric("high_tech_enterprises")
    assert stock is not None and stock.flow is not None
    assert metrics.metric(stock.flow.key) is stock.flow and stock.flow.measure == "increment"
    assert metrics.for_measure(stock, "increment") is stock.flow and metrics.for_measure(stock, "level") is stock


def test_headline_list_trend_order_and_weights_come_from_the_catalogue() -> None:
    headline = {k for k in metrics.metric_keys() if (m := metrics.metric(k)) and m.headline is not None}
    assert headline == digest.HEADLINE_KEYS
    assert metrics.chart_order() == archive.TREND_ORDER and archive.TREND_ORDER[0] in headline
    for key in headline:
        t = Target(key, key, key, 1.0, None, "%", None, "growth", "target", 2025, "", (0, 1), "1%")
        assert significance("unchanged", t, t) == pytest.approx((metrics.headline_weight(key) or 0) * 0.2)
    other = Target("某指标", None, "某指标", 1.0, None, "%", None, "growth", "target", 2025, "", (0, 1), "1%")
    assert significance("unchanged", other, other) == pytest.approx(OTHER_WEIGHT * 0.2)
