"""The live archive: the pages `govmon site build` writes, rendered from the database on request (same templates,
same `monitor.publish.site.Archive.page`), kept until the archive changes, with ETag and Last-Modified.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.publish.site import media_type
from monitor.service import reads
from monitor.web import forms
from monitor.web.state import Cached, WebState, cached
from monitor.web.views import message

router = APIRouter(include_in_schema=False)
CACHE_CONTROL = "public, max-age=60"


async def fingerprint(web: WebState) -> tuple[str, str | None]:
    """(the archive's fingerprint, its Last-Modified), read again at most once per `PageCache.ttl`."""
    fresh = web.pages.fresh()
    if fresh is not None:
        return fresh
    found = await run_in_threadpool(reads.archive_fingerprint, web.reader)
    return web.pages.remember(found.key, found.last_processed)


async def serve_cached(request: Request, key: str, produce: Callable[[str | None], Cached | None]) -> Response | None:
    """The answer cached under `key` for the current fingerprint, made by `produce(last_modified)` when missing;
    None when `produce` found nothing (a 404, remembered too)."""
    web = forms.state(request)
    current, modified = await fingerprint(web)
    found, page = web.pages.get(key, current)
    if not found:
        page = await run_in_threadpool(produce, modified)
        web.pages.put(key, current, page)
    return None if page is None else conditional(request, page)


def conditional(request: Request, page: Cached) -> Response:
    headers = {"ETag": page.etag, "Cache-Control": CACHE_CONTROL, **dict(page.headers)}
    if page.last_modified:
        headers["Last-Modified"] = page.last_modified
    if _not_modified(request, page):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type=page.media_type, headers=headers)


def _not_modified(request: Request, page: Cached) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or page.etag in tags
    since = request.headers.get("if-modified-since")
    if since is None or page.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(page.last_modified)
    except (TypeError, ValueError):
        return False


def not_found() -> Response:
    return message("没有这个页面", "存档中没有这个页面：文件可能已被删除，或链接不完整。", 404,
                   links=(("index.html", "返回存档首页"),))  # fmt: skip


async def archive_page(request: Request, path: str) -> Response:
    web = forms.state(request)

    def produce(modified: str | None) -> Cached | None:
        text = reads.archive_page(web.reader, web.settings.base_url, path)
        return None if text is None else cached(text.encode("utf-8"), media_type(path), modified)

    return await serve_cached(request, f"page:{path}", produce) or not_found()


@router.api_route("/", methods=["GET", "HEAD"])
@router.api_route("/index.html", methods=["GET", "HEAD"])
async def index(request: Request) -> Response:
    return await archive_page(request, "index.html")


@router.api_route("/feed.atom", methods=["GET", "HEAD"])
async def feed(request: Request) -> Response:
    return await archive_page(request, "feed.atom")


@router.api_route("/archive.css", methods=["GET", "HEAD"])
async def stylesheet(request: Request) -> Response:
    return await archive_page(request, "archive.css")


@router.api_route("/documents/{name}", methods=["GET", "HEAD"])
async def document(request: Request, name: str) -> Response:
    return await archive_page(request, f"documents/{name}")


@router.api_route("/regions/{name}", methods=["GET", "HEAD"])
async def region(request: Request, name: str) -> Response:
    return await archive_page(request, f"regions/{name}")


@router.api_route("/metrics/{name}", methods=["GET", "HEAD"])
async def metric(request: Request, name: str) -> Response:
    return await archive_page(request, f"metrics/{name}")


@router.api_route("/compare/{name}", methods=["GET", "HEAD"])
async def matrix(request: Request, name: str) -> Response:
    return await archive_page(request, f"compare/{name}")


@router.api_route("/compare/{metric_key}/{name}", methods=["GET", "HEAD"])
async def compare(request: Request, metric_key: str, name: str) -> Response:
    return await archive_page(request, f"compare/{metric_key}/{name}")
