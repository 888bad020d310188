"""Splitting chat text into messages within a robot's size limit (pure).

`fits(texts)` answers whether a message made of these block texts is within the medium's limit, measured on
the real request (the caller composes it with the widest part marker, "（99/99）"). Blocks are packed in order;
a document continued in the next message repeats its heading with "（续）". When the digest would need more than
`max_parts` messages — robots post at most about 20 a minute and a group reads a burst of ten as spam — one
compact summary goes instead: the digest's summary, the national picture's leads and the grouped moves, each
document with its leading figure and a link to the archive, the documents left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.channels.chat import (
    GROUPS,
    NATIONAL,
    SHORT,
    Block,
    Dialect,
    also_line,
    blocks,
    clip,
    escape,
    group_line,
    left_out,
    summary_block,
)
from monitor.digest.selection import DigestContext, DocumentSection

Fits = Callable[[list[str]], bool]
MAX_PARTS = 5


def pages(ctx: DigestContext, dialect: Dialect, fits: Fits, max_parts: int = MAX_PARTS) -> list[list[str]]:
    """The digest as the block texts of each message: split when needed, a summary when splitting is too much."""
    parts = paginate(blocks(ctx, dialect), fits)
    if parts is None or len(parts) > max_parts:
        return [summary(ctx, dialect, fits)]
    return parts


def paginate(items: Sequence[Block], fits: Fits) -> list[list[str]] | None:
    """Pack blocks into messages; None when a block does not fit even alone in its short form."""
    parts: list[list[str]] = []
    current: list[str] = []
    for block in items:
        placed = _place(current, block, fits)
        if placed is None:
            return None
        finished, current = placed
        if finished:
            parts.append(finished)
    if current:
        parts.append(current)
    return parts


def _place(current: list[str], block: Block, fits: Fits) -> tuple[list[str], list[str]] | None:
    """(finished part or [], part being filled) after adding `block`: full text first, then the short form."""
    for text in dict.fromkeys((block.text, block.short)):
        if fits([*current, text]):
            return [], [*current, text]
        opened = [block.cont, text] if block.cont else [text]
        if current and fits(opened):
            return current, opened
    return None


def summary(ctx: DigestContext, d: Dialect, fits: Fits) -> list[str]:
    """One message: the digest's own summary (counts, the three changes that matter most, the legend), the moves
    several regions made alike, then one line per document — each line whole, as many as fit, the rest counted
    — and the archive link."""
    counts = f"本期 {len(ctx.sections)} 份文件、{ctx.total_changes} 项变化，"
    lines = [d.muted(f"{escape(ctx.window)} · {'' if ctx.summary else counts}内容较多，仅列摘要")]
    footer = left_out(ctx, d)
    opening = summary_block(ctx, d).text  # its counts say it better, with the documents left out
    if opening and fits([*lines, opening, footer]):
        lines.append(opening)
    elif opening:
        lines[0] = d.muted(f"{escape(ctx.window)} · {counts}内容较多，仅列摘要")
    lines = _titled(lines, NATIONAL, [f"· {escape(b.headline)}" for b in ctx.national], footer, d, fits)
    lines = _titled(lines, GROUPS, [group_line(g, d, SHORT) for g in ctx.groups], footer, d, fits)
    documents = [_summary_line(s, d) for s in ctx.sections]
    documents += [also_line(a, d, SHORT // 2) for a in ctx.also]
    for index, line in enumerate(documents):
        rest = len(documents) - index
        if not fits([*lines, line, _rest(rest - 1, d), footer]):
            lines.append(_rest(rest, d))
            break
        lines.append(line)
    lines = [x for x in lines if x]
    return [*lines, footer] if fits([*lines, footer]) else [footer]


def _titled(lines: list[str], title: str, items: list[str], footer: str, d: Dialect, fits: Fits) -> list[str]:
    """`lines` with a titled list: as many whole items as fit before the footer, the title only over items."""
    out = list(lines)
    for i, item in enumerate(items):
        added = [d.heading(title), item] if i == 0 else [item]
        if not fits([*out, *added, footer]):
            break
        out += added
    return out


def _summary_line(s: DocumentSection, d: Dialect) -> str:
    line = f"· {escape(s.region)} {d.link(clip(escape(s.title), SHORT // 2), s.archive_url)}"
    if s.changes:
        lead = s.changes[0]
        line += f"：**{escape(lead.metric)}** {escape(lead.arrow)}"
    elif s.goals:
        lead_goal = s.goals[0]
        line += f"：本年主要目标 {escape(lead_goal.metric)} {escape(lead_goal.figure)}"
    count = len(s.changes) + s.hidden + s.in_groups
    if count > 1:
        return line + f" 等 {count} 项变化"
    return line + (f" 等 {len(s.goals)} 项目标" if not s.changes and len(s.goals) > 1 else "")


def _rest(count: int, d: Dialect) -> str:
    return f"· ……另有 {count} 份文件，见存档" if count > 0 else ""
