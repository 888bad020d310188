"""Extraction: every quantitative target and result of a report, with status, year and source sentence.

Pure functions: text (or HTML) in, typed records out; no I/O beyond this package's own YAML tables.
"""

from __future__ import annotations

from monitor.extract.document import infer
from monitor.extract.model import DocumentInfo, Extraction, Priority, Target
from monitor.extract.numbers import parse_number
from monitor.extract.priorities import find_priorities, keywords
from monitor.extract.review import review_reasons
from monitor.extract.sections import find_sections
from monitor.extract.targets import extract_targets
from monitor.extract.text import html_to_text, prepare

__all__ = [
    "DocumentInfo",
    "Extraction",
    "Priority",
    "Target",
    "extract",
    "html_to_text",
    "keywords",
    "parse_number",
    "prepare",
]


def extract(
    text: str,
    *,
    region: str | None = None,
    year: int | None = None,
    doc_type: str | None = None,
    title: str | None = None,
    url: str | None = None,
    with_keywords: bool = False,
) -> Extraction:
    """Targets, results and priorities of one document (plain text or HTML).

    Spans refer to `Extraction.text`, the prepared text. `with_keywords` adds jieba TF-IDF keywords
    that themes.yaml does not know to the priorities (slower: it segments the whole text).
    """
    prepared = prepare(text)
    sections = find_sections(prepared)
    given = DocumentInfo(title=title, region=region, year=year, doc_type=doc_type, url=url)
    document = infer(prepared, given, sections)
    priorities = find_priorities(prepared)
    if with_keywords and prepared:
        priorities += keywords(prepared)
    result = Extraction(document, extract_targets(prepared, sections, document), priorities, prepared)
    result.review = review_reasons(result)
    return result
