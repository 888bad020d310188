"""Whole documents of ../shared (skipped when absent): masks, names, emerging themes, every file parses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from monitor.extract import extract
from monitor.extract.model import KINDS

pytestmark = pytest.mark.shared

MASK = re.compile(r"[0-9]*[xX×]{1,}[0-9]+|[0-9]+[xX×]{1,}")


def _national(shared: Path, year: str) -> str:
    path = shared / "corpus/raw/aldohemsn-chinese-political-corpora/government_work_reports.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["year"] == year:
            return str(record["content"])
    raise KeyError(year)


def test_masked_numbers_of_seed_003_are_never_emitted(shared: Path) -> None:
    """Masked numbers (1xx1, 20xx) are no figures; a real number whose year is masked (20xx年的120家) is one."""
    (path,) = (shared / "seeds").glob("003_*.txt")
    res = extract(path.read_text(encoding="utf-8"))
    assert res.targets, "the seed has real figures too"
    masked = [m.span() for m in MASK.finditer(res.text)]
    for t in res.targets:
        assert not MASK.search(t.raw), t.raw
        assert not any(a < t.span[1] and t.span[0] < b for a, b in masked), t.raw
    assert any(re.search(r"20[xX]{2}年的$", res.text[: t.span[0]]) for t in res.targets)


def test_names_of_seed_002_are_not_targets(shared: Path) -> None:
    (path,) = (shared / "seeds").glob("002_*.txt")
    res = extract(path.read_text(encoding="utf-8"))
    assert res.document.doc_type == "plan" and res.document.year == 2025
    raws = {t.raw for t in res.targets}
    assert "315" not in " ".join(raws) and not any(t.raw.startswith("90%") for t in res.targets)
    assert all(t.status == "target" for t in res.targets)


def test_national_2024_to_2025_emerging_themes(shared: Path) -> None:
    def counts(text: str) -> dict[str, int]:
        return {p.theme: p.count for p in extract(text).priorities}

    old, new = counts(_national(shared, "2024")), counts(_national(shared, "2025"))
    for theme in ("具身智能", "6G", "量子科技"):
        assert new.get(theme, 0) >= 1 and old.get(theme, 0) == 0, theme


def test_every_shared_document_extracts(shared: Path) -> None:
    files = [p for p in (shared / "corpus").rglob("*") if p.is_file() and p.suffix in {".txt", ".html", ".csv"}]
    files += list((shared / "seeds").glob("*.txt"))
    for path in files:
        res = extract(path.read_text(encoding="utf-8", errors="replace"))
        for t in res.targets:
            assert res.text[t.span[0] : t.span[1]] == t.raw
            assert t.status in {"target", "achieved", "expected"} and t.kind in KINDS


def test_gov_cn_html_fragment_keeps_paragraphs(shared: Path) -> None:
    path = shared / "corpus/raw/markyangcc-unnamed/reports/2019_gov_report.txt"
    res = extract(path.read_text(encoding="utf-8"), year=2019)
    assert "<" not in res.text and res.text.count("\n") > 50
    keys = {(t.metric_key, t.status) for t in res.targets}
    assert {("gdp_growth", "target"), ("gdp_growth", "achieved"), ("deficit_ratio", "target")} <= keys
