"""Page roles decided from the page itself, on the fixture sites and on the real pages of ../shared/corpus/html."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler import cms, roles
from crawler.cms.common import Link
from crawler.health import CrawlHealth
from tests.conftest import shared_path
from tests.crawler.fixture_server import SITES

BASE = "http://127.0.0.1:8000"


def page(relative: str, url: str | None = None) -> HtmlResponse:
    return HtmlResponse(url=url or f"{BASE}/{relative}", body=(SITES / relative).read_bytes(), encoding="utf-8")


def corpus(relative: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=shared_path("corpus", "html", relative).read_bytes(), encoding="utf-8")


def role(response: HtmlResponse) -> str:
    return roles.page_role(response, cms.detect(response)).kind


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("menus/ghjh/index.html", "listing"),
        ("menus/zxgh/index.html", "listing"),  # a column reached through a menu link named 专项规划
        ("menus/gzjh/index.html", "listing"),  # a column behind a list link that reads like a plan
        ("menus/ghjh/202502/t20250210_2001.html", "article"),
        ("menus/ghjh/202502/t20250218_2002.html", "article"),  # a short one: its body only points to a sheet
        ("menus/search/index.html", "other"),
        ("menus/login/index.html", "other"),
        ("jslist/col/col3001/index.html", "listing"),
        ("trs/zfgzbg/index.html", "listing"),
        ("trs/zfgzbg/202501/t20250121_1001.html", "article"),
        ("jcms/col/col1229001/index.html", "listing"),
        ("generic/news/list.html", "listing"),
        ("generic/news/2025/0214/jx2025.html", "article"),
        ("broken/index.html", "other"),
    ],
)
def test_fixture_page_roles(relative: str, kind: str) -> None:
    assert role(page(relative)) == kind


def test_a_directory_index_is_never_an_article() -> None:
    rows = "".join(f"<a href='r{n}.pdf'>r{n}.pdf</a> 2025-01-0{n}\n" for n in range(1, 8))
    listing = (
        "<html><head><title>Index of /files/</title></head><body><h1>Index of /files/</h1><pre>"
        f"<a href='../'>Parent Directory</a>\n{rows}</pre></body></html>"
    ).encode()
    response = HtmlResponse(url=f"{BASE}/files/", body=listing, encoding="utf-8")
    assert roles.page_role(response, cms.family_for("generic")) == roles.Role("other", "directory index")


def test_script_drawn_list_is_detected_and_named() -> None:
    response = page("jslist/col/col3001/index.html")
    assert roles.script_list(response)
    assert not roles.script_list(page("trs/zfgzbg/index.html"))
    health = CrawlHealth(list_pages=1, links=3)
    health.drawn_by_script(response.url)
    state, reason = health.verdict()
    assert state == "broken" and reason is not None and reason.startswith("list drawn by JavaScript: set render_js")


def test_a_source_that_yielded_documents_before_and_now_shows_no_article_links_is_broken() -> None:
    health = CrawlHealth(list_pages=1, links=12, had_documents=True)
    state, reason = health.verdict()
    assert state == "broken" and reason is not None and "none to an article" in reason and "before" in reason


@pytest.mark.parametrize(
    ("link", "item"),
    [
        (Link(f"{BASE}/zfgzbg/202501/t20250121_1001.html", "2025年北京市政府工作报告"), True),
        (Link(f"{BASE}/art/2025/2/10/art_1229001_501.html", "工作要点"), True),
        (Link(f"{BASE}/news/a.html", "新闻", None), False),
        (Link(f"{BASE}/col/col1229001/index.html", "规划计划"), False),
        (Link(f"{BASE}/zfgzbg/", "政府工作报告"), False),
        (Link(f"{BASE}/gongkai/content_7001.htm", "关于印发的通知"), True),
    ],
)
def test_item_links(link: Link, item: bool) -> None:
    assert roles.is_item_link(link) is item


@pytest.mark.parametrize(
    ("listed", "own", "agree"),
    [
        ("2025年北京市政府工作报告", "2025年北京市政府工作报告", True),
        ("政府工作报告——2025年3月5日在第十四届全国人民代表大会第三次会议上", "政府工作报告", True),
        ("示例市科技创新“十四五”规划（2021—2025...", "示例市科技创新“十四五”规划（2021—2025年）", True),
        ("示例市2025年工作计划", "示例市市场监管局2025年度双随机抽查工作计划", False),
        ("2025年政府工作报告", "用户登录", False),
    ],
)
def test_titles_agree(listed: str, own: str, agree: bool) -> None:
    assert roles.titles_agree(listed, own) is agree


# --- real pages ----------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_real_pages() -> None:
    gansu_list = corpus(
        "jas0no7-local-spider/gansu_jyt_list_wjtz.html", "https://jyt.gansu.gov.cn/jyt/c110634/list.shtml"
    )
    assert role(gansu_list) == "listing"
    gansu_article = corpus(
        "jas0no7-local-spider/gansu_fzgg_article_2025-03-27.html", "https://fzgg.gansu.gov.cn/fzgg/tzgg/202502/1.shtml"
    )
    assert role(gansu_article) == "article"
    baoding = corpus("kira-spider-gov/baoding_gov_article_2021-04-09.html", "http://www.baoding.gov.cn/a-1.html")
    assert role(baoding) == "article"
    search = corpus(
        "lovesunday7-policy-crawler/jiujiang_irs_search_results.html",
        "https://zmhd.jiujiang.gov.cn/irs-c-web/search.shtml?code=x&searchWord=plan",
    )
    assert roles.page_role(search, cms.detect(search)).reason == "search page"


@pytest.mark.shared
def test_real_script_drawn_jcms_list() -> None:
    """Jiangxi's JCMS front end draws the list in the browser: the page carries the markers, no items."""
    response = corpus(
        "jas0no7-local-spider/jiangxi_sthjt_jcms_list.html", "https://sthjt.jiangxi.gov.cn/col/col42150/index.html"
    )
    family = cms.detect(response)
    items = [link for link in family.list_links(response) if roles.is_item_link(link, family.article_url)]
    assert items == [] and roles.script_list(response)
    assert role(response) == "listing"
