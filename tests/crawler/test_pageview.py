"""What the crawler reads from a page (crawler/pageview.py): parsel's own answers, read once.

The article path (role, title, date, body) is pinned on every page of the fixture sites, and the view's answers
are compared with what parsel gives for the same questions.
"""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import HtmlResponse

from crawler import cms, pages, roles
from crawler.cms.common import Link
from crawler.pageview import PageView, serialise, view_of
from tests.crawler.fixture_server import SITES

LISTED = "列表上的标题"  # the link text a list gave (a page without a title of its own is stored under it)
FIXTURE_PAGES = sorted(str(p.relative_to(SITES)) for p in SITES.rglob("*.htm*"))


def fetched(relative: str) -> tuple[HtmlResponse, str]:
    """The page as the spider holds it after decoding (`pages.as_html`)."""
    return pages.as_html(HtmlResponse(url=f"http://127.0.0.1:8000/{relative}", body=(SITES / relative).read_bytes()))


# (page, role, title, date, start of the stored text), as the crawler found them before crawler/pageview.py
ARTICLE_PATH: list[tuple[str, str, str | None, date | None, str | None]] = [
    ("broken/index.html", "other", None, None, None),
    ("generic/news/2024/0130/jx2024.html", "article", "列表上的标题", date(2024, 1, 30), "各位代表：\n2023年全"),
    ("generic/news/2025/0214/jx2025.html", "article", "列表上的标题", date(2025, 2, 14), "各位代表：\n2024年全"),
    ("generic/news/list.html", "listing", None, None, None),
    ("generic/news/list2.html", "other", None, None, None),
    (
        "gkmlpt/content/0/146/post_146900.html",
        "article",
        "2025年广东省政府工作报告",
        date(2025, 1, 23),
        "各位代表：\n去年全省地区",
    ),
    (
        "gkmlpt/content/0/146/post_146901.html",
        "article",
        "广东省人民政府办公厅关于印发广东省推进高水平对外开放2025年行动方案的通知",
        date(2025, 3, 18),
        "各地级以上市人民政府，省",
    ),
    (
        "jcms/art/2024/6/3/art_1229001_505.html",
        "article",
        "温州市科技兴海三年行动方案（2024—2026年）",
        date(2024, 6, 3),
        "为推动海洋科技创新，制定",
    ),
    (
        "jcms/art/2025/1/8/art_1229001_502.html",
        "article",
        "温州市科学技术局2024年工作总结和2025年工作思路",
        date(2025, 1, 8),
        "一、2024年工作总结\n",
    ),
    (
        "jcms/art/2025/2/10/art_1229001_501.html",
        "article",
        "温州市科学技术局2025年工作要点",
        date(2025, 2, 10),
        "2025年全市科技工作的",
    ),
    ("jcms/col/col1229001/index.html", "listing", None, None, None),
    ("jcms/col/col1229001/index.p2.html", "listing", None, None, None),
    ("jslist/col/col3001/index.html", "listing", None, None, None),
    (
        "menus/ghjh/202501/t20250108_2006.html",
        "article",
        "示例市市场监管局2025年度双随机抽查工作计划",
        date(2025, 1, 8),
        "本年度计划对食品生产企业",
    ),
    (
        "menus/ghjh/202501/t20250116_2005.html",
        "article",
        "2025年示例市政府工作报告",
        date(2025, 1, 16),
        "各位代表：\n2024年全",
    ),
    (
        "menus/ghjh/202501/t20250125_2004.html",
        "article",
        "示例市综合交通运输发展“十四五”规划",
        date(2025, 1, 25),
        "到2025年，全市综合交",
    ),
    (
        "menus/ghjh/202502/t20250210_2001.html",
        "article",
        "示例市2025年国民经济和社会发展计划",
        date(2025, 2, 10),
        "2025年全市经济社会发",
    ),
    (
        "menus/ghjh/202502/t20250218_2002.html",
        "article",
        "2025年度“双随机、一公开”抽查工作计划",
        date(2025, 2, 18),
        "发布日期：2025-02",
    ),
    (
        "menus/ghjh/202502/t20250220_2003.html",
        "article",
        "示例市交通运输局2025年执法检查计划",
        date(2025, 2, 20),
        "全年计划开展道路运输执法",
    ),
    ("menus/ghjh/index.html", "listing", None, None, None),
    ("menus/gzjh/index.html", "listing", None, None, None),
    ("menus/login/index.html", "other", None, None, None),
    ("menus/search/index.html", "other", None, None, None),
    ("menus/zfgzbg/index.html", "listing", None, None, None),
    ("menus/zxgh/index.html", "listing", None, None, None),
    (
        "trs/zfgzbg/202401/t20240122_0901.html",
        "article",
        "2024年北京市政府工作报告",
        date(2024, 1, 22),
        "——2024年1月21日",
    ),
    (
        "trs/zfgzbg/202402/t20240210_0903.html",
        "article",
        "北京市2024年数字经济发展行动方案",
        date(2024, 2, 10),
        "为加快建设全球数字经济标",
    ),
    ("trs/zfgzbg/202403/t20240305_0902.html", "article", "列表上的标题", date(2024, 3, 5), "请各单位于12月20日前"),
    (
        "trs/zfgzbg/202412/t20241220_1004.html",
        "article",
        "列表上的标题",
        date(2024, 12, 20),
        "按照干部选拔任用有关规定",
    ),
    (
        "trs/zfgzbg/202412/t20241230_1003.html",
        "article",
        "北京市发展改革委2024年工作总结和2025年工作思路",
        date(2024, 12, 30),
        "一、2024年工作总结\n",
    ),
    (
        "trs/zfgzbg/202501/t20250115_1002.html",
        "article",
        "关于2025年度市属事业单位公开招聘工作人员的公告",
        date(2025, 1, 15),
        "根据工作需要，市属事业单",
    ),
    (
        "trs/zfgzbg/202501/t20250121_1001.html",
        "article",
        "2025年北京市政府工作报告",
        date(2025, 1, 21),
        "——2025年1月14日",
    ),
    ("trs/zfgzbg/index.html", "listing", None, None, None),
    ("trs/zfgzbg/index_1.html", "listing", None, None, None),
    (
        "ucap/zhengce/content/202503/content_7001.htm",
        "article",
        "政府工作报告",
        date(2025, 3, 12),
        "各位代表：\n2024年国",
    ),
    (
        "ucap/zhengce/content/202503/content_7003.htm",
        "article",
        "国务院2025年度立法工作计划",
        date(2025, 3, 20),
        "国务院2025年度立法工",
    ),
    ("ucap/zhengce/index.htm", "listing", None, None, None),
]


