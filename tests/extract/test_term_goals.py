"""Goals framed as the coming five years (今后五年) refer to the end of the term, not to the report year."""

from __future__ import annotations

from monitor.extract import extract

TEXT = """2023年示例市政府工作报告
二、今后五年目标和2023年工作安排
今后五年，我们要推动高质量发展取得新进展。
第一，创新策源能力显著增强，全社会研发经费支出相当于全市生产总值的比例达到4.5%以上。
今年经济社会发展的主要预期目标是：全社会研发经费支出相当于全市生产总值的比例达到4.3%左右。
"""


def test_term_goal_gets_the_terms_last_year_and_the_annual_goal_the_report_year() -> None:
    targets = [t for t in extract(TEXT, region="示例市", year=2023).targets if t.metric_key == "rd_intensity"]
    assert [(t.value, t.status, t.year) for t in targets] == [(4.5, "target", 2027), (4.3, "target", 2023)]
