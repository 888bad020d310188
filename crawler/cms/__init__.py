"""CMS families: one small module each, all exposing the same pure functions (see `Family`).

`family_for(name)` returns the registry's choice; `detect(response)` picks one for `cms: auto` from the markup
of a list page, falling back to `generic`, which works on a site it has never seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scrapy.http import TextResponse

from crawler.cms.common import Link


@dataclass(frozen=True)
class Family:
    """What the spider needs from a CMS family; every field is a pure function of a response."""

    name: str
    detect: Callable[[TextResponse], bool]
    list_links: Callable[[TextResponse], list[Link]]
    next_pages: Callable[[TextResponse, int], list[str]]
    body_selectors: tuple[str, ...]
    title_selectors: tuple[str, ...] = ()
    article_url: re.Pattern[str] | None = None  # what the family's article addresses look like


def _families() -> dict[str, Family]:
    from crawler.cms import anhui, generic, gkmlpt, jcms, trs, ucap

    return {f.name: f for f in (gkmlpt.FAMILY, jcms.FAMILY, anhui.FAMILY, trs.FAMILY, ucap.FAMILY, generic.FAMILY)}


def family_for(name: str) -> Family:
    """The family named in the registry (`auto` means generic until a list page is seen)."""
    families = _families()
    return families.get(name, families["generic"])


def detect(response: TextResponse) -> Family:
    """The first family whose markers the page carries; generic otherwise."""
    families = _families()
    return next((f for f in families.values() if f.name != "generic" and f.detect(response)), families["generic"])
