"""The framework's ceiling: a Scrapy spider that only fetches a list of URLs (no parsing, no storage).

Run by bench/crawl.py in a subprocess (Twisted's reactor runs once per process); prints Scrapy's elapsed seconds.

    .venv/bin/python -m bench.bare_scrapy URLS_FILE CONCURRENCY
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess


class Fetch(Spider):
    name = "fetch"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True)

    def parse(self, response: Any) -> None:
        return None


def main() -> None:
    urls = Path(sys.argv[1]).read_text(encoding="utf-8").split()
    concurrency = int(sys.argv[2])
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    crawler = process.create_crawler(Fetch)
    process.crawl(crawler, urls=urls)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(stats.get("elapsed_time_seconds"), stats.get("response_received_count"))


if __name__ == "__main__":
    main()
