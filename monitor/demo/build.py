"""Development tool: regenerate the demo site `monitor/demo/site/` from `catalog.py` and `texts/`.

    python -m monitor.demo.build

The output is committed, so the demo needs neither this module nor reportlab (a dev extra, used for the PDF).
TRS columns get `index.html`, `index_1.html` … with `createPageHTML` paging and `tYYYYMMDD_N.html` articles whose
body is a `TRS_Editor` div; JCMS columns get `col/colN/index.html` with the `<datastore>` data island (page n is
`index.pN.html`, which the server maps from `?uid=U&pageNum=n`) and `art/Y/M/D/art_C_N.html` articles with a
`#zoom` body.
"""

from __future__ import annotations

import io
import shutil
from html import escape
from pathlib import Path

from monitor.demo.catalog import COLUMNS, NOTE, Column, Item, documents

HERE = Path(__file__).resolve().parent
SITE, TEXTS = HERE / "site", HERE / "texts"
FOOTER = f'<div class="footer">{escape(NOTE)}</div>'


def text_of(item: Item) -> list[str]:
    return [line.strip() for line in (TEXTS / f"{item.text}.txt").read_text(encoding="utf-8").splitlines() if line]


def _head(title: str, column: Column, extra: str = "", charset: bool = True) -> str:
    meta = '<meta charset="utf-8">\n' if charset else ""
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}<meta name=\"SiteName\" content=\"{escape(column.site_name)}\">\n"
            f"<meta name=\"ColumnName\" content=\"{escape(column.column_name)}\">\n{extra}"
            f"<title>{escape(title)}_{escape(column.site_name)}</title>\n</head>\n")  # fmt: skip


def _list_item(column: Column, item: Item, relative: bool) -> str:
    href = column.item_path(item)
    if relative:  # TRS lists link relative to the column: ./202503/t20250312_5001.html
        href = "." + href.removeprefix(f"/{column.root}")
    title = escape(item.title)
    return f'<li><a href="{href}" title="{title}" target="_blank">{title}</a><span>{item.published}</span></li>'


def trs_lists(column: Column) -> dict[str, str]:
    pages = [column.items[i : i + column.per_page] for i in range(0, len(column.items), column.per_page)]
    out = {}
    for n, items in enumerate(pages):
        lines = "\n".join(f"    {_list_item(column, item, relative=True)}" for item in items)
        name = "index.html" if n == 0 else f"index_{n}.html"
        out[f"/{column.root}/{name}"] = (
            _head(column.column_name, column) + f'<body>\n<div class="list">\n  <ul>\n{lines}\n  </ul>\n</div>\n'
            f'<div class="page"><script type="text/javascript">createPageHTML({len(pages)}, {n}, "index", "html");'
            f"</script></div>\n{FOOTER}\n</body>\n</html>\n"
        )
    return out


def jcms_lists(column: Column) -> dict[str, str]:
    size = column.per_page
    pages = [column.items[i : i + size] for i in range(0, len(column.items), size)]
    folder = column.list_path.removesuffix("index.html")
    out = {}
    for n, items in enumerate(pages, start=1):
        records = "\n".join(
            f"<record><![CDATA[\n{_list_item(column, item, relative=False)}]]></record>" for item in items
        )
        script = (f"$(document).ready(function(){{ $('#{column.unit_id}').jpage({{ dataStore: dataStore, "
                  f"perPage: {size}, totalRecord: {len(column.items)} }}); }});")  # fmt: skip
        out[folder + ("index.html" if n == 1 else f"index.p{n}.html")] = (
            _head(column.column_name, column) + f'<body>\n<div id="{column.unit_id}"><script type="text/xml">'
            f"<datastore>\n<recordset>\n{records}\n</recordset></datastore></script></div>\n"
            f'<script language="javascript">{script}</script>\n{FOOTER}\n</body>\n</html>\n'
        )
    return out


def article(column: Column, item: Item) -> str:
    metas = (f'<meta name="ArticleTitle" content="{escape(item.title)}">\n'
             f'<meta name="PubDate" content="{item.published} 09:00">\n')  # fmt: skip
    body = "\n".join(f"<p>{escape(line)}</p>" for line in text_of(item))
    wrapper = '<div class="TRS_Editor">' if column.cms == "trs" else '<div id="zoom">'
    return (
        _head(item.title, column, metas, charset=item.encoding == "utf-8")
        + f'<body>\n<div class="article">\n<h1>{escape(item.title)}</h1>\n'
        f'<div class="info"><span>发布日期：{item.published}</span> '
        f"<span>来源：{escape(column.site_name)}</span></div>\n"
        f"{wrapper}\n{body}\n</div>\n</div>\n{FOOTER}\n</body>\n</html>\n"
    )


def pdf(item: Item, width: int = 40) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    lines = [item.title] + [p[i : i + width] for p in text_of(item) for i in range(0, len(p), width)]
    for n, line in enumerate(lines):
        page.setFont("STSong-Light", 15 if n == 0 else 11)
        page.drawString(60, 770 - 22 * n, line)
    page.save()
    return buffer.getvalue()


def index_page() -> str:
    links = "\n".join(f'<li><a href="{c.list_path}">{escape(c.name)}</a></li>' for c in COLUMNS)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>govmon 演示站点</title>\n</head>\n'
            f"<body>\n<h1>govmon 演示站点</h1>\n<ul>\n{links}\n</ul>\n{FOOTER}\n</body>\n</html>\n")  # fmt: skip


def pages() -> dict[str, bytes]:
    """Every file of the site: URL path → bytes."""
    out: dict[str, bytes] = {"/index.html": index_page().encode()}
    for column in COLUMNS:
        lists = trs_lists(column) if column.cms == "trs" else jcms_lists(column)
        out.update({path: html.encode() for path, html in lists.items()})
    for column, item in documents():
        path = column.item_path(item)
        out[path] = pdf(item) if item.pdf else article(column, item).encode(item.encoding)
    return out


def main() -> None:
    shutil.rmtree(SITE, ignore_errors=True)
    for path, data in pages().items():
        target = SITE / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {SITE}")


if __name__ == "__main__":
    main()
