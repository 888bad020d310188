"""Indicator tables written as text lines: a header row naming the columns (指标名称 | 2025年基期值 |
2030年目标值 | 属性) and one row per indicator, its unit in brackets after its name (研发经费投入强度（%） | 2.62 |
3.2 | 预期性) or in a 单位 column, its values bare numbers.

A column is dated by the year its header names; its header says whether it holds results (基期, 现状, 完成) or goals
(目标, 预期, 规划); a header with a year and neither word is a result before the year the document plans for and a goal
from it on. A goal column later than that year is a goal of the document's term (a five-year plan's, an action plan's
span, else from the plan year on). A row's name says what it measures (年均增长 over a term, 比重 a share).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from monitor.extract.measures import measure_of
from monitor.extract.metrics import Metric, for_measure, normalise_phrase, resolve
from monitor.extract.model import DocumentInfo, Status, Target
from monitor.extract.numbers import QUANTITY, Quantity, parse

_BAR = re.compile(r"\s*[|｜\t]\s*")
_ANY_SEP = re.compile(r"[|｜ ]")
_BAR_SEP = re.compile(r"[|｜]")
# a table whose cells the text's preparation left separated by single spaces (tabs become spaces): only lines with
# no sentence punctuation, and a header with two dated or valued columns at least
_SPACE = re.compile(r" ")
_SENTENCE = re.compile(r"[，。；：,;:！？]")
_YEAR = re.compile(r"((?:19|20)\d\d)年")
_GOAL = re.compile(r"目标|预期值|规划值|预测|计划值")  # 预计: an estimate of a year not closed yet
_RESULT = re.compile(r"基期|基数|基准|现状|完成|实际|现值|基础值")
_NAME_HEAD = re.compile(r"指标|名称|项目|内容")  # a table of spaced cells needs 指标 or 名称 (see table_rows)
_UNIT_HEAD = re.compile(r"^(?:计量)?单位$")
_UNIT_IN_NAME = re.compile(r"\s*[（(]([^（）()]{1,8})[）)]\s*$")
_CELL = re.compile(
    r"(?P<num>\d{1,12}(?:\.\d{1,6})?)(?P<upper>\s*[—\-–~～]\s*\d{1,12}(?:\.\d{1,6})?)?\s*"
    r"(?P<own>(?!左右|以上|以内|以下)(?:[%‰]|[\u4e00-\u9fff]{1,5}?))?\s*(?P<suf>左右|以上|以内|以下)?"
)
_QUALIFIER = {"多": "余"}
_OVER_TERM = re.compile(r"年均|累计|平均")
# the words of a row's name that say it is a change (全社会研发经费投入年均增长, 单位GDP能耗下降)
_MOVES = re.compile(r"(?:年均|累计)?(?:增长|增速|增幅|下降|降低|减少|新增)[率幅]?$")


@dataclass(frozen=True, slots=True)
class _Column:
    year: int | None
    status: Status | None


@dataclass(frozen=True, slots=True)
class _Header:
    columns: list[_Column | None]  # None: not a column of values (序号, 指标名称, 单位, 属性)
    name_at: int
    unit_at: int | None


Namer = Callable[[Metric | None, str], str]

# a table laid out one cell per line (an HTML table whose markup breaks the line between cells): a run of header
# cells, each a short line naming a column, fixes the column count, then rows of that many lines
_HEAD_WORD = re.compile(r"^(?:序号|编号|类别|类型|领域|属性|指标属性|指标性质|性质|备注|单位|计量单位)$")
_HEAD_MAX = 14  # characters of a header cell
_CELL_MAX = 40  # characters of a row's cell
_EMPTY_CELL = re.compile(r"^(?:—+|-+|－+|/|／|无|…+)?$")


def table_rows(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line that may be a row of a table: cells separated by |, or by spaces when the text
    names an indicator column anywhere (a table's header does)."""
    spaced = "指标" in text or "名称" in text
    if not spaced and "|" not in text and "｜" not in text:
        return
    sep, end = (_ANY_SEP if spaced else _BAR_SEP), 0
    while (m := sep.search(text, end)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        end = len(text) if end < 0 else end
        yield start, end  # the next search starts after this line


def _header(cells: list[str], spaced: bool = False) -> _Header | None:
    columns: list[_Column | None] = []
    name_at, unit_at = -1, None
    for i, cell in enumerate(cells):
        year = _YEAR.search(cell)
        goal, result = _GOAL.search(cell), _RESULT.search(cell)
        if year or goal or result:
            status: Status | None = "target" if goal and not result else "achieved" if result else None
            status = "expected" if "预计" in cell else status
            columns.append(_Column(int(year.group(1)) if year else None, status))
            continue
        columns.append(None)
        if _UNIT_HEAD.match(cell):
            unit_at = i
        elif name_at < 0 and _NAME_HEAD.search(cell):
            name_at = i
    if name_at < 0 or sum(c is not None for c in columns) < (2 if spaced else 1):
        return None
    return _Header(columns, name_at, unit_at)


def _header_cell(line: str) -> bool:
    """Whether a line may be a column's header in a table written one cell per line."""
    if not line or len(line) > _HEAD_MAX or _SENTENCE.search(line) or " " in line:
        return False
    if _HEAD_WORD.match(line) or _NAME_HEAD.search(line):
        return True
    return bool(_YEAR.search(line) or _GOAL.search(line) or _RESULT.search(line))


def _lines(text: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at + len(line) - len(line.lstrip()), line.strip()))
        at += len(line) + 1
    return out


