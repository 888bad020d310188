"""Settings: the one place that reads environment variables and the optional TOML file.

Precedence, lowest first: built-in defaults, the TOML file (`--config FILE`, else `$GOVMON_CONFIG`, else
`./govmon.toml` when present), environment variables `GOVMON_<NAME>`, command-line flags. Every setting is a
field of `Settings`; its environment variable is `GOVMON_` + the field name in capitals, its TOML key is the
field name. README's configuration table lists them all (a test checks).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

SECRET_FIELDS = frozenset({"smtp_password", "secret_key"})
URL_FIELDS = ("database_url", "redis_url")  # may carry a password: user:password@host


class ConfigError(Exception):
    """A setting is missing, malformed or of the wrong type."""


def _default_url() -> str:
    return f"sqlite:///{Path('var') / 'govmon.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_url, metadata={"doc": "SQLAlchemy URL of the database"})
    data_dir: str = field(default="var", metadata={"doc": "where digests, archive site and logs are written"})
    sources_file: str = field(default="", metadata={"doc": "source registry YAML (empty: the bundled one)"})
    smtp_host: str = field(default="localhost", metadata={"doc": "SMTP server for digests"})
    smtp_port: int = field(default=25, metadata={"doc": "SMTP port"})
    smtp_security: str = field(default="none", metadata={"doc": "none, starttls or ssl"})
    smtp_user: str = field(default="", metadata={"doc": "SMTP login (empty: no AUTH)"})
    smtp_password: str = field(default="", metadata={"doc": "SMTP password (never logged)"})
    smtp_from: str = field(default="govmon <govmon@localhost>", metadata={"doc": "From: header of digests"})
    smtp_timeout: float = field(default=30.0, metadata={"doc": "seconds before an SMTP call gives up"})
    mail_dir: str = field(default="", metadata={"doc": "deliver digests as .eml files here instead of SMTP"})
    redis_url: str = field(
        default="",
        metadata={"doc": "Redis broker of crawl workers, e.g. redis://127.0.0.1:6379/0 (empty: crawl on this machine)"},
    )
    queue: str = field(
        default="govmon", metadata={"doc": "name of the crawl-job queue in Redis; workers and scheduler must agree"}
    )
    job_redelivery: float = field(
        default=3600.0,
        metadata={"doc": "seconds before a crawl job whose worker died is delivered again (above the longest crawl)"},
    )
    crawl_batch: int = field(
        default=1500,
        metadata={
            "doc": "most sources per crawl process (one Scrapy run; a host's sources stay together; the "
            "sources of a cycle are shared evenly between the parallel processes)"
        },
    )
    secret_key: str = field(
        default="", metadata={"doc": "signs the links in mails and the web forms' CSRF tokens (set it in production)"}
    )
    base_url: str = field(
        default="http://localhost:8000",
        metadata={"doc": "public URL of `govmon serve` (https in production): links in mails and feeds"},
    )
    unsubscribe_mailbox: str = field(
        default="",
        metadata={"doc": "address for mailto: unsubscribes in List-Unsubscribe (its mail is for the operator)"},
    )
    digest_hour: int = field(default=8, metadata={"doc": "local hour of daily and weekly digests"})
    timezone: str = field(default="Asia/Shanghai", metadata={"doc": "time zone of schedules and dates"})
    user_agent: str = field(
        default="govmon/0.1 (government report monitor)",
        metadata={"doc": "User-Agent sent by the crawler and the delivery channels"},
    )
    channel_timeout: float = field(
        default=10.0, metadata={"doc": "seconds before a webhook or chat-robot request gives up"}
    )
    channel_private_origins: str = field(
        default="",
        metadata={"doc": "host:port pairs (comma-separated) that channel URLs may reach although private or loopback"},
    )

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def redacted(self) -> dict[str, Any]:
        """All settings with secrets masked, for `govmon config` and logs."""
        out = dataclasses.asdict(self)
        for name in SECRET_FIELDS:
            out[name] = "***" if out[name] else ""
        for name in URL_FIELDS:
            out[name] = _without_password(out[name])
        return out

    def __repr__(self) -> str:
        return f"Settings({self.redacted()!r})"


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True) if url else url
    except Exception:  # not a URL SQLAlchemy can parse: show the scheme only
        return url.split(":", 1)[0] + ":***" if "@" in url else url


def env_name(name: str) -> str:
    return f"GOVMON_{name.upper()}"


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment of a govmon subprocess: this one's, with the database URL these settings use (it may come
    from a flag). Settings go to children this way, never on the command line, which any local user can read."""
    return {**os.environ, env_name("database_url"): settings.database_url}


def export_for_workers(settings: Settings) -> None:
    """Put every setting into this process's environment as its GOVMON_* variable, for worker processes started
    afresh (`govmon serve --workers N`): they read their settings again and must get exactly these, flags
    included, without any of them on a command line."""
    os.environ.update({env_name(f.name): str(getattr(settings, f.name)) for f in fields(Settings)})


def load(config_file: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from defaults, the TOML file and the environment."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = _config_path(config_file, env)
    if path is not None:
        values.update(_read_toml(path))
    for f in fields(Settings):
        if env_name(f.name) in env:
            values[f.name] = env[env_name(f.name)]
    return Settings(**{name: _coerce(name, value) for name, value in values.items()})


def _config_path(config_file: str | Path | None, env: Mapping[str, str]) -> Path | None:
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path} not found: check --config or GOVMON_CONFIG")
        return path
    if env.get("GOVMON_CONFIG"):
        return _config_path(env["GOVMON_CONFIG"], {})
    local = Path("govmon.toml")
    return local if local.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return data


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name} ({env_name(name)}) must be a number, not {value!r}") from exc
    return str(value)
