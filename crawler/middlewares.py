"""Downloader middleware: retries with exponential backoff (Scrapy's RetryMiddleware retries at once).

A body cut short is an error (`fetchers.TruncatedBody`, retried by the spider's errback), never a shorter page:
an HTML page that closes neither `</body>` nor `</html>`, or a gzip stream without its end (Scrapy's gunzip would
keep what it decompressed). Importing the module also points cookies at the bundled public-suffix list.
"""

from __future__ import annotations

import asyncio
import random

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings

from crawler import fetchers


class BackoffRetryMiddleware(RetryMiddleware):
    """Like RetryMiddleware, but the n-th retry waits RETRY_BACKOFF_BASE * 2**(n-1) seconds (jittered, capped)."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None):  # type: ignore[override]
        if response.status == 200 and isinstance(response, HtmlResponse) and fetchers.cut_short(response.body):
            raise fetchers.TruncatedBody(f"the page ({len(response.body)} bytes) ends before </body> or </html>")
        result = super().process_response(request, response)
        self._account(request, result, response.status in self.retry_http_codes)
        return await self._after(result)

    async def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None):  # type: ignore[override]
        result = super().process_exception(request, exception)
        self._account(request, result, isinstance(exception, self.exceptions_to_retry))
        return await self._after(result)

    def _account(self, request: Request, result: object, retryable: bool) -> None:
        """Retries counted for the request's source too (a batch crawls many; Scrapy counts for the process)."""
        crawls = getattr(self.crawler.spider, "crawls", None)
        if not retryable or request.meta.get("dont_retry") or not crawls or request.meta.get("source") not in crawls:
            return
        crawl = crawls[request.meta["source"]]
        crawl.count("retry/count" if isinstance(result, Request) else "retry/max_reached")

    async def _after(self, result: Request | Response | None) -> Request | Response | None:
        if isinstance(result, Request) and self.base > 0:
            attempt = int(result.meta.get("retry_times", 1))
            await asyncio.sleep(min(self.cap, self.base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))
        return result


def _offline_public_suffixes() -> None:
    """Scrapy's cookie middleware fetches the public-suffix list from GitHub on first use; gov crawls must not
    depend on (or leak requests to) a third host, so it uses the snapshot bundled with tldextract instead."""
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def _strict_gunzip() -> None:
    """Scrapy's gunzip keeps whatever it decompressed before a gzip stream ended early, so a page cut short by
    the server or a proxy would be stored as if whole; here that raises `TruncatedBody`. A whole stream with a
    damaged CRC or trailing junk is still accepted, as Scrapy does."""
    from scrapy.downloadermiddlewares import httpcompression

    lenient = httpcompression.gunzip

    def gunzip(data: bytes, *, max_size: int = 0) -> bytes:
        body = lenient(data, max_size=max_size)
        if fetchers.gzip_truncated(data):
            raise fetchers.TruncatedBody(f"the gzip body ({len(data)} bytes) ends before its end-of-stream marker")
        return body

    httpcompression.gunzip = gunzip


_offline_public_suffixes()
_strict_gunzip()
