"""Figures formatted the way Chinese readers expect them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitor.format import format_target, format_value


@dataclass
class Fig:
    value: float
    value_max: float | None
    unit: str | None
    qualifier: str | None


@pytest.mark.parametrize(
    ("fig", "expected"),
    [
        (Fig(5.66e12, None, "元", None), "5.66万亿元"),
        (Fig(1.4e12, None, "斤", "左右"), "1.4万亿斤左右"),
        (Fig(12_000_000, None, "人", "以上"), "1200万人以上"),
        (Fig(4.6, None, "%", "左右"), "4.6%左右"),
        (Fig(4.5, 5, "%", None), "4.5%—5%"),
        (Fig(2e10, None, "元", "突破"), "突破200亿元"),
        (Fig(3, None, "%", "不低于"), "不低于3%"),
        (Fig(0.5, None, "个百分点", None), "0.5个百分点"),
        (Fig(18000, None, "家", None), "1.8万家"),
        (Fig(5e11, 8e12, "元", None), "5000亿元—8万亿元"),
    ],
)
def test_format_target(fig: Fig, expected: str) -> None:
    assert format_target(fig) == expected


def test_format_value_keeps_small_numbers() -> None:
    assert format_value(800, "家") == "800家" and format_value(5.0, "%") == "5%"
