"""Trend charts as data: axis bounds, coordinates inside the plot, labels and paths."""

from __future__ import annotations

import pytest

from monitor.digest.charts import Box, Chart, Observation, label_box, nice_step, overlaps, trend_chart, value_range


@pytest.mark.parametrize(("span", "step"), [(1.0, 0.25), (0.6, 0.2), (4.0, 1.0), (37.0, 10.0), (0.0, 1.0)])
def test_nice_step(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize("values", [[5.5, 5.0, 5.2], [4.3, 4.5], [3.0], [0.3, 1.9, 3.0], [1.2e12, 1.4e12], [-1.2, 2]])
def test_value_range_covers_every_value_and_zero_on_round_ticks(values: list[float]) -> None:
    low, high, step = value_range(values)
    assert low <= min(0, *values) and high > max(values) and (low == 0 or min(values) < 0)
    assert round((high - low) / step, 6).is_integer()


def test_a_small_change_is_drawn_small() -> None:
    chart = trend_chart("研发经费投入强度", "%", [Observation(2024, 4.4, "4.4%"), Observation(2025, 4.5, "4.5%")], [])
    a, b = chart.series[0].points
    assert abs(a.y - b.y) < 0.05 * (chart.bottom - chart.top)  # the axis starts at zero: no leap


def test_counts_get_whole_number_ticks() -> None:
    chart = trend_chart("新建重点实验室", "家", [Observation(2024, 3, "3家"), Observation(2025, 2, "2家")], [])
    assert [t.label for t in chart.y_ticks] == ["0家", "1家", "2家", "3家", "4家"]


def _boxes(chart: Chart) -> list[tuple[str, Box]]:
    return [(p.label, label_box(p.label, p.x, p.label_y)) for s in chart.series for p in s.points if p.label]


def test_labels_of_the_same_year_never_overlap() -> None:
    chart = trend_chart("经济增长", "%", [Observation(2024, 5.0, "5%左右"), Observation(2025, 5.0, "5%左右")],
                        [Observation(2024, 5.0, "5%"), Observation(2025, 5.1, "5.1%")])  # fmt: skip
    boxes = _boxes(chart)
    assert len(boxes) >= 3  # placed below when above is taken, dropped only when nowhere fits
    for i, (_, a) in enumerate(boxes):
        assert all(not overlaps(a, b) for _, b in boxes[i + 1 :])
        assert a[3] <= chart.bottom and a[1] >= 0


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
        assert p.label_y != p.y  # above the point, or below it when the space above is taken
    assert first.title == "2023年目标 5.5%以上"


def test_large_values_are_labelled_in_wan_yi() -> None:
    chart = trend_chart(
        "地区生产总值", "元", [], [Observation(2022, 4.47e12, "4.47万亿元"), Observation(2023, 4.72e12, "4.72万亿元")]
    )
    assert chart.y_ticks[0].label == "0元" and all("万亿元" in t.label for t in chart.y_ticks[1:])


def test_single_year_is_centred_and_empty_input_is_refused() -> None:
    chart = trend_chart("x", "%", [Observation(2024, 3.0, "3%")], [])
    assert chart.series[0].points[0].x == pytest.approx((chart.left + 20 + chart.right - 20) / 2)
    with pytest.raises(ValueError):
        trend_chart("x", "%", [], [])
