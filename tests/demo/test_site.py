"""The bundled demo site: generated from the catalogue, served like a CMS, described by a valid registry."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest

from crawler.sources import load_registry
from monitor.demo import build
from monitor.demo.catalog import COLUMNS, documents
from monitor.demo.registry import write_registry
from monitor.demo.run import SITE
from monitor.demo.server import SiteServer


def test_the_committed_site_is_what_the_generator_writes() -> None:
    pages = build.pages()
    committed = {"/" + str(p.relative_to(SITE)) for p in SITE.rglob("*") if p.is_file()}
    assert committed == set(pages), "run `python -m monitor.demo.build` and commit monitor/demo/site"
    for path, data in pages.items():
        if not path.endswith(".pdf"):  # the PDF's bytes depend on the reportlab version
            assert (SITE / path.lstrip("/")).read_bytes() == data, path


def test_the_catalogue_has_every_kind_of_page_the_brief_asks_for() -> None:
    items = [item for _, item in documents()]
    assert {c.cms for c in COLUMNS} == {"trs", "jcms"}
    assert sum(item.pdf for item in items) == 1 and sum(item.encoding == "gbk" for item in items) == 1
    assert {c.region for c in COLUMNS} >= {"全国", "上海市", "广东省", "浙江省"}
    assert all(len({i.published.year for i in c.items if i.text}) >= 2 for c in COLUMNS)
    assert any(not item.text for c in COLUMNS for item in c.items)  # notices the crawler must skip


def test_the_registry_is_valid_and_points_at_the_server(tmp_path: Path) -> None:
    sources = load_registry(write_registry("http://127.0.0.1:8123", tmp_path / "registry.yaml"))
    assert [s.id for s in sources] == [c.source_id for c in COLUMNS]
    assert all(s.start_urls[0].startswith("http://127.0.0.1:8123/") for s in sources)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as exc:
        return exc.code, dict(exc.headers), b""


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    with SiteServer(SITE) as running:
        yield running


def test_conditional_get_answers_304(server: SiteServer) -> None:
    status, headers, _ = _get(server.base + "/gov/zhengce/gzbg/index.html")
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert _get(server.base + "/gov/zhengce/gzbg/index.html", {"If-None-Match": headers["ETag"]})[0] == 304
    assert _get(server.base + "/gov/zhengce/gzbg/index.html", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304


def test_jcms_paging_and_the_gbk_page(server: SiteServer) -> None:
    status, _, body = _get(server.base + "/zhejiang/col/col1544/index.html?uid=4001&pageNum=2")
    assert status == 200 and "2024年浙江省政府工作报告" in body.decode()
    status, headers, body = _get(server.base + "/shanghai/zfgzbg/202401/t20240130_1101.html")
    assert headers["Content-Type"] == "text/html" and "2024年上海市政府工作报告" in body.decode("gbk")
    assert _get(server.base + "/nowhere.html")[0] == 404
