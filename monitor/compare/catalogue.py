"""What the comparison knows about metrics, read from the extraction's catalogue (pure).

Names, which metrics are headline ones and their weights all come from the one metric catalogue
(`monitor/extract/metrics.yaml`, read through `monitor.extract.metrics`); this module is where the comparison
asks it.
"""

from __future__ import annotations

from difflib import get_close_matches
from functools import cache

from monitor.extract.metrics import headline_weight, metric, metric_keys, resolve


class UnknownMetric(ValueError):
    """A metric argument that is neither a catalogue key nor a Chinese name of one."""


@cache
def metric_names() -> dict[str, str]:
    """metric_key → Chinese name, in catalogue order (stocks' flows included)."""
    return {key: found.name for key in metric_keys() if (found := metric(key)) is not None}


def metric_name(key: str) -> str:
    return metric_names().get(key, key)


@cache
def headline_keys() -> tuple[str, ...]:
    """Headline metrics, the weightiest first (GDP growth, deficit, budget revenue, CPI …), ties in catalogue order."""
    weights = {key: w for key in metric_keys() if (w := headline_weight(key)) is not None}
    return tuple(sorted(weights, key=lambda key: -weights[key]))


def resolve_metric(text: str) -> str:
    """A metric_key from a key (gdp_growth), a Chinese name (经济增长) or a wording of one (地区生产总值增长)."""
    wanted = text.strip()
    names = metric_names()
    if wanted in names:
        return wanted
    by_name = {name: key for key, name in names.items()}
    if wanted in by_name:
        return by_name[wanted]
    for unit in ("%", None):
        if (metric := resolve(wanted, unit)) is not None:
            return metric.key
    raise UnknownMetric(_unknown(wanted, [*names, *by_name]))


def _unknown(text: str, vocabulary: list[str]) -> str:
    close = get_close_matches(text, vocabulary, n=3, cutoff=0.5)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown metric {text!r}{hint}: give a key such as gdp_growth or a Chinese name such as 经济增长"
