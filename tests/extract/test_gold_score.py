"""The gold harness (tests/extract/gold_score*.py): the scorer on synthetic output, and the tune part's scores.

The validation part is scored the same way by the lead (`python -m tests.extract.gold_score --part validation`);
only the tune part's thresholds are asserted here.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.extract import gold_score as hs
from tests.extract import gold_score_changes as cs
from tests.extract import gold_score_figures as fs
from tests.extract import goldset as gs

SHARED = pytest.mark.skipif(not (gs.SHARED / "corpus").is_dir(), reason="../shared is absent")


def _figure(**kw: Any) -> gs.Figure:
    base: dict[str, Any] = dict(value=5.0, value_max=None, unit="%", qualifier="左右", measure="growth",
                                cue="增长5%左右", raw="5%左右", metric_key="gdp_growth", status="target", year=2025,
                                subject=("生产总值", "经济增长"))  # fmt: skip
    return gs.Figure(**(base | kw))


def _emitted(**kw: Any) -> SimpleNamespace:
    base: dict[str, Any] = dict(metric="经济增长", metric_key="gdp_growth", value=5.0, value_max=None, unit="%",
                                qualifier="左右", kind="growth", status="target", year=2025, term=None, raw="5%左右",
                                sentence="地区生产总值增长5%左右。", span=(8, 12), headline=True)  # fmt: skip
    return SimpleNamespace(**(base | kw))


def test_headline_scorer() -> None:
    gold = gs.HeadlineGold("x", gs.DocSpec("p", "txt", None, "某省", 2025, "work_report"), [_figure()], [], [])
    perfect = hs.score_headline(gold, [_emitted(), _emitted(span=(40, 45))])  # plus a restatement
    assert (perfect.annual.recall, perfect.annual.precision) == (1.0, 1.0)
    wrong_year = hs.score_headline(gold, [_emitted(year=2024), _emitted(metric_key="cpi", value=2.0)])
    assert (wrong_year.annual.hit, wrong_year.annual.fp) == (0, 1)  # a result is no target; cpi is a false one
    term = hs.score_headline(gold, [_emitted(), _emitted(term=(2021, 2025), value=6.0)])
    assert term.annual.precision == 1.0 and term.term.fp == 1


def test_figure_scorer_matches_by_position_and_names_by_subject() -> None:
    text = "地区生产总值增长5%左右，新增孵化器8家。"
    gold = gs.FiguresGold("x", gs.DocSpec("p", "txt", None, None, 2025, "plan"), (None, None),
                          [_figure(), _figure(value=8.0, unit="家", qualifier=None, measure="increment",
                                              cue="新增孵化器8家", raw="8家", subject=("孵化器",))], [])  # fmt: skip
    right = [_emitted(), _emitted(metric="新增孵化器", value=8.0, unit="家", span=(18, 20), kind="increment")]
    assert fs.score_figures(gold, right, text).counts.recall == 1.0
    misnamed = [_emitted(), _emitted(metric="新增", value=8.0, unit="家", span=(18, 20))]
    res = fs.score_figures(gold, misnamed, text)
    assert (res.counts.hit, res.counts.fp, res.located) == (1, 1, 2)
    elsewhere = [_emitted(), _emitted(metric="孵化器", value=8.0, unit="家", span=(0, 2))]
    assert fs.score_figures(gold, elsewhere, text).counts.hit == 1  # the right number in the wrong place


def test_figure_scorer_lists_attribute_disagreements_of_matched_figures() -> None:
    text = "地区生产总值增长5%左右，新增孵化器8家。"
    gold = gs.FiguresGold("x", gs.DocSpec("p", "txt", None, None, 2025, "plan"), (None, None),
                          [_figure(), _figure(value=8.0, unit="家", qualifier=None, measure="increment",
                                              cue="新增孵化器8家", raw="8家", subject=("孵化器",),
                                              term=(2021, 2025))], [])  # fmt: skip
    emitted = [_emitted(), _emitted(metric="新增孵化器", value=8.0, unit="家", span=(18, 20), kind="level",
                                    status="achieved", year=2024)]  # fmt: skip
    res = fs.score_figures(gold, emitted, text)
    assert (res.located, res.measure_ok, res.status_ok, res.year_ok) == (2, 1, 1, 1)
    assert len(res.attrs) == 1  # the growth figure agrees throughout and is not listed
    assert res.attrs[0].split()[:4] == ["measure:increment→level", "status:target→achieved", "year:2025→2024",
                                        "term:2021-2025→-"]  # fmt: skip
    report = fs.FigureResult.report([res], verbose=False, attrs=True)
    assert "== x attributes" in report and "新增孵化器8家" in report
    assert "attributes" not in fs.FigureResult.report([res], verbose=False)


def test_change_scorer_counts_false_new_and_dropped() -> None:
    spec = gs.DocSpec("p", "txt", None, "某省", 2025, "work_report")
    gold = gs.ChangesGold("x", spec, spec, [gs.GoldChange("gdp_growth", "lowered", "5.5%", "5%", None, None)])
    right = [SimpleNamespace(metric_key="gdp_growth", change="lowered", old=None, new=None)]
    assert cs.score_changes(gold, right, "", "").right == 1
    split = [SimpleNamespace(metric_key="gdp_growth", change=c, old=None, new=None) for c in ("dropped", "new")]
    res = cs.score_changes(gold, split, "", "")
    assert (res.right, res.false_dropped, res.false_new) == (0, 1, 1)


@SHARED
def test_tune_headline_targets() -> None:
    text, total = hs.headline_report(hs.run_headline("tune"), verbose=True)
    print(text)
    assert total.recall >= 0.98 and total.precision >= 0.98, text.splitlines()[-1]


@SHARED
def test_tune_whole_document_figures() -> None:
    results = fs.run_figures("tune")
    total = gs.Counts()
    for r in results:
        total.add(r.counts)
    print(fs.FigureResult.report(results, verbose=True))
    assert total.recall >= 0.92 and total.precision >= 0.92, (total.recall, total.precision)


@SHARED
def test_tune_changes() -> None:
    results = cs.run_changes("tune")
    print(cs.ChangeResult.report(results, verbose=True))
    gold, right = sum(r.gold for r in results), sum(r.right for r in results)
    assert right / gold >= 0.97
    assert sum(r.false_dropped + r.false_new for r in results) == 0
