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
    url = settings.get("GOVMON_DATABASE_URL")
    if not url:
        from monitor import config

        url = config.load().database_url
    return str(url)
