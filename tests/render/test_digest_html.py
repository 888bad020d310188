"""The HTML digest's structure, parsed (never string-matched): layout, inlined CSS, order, links, colours."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Tag

from monitor.digest.selection import DigestContext, Filters
from monitor.publish.render import render_digest_html, render_digest_text
from tests.render import samples


def soup(ctx: DigestContext) -> BeautifulSoup:
    return BeautifulSoup(render_digest_html(ctx), "lxml")


def style(tag: Tag) -> str:
    return str(tag.get("style", ""))


def changes(doc: BeautifulSoup) -> list[Tag]:
    return doc.select("table.change")


def test_card_is_at_most_640_px_wide_and_fluid() -> None:
    card = soup(samples.shanghai_digest()).select_one("table.card")
    assert card is not None and card.get("width") == "640"
    assert "max-width: 640px" in style(card) and "width: 100%" in style(card)


def test_all_css_is_inlined_except_media_queries() -> None:
    doc = soup(samples.shanghai_digest())
    assert not doc.select('link[rel="stylesheet"]')
    for block in doc.find_all("style"):
        assert block.get_text().strip().startswith("@media"), "only @media rules may stay in <style>"
    badge = doc.select_one(".badge-lowered")
    assert badge is not None and "background" in style(badge)


def test_above_the_fold_region_title_link_then_gdp_change() -> None:
    doc = soup(samples.shanghai_digest())
    section = doc.select_one("td.section")
    assert section is not None
    assert section.select_one(".region").get_text() == "上海市"  # type: ignore[union-attr]
    title = section.select_one("h2.doc-title a")
    assert title is not None and title["href"] == samples.SH_URL and title.get_text() == "2024年上海市政府工作报告"
    first = changes(doc)[0]
    assert first.select_one(".metric").get_text() == "经济增长"  # type: ignore[union-attr]
    assert first.select_one(".badge").get_text() == "下调 ▼"  # type: ignore[union-attr]
    assert re.sub(r"\s+", " ", first.select_one(".figures").get_text()) == "5.5%以上 → 5%左右"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("metric", "kind", "label", "colour"),
    [
        ("经济增长", "lowered", "下调 ▼", "#b91c1c"),
        ("研发经费投入强度", "raised", "上调 ▲", "#15803d"),
        ("城镇新增就业", "new", "新增", "#1d4ed8"),
        ("环保投入", "dropped", "删去", None),
    ],
)
def test_each_change_is_colour_coded_with_its_label(metric: str, kind: str, label: str, colour: str | None) -> None:
    row = next(t for t in changes(soup(samples.shanghai_digest())) if t.select_one(".metric").get_text() == metric)  # type: ignore[union-attr]
    assert f"change-{kind}" in row["class"]
    assert row.select_one(".badge").get_text() == label  # type: ignore[union-attr]
    if colour:
        assert colour in style(row.select_one(".new"))  # type: ignore[arg-type]
    else:
        assert "line-through" in style(row.select_one(".old"))  # type: ignore[arg-type]


def test_each_change_has_its_sentence_and_a_source_link() -> None:
    for row in changes(soup(samples.shanghai_digest())):
        quote = row.select_one(".quote")
        assert quote is not None and len(quote.get_text()) > 8
        assert quote.select_one("a")["href"] == samples.SH_URL  # type: ignore[index]


def test_priorities_archive_and_unsubscribe_links() -> None:
    doc = soup(samples.shanghai_digest())
    assert next(p.get_text(" ", strip=True) for p in doc.select(".priority")).startswith("更受重视 人工智能")
    hrefs = {a.get_text(): a["href"] for a in doc.find_all("a")}
    assert hrefs["退订"] == "https://govmon.example.org/u/tok123"
    assert hrefs["全部目标与历年对比"] == "https://govmon.example.org/archive/documents/2.html"


def test_capped_digest_links_to_the_archive_for_the_rest() -> None:
    ctx = samples.capped_digest()
    more = soup(ctx).select_one("td.more")
    assert more is not None and f"还有 {ctx.more} 项变化" in more.get_text()
    assert more.select_one("a")["href"] == ctx.archive_url  # type: ignore[index]
    assert len(changes(soup(ctx))) == ctx.shown_changes


def test_html_and_text_show_the_same_changes() -> None:
    for ctx in (samples.shanghai_digest(), samples.capped_digest(), samples.shanghai_digest(Filters(metrics=("cpi",)))):
        text = render_digest_text(ctx)
        shown = [c for s in ctx.sections for c in s.changes]
        assert len(changes(soup(ctx))) == len(shown)
        assert all(f"{c.metric}：{c.arrow}" in text for c in shown)


def test_empty_digest_says_so() -> None:
    doc = soup(samples.shanghai_digest(Filters(("北京市",))))
    assert not changes(doc) and "没有新的目标变化" in doc.get_text()


def test_environment_is_strict_and_escapes_html_and_atom_but_not_text() -> None:
    from jinja2 import UndefinedError

    from monitor.publish.render import environment

    env = environment()
    with pytest.raises(UndefinedError):
        env.from_string("{{ ctx.misspelt }}").render(ctx=samples.shanghai_digest())
    assert env.from_string("{{ t }}").render(t="<b>") == "&lt;b&gt;"
    autoescape = env.autoescape
    assert callable(autoescape)
    for name, escaped in (
        ("digest.html.j2", True),
        ("archive/index.html.j2", True),
        ("feed.atom.j2", True),
        ("digest.txt.j2", False),
    ):
        assert autoescape(name) is escaped, name
