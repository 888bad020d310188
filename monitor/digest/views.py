"""The digest's views (pure): stored changes → pre-formatted values a template prints as they are.

`selection` decides what a subscriber gets and `editorial` in what order and how much; this module only says how
one change, one goal or one priority reads: "上调 ▲ 加码", "5.5%以上 → 5%左右", "2024年实际 0.2%".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit

from monitor.extract.metrics import headline_keys, metric
from monitor.format import AMBITION_WORDS, arrow, format_figure, metric_label, reference
from monitor.vocabulary import CHANGE_LABELS
from monitor.vocabulary import StoredChange as StoredChangeIn

PRIORITY_LABELS = {"emerging": "新提出", "fading": "不再提及", "intensified": "更受重视"}
HEADLINE_KEYS = headline_keys()  # the catalogue's headline metrics (metrics.yaml)
# The arrow always compares with last year's target; the colours of ▲ and ▼ say the direction, never a judgement.
LEGEND = "箭头左侧为上年目标、右侧为今年目标；▲ 上调 ▼ 下调，颜色只表示方向，不表示好坏。"
NATIONAL = "全国"


@dataclass(frozen=True)
class ChangeView:
    metric: str  # the name with what it measures: 单位生产总值能耗 降低, 新增高新技术企业
    metric_key: str
    change: str
    label: str  # 上调 ▲, 上调 ▲ 加码 (a deeper cut), 上调 ▲ 放宽 (a looser cap)
    old: str  # "5.5%以上" or "—"
    new: str
    arrow: str  # "5.5%以上 → 5%左右"
    sentence: str  # the source sentence of the new figure (of the old one for a dropped target)
    old_sentence: str
    baseline: str  # "2023年实际 4.4%" or "": last year's result, when the report states it
    headline: bool
    significance: float
    excerpt: str = ""  # the clause of `sentence` that holds the figure, "…" where cut
    rank: float = 0.0  # editorial weight: headline weight × size of the change × ambition
    raw: str = ""  # the figure as the source writes it (for a text fragment link)
    old_excerpt: str = ""  # the clause of last year's sentence that holds the old figure
    source_url: str = ""  # the source page, scrolled to the figure's clause where the page is HTML
    old_url: str = ""  # last year's document in the archive, at the old figure (#f-<offset>)
    anchor: str = ""  # "f-1204": the figure's place on its archive page
    old_anchor: str = ""


@dataclass(frozen=True)
class GoalView:
    """One headline target of a document without a prior year to compare with: a row of 本年主要目标."""

    metric: str
    metric_key: str
    figure: str  # "5%左右"
    headline: bool


@dataclass(frozen=True)
class PriorityView:
    theme: str
    change: str
    label: str
    counts: str  # "0 → 3 次"
    sentence: str


def figure(data: dict[str, Any] | None) -> str:
    if not data:
        return "—"
    return format_figure(data["value"], data.get("unit"), data.get("value_max"), data.get("qualifier"))


def change_label(c: StoredChangeIn) -> str:
    """上调 ▲, with 加码 or 放宽 where the arrow alone would mislead: a deeper cut or a tighter cap is 加码, a
    looser cap 放宽 (a higher GDP target needs no word)."""
    label = CHANGE_LABELS.get(c.change, c.change)
    new = c.new or {}
    sense = str(new.get("ambition") or "")
    if c.change not in ("raised", "lowered") or sense not in AMBITION_WORDS:
        return label
    naive = (c.change == "raised") == (sense == "more")
    if naive and new.get("kind") not in ("reduction", "cap"):
        return label
    return f"{label} {AMBITION_WORDS[sense]}"


def national_name(label: str, region: str) -> str:
    """The nation's output is 国内生产总值; a province's or a city's is 地区生产总值."""
    if region == NATIONAL:
        return label.replace("地区生产总值", "国内生产总值")
    return label


def metric_label_of(c: StoredChangeIn, region: str = "") -> str:
    shown = c.new or c.old or {}
    return national_name(metric_label(c.metric, shown.get("kind"), shown.get("unit")), region)


AMBITION_FACTOR = {"more": 1.15, "less": 1.15}  # a change of ambition outweighs a same-sized technical one


def rank(c: StoredChangeIn) -> float:
    """Editorial weight of a change: its significance (headline weight × size) times the change of ambition."""
    sense = str((c.new or {}).get("ambition") or "")
    return round(c.significance * AMBITION_FACTOR.get(sense, 1.0), 6)


