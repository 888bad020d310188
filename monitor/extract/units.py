"""Units: the surface forms a figure can carry and their base-unit normalisation."""

from __future__ import annotations

import re
from decimal import Decimal

# surface form -> base unit (the multipliers 万/亿/万亿 are parsed separately)
UNITS: dict[str, str] = {
    "个百分点": "个百分点", "百分点": "个百分点", "%": "%", "‰": "‰",
    "元": "元", "美元": "美元", "欧元": "欧元", "港元": "港元",
    "人次": "人次", "人年": "人年", "场次": "场次", "类": "类", "人": "人", "名": "人", "位": "位",
    "家": "家", "户": "户", "个": "个", "项": "项", "件": "件", "座": "座", "台": "台", "辆": "辆",
    "所": "所", "处": "处", "条": "条", "套": "套", "张": "张", "艘": "艘", "架": "架", "款": "款",
    "部": "部", "种": "种", "支": "支", "间": "间", "栋": "栋", "宗": "宗", "例": "例", "场": "场",
    "批次": "批次", "批": "批", "篇": "篇", "份": "份", "头": "头", "只": "只", "枚": "枚", "颗": "颗", "次": "次",
    "片": "片", "管": "管", "棵": "棵", "株": "株", "盏": "盏", "辆次": "辆次", "架次": "架次",
    "家次": "家次", "户次": "户次", "件次": "件次", "艘次": "艘次", "课时": "课时", "学时": "学时",
    "重量箱": "重量箱", "斤": "斤", "公斤": "公斤", "千克": "公斤", "吨": "吨", "标箱": "标箱", "标准箱": "标箱",
    "平方米": "平方米", "平方公里": "平方公里", "平方千米": "平方公里", "公顷": "公顷", "亩": "亩",
    "立方米": "立方米", "方": "方",
    "千瓦时": "千瓦时", "千瓦": "千瓦", "兆瓦": "兆瓦", "吉瓦": "吉瓦", "度": "千瓦时",
    "公里": "公里", "千米": "公里", "米": "米",
    "微克/立方米": "微克/立方米", "毫克/立方米": "毫克/立方米",
    "倍": "倍", "番": "倍", "天": "天", "小时": "小时", "岁": "岁", "个工作日": "个工作日", "工作日": "个工作日",
    "期": "期",  # 培训不少于4期: sessions of a course
    "PFlops": "PFlops", "PFLOPS": "PFlops", "EFlops": "EFlops", "EFLOPS": "EFlops",  # computing power
}  # fmt: skip

CURRENCIES = frozenset({"元", "美元", "欧元", "港元"})  # the base units of an amount of money

MULTIPLIERS: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "千亿": Decimal(10) ** 11,
    "百亿": Decimal(10) ** 10,
    "亿": Decimal(10) ** 8,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "万": Decimal(10) ** 4,
}

# units that only make sense with a number written in Arabic digits or a large Chinese numeral
COUNT_UNITS = frozenset("家户个项件座台辆所处条套张艘架款部种支间栋宗例场批篇头只枚颗次位片棵株盏份期") | {"批次"}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


UNIT_RE = _alternation(list(UNITS))
MULT_RE = _alternation(list(MULTIPLIERS))


def base_unit(surface: str | None) -> str | None:
    """The base unit of a surface unit, or None when there is none."""
    if not surface:
        return None
    return UNITS.get(surface, surface)


def scale(value: Decimal, multiplier: str | None) -> Decimal:
    """Apply a 万/亿/万亿 multiplier."""
    return value * MULTIPLIERS[multiplier] if multiplier else value


# unit families and each unit's size in the family's base, so 亿斤 and 万吨 compare (1吨 = 2000斤)
FAMILIES: dict[str, dict[str, Decimal]] = {
    "percent": {"%": Decimal(1)},
    "points": {"个百分点": Decimal(1)},
    "money": {"元": Decimal(1)},
    "usd": {"美元": Decimal(1)},
    "mass": {"斤": Decimal(1), "公斤": Decimal(2), "吨": Decimal(2000)},
    "area": {"平方米": Decimal(1), "平方公里": Decimal(10) ** 6, "公顷": Decimal(10) ** 4, "亩": Decimal(2000) / 3},
    "power": {"千瓦": Decimal(1), "兆瓦": Decimal(1000), "吉瓦": Decimal(10) ** 6},
    "length": {"米": Decimal(1), "公里": Decimal(1000)},
}
_FAMILY_OF = {unit: (family, size) for family, units in FAMILIES.items() for unit, size in units.items()}


def family_of(unit: str | None) -> str:
    """The family a base unit belongs to (mass for 斤, 吨, 公斤), or the unit itself when it has none."""
    found = _FAMILY_OF.get(unit or "")
    return found[0] if found else (unit or "")


def in_family_base(value: float, unit: str | None) -> float:
    """A value in its family's base unit: 1350万吨 → 2.7e10 (斤); units outside a family are unchanged."""
    found = _FAMILY_OF.get(unit or "")
    return value if found is None else float(Decimal(str(value)) * found[1])
