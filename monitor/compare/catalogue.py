"""What the comparison knows about metrics, read from the extraction's catalogue (pure).

Names come from `monitor/extract/metrics.yaml`; which metrics are headline ones, and in what order, from the
diff's weights. This module is the one place the comparison asks either, so a richer catalogue plugs in here.
"""

from __future__ import annotations

from difflib import get_close_matches
from functools import cache
from importlib import resources

import yaml

from monitor.diff import HEADLINE_WEIGHT
from monitor.extract.metrics import resolve


class UnknownMetric(ValueError):
    """A metric argument that is neither a catalogue key nor a Chinese name of one."""


@cache
def metric_names() -> dict[str, str]:
    """metric_key → Chinese name, in catalogue order."""
    text = resources.files("monitor.extract").joinpath("metrics.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: a command answers 0.1-0.2 s sooner
    return {key: str(spec["name"]) for key, spec in yaml.load(text, Loader=loader).items()}


def metric_name(key: str) -> str:
    return metric_names().get(key, key)


def headline_keys() -> tuple[str, ...]:
    """Headline metrics, the weightiest first (GDP growth, deficit, budget revenue, CPI …)."""
    ranked = sorted(HEADLINE_WEIGHT.items(), key=lambda item: -item[1])
    return tuple(key for key, _ in ranked if key in metric_names())


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
