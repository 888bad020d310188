"""Sub-commands of `govmon`, one module per area; each exposes `register(group)`."""

from __future__ import annotations

import click

from monitor.commands import analysis, crawl, database, digests, site, sources, store

MODULES = (database, sources, analysis, store, crawl, digests, site)


def register_all(group: click.Group) -> None:
    for module in MODULES:
        module.register(group)