def _stacked_row(cells: list[str], header: _Header, unit_of: Callable[[list[str]], str]) -> bool:
    """Whether the lines are a row of the table: short cells, no sentence, a name, and a figure in a value column
    (the others empty or a dash)."""
    if any(len(c) > _CELL_MAX or _SENTENCE.search(c) for c in cells):
        return False
    name = cells[header.name_at]
    if not re.search(r"[\u4e00-\u9fff]", name) or _CELL.fullmatch(name) or _header_cell(name):
        return False
    unit, read = unit_of(cells), 0
    for cell, column in zip(cells, header.columns, strict=True):
        if column is None:
            continue
        if _figure(cell, unit) is not None:
            read += 1
        elif not _EMPTY_CELL.match(cell):
            return False
    return read > 0


def stacked_tables(text: str) -> Iterator[tuple[_Header, list[list[tuple[int, str]]]]]:
    """The tables written one cell per line: each header with its rows, every cell with its offset in the text.
    The header is the longest run of header cells that has a name column and two dated or valued columns and is
    followed by at least one row; rows are read while each run of as many lines is one."""
    if "指标" not in text and "名称" not in text:
        return
    lines = _lines(text)
    i = 0
    while i < len(lines):
        if not _header_cell(lines[i][1]):
            i += 1
            continue
        j = i
        while j < len(lines) and _header_cell(lines[j][1]):
            j += 1
        found = None
        for k in range(i, j - 2):  # a caption or a heading before the header cells is no column
            found = _stacked_table([c for _, c in lines[k:j]], lines, j)
            if found is not None:
                break
        if found is None:
            i = j
            continue
        header, rows = found
        yield header, rows
        i = j + len(rows) * len(header.columns)


def _stacked_table(heads: list[str], lines: list[tuple[int, str]], at: int
                   ) -> tuple[_Header, list[list[tuple[int, str]]]] | None:  # fmt: skip
    header = _header(heads, spaced=True)
    if header is None:
        return None
    n = len(heads)

    def unit_of(cells: list[str]) -> str:
        bracket = _UNIT_IN_NAME.search(cells[header.name_at])
        return bracket.group(1) if bracket else (cells[header.unit_at] if header.unit_at is not None else "")

    rows = []
    while at + n <= len(lines) and _stacked_row([c for _, c in lines[at : at + n]], header, unit_of):
        rows.append(lines[at : at + n])
        at += n
    return (header, rows) if rows else None


def _period(column: _Column, name: str, doc: DocumentInfo, ahead: int | None,
            own_term: tuple[int, int] | None) -> tuple[Status, int | None, tuple[int, int] | None]:  # fmt: skip
    year = column.year
    status = column.status or ("achieved" if year is not None and ahead is not None and year < ahead else "target")
    if status != "target":
        if year is not None and _OVER_TERM.search(name):
            return status, year, (year - 4, year)  # a base value of 年均增长: over the term that ended then
        return status, year if year is not None else (ahead - 1 if ahead else None), None
    if year is None:
        return status, own_term[1] if own_term else ahead, own_term
    if own_term is not None and own_term[0] <= year <= own_term[1] and year > own_term[0]:
        return status, year, (own_term[0], year)
    if ahead is not None and year > ahead:
        return status, year, (ahead, year)
    return status, year, None


