"""Title classification: which links are reports and plans, their kind, year and region."""

from __future__ import annotations

from datetime import date

import pytest

from crawler import classify


@pytest.mark.parametrize(
    ("title", "doc_type", "wanted"),
    [
        ("2025年北京市政府工作报告", "work_report", True),
        ("政府工作报告——2025年3月5日在第十四届全国人民代表大会第三次会议上", "work_report", True),
        ("温州市科学技术局2025年工作要点", "plan", True),
        ("温州市科学技术局2024年工作总结和2025年工作思路", "summary", True),
        ("北京市2024年数字经济发展行动方案", "plan", True),
        ("温州市科技创新“十四五”规划", "plan", True),
        ("广东省人民政府办公厅关于印发广东省推进高水平对外开放2025年行动方案的通知", "plan", True),
        ("国务院2025年度立法工作计划", "plan", True),
        ("关于做好2024年度工作总结报送工作的通知", "summary", False),
        ("关于2025年度市属事业单位公开招聘工作人员的公告", "other", False),
        ("市管干部任职前公示", "other", False),
        ("关于2024年度市级科技企业孵化器认定结果的公示", "other", False),
        ("图解：2025年政府工作报告", "work_report", False),
        ("关于政府工作报告的决议", "work_report", False),
        ("2023年度温州市科技统计公报", "other", False),
        ("", "other", False),
    ],
)
def test_doc_type_and_wanted(title: str, doc_type: str, wanted: bool) -> None:
    assert classify.doc_type(title) == doc_type
    assert classify.is_wanted(title) is wanted


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
