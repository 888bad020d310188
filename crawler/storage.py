"""The database as the crawler sees it: one engine per URL per process, opened on first use."""

from __future__ import annotations

from functools import cache

from scrapy.settings import BaseSettings
from sqlalchemy import Engine

from db.session import make_engine


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url, create_dirs=True)


def database_url(settings: BaseSettings) -> str:
    """The Scrapy setting GOVMON_DATABASE_URL: govmon's crawls always set it from the govmon configuration, a
    `scrapy crawl` by hand passes it with `-s`; the crawler reads no configuration of its own."""
    url = settings.get("GOVMON_DATABASE_URL")
    if not url:
        raise ValueError(
            "no database to store into: crawl with `govmon crawl`, or pass -s GOVMON_DATABASE_URL=URL to scrapy"
        )
    return str(url)
