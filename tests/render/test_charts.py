"""Trend charts as data: axis bounds, coordinates inside the plot, labels and paths."""

from __future__ import annotations

import pytest

from monitor.digest.charts import Observation, nice_step, trend_chart, value_range


@pytest.mark.parametrize(("span", "step"), [(1.0, 0.25), (0.6, 0.2), (4.0, 1.0), (37.0, 10.0), (0.0, 1.0)])
def test_nice_step(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize("values", [[5.5, 5.0, 5.2], [4.3, 4.5], [3.0], [0.3, 1.9, 3.0], [1.2e12, 1.4e12]])
def test_value_range_covers_every_value_on_round_ticks(values: list[float]) -> None:
    low, high, step = value_range(values)
    assert low < min(values) and high > max(values)
    assert round((high - low) / step, 6).is_integer()


def test_chart_places_targets_and_results_by_year() -> None:
    chart = trend_chart(
        "经济增长",
        "%",
        [Observation(2023, 5.5, "5.5%以上"), Observation(2024, 5.0, "5%左右")],
        [Observation(2023, 5.0, "5%")],
    )
    target, result = chart.series
    assert (target.kind, target.name, result.kind) == ("target", "目标", "result")
    assert target.path.startswith("M") and " L" in target.path and result.path == ""
    first, second = target.points
    assert first.x < second.x and first.y < second.y  # 5.5 is drawn higher (smaller y) than 5
    assert result.points[0].x == first.x  # the 2023 result sits above the 2023 target's year
    assert [t.label for t in chart.x_ticks] == ["2023", "2024"]
    assert all(t.label.endswith("%") for t in chart.y_ticks)
    for p in (*target.points, *result.points):
        assert chart.left <= p.x <= chart.right and chart.top <= p.y <= chart.bottom
        assert p.label_y < p.y
    assert first.title == "2023年目标 5.5%以上"


def test_large_values_are_labelled_in_wan_yi() -> None:
    chart = trend_chart(
        "地区生产总值", "元", [], [Observation(2022, 4.47e12, "4.47万亿元"), Observation(2023, 4.72e12, "4.72万亿元")]
    )
    assert all("万亿元" in t.label for t in chart.y_ticks)


def test_single_year_is_centred_and_empty_input_is_refused() -> None:
    chart = trend_chart("x", "%", [Observation(2024, 3.0, "3%")], [])
    assert chart.series[0].points[0].x == pytest.approx((chart.left + 20 + chart.right - 20) / 2)
    with pytest.raises(ValueError):
        trend_chart("x", "%", [], [])