@pytest.mark.parametrize(("relative", "kind", "title", "published", "text_start"), ARTICLE_PATH)
def test_the_article_path_on_every_fixture_page(
    relative: str, kind: str, title: str | None, published: date | None, text_start: str | None
) -> None:
    response, encoding = fetched(relative)
    family = cms.detect(response)
    role = roles.page_role(response, family, pages.body_selectors(family))
    assert role.kind == kind
    if kind != "article":
        return
    item = pages.html_item(response, encoding, family, Link(response.url, LISTED), "s", "r", {}, role.body)
    assert (item.title, item.published_at) == (title, published)
    assert text_start is not None and item.text.startswith(text_start)


def test_every_fixture_page_is_pinned() -> None:
    assert sorted(row[0] for row in ARTICLE_PATH) == FIXTURE_PAGES


SELECTORS = ("h1", ".title", ".article-title", "a", "li", "td", "div", *cms.family_for("generic").body_selectors)


def parsel_metas(response: HtmlResponse) -> dict[str, str]:
    metas: dict[str, str] = {}
    for meta in response.xpath("//meta[@name]"):
        name, value = meta.attrib.get("name", "").lower(), (meta.attrib.get("content") or "").strip()
        if value and name not in metas:
            metas[name] = value
    return metas


@pytest.mark.parametrize("relative", FIXTURE_PAGES)
def test_the_view_answers_as_parsel_does(relative: str) -> None:
    response, _ = fetched(relative)
    page = view_of(response)
    assert view_of(response) is page  # one view per response
    assert page.title == response.xpath("string(//title)").get()
    assert page.metas == parsel_metas(response)
    for css in SELECTORS:
        assert [serialise(node) for node in page.select(css)] == response.css(css).getall()
        assert page.first_text(css) == " ".join(response.css(css).xpath("string()").getall()[:1])
    labels = response.xpath("//body//text()[contains(., '日期') or contains(., '时间')]/..").getall()
    assert [serialise(node) for node in page.date_labels] == labels


def test_a_view_of_a_node_reads_below_it() -> None:
    markup = "<html><head><title>页</title></head><body><div id='a'><h1>甲标题</h1></div><h1>乙</h1></body></html>"
    response = HtmlResponse(url="http://127.0.0.1:8000/x.html", body=markup.encode(), encoding="utf-8")
    node = response.css("#a")[0]
    assert PageView(node.root).first_text("h1") == "甲标题"
    assert view_of(node).title == "页"  # an absolute path still reads the whole page, as parsel does
