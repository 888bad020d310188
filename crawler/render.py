"""`render_js: true` sources: pages drawn by a browser (scrapy-playwright driving Debian's chromium).

Each browser request — the page, its scripts, the XHR that fetches the list, every redirect hop — passes the
egress guard of its source first: a page route fetches it without following redirects, checks the target and
any `Location` with the source's `Policy`, and aborts what the guard refuses, as it does for Scrapy's own
requests. Images, fonts and media are not fetched at all. The browser never phones home: background networking,
component updates, sync and the like are switched off, and no browser is ever downloaded — the system's
chromium is used (`GOVMON` looks for `chromium` on PATH; `PLAYWRIGHT_LAUNCH_OPTIONS` can point elsewhere).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urljoin

from crawler.guard import Policy

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
SKIPPED_RESOURCES = frozenset({"image", "font", "media"})
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
    "--safebrowsing-disable-auto-update",
)
logger = logging.getLogger(__name__)
_ROUTES: dict[Policy, Callable[..., Awaitable[None]]] = {}


class RenderUnavailable(RuntimeError):
    """A source asks for `render_js` but scrapy-playwright or chromium is missing."""


def browser_settings(source_ids: list[str]) -> dict[str, Any]:
    """Scrapy settings that send requests marked `playwright` through chromium (others stay plain HTTP)."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        raise RenderUnavailable(f"source {source_ids[0]}: render_js needs `pip install govmon[js]`") from exc
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RenderUnavailable(f"source {source_ids[0]}: render_js needs chromium (Debian: apt-get install chromium)")
    return {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True, "args": list(QUIET_FLAGS)},
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    }


def browser_meta(policy: Policy) -> dict[str, Any]:
    """Request meta of a rendered request: through the browser, with the source's guard on every request."""
    from scrapy_playwright.page import PageMethod

    return {
        "playwright": True,
        "playwright_page_init_callback": _page_init(policy),
        "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")],
    }


def _page_init(policy: Policy) -> Callable[..., Awaitable[None]]:
    if policy not in _ROUTES:

        async def init(page: Any, request: Any) -> None:
            await page.route("**/*", _guarded(policy))

        _ROUTES[policy] = init
    return _ROUTES[policy]


def _guarded(policy: Policy) -> Callable[..., Awaitable[None]]:
    async def route(route: Any) -> None:
        request = route.request
        if request.resource_type in SKIPPED_RESOURCES:
            await route.abort()
            return
        if _refused(policy, request.url):
            await route.abort("blockedbyclient")
            return
        response = await route.fetch(max_redirects=0)
        location = response.headers.get("location") if 300 <= response.status < 400 else None
        if location and _refused(policy, urljoin(request.url, location)):
            await route.abort("blockedbyclient")
            return
        await route.fulfill(response=response)

    return route


def _refused(policy: Policy, url: str) -> bool:
    verdict = policy.verdict(url)
    if verdict is not None:
        logger.warning("refused %s (%s) in the browser: %s", url, *verdict)
    return verdict is not None
