"""A digest as chat text (pure): the same content as the e-mail, in the markdown subset of each group robot.

The text is built from `Block`s, the units a long digest may be split between (`pages.py`): the window, each
document's heading, each figure with its source sentence and link, a document's notes and themes, the footer.
A block is never cut; each has a `short` form (free text clipped, figures whole) for when it alone would not fit.

Everything that comes from a crawled page (titles, regions, sentences, metric and theme names) goes through
`escape`: markdown's ASCII punctuation becomes its full-width form (＊ ＿ ［ ］ ＜ ＞ ＃ …), which no robot
interprets and Chinese typography uses anyway, line breaks become spaces and invisible controls are dropped —
so a scraped `**`, `[text](url)`, `<font>` or `<@all>` shows as text and cannot change the message. Links are
only made from http(s) URLs (`monitor.publish.render.is_web_url`), with the characters that would end a markdown link
percent-encoded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from monitor.digest.editorial import AlsoItem, GroupedMove
from monitor.digest.national import NationalBlock
from monitor.digest.selection import ChangeView, DigestContext, DocumentSection
from monitor.publish.render import is_web_url

SHORT = 60  # characters of free text kept in a block's short form
_FULL_WIDTH = str.maketrans({"*": "＊", "_": "＿", "[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "#": "＃",
                             "~": "～", "|": "｜", "\\": "＼", "$": "＄"})  # fmt: skip
_ENTITY = re.compile(r"&(?=#?\w+;)")  # `&lt;font&gt;` would come back as markup where a robot decodes entities
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_URL_UNSAFE = {"(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22", "'": "%27", "`": "%60", "\\": "%5C"}


def escape(text: str) -> str:
    """Scraped text made inert for every robot's markdown (see the module docstring)."""
    kept = "".join(ch for ch in text if ch not in _BIDI and unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return _ENTITY.sub("＆", " ".join(kept.split()).translate(_FULL_WIDTH))


def clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str) -> str | None:
    """An http(s) URL that cannot break out of `[label](url)`; None for anything else (javascript:, junk)."""
    if not is_web_url(url):
        return None
    return "".join(_URL_UNSAFE.get(ch, ch) for ch in url)


@dataclass(frozen=True)
class Dialect:
    """How one robot's markdown says a heading, a muted aside and a quotation, and breaks a line."""

    br: str
    heading: Callable[[str], str]
    muted: Callable[[str], str]
    quote: Callable[[str], str]

    def link(self, label: str, url: str) -> str:
        target = safe_url(url)
        return f"[{label}]({target})" if target else label


def _same(text: str) -> str:
    return text


WECOM = Dialect("\n", lambda s: f"### {s}", lambda s: f'<font color="comment">{s}</font>', lambda s: f"> {s}")
DINGTALK = Dialect("  \n", lambda s: f"#### {s}", _same, lambda s: f"> {s}")  # DingTalk breaks a line on two spaces
LARK_MD = Dialect("\n", lambda s: f"**{s}**", _same, _same)  # 飞书 lark_md: no headings or quotes


@dataclass(frozen=True)
class Block:
    """A unit that is never split: `text`, its `short` form, and the heading to repeat when it opens a part."""

    text: str
    short: str
    cont: str = ""


def marker(part: int, parts: int) -> str:
    """The part marker "（2/3）" on every part of a split digest; nothing on a single message."""
    return f"（{part}/{parts}）" if parts > 1 else ""