def table_targets(text: str, doc: DocumentInfo, ahead: int | None, own_term: tuple[int, int] | None,
                  named: Namer) -> tuple[list[Target], list[tuple[int, int]]]:  # fmt: skip
    """The figures of the text's indicator tables in text order, and the rows they were read from."""
    out: list[Target] = []
    rows: list[tuple[int, int]] = []
    header: _Header | None = None
    last_end = -2
    for start, end in table_rows(text):
        line = text[start:end]
        cells = [cell for _, cell in _cells(line, start)]
        if start != last_end + 1:
            header = None  # a table is a run of consecutive rows
        last_end = end
        if len(cells) < 3:
            header = None
            continue
        if header is None or len(cells) != len(header.columns):
            header = _header(cells, spaced=_BAR.search(line) is None)
            continue
        read = _row(text, start, cells, header, doc, ahead, own_term, named)
        if read:
            out += read
            rows.append((start, end))  # a row none of whose cells reads as a figure is left to the running text
    for stacked_header, stacked in stacked_tables(text):
        for placed in stacked:
            start, end = placed[0][0], placed[-1][0] + len(placed[-1][1])
            read = _row_of(placed, " ".join(c for _, c in placed), stacked_header, doc, ahead, own_term, named)
            if read:
                out += read
                rows.append((start, end))
    out.sort(key=lambda t: t.span)
    rows.sort()
    return out, rows


def _row(text: str, start: int, cells: list[str], header: _Header, doc: DocumentInfo, ahead: int | None,
         own_term: tuple[int, int] | None, named: Namer) -> list[Target]:  # fmt: skip
    line_end = text.find("\n", start)
    line = text[start : line_end if line_end >= 0 else len(text)]
    return _row_of(_cells(line, start), line.strip(), header, doc, ahead, own_term, named)


def _row_of(placed: list[tuple[int, str]], sentence: str, header: _Header, doc: DocumentInfo, ahead: int | None,
            own_term: tuple[int, int] | None, named: Namer) -> list[Target]:  # fmt: skip
    """The figures of a row from its cells, each with its offset in the text."""
    cells = [cell for _, cell in placed]
    name_cell = cells[header.name_at]
    bracket = _UNIT_IN_NAME.search(name_cell)
    unit_word = bracket.group(1) if bracket else (cells[header.unit_at] if header.unit_at is not None else "")
    name = normalise_phrase(name_cell[: bracket.start()] if bracket else name_cell)
    if not name:
        return []
    out = []
    for (offset, cell), column in zip(placed, header.columns, strict=True):
        if column is None or (q := _figure(cell, unit_word)) is None:
            continue
        value, value_max, unit = q.value, q.value_max, q.unit
        status, year, term = _period(column, name, doc, ahead, own_term)
        moves = _MOVES.search(name)
        said = name[: moves.start()] if moves else name
        kind = measure_of(said, moves.group() if moves else "", unit, q.suffix, None)
        found = resolve(name, unit)
        metric = for_measure(found, kind) if found is not None else None
        if metric is not None and kind == "share" and metric.measure != "share":
            metric = None
        out.append(
            Target(
                metric=named(metric, name),
                metric_key=metric.key if metric else None,
                phrase=name,
                value=value,
                value_max=value_max,
                unit=unit,
                qualifier=_QUALIFIER.get(q.suffix or "", q.suffix),
                kind=metric.measure if metric is not None and metric.measure and kind == "level" else kind,  # type: ignore[arg-type]
                status=status,
                year=year,
                sentence=sentence,
                span=(offset, offset + len(cell)),
                raw=cell,
                headline=bool(metric is not None and metric.headline is not None and status == "target"),
                term=term,
                confidence=0.85,
            )
        )
    return out


def _cells(line: str, start: int) -> list[tuple[int, str]]:
    """The cells of a row, each with its offset in the text: split at | (or a tab), else at single spaces in a line
    with no sentence punctuation (none, a single cell, otherwise)."""
    bar = _BAR.search(line) is not None
    if not bar and _SENTENCE.search(line):
        return [(start, line)]
    lo = start + len(line) - len(line.lstrip(" |｜"))
    body = line.strip(" |｜")
    out, at = [], 0
    for sep in (_BAR if bar else _SPACE).finditer(body):
        out.append((lo + at, body[at : sep.start()]))
        at = sep.end()
    out.append((lo + at, body[at:]))
    return out


def _figure(cell: str, unit_word: str) -> Quantity | None:
    """The figure of a cell: a bare number read with the unit its row names (135 in a row of 亿元 → 1.35e10 元), or
    a number written with its own unit (2.62%, 5.5%左右)."""
    m = _CELL.fullmatch(cell)
    if m is None:
        return None
    written = cell if m.group("own") else f"{m.group('num')}{m.group('upper') or ''}{unit_word}{m.group('suf') or ''}"
    found = QUANTITY.match(written)
    q = parse(found, written) if found is not None else None
    return q if q is not None and q.end == len(written) and q.unit else None
