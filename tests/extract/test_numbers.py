"""Numbers and units: numerals, multipliers, ranges, fractions, 翻番, masks — sentence fragments to figures."""

from __future__ import annotations

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.numbers import QUANTITY, Quantity, cn_to_decimal, parse, parse_number


def quantities(text: str) -> list[Quantity]:
    return [q for m in QUANTITY.finditer(text) if (q := parse(m, text)) is not None]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一千二百", 1200),  # cn2an does the Chinese numerals
        ("两", 2),
        ("千亿", 1e11),
        ("两千", 2000),
        ("一千二百万", 12_000_000),
        ("十四", 14),
        ("一点五", 1.5),
        ("万亿", 1e12),
        ("5.66万亿", 5.66e12),
        ("1,256", 1256),
        ("1200万", 12_000_000),
    ],
)
def test_parse_number(numeral: str, value: float) -> None:
    assert parse_number(numeral) == value


def test_cn2an_is_the_engine() -> None:
    assert cn2an.cn2an("一千二百", "normal") == 1200
    assert cn_to_decimal("千亿") == 10**11  # cn2an alone refuses a bare 千亿; we prefix 一


@pytest.mark.parametrize(
    ("fragment", "value", "value_max", "unit", "suffix"),
    [
        ("增长5.5%左右", 5.5, None, "%", "左右"),
        ("1.8万家", 18000, None, "家", None),
        ("5.66万亿元", 5.66e12, None, "元", None),
        ("1.4万亿斤", 1.4e12, None, "斤", None),
        ("3400多万人次", 34_000_000, None, "人次", "多"),
        ("4.5%—5%", 4.5, 5, "%", None),
        ("6-6.5%", 6, 6.5, "%", None),
        ("5%至5.5%", 5, 5.5, "%", None),
        ("1200—1300万人", 12_000_000, 13_000_000, "人", None),
        ("提高0.2个百分点", 0.2, None, "个百分点", None),
        ("提高两个百分点", 2, None, "个百分点", None),
        ("三分之一", 33.3333, None, "%", None),
        ("百分之五", 5, None, "%", None),
        ("数量翻一番", 2, None, "倍", None),
        ("翻两番", 4, None, "倍", None),
        ("增长1.5倍", 1.5, None, "倍", None),
        ("5200.7 亿元", 5.2007e11, None, "元", None),
        ("260人年", 260, None, "人年", None),
        ("30微克/立方米", 30, None, "微克/立方米", None),
        ("装机3.7亿千瓦", 3.7e8, None, "千瓦", None),
        ("发电8000亿度", 8e11, None, "千瓦时", None),
        ("改造120万平方米", 1.2e6, None, "平方米", None),
        ("浇筑50万方", 5e5, None, "方", None),
        ("建设高标准农田200万亩", 2e6, None, "亩", None),
        ("新增一千二百万人", 12_000_000, None, "人", None),
        ("外汇储备3.2万亿美元", 3.2e12, None, "美元", None),
        ("跨过万亿元", 1e12, None, "元", None),
    ],
)
def test_quantity(fragment: str, value: float, value_max: float | None, unit: str, suffix: str | None) -> None:
    (q,) = quantities(fragment)
    assert (round(q.value, 4), q.value_max, q.unit, q.suffix) == (value, value_max, unit, suffix)


@pytest.mark.parametrize(
    "fragment",
    [
        "20xx年",
        "1xx项",
        "xx65家",
        "1xx1家",
        "PM2.5",
        "5G基站",
        "第3届",
        "2025年",
        "9月26日",
        "十四五",
        "一批项目",
        "两个确立",
        "三城一区",
        "一是",
        "2.0版",
        "4+4",
        "240小时"[:3],
        "11方面",
    ],
)
def test_not_a_quantity(fragment: str) -> None:
    assert quantities(fragment) == []


@given(st.integers(min_value=0, max_value=10**12))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert cn_to_decimal(cn2an.an2cn(str(n))) == n


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_arabic_numerals_round_trip(d: object) -> None:
    assert parse_number(f"{d}") == float(f"{d}")
