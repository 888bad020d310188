"""Is a title a report or a plan, which kind, of which year and region: pure functions over titles and text.

The vocabulary follows the issue: work_report (政府工作报告), plan (工作要点, 发展规划, 行动方案, 实施方案, 工作计划),
summary (工作总结, also 工作总结和…工作思路), other. Notices about such documents (关于报送2025年工作总结的通知),
recruitment, public notices and procurement are not documents we want, except a notice that *issues* a plan
(关于印发…工作要点的通知), which is the plan itself.
"""

from __future__ import annotations

import re
from datetime import date

SUMMARY = re.compile(r"工作总结|工作情况总结|年度总结")
WORK_REPORT = re.compile(r"政府工作报告|政府工作的报告|工作报告")
PLAN = re.compile(r"工作要点|工作计划|工作思路|发展规划|[”\"」》]?规划|行动方案|实施方案|行动计划|攻坚方案|三年行动")
NOISE = re.compile(r"招聘|招考|公示|采购|中标|成交|招标|拟任|任前|遴选|征集|问卷|听证|解读|图解|答记者问|视频|直播")
NOTICE = re.compile(r"(通知|公告|通告|函)$")
ISSUING = re.compile(r"印发|转发|颁布|发布")
RESOLUTION = re.compile(r"决议|审议意见|说明$")
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?:\s*年|[—-](?:20)?\d\d年|(?=工作|政府))")
CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
             "八": "8", "九": "9", "○": "0", "O": "0"}  # fmt: skip
CN_YEAR = re.compile(r"([二一][〇零○O一二三四五六七八九]{3})年")

PROVINCES = (
    *("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省"),
    *("浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区"),
    *("海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省"),
    *("宁夏回族自治区", "新疆维吾尔自治区"),
)
_SHORT = {p: re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", p) for p in PROVINCES}
LEAD = re.compile(r"^(?:关于)?(?:印发|转发)?(?:(?:19|20)\d\d年度?)?")
PLACE = re.compile(
    r"^(?:中共)?([\u4e00-\u9fa5]{2,8}?(?:自治州|地区|盟|市|县|区|州|旗))(?:人民政府|政府|科学技术局|科技局|)"
)


def doc_type(title: str) -> str:
    """work_report, plan, summary or other, from a title alone."""
    title = _clean(title)
    if SUMMARY.search(title):
        return "summary"
    if "政府工作报告" in title or (WORK_REPORT.search(title) and not PLAN.search(title)):
        return "work_report"
    if PLAN.search(title):
        return "plan"
    return "other"


def is_wanted(title: str, doc_types: tuple[str, ...] = ("work_report", "plan", "summary")) -> bool:
    """A report or plan of one of `doc_types`, not a notice, job advert or public notice about one."""
    title = _clean(title)
    if not title or NOISE.search(title) or RESOLUTION.search(title):
        return False
    if NOTICE.search(title) and not ISSUING.search(title):
        return False
    kind = doc_type(title)
    return kind != "other" and kind in doc_types


def report_year(title: str, published: date | None = None) -> int | None:
    """The year a document is about: the first year in its title, else its publication year."""
    title = _clean(title)
    match = YEAR.search(title)
    if match:
        return int(match.group(1))
    cn = CN_YEAR.search(title)
    if cn:
        return int("".join(CN_DIGITS.get(ch, ch) for ch in cn.group(1)))
    return published.year if published else None


def region_in(text: str) -> str | None:
    """The region a title or text is from (full province name, or a city/county prefix), or None."""
    text = LEAD.sub("", _clean(text))
    for full, short in _SHORT.items():
        if text.startswith((full, short)):
            return full
    match = PLACE.match(text)
    return match.group(1) if match else None


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text or "")
