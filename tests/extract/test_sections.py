"""Sections and document facts: review vs plan parts, region, report year, document type."""

from __future__ import annotations

import pytest

from monitor.extract import extract
from monitor.extract.sections import classify_heading, find_sections


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("一、2024年工作回顾", "review"),
        ("一、过去五年工作回顾", "review"),
        ("二、2025年经济社会发展总体要求和政策取向", "plan"),
        ("三、2025年政府工作任务", "plan"),
        ("二、2025年目标任务和重点工作", "plan"),
        ("2026年工作思路", "plan"),
        ("三、重点工作", "plan"),
        ("二、目标任务", "plan"),
        ("一、指导思想", None),
        ("国内生产总值增长5%左右。", None),
    ],
)
def test_classify_heading(line: str, kind: str | None) -> None:
    assert classify_heading(line) == kind


def test_inline_digest_markers() -> None:
    text = "NO.1·甲省 2021工作回顾 甲。 2022发展规划 乙。 NO.2·乙省 2022发展规划 丙。"
    sections = find_sections(text).items
    assert [(s.kind, s.year) for s in sections] == [("review", 2021), ("plan", 2022), ("plan", 2022)]


def test_one_line_report_with_numbered_headings() -> None:
    text = "各位代表： 一、2023年工作回顾 过去一年，全市生产总值增长5%。 二、2024年主要目标 全市生产总值增长5%左右。"
    res = extract(text)
    assert res.document.year == 2024 and res.document.doc_type == "work_report"
    assert [(t.status, t.year) for t in res.targets] == [("achieved", 2023), ("target", 2024)]


def test_report_without_headings_uses_opening_paragraphs() -> None:
    text = "各位代表：\n过去一年，地区生产总值增长5.2%。\n今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。"
    assert [t.status for t in extract(text, year=2024).targets] == ["achieved", "target"]


@pytest.mark.parametrize(
    ("text", "region", "year", "doc_type"),
    [
        ("2025年浙江省政府工作报告\n各位代表：", "浙江省", 2025, "work_report"),
        ("政府工作报告\n——2025年1月在河南省第十四届人民代表大会第三次会议上", "河南省", 2025, "work_report"),
        ("各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、2024年工作回顾", "全国", 2025, "work_report"),
        ("2025年新疆政府工作报告\n各位代表：", "新疆维吾尔自治区", 2025, "work_report"),
        ("2025年全市科技创新工作要点\n一、指导思想", None, 2025, "plan"),
        ("包头市人民政府办公室关于印发2022年数字经济发展行动方案的通知", "包头市", 2022, "plan"),
        ("2023年科技创新工作亮点\n今年以来成效明显。", None, 2023, "summary"),
    ],
)
def test_document_inference(text: str, region: str | None, year: int, doc_type: str) -> None:
    doc = extract(text).document
    assert (doc.region, doc.year, doc.doc_type) == (region, year, doc_type)


def test_given_facts_win() -> None:
    doc = extract("2025年浙江省政府工作报告", region="杭州市", year=2024, doc_type="plan", url="u", title="t").document
    assert (doc.region, doc.year, doc.doc_type, doc.url, doc.title) == ("杭州市", 2024, "plan", "u", "t")
