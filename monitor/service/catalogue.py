"""What a subscriber can follow, and the check of their filters against it.

Regions are those of stored documents, of the sources table and of the source registry; metrics are the
catalogue of `monitor/extract/metrics.yaml` (key and Chinese name: either is accepted, the key is stored);
themes those of `themes.yaml`; document types the four kinds. A value that is not known is refused with the
nearest known ones (上海 → 上海市, AI → 人工智能), so a typo never leaves a subscriber silently without mail.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import Engine

from db import reads
from db.session import session_scope
from monitor.config import Settings
from monitor.digest.selection import Filters
from monitor.vocabulary import DOC_TYPE_LABELS, DOC_TYPES


@dataclass(frozen=True)
class Choice:
    value: str  # what is stored: rd_intensity, work_report, 上海市
    label: str  # what a reader sees: 研发经费投入强度, 政府工作报告


@dataclass(frozen=True)
class Catalogue:
    regions: tuple[str, ...]
    metrics: tuple[Choice, ...]
    themes: tuple[str, ...]
    doc_types: tuple[Choice, ...]

    def metric_label(self, key: str) -> str:
        return next((c.label for c in self.metrics if c.value == key), key)


@dataclass(frozen=True)
class Unknown:
    """A filter value nobody knows, and the known values near it."""

    kind: str  # region, metric, theme, document type
    value: str
    hints: tuple[str, ...]  # as stored (metric keys)
    names: tuple[str, ...] = ()  # the same by their Chinese names

    def english(self) -> str:
        hint = f": did you mean {' or '.join(self.hints)}?" if self.hints else ""
        return f"unknown {self.kind} {self.value!r}{hint}"

    def chinese(self) -> str:
        names = self.names or self.hints
        hint = f"，是否指：{'、'.join(names)}？" if names else "，请从列表中选择。"
        return f"没有名为「{self.value}」的{KIND_NAMES.get(self.kind, self.kind)}{hint}"


KIND_NAMES = {"region": "地区", "metric": "指标", "theme": "主题", "document type": "文件类型"}


class FilterError(ValueError):
    """Some filter values are unknown; the message names each with suggestions, on one line (`chinese`: the same
    for the Chinese web pages)."""

    def __init__(self, unknown: Sequence[Unknown]) -> None:
        super().__init__("; ".join(u.english() for u in unknown))
        self.unknown = tuple(unknown)
        self.problems = tuple(u.english() for u in unknown)
        self.chinese = tuple(u.chinese() for u in unknown)


# --- the catalogue ---------------------------------------------------------------------------------------------


@cache
def metric_choices() -> tuple[Choice, ...]:
    """Every metric_key of the extraction catalogue with its Chinese name, in catalogue order."""
    text = resources.files("monitor.extract").joinpath("metrics.yaml").read_text("utf-8")
    return tuple(Choice(key, spec["name"]) for key, spec in yaml.safe_load(text).items())


@cache
def theme_synonyms() -> dict[str, str]:
    """Every theme and synonym of themes.yaml → its theme (AI → 人工智能)."""
    text = resources.files("monitor.extract").joinpath("themes.yaml").read_text("utf-8")
    found: dict[str, str] = {}
    for theme, spec in yaml.safe_load(text).items():
        found[str(theme)] = str(theme)
        for word in (spec or {}).get("synonyms", ()):
            found.setdefault(str(word), str(theme))
    return found


def theme_choices() -> tuple[str, ...]:
    return tuple(dict.fromkeys(theme_synonyms().values()))


def doc_type_choices() -> tuple[Choice, ...]:
    return tuple(Choice(t, DOC_TYPE_LABELS.get(t, t)) for t in DOC_TYPES)


def registry_regions(settings: Settings) -> set[str]:
    """Regions of the source registry; none when it cannot be read (the stored regions still count)."""
    from crawler.sources import RegistryError, load_registry

    try:
        return {entry.region for entry in load_registry(settings.sources_file or None)}
    except (RegistryError, OSError):
        return set()


def load_catalogue(engine: Engine, settings: Settings) -> Catalogue:
    with session_scope(engine) as session:
        stored = set(reads.known_regions(session))
    regions = tuple(sorted(stored | registry_regions(settings), key=_region_order))
    return Catalogue(regions, metric_choices(), theme_choices(), doc_type_choices())


def _region_order(name: str) -> tuple[bool, str]:
    return (name != "全国", name)


# --- validation --------------------------------------------------------------------------------------------------


def validate_filters(catalogue: Catalogue, regions: Iterable[str] = (), metrics: Iterable[str] = (),
                     themes: Iterable[str] = (), doc_types: Iterable[str] = ()) -> Filters:  # fmt: skip
    """Filters of known values only (metric names and doc-type labels mapped to their keys), or FilterError."""
    problems: list[Unknown] = []
    result = Filters(
        regions=_resolve("region", regions, _region_lookup(catalogue), problems),
        doc_types=_resolve(
            "document type", doc_types, _choice_lookup(catalogue.doc_types), problems, _labels(catalogue.doc_types)
        ),
        metrics=_resolve("metric", metrics, _choice_lookup(catalogue.metrics), problems, _labels(catalogue.metrics)),
        themes=_resolve("theme", themes, _theme_lookup(catalogue), problems),
    )
    if problems:
        raise FilterError(problems)
    return result


Lookup = tuple[dict[str, str], dict[str, str]]  # exact spellings → stored value; near-miss vocabulary → value


def _region_lookup(catalogue: Catalogue) -> Lookup:
    return {r: r for r in catalogue.regions}, {r: r for r in catalogue.regions}


def _choice_lookup(choices: Sequence[Choice]) -> Lookup:
    exact = {c.value: c.value for c in choices} | {c.value.lower(): c.value for c in choices}
    exact |= {c.label: c.value for c in choices}
    return exact, exact


def _theme_lookup(catalogue: Catalogue) -> Lookup:
    return {t: t for t in catalogue.themes}, theme_synonyms()


def _labels(choices: Sequence[Choice]) -> dict[str, str]:
    return {c.value: c.label for c in choices}


def _resolve(kind: str, values: Iterable[str], lookup: Lookup, problems: list[Unknown],
             labels: dict[str, str] | None = None) -> tuple[str, ...]:  # fmt: skip
    exact, vocabulary = lookup
    kept: list[str] = []
    for raw in values:
        value = raw.strip()
        stored = exact.get(value) or exact.get(value.lower())
        if stored is None:
            problems.append(_unknown(kind, value, vocabulary, labels or {}))
        elif stored not in kept:
            kept.append(stored)
    return tuple(kept)


def _unknown(kind: str, value: str, vocabulary: dict[str, str], labels: dict[str, str]) -> Unknown:
    hints = tuple(suggestions(value, vocabulary))
    return Unknown(kind, value, hints, tuple(labels.get(h, h) for h in hints))


def suggestions(value: str, vocabulary: dict[str, str], limit: int = 3) -> list[str]:
    """Known values near `value`: those it is the start or a part of (上海 → 上海市), then close spellings."""
    if not value:
        return []
    lowered = {word.lower(): stored for word, stored in vocabulary.items()}
    found = [stored for word, stored in lowered.items() if word.startswith(value.lower())]
    found += [stored for word, stored in lowered.items() if value.lower() in word or word == value.lower()]
    found += [lowered[w] for w in difflib.get_close_matches(value.lower(), list(lowered), n=limit, cutoff=0.6)]
    return list(dict.fromkeys(found))[:limit]
