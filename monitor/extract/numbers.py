"""Numbers: Arabic and Chinese numerals, multipliers, ranges, fractions, 翻番 — one linear regex."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from monitor.extract.units import COUNT_UNITS, MULT_RE, UNIT_RE, base_unit, scale

AR = r"\d{1,15}(?:,\d{3}){0,5}(?:\.\d{1,8})?"
CN = r"[零〇一二两三四五六七八九十百千万亿]{1,12}(?:点[零〇一二三四五六七八九]{1,6})?"
_RANGE_SEP = r"(?:[-—–~～]{1,2}|至|到)"
# a Chinese numeral is a figure only with a unit (两个确立, 一是, 统一 are words): the lookahead keeps the others from
# ever reaching the parser
_CN_FIGURE = rf"{CN}(?=[ ]?(?:多|余)?(?:{MULT_RE})?(?:多|余)?[ ]?(?:{UNIT_RE})|{_RANGE_SEP})"
# an Arabic number is a figure only with a multiplier or a unit (a year, an article or a telephone number is none)
_AR_FIGURE = rf"{AR}(?=[ ]?(?:多|余)?(?:{MULT_RE}|{UNIT_RE})|[ ]?{_RANGE_SEP})"
_NUM = rf"(?:{_AR_FIGURE}|{_CN_FIGURE})"
# no digit, letter, dot, mask or '+' may touch an Arabic number (20xx, 1xx1, PM2.5, 5G, 4+4)
_LB = r"(?<![0-9A-Za-z.xX×+＋_/])"
_LA = r"(?![0-9xX×+＋年月日号]|\.\d)"  # a date is no figure: skip it before parsing
_SUFFIX = r"(?P<suf>左右|以上|以内|以下|上下|多|余)?"

# a unit per unit of time (污水处理能力30万吨/日, 排涝能力600立方米/秒)
_PER = r"(?:/(?:日|天|秒|小时|年))?"
# the lookahead lets the engine skip, in one test, every position where no figure can start
QUANTITY = re.compile(
    r"(?=[0-9零〇一二两三四五六七八九十百千万亿翻与同基])(?:"
    rf"(?P<fan>翻(?:了)?(?P<fn>[一两二三四])?番)"
    r"|(?P<flat>(?:与上年|与去年|同比)(?:基本)?持平|基本持平)"
    r"|(?P<half>(?<![一二三四五六七八九十])一半)(?P<hsuf>以上|左右)?"
    rf"|{_LB}(?P<fd>{AR}|{CN})分之(?P<fm>{AR}|{CN}){_LA}"
    # bandwidth, only where it reaches somewhere (万兆到旗县区, 20兆进牧户) or is what a link is raised to (扩容至5G):
    # 千兆城市, 双千兆 and 5G are names elsewhere
    r"|(?<![0-9A-Za-z.])(?P<bwn>\d{1,5}|[十百千万])(?:兆|M)(?=(?:bps)?(?:到|进|入)[\u4e00-\u9fff])"
    r"|(?<=扩容至|提升至|提速至|升级至)(?P<gbn>\d{1,3})G(?![A-Za-z0-9])"
    r"|(?<![0-9./])(?P<sn>[1-9])/(?P<sd>[2-9]|10)(?![0-9/])(?P<ssuf>以上|左右)?"
    r"|(?<![0-9.A-Za-z])(?P<yrs>\d{1,2}\.\d{1,2})年(?![均度代])(?P<ysuf>以上|左右)?"
    rf"|{_LB}(?P<n1>{_NUM}){_LA}[ ]?(?P<a1>多|余)?(?P<m1>{MULT_RE})?(?P<a2>多|余)?(?P<m3>亿)?[ ]?"
    rf"(?P<u1>{UNIT_RE})?(?P<p1>{_PER})"
    rf"(?:[ ]?{_RANGE_SEP}[ ]?{_LB}(?P<n2>{_NUM}){_LA}[ ]?(?P<m2>{MULT_RE})?[ ]?(?P<u2>{UNIT_RE})?{_PER})?"
    rf"[ ]?{_SUFFIX})"
)

_CN_DIGITS = set("零〇一二两三四五六七八九")
BANDWIDTH = "兆"  # Mbit/s, as the texts write it (G: Gbit/s)
_ROUND = frozenset({"百", "千", "万", "上百", "上千", "上万"})
_COUNTED = re.compile(r"(?:等|共|了|计|达)$")
_ROUGHLY = re.compile(r"(?:超|破|近|达|逾|约|上)$")
_BAD_FOLLOW = frozenset(
    [
        "管理",
        "管控",
        "管网",
        "片区",
        "支持",
        "部署",
        "种植",
        "场景",
        "处理",
        "所得",
        "家庭",
        "头部",
        "天然",
        "方面",
        "方案",
        "方式",
        "方向",
        "方法",
        "项目",
        "台阶",
        "条件",
        "条例",
        "批次",
        "次要",
        "个人",
        "个体",
        "人民",
        "人口",
        "人才",
        "名单",
        "名称",
        "位于",
        "度过",
        "米粮",
        "件事",
        "种类",
        "只有",
        "部门",
        "所有",
        "份额",
        "个月",
        "期间",
        "期限",
        "期末",
        "期刊",
        "期货",
    ]
)


@dataclass(slots=True)
class Quantity:
    """A parsed figure: value in base units, optional upper bound, unit and suffix qualifier."""

    value: float
    value_max: float | None
    unit: str | None
    suffix: str | None
    start: int
    end: int
    raw: str


@lru_cache(maxsize=4096)
def cn_to_decimal(text: str) -> Decimal | None:
    """Chinese numeral (一千二百, 两, 千亿, 一点五) to a Decimal; None when it is not a number."""
    import cn2an  # ~0.1 s to import: only when a Chinese numeral is read, not at every command's start-up

    if text[0] in "十百千万亿" and text[0] != "十":
        text = "一" + text
    try:
        return Decimal(str(cn2an.cn2an(text, "normal")))
    except (ValueError, KeyError, IndexError, InvalidOperation):
        return None


def to_decimal(text: str) -> Decimal | None:
    """Arabic or Chinese numeral to a Decimal."""
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    return cn_to_decimal(text)


def _plain(d: Decimal) -> float:
    return float(d)


def _is_chinese(num: str) -> bool:
    return not num[0].isdigit()


def _unit_ok(
    num: str, mult: str | None, unit: str | None, follow: str, about: bool = False, counted: bool = False
) -> bool:
    """Reject figures that are not measurements: no unit, a word that only starts like a unit, 一是.

    `about`: an approximation follows (百余场, 千座以上), which a name never carries; `counted`: a counting word
    precedes (等三家单位, 举办了两次), which makes even a lone Chinese digit a count.
    """
    if unit is None:
        return mult is not None and not _is_chinese(num)
    if unit + follow[:1] in _BAD_FOLLOW or (unit == "方" and mult is None):
        return False
    if not _is_chinese(num) or unit in {"个百分点", "%", "倍"}:
        return True
    if (about and num in _ROUND) or (counted and unit in COUNT_UNITS and unit != "批" and num != "一"):
        return True  # 百余场, 千座以上, 等三家单位 (but 一批, 来了一次 are no counts)
    if unit in {"次", "位"}:
        return False  # 十二次全会, 第三位: ordinals in names
    # a lone Chinese digit before a counter is usually a name (两个确立, 三城一区, 一批)
    return len(num) >= 2 and unit in COUNT_UNITS | {"人", "元", "吨", "亩"} and not set(num) <= _CN_DIGITS


def _fan(m: re.Match[str]) -> Quantity:
    times = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4}.get(m.group("fn") or "一", 1)
    return Quantity(float(2**times), None, "倍", None, m.start(), m.end(), m.group())


def _share(m: re.Match[str]) -> Quantity | None:
    """一半 (50%), 1/3 (33.3333%), 10.23年 (a duration measured in years, as 平均受教育年限)."""
    if m.group("half"):
        return Quantity(50.0, None, "%", m.group("hsuf"), m.start(), m.end(), m.group())
    if m.group("yrs"):
        return Quantity(float(m.group("yrs")), None, "年", m.group("ysuf"), m.start(), m.end(), m.group())
    value = round(int(m.group("sn")) * 100 / int(m.group("sd")), 4)
    return Quantity(value, None, "%", m.group("ssuf"), m.start(), m.end(), m.group())


def _fraction(m: re.Match[str]) -> Quantity | None:
    den, num = to_decimal(m.group("fd")), to_decimal(m.group("fm"))
    if not den or num is None:
        return None
    value = round(_plain(num * 100 / den), 4)
    return Quantity(value, None, "%", None, m.start(), m.end(), m.group())


def _simple(m: re.Match[str], follow: str, before: str = "") -> Quantity | None:
    n1, n2 = m.group("n1"), m.group("n2")
    m1, m2, u1, u2 = m.group("m1"), m.group("m2"), m.group("u1"), m.group("u2")
    unit_surface = u2 if n2 else u1
    if n2 and u1 and u2 and base_unit(u1) != base_unit(u2):
        return None  # "3家-5个" is not a range
    about = bool(m.group("a1") or m.group("a2") or m.group("suf")) or _ROUGHLY.search(before) is not None
    counted = _COUNTED.search(before) is not None
    if not _unit_ok(n2 or n1, m2 if n2 else m1, unit_surface, follow, about, counted):
        return None
    lo, hi = to_decimal(n1), (to_decimal(n2) if n2 else None)
    if lo is None or (n2 and hi is None):
        return None
    if hi is not None:
        lo, hi = scale(lo, m1 or (m2 if not u1 else None)), scale(hi, m2)
        if hi < lo:
            return None
    else:
        lo = scale(scale(lo, m1), m.group("m3"))  # 4万多亿元: 4万亿元, and more
    suffix = m.group("suf") or (m.group("a1") or m.group("a2") if not n2 else None)
    unit = base_unit(unit_surface)
    if unit and m.group("p1"):
        unit += m.group("p1")
    return Quantity(_plain(lo), _plain(hi) if hi is not None else None, unit, suffix, m.start(), m.end(), m.group())


def _flat(m: re.Match[str]) -> Quantity:
    """与上年基本持平: a growth of zero (a budget-revenue target may be written so)."""
    return Quantity(0.0, None, "%", "左右" if "基本" in m.group() else None, m.start(), m.end(), m.group())


def parse(m: re.Match[str], text: str) -> Quantity | None:
    """The Quantity of a QUANTITY match, or None when it is not a measured figure."""
    if m.group("fan"):
        return _fan(m)
    if m.group("flat"):
        return _flat(m)
    if m.group("fd"):
        return _fraction(m)
    if m.group("half") or m.group("sn") or m.group("yrs"):
        return _share(m)
    if m.group("bwn") or m.group("gbn"):
        value = to_decimal(m.group("bwn") or m.group("gbn"))
        unit = BANDWIDTH if m.group("bwn") else "G"
        return None if value is None else Quantity(_plain(value), None, unit, None, m.start(), m.end(), m.group())
    return _simple(m, text[m.end() : m.end() + 1], text[max(0, m.start() - 2) : m.start()])


def parse_number(text: str) -> float | None:
    """A single numeral (Arabic or Chinese, with 万/亿 inside) as a float; for callers and tests."""
    text = text.strip()
    if not text:
        return None
    for mult in ("万亿", "亿", "万"):
        if text[0].isdigit() and text.endswith(mult):
            d = to_decimal(text[: -len(mult)])
            return None if d is None else _plain(scale(d, mult))
    d = to_decimal(text)
    return None if d is None else _plain(d)
