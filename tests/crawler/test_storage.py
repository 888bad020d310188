"""Where the crawler stores: the URL govmon hands it, else the environment, else a clear refusal."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.storage import database_url


def test_the_setting_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVMON_DATABASE_URL", "sqlite:///from-env.db")
    assert database_url(Settings({"GOVMON_DATABASE_URL": "sqlite:///given.db"})) == "sqlite:///given.db"
    assert database_url(Settings({"GOVMON_DATABASE_URL": ""})) == "sqlite:///from-env.db"


def test_no_database_anywhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVMON_DATABASE_URL", raising=False)
    with pytest.raises(ValueError, match="set GOVMON_DATABASE_URL"):
        database_url(Settings({"GOVMON_DATABASE_URL": ""}))
