"""Which tier a region belongs to (national, province, city) and the customary order of provinces (pure).

The tier follows from the region's name as documents store it: 全国 is national, the 31 provincial-level
divisions of the mainland are provinces (municipalities such as 上海市 included), every other place is a city
(prefecture, county or district). Tables list provinces in the order of the statistical yearbooks.
"""

from __future__ import annotations

from typing import Literal

from monitor import vocabulary
from monitor.vocabulary import NATIONAL, PROVINCES

__all__ = ["LEVELS", "LEVEL_WORDS", "NATIONAL", "PROVINCES", "Level", "expected_count", "in_level", "region_level",
           "region_order", "short_name"]  # fmt: skip

Level = Literal["national", "province", "city"]
LEVELS: tuple[str, ...] = ("province", "city", "all")
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


def short_name(region: str) -> str:
    """How charts label a province (新疆维吾尔自治区 → 新疆, 上海市 → 上海); cities keep their names."""
    if region_level(region) != "province":
        return region
    return vocabulary.short_name(region)
