"""What a crawl learned about its source's health: blocked by a challenge, broken lists, or ok."""

from __future__ import annotations

from dataclasses import dataclass, field

JS_LIST = "list drawn by JavaScript: set render_js: true"


@dataclass
class CrawlHealth:
    """Filled in by the spider as it goes; read by the CrawlRun recorder when the spider closes."""

    list_pages: int = 0
    links: int = 0
    item_links: int = 0  # links that point at items (dated, article-shaped), not at menus or other lists
    candidates: int = 0
    blocked: str | None = None
    list_failures: list[str] = field(default_factory=list)
    script_drawn: str | None = None  # a list page whose items a script draws in the browser
    rendered: bool = False  # the source's pages went through a browser
    had_documents: bool = False  # the source yielded documents in earlier crawls

    def block(self, url: str, reason: str) -> None:
        if self.blocked is None:
            self.blocked = f"{reason} at {url}"

    def list_failed(self, url: str, reason: str) -> None:
        self.list_failures.append(f"{reason} at {url}")

    def drawn_by_script(self, url: str) -> None:
        self.script_drawn = self.script_drawn or url

    def verdict(self) -> tuple[str, str | None]:
        """(health, reason): blocked beats broken beats ok."""
        if self.blocked:
            return "blocked", self.blocked
        if self.list_pages == 0 and self.list_failures:
            return "broken", "no list page could be fetched: " + "; ".join(self.list_failures[:3])
        if self.list_pages and self.item_links == 0:
            return "broken", self._empty_lists()
        return "ok", None

    def _empty_lists(self) -> str:
        if self.script_drawn and not self.rendered:
            return f"{JS_LIST} ({self.script_drawn} has no items in its HTML)"
        if self.script_drawn:
            return f"list drawn by JavaScript is still empty after rendering ({self.script_drawn})"
        before = "; it yielded documents before, so the site layout has likely changed" if self.had_documents else ""
        what = f"{self.links} links, none to an article" if self.links else "no links"
        return f"{self.list_pages} list page(s) yielded {what}{before}"