def change_view(c: StoredChangeIn, region: str = "") -> ChangeView:
    """One stored change, formatted as in a digest (the archive pages use the same views)."""
    old, new = figure(c.old), figure(c.new)
    shown = c.new or c.old or {}
    said = figure_excerpt(shown)
    old_said = figure_excerpt(c.old or {}, limit=0) if c.new else ""
    return ChangeView(
        metric=metric_label_of(c, region),
        metric_key=c.metric_key or "",
        change=c.change,
        label=change_label(c),
        old=old,
        new=new,
        arrow=arrow(old if c.old else None, new if c.new else None),
        sentence=shown.get("sentence", ""),
        old_sentence=(c.old or {}).get("sentence", "") if c.new else "",
        baseline=baseline(baseline_of(c.new)),
        headline=(c.metric_key or "") in HEADLINE_KEYS,
        significance=c.significance,
        excerpt=said,
        rank=rank(c),
        raw=str(shown.get("raw") or ""),
        old_excerpt=old_said if old_said.strip("…") not in said else "",
        anchor=figure_anchor((c.new or {}).get("span")),
        old_anchor=figure_anchor((c.old or {}).get("span")),
    )


def figure_anchor(span: object) -> str:
    """A figure's anchor on its document's archive page: f-<its offset in the text> (stable per version)."""
    if isinstance(span, list | tuple) and span and isinstance(span[0], int):
        return f"f-{span[0]}"
    return ""


def linked(view: ChangeView, url: str, old_url: str = "") -> ChangeView:
    """The view with links to its sentence in the source and to the old figure on last year's archive page."""
    old = ""
    if old_url and view.old != "—":
        old = f"{old_url}#{view.old_anchor}" if view.old_anchor else text_fragment(old_url, view.old_excerpt)
    return replace(view, source_url=text_fragment(url, view.excerpt), old_url=old)


def text_fragment(url: str, quoted: str) -> str:
    """`url#:~:text=…` for the clause that holds the figure, so the browser scrolls to it and highlights it; a
    PDF or a URL that already has a fragment is linked as it is."""
    text = quoted.strip("…").rstrip("，。；：！？,;")
    if not text or "#" in url or urlsplit(url).path.lower().endswith(".pdf") or not url.startswith("http"):
        return url
    return f"{url}#:~:text={quote(text, safe='')}"


def goal_view(target: dict[str, Any], region: str = "") -> GoalView:
    key = target.get("metric_key") or ""
    label = national_name(metric_label(target["metric"], target.get("kind"), target.get("unit")), region)
    return GoalView(metric=label, metric_key=key, figure=figure(target), headline=key in HEADLINE_KEYS)


def figure_excerpt(data: dict[str, Any], limit: int = 60) -> str:
    return excerpt(data.get("sentence", ""), data.get("raw", ""), data.get("phrase", ""), limit)


_CLAUSE = re.compile(r"[^，。；：！？,;]+[，。；：！？,;]?")


def excerpt(sentence: str, raw: str, phrase: str = "", limit: int = 60) -> str:
    """The clause of a long sentence that holds the figure: "…全市生产总值增长5%左右…"."""
    if len(sentence) <= limit or not raw or raw not in sentence:
        return sentence
    clauses = _CLAUSE.findall(sentence)
    holding = [i for i, clause in enumerate(clauses) if raw in clause]
    at = next((i for i in holding if phrase and phrase in clauses[i]), holding[0] if holding else 0)
    text = clauses[at]
    if at < len(clauses) - 1:
        text = text.rstrip("，。；：！？,;") + "…"
    return ("…" if at > 0 else "") + text


def baseline_of(new: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored comparison with last year's result (rows stored before it was renamed keep it as "ambition")."""
    data = (new or {}).get("baseline") or (new or {}).get("ambition")
    return data if isinstance(data, dict) else None


def baseline(data: dict[str, Any] | None) -> str:
    """The reference line a change card shows: last year's result when the report states it ("2024年实际 5%左右");
    a prior target is the arrow's left side already, so it is not repeated."""
    if not data or data.get("basis") != "achieved":
        return ""
    return reference(data)


def priority_view(c: StoredChangeIn) -> PriorityView:
    data = c.new or {}
    sentences = data.get("sentences") or [""]
    return PriorityView(
        theme=c.metric,
        change=c.change,
        label=PRIORITY_LABELS.get(c.change, c.change),
        counts=f"{data.get('old_count', 0)} → {data.get('new_count', 0)} 次",
        sentence=sentences[0],
    )


def metric_name(key: str) -> str:
    """A metric key as a reader knows it: rd_intensity → 研发经费投入强度 (an unknown key stays as it is)."""
    found = metric(key)
    return found.name if found else key
