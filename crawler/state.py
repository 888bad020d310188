"""One source's part of a batch crawl: its registry entry, health, counters, known documents and crawl run.

A crawl process crawls a batch of sources with one spider, so politeness is shared per host (Scrapy's download
slots), while everything the operator reads per source — health, the CrawlRun row, errors, document counts —
is kept here, one `SourceCrawl` per source, keyed by the `source` in each request's meta.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

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

    def prefixed(self, prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in self.counts.items() if k.startswith(prefix) and v}
