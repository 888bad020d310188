"""What the web app keeps between requests: settings, engines, the secret, rate limiters and rendered pages.

Rendered archive pages and API answers are kept per path until the archive's fingerprint changes (a new document,
version, extraction or diff); the fingerprint is read at most once per `PageCache.ttl` seconds, so under load a
page costs a dictionary lookup, and a change shows within that time. Each answer carries an ETag (a hash of its
bytes) and, when known, a Last-Modified (the last processing), so clients revalidate with 304s.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.service.catalogue import Catalogue, load_catalogue
from monitor.web.security import RateLimiter


@dataclass(frozen=True)
class Limits:
    """Sign-ups allowed per client address and per e-mail address in a window of seconds."""

    per_client: int = 10
    per_email: int = 3
    window: float = 3600.0


@dataclass(frozen=True)
class Cached:
    body: bytes
    media_type: str
    etag: str
    last_modified: str | None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class PageCache:
    ttl: float = 1.0
    size: int = 1024
    _entries: OrderedDict[str, tuple[str, Cached | None]] = field(default_factory=OrderedDict)
    _fingerprint: tuple[float, str, str | None] = (0.0, "", None)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fresh(self) -> tuple[str, str | None] | None:
        """The fingerprint read less than `ttl` ago, else None (the caller reads it again)."""
        read_at, key, modified = self._fingerprint
        return (key, modified) if time.monotonic() - read_at < self.ttl else None

    def remember(self, key: str, last_processed: datetime | None) -> tuple[str, str | None]:
        modified = format_datetime(last_processed.astimezone(UTC), usegmt=True) if last_processed else None
        self._fingerprint = (time.monotonic(), key, modified)
        return key, modified

    def get(self, path: str, fingerprint: str) -> tuple[bool, Cached | None]:
        """(found, page): a page rendered for this fingerprint; found with None for a known 404."""
        with self._lock:
            entry = self._entries.get(path)
            if entry is None or entry[0] != fingerprint:
                return False, None
            self._entries.move_to_end(path)
            return True, entry[1]

    def put(self, path: str, fingerprint: str, page: Cached | None) -> None:
        with self._lock:
            self._entries[path] = (fingerprint, page)
            self._entries.move_to_end(path)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def cached(
    body: bytes, media_type: str, last_modified: str | None, headers: tuple[tuple[str, str], ...] = ()
) -> Cached:
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return Cached(body, media_type, etag, last_modified, headers)


@dataclass
class WebState:
    settings: Settings
    engine: Engine  # writes: sign-ups, confirmations, unsubscribes
    reader: Engine  # reads: the archive and the API
    secret: bytes
    per_client: RateLimiter
    per_email: RateLimiter
    pages: PageCache = field(default_factory=PageCache)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    send_notice: Callable[[int], object] | None = None  # sends a queued sign-up mail now
    catalogue_ttl: float = 60.0
    _catalogue: tuple[float, Catalogue] | None = None

    def catalogue(self) -> Catalogue:
        if self._catalogue is None or time.monotonic() - self._catalogue[0] > self.catalogue_ttl:
            self._catalogue = (time.monotonic(), load_catalogue(self.reader, self.settings))
        return self._catalogue[1]

    @property
    def cookie_path(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.settings.base_url).path.rstrip("/") or "/"
