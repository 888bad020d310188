"""One source's part of a batch crawl: its registry entry, health, counters, known documents and crawl run.

A crawl process crawls a batch of sources with one spider, so politeness is shared per host (Scrapy's download
slots), while everything the operator reads per source — health, the CrawlRun row, errors, document counts —
is kept here, one `SourceCrawl` per source, keyed by the `source` in each request's meta.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from crawler import cms
from crawler.cms import Family
from crawler.guard import Policy
from crawler.health import CrawlHealth
from crawler.sources import Source
from db.repository import KnownDocument


@dataclass
class SourceCrawl:
    source: Source
    family: Family | None  # None: detected on each list page (`cms: auto`)
    title_re: re.Pattern[str] | None
    policy: Policy
    health: CrawlHealth = field(default_factory=CrawlHealth)
    counts: Counter[str] = field(default_factory=Counter)
    known: dict[str, KnownDocument] = field(default_factory=dict)
    not_documents: dict[str, str] = field(default_factory=dict)  # URL → ISO date its page was found not a document
    complete_before: datetime | None = None  # end of the source's last crawl that was not interrupted
    scheduled: int = 0
    run_id: int | None = None
    skipped: str | None = None  # why this process does not crawl the source (another one holds its lock)
    job: str | None = None  # the crawl_jobs ledger row, when the crawl is a queued job
    verdict: tuple[str, str | None] = ("unknown", None)  # (health, reason) once the crawl ended
    lists: list[ListPage] = field(default_factory=list)  # the list pages fetched, as the next change probe asks
    links: set[str] = field(default_factory=set)  # the candidate articles those lists led to (normalised URLs)
    unsettled: str | None = None  # why these lists cannot vouch for the source at the next change probe
    confirmed: list[str] = field(default_factory=list)  # stored articles a 304 found current (normalised URLs)

    @classmethod
    def of(cls, source: Source) -> SourceCrawl:
        family = None if source.cms == "auto" else cms.family_for(source.cms)
        title_re = re.compile(source.title_pattern) if source.title_pattern else None
        return cls(source, family, title_re, Policy.of(source.domains, source.start_urls))

    @property
    def id(self) -> str:
        return self.source.id

    @property
    def active(self) -> bool:
        return self.skipped is None

    def count(self, key: str, value: int = 1) -> None:
        self.counts[key] += value

    def listed(self, response: Any) -> None:
        """A list page fetched with 200: kept as the next change probe will ask for it (a redirected one cannot
        vouch for its URL: the probe follows no redirect)."""
        if response.meta.get("redirect_urls"):
            self.unsettled = f"list page {response.meta['redirect_urls'][0]} redirects"
            return
        headers = response.headers
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        self.lists.append(ListPage(response.url, etag.decode("latin-1") if etag else None,
                                   modified.decode("latin-1") if modified else None,
                                   hashlib.sha256(response.body).hexdigest()))  # fmt: skip

    def settled_known(self, key: str) -> KnownDocument | None:
        """The stored document at this (normalised) URL, if a crawl that ran to its end fetched it (so its links
        were followed); one fetched by an interrupted crawl is fetched whole again."""
        known = self.known.get(key)
        if known is None or self.complete_before is None or aware(known.fetched_at) > aware(self.complete_before):
            return None
        return known

    def skip_reason(self, key: str, revisit: timedelta, not_document_revisit: timedelta,
                    now: datetime | None = None) -> str | None:  # fmt: skip
        """Why a candidate link (its normalised URL) is not fetched now: `skipped/known` (stored, fresh) or
        `skipped/not_document` (found no document lately); None when it is due. The spider and the change
        probe (`crawler.probe`) ask this same question."""
        now = now or datetime.now(UTC)
        known = self.settled_known(key)
        if known is not None:
            return "skipped/known" if now - aware(known.confirmed_at) < revisit else None
        found = self.not_documents.get(key)
        if found is None:
            return None
        try:
            age = now.date() - date.fromisoformat(found)
        except ValueError:
            age = not_document_revisit
        return "skipped/not_document" if age < not_document_revisit else None

    def probe_record(self) -> dict[str, object] | None:
        """What the next change probe needs from this crawl: its list pages with their validators and body
        hashes, and the candidates they led to; None when the crawl cannot vouch for them (see `unsettled`)."""
        if self.unsettled or not self.lists or self.verdict[0] != "ok":
            return None
        return {"config": fingerprint(self.source), "lists": [page.as_json() for page in self.lists],
                "links": sorted(self.links)}  # fmt: skip

    def prefixed(self, prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in self.counts.items() if k.startswith(prefix) and v}


@dataclass(frozen=True)
class ListPage:
    """A list page as a crawl fetched it: its URL, the validators it came with, the SHA-256 of its body."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str

    def as_json(self) -> list[str | None]:
        return [self.url, self.etag, self.last_modified, self.sha256]

    @classmethod
    def of_json(cls, value: object) -> ListPage | None:
        if not isinstance(value, list) or len(value) != 4 or not all(v is None or isinstance(v, str) for v in value):
            return None
        url, etag, modified, digest = value
        return cls(url, etag, modified, digest) if url and digest else None


def fingerprint(source: Source) -> str:
    """The source's registry entry and the code that reads its lists: when either changes, a list page that did
    not change may still lead elsewhere, so the probe's record of it no longer counts."""
    entry = json.dumps({f.name: getattr(source, f.name) for f in fields(source)}, sort_keys=True, default=str)
    return hashlib.sha256(f"{_code_version()}\n{entry}".encode()).hexdigest()[:32]


@cache
def _code_version() -> str:
    """A hash of the modules that decide what a list page yields (CMS families, page roles, the spider, the
    document-type rules)."""
    root = Path(__file__).resolve().parent
    vocabulary = root.parent / "monitor" / "vocabulary"
    files = [*sorted((root / "cms").glob("*.py")), root / "roles.py", root / "spiders" / "reports.py",
             vocabulary / "doc_types.yaml", vocabulary / "doctypes.py"]  # fmt: skip
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes() if path.is_file() else path.name.encode())
    return digest.hexdigest()


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
