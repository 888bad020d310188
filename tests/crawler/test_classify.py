"""Title classification: which links are reports and plans, their kind, year and region."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from monitor.vocabulary import doctypes as classify

TITLES = Path(__file__).with_name("titles.tsv")
TYPES = ("work_report", "plan", "summary", "other")


def title_table() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in TITLES.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    return [(kind, title) for kind, title in rows]


def test_the_title_table_is_large_and_covers_every_type() -> None:
    table = title_table()
    assert len(table) >= 150
    counts = Counter(kind for kind, _ in table)
    assert set(counts) == set(TYPES) and min(counts.values()) >= 10, counts


@pytest.mark.parametrize("kind", TYPES)
def test_precision_per_type_on_the_title_table(kind: str) -> None:
    """Of the titles the classifier calls `kind`, at least 98% are that kind (and it finds most of them)."""
    table = title_table()
    predicted = [(expected, title) for expected, title in table if classify.doc_type(title) == kind]
    wrong = [(expected, title) for expected, title in predicted if expected != kind]
    assert predicted and 1 - len(wrong) / len(predicted) >= 0.98, wrong
    missed = [title for expected, title in table if expected == kind and classify.doc_type(title) != kind]
    assert len(missed) <= 0.05 * sum(expected == kind for expected, _ in table), missed


@pytest.mark.parametrize(
    ("title", "doc_type", "wanted"),
    [
        ("2025年北京市政府工作报告", "work_report", True),
        ("温州市科学技术局2025年工作要点", "plan", True),
        ("温州市科学技术局2024年工作总结和2025年工作思路", "summary", True),
        ("关于做好2024年度工作总结报送工作的通知", "other", False),
        ("2025年度“双随机、一公开”抽查工作计划", "other", False),
        ("图解：2025年政府工作报告", "other", False),
        ("", "other", False),
    ],
)
def test_doc_type_and_wanted(title: str, doc_type: str, wanted: bool) -> None:
    assert classify.doc_type(title) == doc_type
    assert classify.is_wanted(title) is wanted


def test_every_rule_says_why_and_names_a_type() -> None:
    for rule in classify.rules():
        assert rule.type in TYPES and rule.why


def test_the_deciding_rule_is_reported() -> None:
    kind, rule = classify.decide("市交通运输局2025年执法检查计划")
    assert kind == "other" and rule is not None and "inspections" in rule.why


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("政府工作报告", True),
        ("规划信息", True),
        ("专项规划", True),
        ("区域规划", True),
        ("计划总结", True),
        ("规划计划", True),
        ("2025年政府工作报告", False),
        ("温州市科技创新“十四五”规划", False),
        ("北京市2024年数字经济发展行动方案", False),
        ("", False),
    ],
)
def test_column_names(text: str, column: bool) -> None:
    assert classify.is_column_name(text) is column


def test_wanted_respects_the_source_doc_types() -> None:
    assert not classify.is_wanted("温州市科学技术局2025年工作要点", ("work_report",))
    assert classify.is_wanted("2025年北京市政府工作报告", ("work_report",))


@pytest.mark.parametrize(
    ("title", "published", "year"),
    [
        ("2025年北京市政府工作报告", None, 2025),
        ("温州市科学技术局2024年工作总结和2025年工作思路", None, 2024),
        ("温州市科技兴海三年行动方案（2024—2026年）", None, 2024),
        ("二〇二五年政府工作报告", None, 2025),
        ("政府工作报告", date(2025, 3, 12), 2025),
        ("政府工作报告", None, None),
        ("关于“315”科创体系的工作要点", date(2023, 1, 1), 2023),
    ],
)
def test_report_year(title: str, published: date | None, year: int | None) -> None:
    assert classify.report_year(title, published) == year


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("2025年北京市政府工作报告", "北京市"),
        ("广西2025年政府工作报告", "广西壮族自治区"),
        ("温州市科学技术局2025年工作要点", "温州市"),
        ("关于印发嘉兴市2025年营商环境工作要点的通知", "嘉兴市"),
        ("政府工作报告", None),
    ],
)
def test_region_in(text: str, region: str | None) -> None:
    assert classify.region_in(text) == region
