"""When extraction is unsure of a whole document: the reasons it needs a human look (pure).

A work report that sets no target for a metric the catalogue requires of it (its own year's GDP growth), or that
gives one headline metric two different annual targets, was most likely misread (a garbled targets paragraph,
a plan part dated to the wrong year). Its headline changes are held back until a reprocess clears the reasons or
an operator accepts the document; the diff adds its own reason when nearly every headline target would come
out dropped.
"""

from __future__ import annotations

import re

from monitor.extract.metrics import mentions, metric, required_keys
from monitor.extract.model import Extraction, Target
from monitor.format import format_target


def own_year(extraction: Extraction) -> int | None:
    """The year a document's own annual targets are for (a summary plans the year after its results)."""
    doc = extraction.document
    if doc.year is None:
        return None
    return doc.year + 1 if doc.doc_type == "summary" else doc.year


def annual_targets(extraction: Extraction) -> list[Target]:
    """The document's targets for its own year (no term goals, no other year's goals)."""
    year = own_year(extraction)
    return [t for t in extraction.targets if t.status == "target" and t.term is None and t.year == year]


# 没有提出全年经济增速具体目标: a report that says it sets no target for a metric is not missing one
_NO_TARGET = re.compile(r"(?:没有|未|不再|不)(?:提出|设定|设置|设|确定)[^。；]{0,16}?目标")


def missing_required(extraction: Extraction) -> list[str]:
    """Catalogue metrics this type of document must set for its year and does not (nor says it will not)."""
    year = own_year(extraction)
    if year is None:
        return []
    keys = {t.metric_key for t in annual_targets(extraction)}
    missing = [m for m in required_keys(extraction.document.doc_type) if m.key not in keys]
    return [f"未见{year}年{m.name}目标" for m in missing if not _says_none(extraction.text, m.key)]


def _says_none(text: str, key: str) -> bool:
    for found in _NO_TARGET.finditer(text):
        start = max(text.rfind(c, 0, found.start()) for c in "。；\n") + 1
        if mentions(text[start : found.end()], key):
            return True
    return False


def conflicting(extraction: Extraction) -> list[str]:
    """Headline metrics given two different annual targets of the same measure and unit."""
    seen: dict[tuple[str, str, str | None], Target] = {}
    reasons = []
    for t in annual_targets(extraction):
        found = metric(t.metric_key)
        if found is None or found.headline is None or not t.headline:
            continue
        key = (found.key, (found.measure or t.kind) if t.kind == "cap" else t.kind, t.unit)
        first = seen.setdefault(key, t)
        # a floor and a stretch goal in one sentence (增长7%以上、力争达到8%) are one goal, not a conflict
        if first is not t and first.sentence != t.sentence and (first.value, first.value_max) != (t.value, t.value_max):
            reasons.append(f"{t.year}年{found.name}有两个目标：{format_target(first)}、{format_target(t)}")
    return sorted(set(reasons))


def review_reasons(extraction: Extraction) -> list[str]:
    """Why a work report needs a human look before its headline changes go out; empty when it does not."""
    if extraction.document.doc_type != "work_report":
        return []
    return missing_required(extraction) + conflicting(extraction)
