"""Where a local file belongs: region, year and type from its name, else from its text; the caller overrides."""

from __future__ import annotations

import pytest

from monitor.ingest.placing import place, region_in_name
from tests import corpus

REPORT = (
    "2024年政府工作报告\n\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n"
    "一、2023年工作回顾\n\n过去一年，经济回升向好。"
)


@pytest.mark.parametrize(
    ("stem", "region"),
    [
        ("2025年宁夏政府工作报告", "宁夏回族自治区"),  # short names of autonomous regions
        ("宁夏2024", "宁夏回族自治区"),
        ("2025年广西政府工作报告", "广西壮族自治区"),
        ("黑龙江省2023年政府工作报告", "黑龙江省"),
        ("上海2023", "上海市"),
        ("2024年陕西省政府工作报告", "陕西省"),  # not 山西, not 江西
        ("江西2023年", "江西省"),
        ("吉林市2023年政府工作报告", "吉林市"),  # the city, not 吉林省
        ("温州市科技局2024年工作总结", "温州市"),
        ("2023年苏州工业园区工作要点", "苏州工业园区"),
        ("2025年政府工作报告", None),  # the national report names no region: its text does
        ("report-final", None),
    ],
)
def test_region_in_file_name(stem: str, region: str | None) -> None:
    assert region_in_name(stem) == region


def test_name_first_then_text_then_nothing() -> None:
    national = place("2024年政府工作报告", REPORT)
    assert (national.region, national.year, national.doc_type) == ("全国", 2024, "work_report")
    renamed = place("scan_0001", REPORT)  # a name that says nothing: the text's title and congress line
    assert (renamed.region, renamed.year, renamed.problem) == ("全国", 2024, None)
    plan = place("示例市科技局2025年工作要点", "一、总体要求\n\n围绕创新驱动。")
    assert (plan.region, plan.year, plan.doc_type) == ("示例市", 2025, "plan")


def test_caller_overrides_and_unplaceable_files_say_why() -> None:
    given = place("宁夏2024", REPORT, region="宁夏回族自治区", year=2023, doc_type="summary")
    assert (given.region, given.year, given.doc_type) == ("宁夏回族自治区", 2023, "summary")
    lost = place("notes", "今年的工作很多。")
    assert lost.problem == "no region and no year in its name or text (give --region and --year)"
    assert place("上海", "今年的工作很多。").problem == "no year in its name or text (give --year)"


@pytest.mark.shared
def test_the_31_provincial_reports_are_placed_from_name_and_from_text_alone() -> None:
    if not corpus.available():
        pytest.skip("../shared corpus is absent")
    for path in sorted(corpus.PROVINCES_2025.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        by_name, by_text = place(path.stem, text), place("unnamed", text)
        assert (by_name.region, by_name.year, by_name.doc_type) == (by_text.region, 2025, "work_report"), path.name
        assert by_name.region is not None and by_name.region.endswith(("省", "市", "自治区")), path.name
