"""Which tier a region belongs to (national, province, city) and the customary order of provinces (pure).

The tier follows from the region's name as documents store it: 全国 is national, the 31 provincial-level
divisions of the mainland are provinces (municipalities such as 上海市 included), every other place is a city
(prefecture, county or district). Tables list provinces in the order of the statistical yearbooks.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["national", "province", "city"]
LEVELS: tuple[str, ...] = ("province", "city", "all")
NATIONAL = "全国"
PROVINCES: tuple[str, ...] = (
    *("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省"),
    *("浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区"),
    *("海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省"),
    *("宁夏回族自治区", "新疆维吾尔自治区"),
)
_RANK = {name: i for i, name in enumerate(PROVINCES)}
LEVEL_WORDS = {"province": "省份", "city": "城市", "all": "地区", "national": "全国"}


def region_level(region: str) -> Level:
    if region == NATIONAL:
        return "national"
    return "province" if region in _RANK else "city"


def in_level(region: str, level: str) -> bool:
    """Whether a region belongs in a table of this level (province, city or all; never the nation itself)."""
    tier = region_level(region)
    return tier != "national" and (level == "all" or tier == level)


def region_order(region: str) -> tuple[int, str]:
    """Provinces in yearbook order, then cities by name."""
    return (_RANK.get(region, len(PROVINCES)), region)


def expected_count(level: str, known: int) -> int:
    """How many regions of the level could report: 31 provinces, else those the database has ever seen."""
    return max(len(PROVINCES), known) if level == "province" else known


_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def short_name(region: str) -> str:
    """How charts label a province (新疆维吾尔自治区 → 新疆, 上海市 → 上海); cities keep their names."""
    if region_level(region) != "province":
        return region
    return next((region.removesuffix(s) for s in _SUFFIXES if region.endswith(s)), region)
