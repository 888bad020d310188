"""Corpus evaluation against the hand-checked gold (tests/extract/gold). Skipped when ../shared is absent."""

from __future__ import annotations

import re

import pytest

from tests.extract import gold_eval as ge

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (ge.SHARED / "corpus").is_dir(), reason=f"{ge.SHARED} (the shared corpus) is absent"),
]

GOLD = ge.load_gold()
QUALIFIERS = {None, "左右", "以上", "以内", "以下", "不低于", "不超过", "超过", "突破", "约", "近", "余", "不到"}
UNITS = {"%", "个百分点", "元", "美元", "人", "个", "斤", "吨"}


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s).replace("％", "%")


@pytest.mark.parametrize("doc", GOLD, ids=[d.name for d in GOLD])
def test_gold_file_is_consistent(doc: ge.GoldDoc) -> None:
    """Every gold entry is well formed and its cue can be found in the document it comes from."""
    text = _squash(ge.load_text(doc))
    assert doc.targets, "a gold file without targets"
    for g in doc.targets:
        where = f"{doc.name}: {g.metric_key} {g.value} ({g.cue})"
        assert g.metric_key in ge.HEADLINE_KEYS, where  # alternatives (metric_keys[1:]) may be any key
        assert set(g.statuses) <= ge.STATUSES, where
        assert g.unit in UNITS and g.qualifier in QUALIFIERS, where
        assert g.value > 0 and (g.value_max is None or g.value_max > g.value), where
        assert isinstance(g.year, int) and 1950 < g.year < 2100, where
        assert g.period is None or g.period[0] <= g.year <= g.period[1], where
        assert g.region, f"{where}: no region (set it per target in multi-region documents)"
        assert 0 < len(g.cue.replace("…", "")) <= 12, f"{where}: cue must be 1-12 characters"
        for piece in g.cue.split("…"):
            assert _squash(piece) in text, f"{where}: cue piece {piece!r} not in the document"


def test_extractor_meets_the_gold() -> None:
    results = ge.run()
    print("\n" + ge.report(results))
    t = ge.totals(results)
    assert not [r.name for r in results if r.error], "extract() raised on some documents"
    assert t.recall >= 0.95, f"recall {t.recall:.3f}"
    assert t.precision >= 0.95, f"precision {t.precision:.3f}"
    assert t.status_accuracy >= 0.97, f"status accuracy {t.status_accuracy:.3f}"


def test_scorer_on_synthetic_output() -> None:
    """The scorer itself: perfect output scores 1; a miss, a false positive and a wrong status are each counted;
    repeats of a matched fact and hits on optional entries are neutral."""
    from types import SimpleNamespace

    doc = next(d for d in GOLD if d.name == "national_2025")

    def emit(g: ge.GoldTarget, **kw: object) -> SimpleNamespace:
        base = dict(
            metric_key=g.metric_key,
            value=g.value,
            value_max=g.value_max,
            unit=g.unit,
            qualifier=g.qualifier,
            status=g.status,
            year=g.year,
            sentence=g.cue,
        )
        return SimpleNamespace(**(base | kw))

    required = [g for g in doc.targets if not g.optional]
    optional = [g for g in doc.targets if g.optional]
    perfect = [emit(g) for g in doc.targets] + [emit(required[0])]  # plus a restatement
    r = ge.score_document(doc, perfect)
    t = ge.totals([r])
    assert (t.recall, t.precision, t.status_accuracy) == (1.0, 1.0, 1.0) and r.duplicates == 1

    flawed = [emit(g) for g in required[1:]]  # first required entry missed
    flawed[0] = emit(required[1], status="achieved" if required[1].status != "achieved" else "target")
    flawed.append(emit(required[2], value=required[2].value * 1.5))  # a wrong number -> false positive
    flawed.append(emit(required[3], value=-required[3].value))  # sign does not matter -> duplicate
    flawed.append(
        SimpleNamespace(
            metric_key="tech_contract_value",
            value=1,
            value_max=None,
            unit="元",
            qualifier=None,
            status="target",
            year=2025,
            sentence="",
        )
    )  # not headline: ignored
    r = ge.score_document(doc, flawed)
    t = ge.totals([r])
    assert [g.cue for g in r.misses] == [required[0].cue]
    assert len(r.false_positives) == 1 and r.duplicates == 1 and not r.matched_optional and optional
    assert t.status_ok == t.pairs - 1
