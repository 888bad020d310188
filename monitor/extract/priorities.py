"""Priorities: how often a document names each theme of themes.yaml, plus keywords outside the list."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from monitor.extract.model import Priority

_MAX_SENTENCES = 3
_SENTENCE_PUNCT = "。！？\n"


@dataclass(frozen=True, slots=True)
class _Themes:
    pattern: re.Pattern[str]
    theme_of: dict[str, str]
    parent: dict[str, str]


def _synonym_regex(word: str) -> str:
    body = re.escape(word)
    if word[:1].isascii() and word[:1].isalnum():
        body = r"(?<![0-9A-Za-z])" + body
    if word[-1:].isascii() and word[-1:].isalnum():
        body += r"(?![0-9A-Za-z])"
    return body


@cache
def _themes() -> _Themes:
    raw = yaml.safe_load(resources.files("monitor.extract").joinpath("themes.yaml").read_text("utf-8"))
    theme_of = {syn: theme for theme, spec in raw.items() for syn in spec["synonyms"]}
    parent = {theme: spec["parent"] for theme, spec in raw.items() if spec.get("parent")}
    words = sorted(theme_of, key=len, reverse=True)
    first = "".join(sorted({re.escape(w[0]) for w in words}))
    alternation = "|".join(_synonym_regex(w) for w in words)
    # the lookahead skips, in one test, every position no synonym starts at
    return _Themes(re.compile(f"(?=[{first}])(?:{alternation})"), theme_of, parent)


def theme_names() -> list[str]:
    """Every theme of themes.yaml."""
    return sorted(set(_themes().theme_of.values()))


def _sentence(text: str, pos: int) -> str:
    start = max(text.rfind(p, max(0, pos - 300), pos) for p in _SENTENCE_PUNCT) + 1
    ends = [i for i in (text.find(p, pos, pos + 300) for p in _SENTENCE_PUNCT) if i >= 0]
    return text[start : (min(ends) + 1 if ends else pos + 60)].strip()


def _weight(count: int, size: int) -> float:
    """Mentions per 10,000 characters, so long and short documents compare."""
    return round(count * 10_000 / max(size, 1), 3)


def find_priorities(text: str) -> list[Priority]:
    """Themes named in the text, most mentioned first."""
    themes = _themes()
    counts: Counter[str] = Counter()
    sentences: dict[str, list[str]] = {}
    for m in themes.pattern.finditer(text):
        theme = themes.theme_of[m.group()]
        for name in (theme, themes.parent.get(theme)):
            if name is None:
                continue
            counts[name] += 1
            found = sentences.setdefault(name, [])
            if len(found) < _MAX_SENTENCES and (s := _sentence(text, m.start())) not in found:
                found.append(s)
    return [
        Priority(theme, _weight(count, len(text)), count, sentences[theme])
        for theme, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _jieba_tags(text: str, top_k: int) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
        import jieba.analyse

        jieba.setLogLevel(60)
        return list(jieba.analyse.extract_tags(text, topK=top_k, withWeight=False, allowPOS=()))


def keywords(text: str, top_k: int = 15) -> list[Priority]:
    """jieba TF-IDF keywords that themes.yaml does not know yet (source="keyword")."""
    known = set(_themes().theme_of)
    out = []
    for word in _jieba_tags(text, top_k * 3):
        if len(word) < 2 or word in known or word.isdigit():
            continue
        count = text.count(word)
        out.append(Priority(word, _weight(count, len(text)), count, [_sentence(text, text.find(word))], "keyword"))
        if len(out) == top_k:
            break
    return out
