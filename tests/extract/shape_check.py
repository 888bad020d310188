"""How a row of the shape tables (test_genres, test_policy_shapes) is checked against an extracted figure."""

from __future__ import annotations

from typing import Any

import pytest


def check_target(target: Any, expected: dict[str, Any]) -> None:
    """Each expected field holds: `metric_has`/`metric_lacks` on the metric name, numbers approximately, the
    rest exactly."""
    for field, value in expected.items():
        if field == "metric_has":
            assert value in target.metric, (field, value, target)
        elif field == "metric_lacks":
            assert value not in target.metric, (field, value, target)
        elif isinstance(value, float | int) and not isinstance(value, bool):
            assert getattr(target, field) == pytest.approx(value), (field, target)
        else:
            assert getattr(target, field) == value, (field, target)
