"""CMS family parsers on HtmlResponse objects: the fixture sites and the real pages of ../shared/corpus/html."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, TextResponse

from crawler import cms
from crawler.cms import common, generic, gkmlpt, jcms, trs
from tests.conftest import shared_path
from tests.crawler.fixture_server import SITES

BASE = "http://127.0.0.1:8000"


def page(relative: str, url: str | None = None, path: Path = SITES) -> HtmlResponse:
    body = (path / relative).read_bytes()
    return HtmlResponse(url=url or f"{BASE}/{relative}", body=body, encoding="utf-8")


def corpus(relative: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=shared_path("corpus", "html", relative).read_bytes(), encoding="utf-8")


# --- fixture sites -------------------------------------------------------------------------------------------


def test_trs_list_links_and_pagination() -> None:
    response = page("trs/zfgzbg/index.html")
    assert cms.detect(response).name == "trs"
    links = trs.list_links(response)
    assert links[0] == common.Link(
        f"{BASE}/trs/zfgzbg/202501/t20250121_1001.html", "2025年北京市政府工作报告", date(2025, 1, 21)
    )
    assert trs.next_pages(response, 3) == [f"{BASE}/trs/zfgzbg/index_1.html"]
    assert trs.next_pages(page("trs/zfgzbg/index_1.html"), 3) == []


def test_jcms_records_and_page_numbers() -> None:
    response = page("jcms/col/col1229001/index.html")
    assert cms.detect(response).name == "jcms"
    titles = [link.title for link in jcms.list_links(response)]
    assert titles[0] == "温州市科学技术局2025年工作要点" and len(titles) == 4
    assert jcms.list_links(response)[1].date == date(2025, 1, 8)
    assert jcms.next_pages(response, 5) == [f"{BASE}/jcms/col/col1229001/index.html?uid=5001&pageNum=2"]
    assert jcms.next_pages(response, 1) == []


def test_gkmlpt_index_leads_to_the_api_and_the_api_to_links() -> None:
    index = page("gkmlpt/index", f"{BASE}/gkmlpt/index#146")
    assert cms.detect(index).name == "gkmlpt"
    assert gkmlpt.next_pages(index, 3) == [f"{BASE}/gkmlpt/api/all/146?page=1&sid=2"]
    api_url = f"{BASE}/gkmlpt/api/all/146?page=1&sid=2"
    api = TextResponse(url=api_url, body=(SITES / "gkmlpt/api/all/146.p1.json").read_bytes(), encoding="utf-8")
    links = gkmlpt.list_links(api)
    assert [link.date for link in links][:2] == [date(2025, 1, 23), date(2025, 3, 18)]
    assert gkmlpt.next_pages(api, 3) == []


def test_generic_next_page_and_largest_block() -> None:
    response = page("generic/news/list.html")
    assert cms.detect(response).name == "generic"
    assert generic.next_pages(response, 3) == [f"{BASE}/generic/news/list2.html"]
    article = page("generic/news/2025/0214/jx2025.html")
    text = common.largest_block(article)
    assert text.startswith("各位代表") and "市长信箱" not in text
    assert common.reconcile_date(article.url, article) == date(2025, 2, 14)
    assert common.page_title(article) == "嘉兴市2025年政府工作报告"


@pytest.mark.parametrize(
    ("url", "max_pages", "expected"),
    [
        ("http://h/zfgzbg/", 3, ["http://h/zfgzbg/index_1.html", "http://h/zfgzbg/index_2.html"]),
        ("http://h/a/index.shtml", 2, ["http://h/a/index_1.shtml"]),
        (
            "http://h/col/col1/index.html?uid=9&pageNum=1",
            3,
            ["http://h/col/col1/index.html?uid=9&pageNum=2", "http://h/col/col1/index.html?uid=9&pageNum=3"],
        ),
        ("http://h/a/index_3.html", 3, []),
        ("http://h/a/article.html", 3, []),
    ],
)
def test_index_successors(url: str, max_pages: int, expected: list[str]) -> None:
    assert generic.index_successors(url, max_pages) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.beijing.gov.cn/gongkai/jihua/zfgzbg/202501/t20250121_3994245.html", date(2025, 1, 21)),
        ("https://www.jiangsu.gov.cn/art/2025/1/9/art_33720_100.html", date(2025, 1, 9)),
        ("http://www.gov.cn/guoqing/2006-02/16/content_2616810.htm", date(2006, 2, 16)),
        ("https://www.henan.gov.cn/2022/01-17/2383140.html", date(2022, 1, 17)),
        ("https://www.shanghai.gov.cn/nw12336/20200813/0001-12336_1.html", date(2020, 8, 13)),
        ("https://www.gd.gov.cn/gkmlpt/content/0/146/post_146621.html", None),
    ],
)
def test_url_date(url: str, expected: date | None) -> None:
    assert common.url_date(url) == expected


# --- real pages ----------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_gansu_article_visible_date_beats_generation_time_meta() -> None:
    response = corpus(
        "jas0no7-local-spider/gansu_fzgg_article_2025-03-27.html", "https://fzgg.gansu.gov.cn/fzgg/tzgg/202502/1.shtml"
    )
    assert common.meta_content(response, "PubDate") == "2025-03-27 09:36:38"
    assert common.reconcile_date(response.url, response) == date(2025, 2, 26)
    assert common.page_title(response).startswith("甘肃省发展和改革委员会等部门关于印发")
    body = common.body_by_selectors(response, generic.BODY_SELECTORS)
    assert body is not None and body.startswith("各市、自治州人民政府")


@pytest.mark.shared
def test_baoding_article_uppercase_meta_and_site_prefix() -> None:
    response = corpus("kira-spider-gov/baoding_gov_article_2021-04-09.html", "http://www.baoding.gov.cn/a.html")
    title = common.page_title(response)
    assert not title.startswith("保定市人民政府网") and title.startswith("保定市统筹推动城市和产业转型升级")
    assert common.reconcile_date(response.url, response) == date(2021, 4, 7)
    assert len(common.largest_block(response)) > 500


@pytest.mark.shared
def test_gansu_list_page_links() -> None:
    response = corpus(
        "jas0no7-local-spider/gansu_jyt_list_wjtz.html", "https://jyt.gansu.gov.cn/jyt/c110634/list.shtml"
    )
    links = cms.detect(response).list_links(response)
    articles = [link for link in links if "/jyt/c110634/2025" in link.url]
    assert len(articles) >= 5 and all(link.title for link in articles)


@pytest.mark.shared
def test_client_side_jcms_list_has_no_static_items() -> None:
    """Jiangxi's new JCMS front end renders the list in the browser: no records, so the source would be broken."""
    response = corpus(
        "jas0no7-local-spider/jiangxi_sthjt_jcms_list.html", "https://sthjt.jiangxi.gov.cn/col/col42150/index.html"
    )
    assert jcms.records(response) == []


@pytest.mark.shared
def test_govcn_report_fragment_body() -> None:
    raw = shared_path("corpus", "html", "markyangcc-unnamed", "govcn_2020_zfgzbg_conlun2_box_text_fragment.txt")
    markup = raw.read_text(encoding="utf-8").strip().removeprefix("[").removesuffix("]")
    response = HtmlResponse(url="http://www.gov.cn/guowuyuan/2020zfgzbg.htm", body=markup.encode(), encoding="utf-8")
    text = cms.family_for("ucap").body_selectors and common.body_by_selectors(response, ("#conlun2_box_text",))
    assert text is not None and text.startswith("各位代表") and len(text) > 10_000
