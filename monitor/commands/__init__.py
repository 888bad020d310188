"""Sub-commands of `govmon`, one module per area; each exposes `register(group)`."""

from __future__ import annotations

import click

from monitor.commands import database, sources

MODULES = (database, sources)


def register_all(group: click.Group) -> None:
    for module in MODULES:
        module.register(group)
