"""Splitting chat text into messages within a robot's size limit (pure).

`fits(texts)` answers whether a message made of these block texts is within the medium's limit, measured on
the real request (the caller composes it with the widest part marker, "（99/99）"). Blocks are packed in order;
a document continued in the next message repeats its heading with "（续）". When the digest would need more than
`max_parts` messages — robots post at most about 20 a minute and a group reads a burst of ten as spam — one
compact summary goes instead: each document with its leading figure and a link to the archive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.channels.chat import SHORT, Block, Dialect, blocks, clip, escape
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
    """One message: how much there is, one line per document (as many as fit) and the archive link."""
    counts = f"本期 {len(ctx.sections)} 份文件、{ctx.total_changes} 项变化，内容较多，仅列摘要"
    intro = d.muted(f"{escape(ctx.window)} · {counts}")
    footer = f"完整内容：{d.link('查看存档', ctx.archive_url)}"
    lines = [intro]
    for index, section in enumerate(ctx.sections):
        rest = len(ctx.sections) - index
        if not fits([*lines, _summary_line(section, d), _rest(rest - 1, d), footer]):
            lines.append(_rest(rest, d))
            break
        lines.append(_summary_line(section, d))
    lines = [x for x in lines if x]
    return [*lines, footer] if fits([*lines, footer]) else [footer]


def _summary_line(s: DocumentSection, d: Dialect) -> str:
    line = f"· {escape(s.region)} {d.link(clip(escape(s.title), SHORT // 2), s.archive_url)}"
    if s.changes:
        lead = s.changes[0]
        line += f"：**{escape(lead.metric)}** {escape(lead.arrow)}"
    count = len(s.changes) + s.hidden
    return line + (f" 等 {count} 项变化" if count > 1 else "")


def _rest(count: int, d: Dialect) -> str:
    return f"· ……另有 {count} 份文件，见存档" if count > 0 else ""
