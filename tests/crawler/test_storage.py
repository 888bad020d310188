"""Where the crawler stores: the URL govmon hands it, else a clear refusal (it reads no configuration itself)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.storage import database_url


def test_the_crawler_stores_where_it_is_told() -> None:
    assert database_url(Settings({"GOVMON_DATABASE_URL": "sqlite:///given.db"})) == "sqlite:///given.db"


def test_no_database_given_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVMON_DATABASE_URL", "sqlite:///from-env.db")  # the crawler does not look there
    with pytest.raises(ValueError, match="pass -s GOVMON_DATABASE_URL=URL"):
        database_url(Settings({"GOVMON_DATABASE_URL": ""}))
