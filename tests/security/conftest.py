"""Security test fixtures: two local sites (the source and a host it must never reach) and a migrated SQLite db."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.demo.server import Reply, SiteServer

SECRET_PAGE = "SECRET-PAGE-MUST-NOT-BE-FETCHED"


class Site(SiteServer):
    """A site served from memory (`generated`), with 302 redirects by path (`redirects`)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.redirects: dict[str, str] = {}

    def __enter__(self) -> Site:
        super().__enter__()
        return self

    def route(self, path: str) -> Reply | None:
        if path in self.redirects:
            return Reply(302, b"", "text/html", {"Location": self.redirects[path]})
        return super().route(path)


def list_page(links: list[tuple[str, str]]) -> bytes:
    rows = "".join(f'<tr><td class="t"><a href="{href}">{title}</a></td><td class="d">2025-02-14</td></tr>'
                   for href, title in links)  # fmt: skip
    return (
        '<html><head><meta charset="utf-8"><title>安全市人民政府 - 计划规划</title></head><body>'
        f'<table class="lb">{rows}</table></body></html>'
    ).encode()


def article(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<html><head><meta charset="utf-8">{head}<title>{title}</title></head><body>'
        f'<div class="bt">{title}</div><div class="sj">发布时间：2025-02-14</div>'
        f'<div class="content"><p>各位代表：</p><p>{body}</p></div></body></html>'
    ).encode()


@pytest.fixture
def source_site(tmp_path: Path) -> Iterator[Site]:
    (tmp_path / "a").mkdir()
    with Site(tmp_path / "a") as site:
        yield site


@pytest.fixture
def other_site(tmp_path: Path) -> Iterator[Site]:
    """A second server on 127.0.0.1: every page it would serve is a secret, and it must see no request at all."""
    (tmp_path / "b").mkdir()
    with Site(tmp_path / "b") as site:
        for path in ("/art/secret.html", "/art/direct.html", "/art/refresh.html", "/art/rebind.html"):
            site.generated[path] = article(SECRET_PAGE, SECRET_PAGE * 3)
        yield site