def blocks(ctx: DigestContext, d: Dialect) -> list[Block]:
    """The digest in the e-mail's order: the summary, the nation's report, the national picture, the moves
    several regions made alike, each other document, the documents left out, the footer."""
    out = [_intro(ctx, d)]
    if ctx.empty:
        line = "所关注的地区与文件在此期间没有新的目标变化。"
        out.append(Block(line, line))
    if ctx.summary:
        out.append(summary_block(ctx, d))
    for section in ctx.sections:
        if section.tier == 0:
            out += _section(section, d)
    out += _national(ctx, d)
    out += _listed(d, GROUPS, [(group_line(g, d, None), group_line(g, d, SHORT)) for g in ctx.groups])
    for section in ctx.sections:
        if section.tier > 0:
            out += _section(section, d)
    out += _listed(d, ALSO, [(also_line(a, d, None), also_line(a, d, SHORT // 2)) for a in ctx.also])
    out.append(_footer(ctx, d))
    return out


GROUPS = "多地相同调整"
ALSO = "另有以下文件（未在消息中展开）"
NATIONAL = "全国概览"


def _intro(ctx: DigestContext, d: Dialect) -> Block:
    def text(limit: int | None) -> str:
        return d.muted(f"{escape(ctx.window)} · 关注：{clip(escape(ctx.follows), limit)}")

    return Block(text(None), text(SHORT))


def summary_block(ctx: DigestContext, d: Dialect) -> Block:
    """What arrived, the three changes that matter most, and how to read the marks (the legend)."""
    if ctx.summary is None:
        return Block("", "")
    lines = [f"**{escape(ctx.summary.counts)}**"]
    if ctx.summary.top:
        lines.append("最重要的变化：")
        lines += [f"{i}. {escape(top)}" for i, top in enumerate(ctx.summary.top, 1)]
    lines.append(d.muted(escape(ctx.legend)))
    text = d.br.join(lines)
    return Block(text, text)


def _listed(d: Dialect, title: str, lines: list[tuple[str, str]]) -> list[Block]:
    """A titled list whose every line is a block of its own: the title opens the first and repeats, with
    （续）, in the next message when the list goes on there."""
    cont = d.heading(f"{title.split('（')[0]}（续）")  # 另有以下文件（续）, not …（未在消息中展开）（续）
    return [Block(d.br.join([d.heading(title), text]) if i == 0 else text,
                  d.br.join([d.heading(title), short]) if i == 0 else short, cont)
            for i, (text, short) in enumerate(lines)]  # fmt: skip


def _regions(regions: tuple[str, ...], limit: int | None) -> str:
    return clip("、".join(escape(r) for r in regions), limit)


def group_line(g: GroupedMove, d: Dialect, limit: int | None) -> str:
    """居民消费价格涨幅 【下调 ▼】3%左右 → 2%左右：上海市、广东省 — one line for every region that moved alike."""
    figure = f"**{escape(g.metric)}** 【{escape(g.label)}】{escape(g.old)} → {escape(g.new)}"
    return f"· {figure}（{len(g.regions)}地）：{_regions(g.regions, limit)}"


def also_line(a: AlsoItem, d: Dialect, limit: int | None) -> str:
    return f"· {escape(a.region)} {d.link(clip(escape(a.title), limit), a.archive_url)}（{escape(a.note)}）"


def _national(ctx: DigestContext, d: Dialect) -> list[Block]:
    items = []
    for b in ctx.national:

        def lines(limit: int | None, b: NationalBlock = b) -> str:
            moves = [f"· 【{escape(m.label)}】{escape(m.old)} → {escape(m.new)}：{_regions(m.regions, limit)}"
                     for m in b.moves]  # fmt: skip
            head = [f"**{escape(b.metric)}（{b.year}年）**", escape(b.headline), d.muted(escape(b.reported))]
            return d.br.join([*head, *moves])

        items.append((lines(None), lines(SHORT)))
    return _listed(d, NATIONAL, items)


def _section(s: DocumentSection, d: Dialect) -> list[Block]:
    kicker = _kicker(s)
    cont = d.heading(f"{escape(s.region)} {clip(escape(s.title), SHORT // 2)}（续）")
    heading = [_heading(s, d, kicker, None), _heading(s, d, kicker, SHORT)]
    out = [Block(*heading)]
    out += [Block(_change(c, s, d, None), _change(c, s, d, SHORT), cont) for c in s.changes]
    if s.goals:
        out.append(Block(goals_line(s, None), goals_line(s, GOALS_SHORT), cont))
    if s.steady:
        steady = d.muted(f"与上年持平：{escape(s.steady)}")
        out.append(Block(steady, steady, cont))
    note = _note(s, d)
    if note:
        out.append(Block(note, note, cont))
    if s.priorities:
        out.append(Block(_priorities(s, d, None), _priorities(s, d, 5), cont))
    return out


GOALS_SHORT = 4  # goals the short form of 本年主要目标 keeps (each whole)


def goals_line(s: DocumentSection, limit: int | None) -> str:
    """本年主要目标：经济增长 5%左右；城镇调查失业率 5.5%左右 — a document with no prior year, once, compactly."""
    shown = s.goals if limit is None else s.goals[:limit]
    items = "；".join(f"{escape(g.metric)} {escape(g.figure)}" for g in shown)
    more = f" 等{len(s.goals)}项" if len(shown) < len(s.goals) else ""
    return f"**本年主要目标**：{items}{more}"


def _kicker(s: DocumentSection) -> str:
    parts = [escape(s.region), escape(s.doc_type_label)]
    parts += [f"{escape(s.report_year)}年"] if s.report_year else []
    parts += [f"发布于 {escape(s.published)}"] if s.published else []
    return " · ".join(p for p in parts if p)


def _heading(s: DocumentSection, d: Dialect, kicker: str, limit: int | None) -> str:
    title = d.link(clip(escape(s.title), limit), s.url)
    return d.br.join([d.heading(kicker), title, d.muted(clip(escape(s.status_line), limit))])


def _change(c: ChangeView, s: DocumentSection, d: Dialect, limit: int | None) -> str:
    """The figure line, whole in both forms, then the source sentence (clipped in the short form) and link."""
    figure = f"**【{escape(c.label)}】{escape(c.metric)}**：{escape(c.arrow)}"
    if c.baseline:
        figure += f"（{escape(c.baseline)}）"
    source = d.link("原文", s.url)  # a text-fragment link would cost ~9 bytes a character of the sentence
    said = clip(escape(c.excerpt), limit)
    return figure + d.br + d.quote(f"{d.muted(f'“{said}”')} {source}" if said else source)


def _note(s: DocumentSection, d: Dialect) -> str:
    """What the section does not list itself (the national picture, the groups, unchanged targets, the cap)."""
    if not s.notes:
        return ""
    link = f" {d.link('查看存档', s.archive_url)}" if s.hidden else ""
    return d.muted(escape(s.notes)) + link


def _priorities(s: DocumentSection, d: Dialect, limit: int | None) -> str:
    shown = s.priorities if limit is None else s.priorities[:limit]
    lines = [f"· 【{escape(p.label)}】{clip(escape(p.theme), SHORT)}（{escape(p.counts)}）" for p in shown]
    more = len(s.priorities) - len(shown) + s.more_priorities
    if more:
        lines.append(f"· 另有 {more} 项，见存档")
    return d.br.join(["**重点领域**", *lines])


def left_out(ctx: DigestContext, d: Dialect) -> str:
    """The footer's account of what the digest does not list, with the archive link."""
    more = f"还有 {ctx.more} 项变化未在消息中列出。" if ctx.more else ""
    links = f"{d.link('查看存档', ctx.archive_url)} · 生成于 {escape(ctx.generated_at)}"
    return d.br.join(x for x in (more, links) if x)


def _footer(ctx: DigestContext, d: Dialect) -> Block:
    text = left_out(ctx, d)
    return Block(text, text)
