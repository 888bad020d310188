"""Settings: defaults < TOML file < environment < flags; every setting documented in README."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from monitor import config

ROOT = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    settings = config.load(environ={})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("govmon.db")
    assert settings.smtp_port == 25


def test_toml_then_environment_then_flags(tmp_path: Path) -> None:
    toml = tmp_path / "govmon.toml"
    toml.write_text('smtp_host = "mail.example.org"\nsmtp_port = 587\ndigest_hour = 9\n', encoding="utf-8")
    env = {"GOVMON_SMTP_PORT": "2525", "GOVMON_DATABASE_URL": "postgresql://u@h/d"}
    settings = config.load(toml, env)
    assert (settings.smtp_host, settings.smtp_port, settings.digest_hour) == ("mail.example.org", 2525, 9)
    assert settings.replace(database_url="sqlite:///x.db", smtp_host=None).database_url == "sqlite:///x.db"
    assert settings.replace(smtp_host=None).smtp_host == "mail.example.org"


def test_config_file_from_environment(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text('base_url = "https://govmon.example.org"\n', encoding="utf-8")
    assert config.load(environ={"GOVMON_CONFIG": str(toml)}).base_url == "https://govmon.example.org"


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("smtp_hots = 'x'\n", {}, "unknown setting(s) smtp_hots"),
        ("smtp_port = [\n", {}, "not valid TOML"),
        ("", {"GOVMON_SMTP_PORT": "twenty-five"}, "must be a number"),
    ],
)
def test_bad_settings_say_what_is_wrong(tmp_path: Path, content: str, env: dict[str, str], message: str) -> None:
    toml = tmp_path / "govmon.toml"
    toml.write_text(content, encoding="utf-8")
    with pytest.raises(config.ConfigError, match=re.escape(message)):
        config.load(toml, env)


def test_missing_config_file() -> None:
    with pytest.raises(config.ConfigError, match="not found"):
        config.load("/nonexistent/govmon.toml", {})


def test_secrets_never_in_repr() -> None:
    settings = config.Settings(smtp_password="hunter2", secret_key="s3cret")
    assert "hunter2" not in repr(settings) and "s3cret" not in repr(settings)
    assert "hunter2" not in str(settings.redacted())


def test_every_setting_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for f in fields(config.Settings):
        assert f"`{config.env_name(f.name)}`" in readme, f"{f.name} missing from README's configuration table"
        assert f"`{f.name}`" in readme


def test_only_config_reads_the_environment() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for package in ("monitor", "db", "crawler")
        for p in (ROOT / package).rglob("*.py")
        if p.name != "config.py" and re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_passwords_in_urls_are_masked_when_settings_are_shown() -> None:
    settings = config.load(
        environ={
            "GOVMON_DATABASE_URL": "postgresql://govmon:Db-S3cret@db.internal/govmon",
            "GOVMON_REDIS_URL": "redis://:Redis-S3cret@queue.internal:6379/0",
        }
    )
    shown = repr(settings) + str(settings.redacted())
    assert "Db-S3cret" not in shown and "Redis-S3cret" not in shown
    assert "db.internal/govmon" in shown and "queue.internal:6379/0" in shown
    assert settings.database_url.endswith("Db-S3cret@db.internal/govmon")  # the value itself is untouched
