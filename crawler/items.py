"""The item a spider yields: one fetched document, before classification and storage.

It is the store's record of a fetched document (`db.repository.FetchedDocument`) plus what only the crawl knows:
the title the listing gave the link, which classification falls back on when the page's own title says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.repository import FetchedDocument


@dataclass
class DocumentItem(FetchedDocument):
    listed_title: str = ""
