"""What a crawl learned about its source's health: blocked by a challenge, broken lists, or ok."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CrawlHealth:
    """Filled in by the spider as it goes; read by the CrawlRun recorder when the spider closes."""

    list_pages: int = 0
    links: int = 0
    candidates: int = 0
    blocked: str | None = None
    list_failures: list[str] = field(default_factory=list)

    def block(self, url: str, reason: str) -> None:
        if self.blocked is None:
            self.blocked = f"{reason} at {url}"

    def list_failed(self, url: str, reason: str) -> None:
        self.list_failures.append(f"{reason} at {url}")

    def verdict(self) -> tuple[str, str | None]:
        """(health, reason): blocked beats broken beats ok."""
        if self.blocked:
            return "blocked", self.blocked
        if self.list_pages == 0 and self.list_failures:
            return "broken", "no list page could be fetched: " + "; ".join(self.list_failures[:3])
        if self.list_pages and self.links == 0:
            return "broken", f"{self.list_pages} list page(s) yielded no links (the site layout may have changed)"
        return "ok", None
