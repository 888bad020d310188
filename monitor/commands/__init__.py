"""Sub-commands of `govmon`, one module per area; each exposes `register(group)`."""

from __future__ import annotations

import click

from monitor.commands import (
    analysis,
    compare,
    crawl,
    database,
    demo,
    digests,
    operate,
    review,
    serve,
    site,
    sources,
    store,
)

MODULES = (database, sources, analysis, compare, store, review, crawl, digests, operate, site, serve, demo)

# The one-line descriptions of `govmon --help` (the full text is each command's own --help).
SHORT_HELP = {
    "init": "Create or upgrade the database (safe to repeat).",
    "documents": "List stored reports and plans, newest first.",
    "sources": "The source registry and each source's health.",
    "extract": "Targets and results of one file, no database needed.",
    "diff": "What changed between two reports (files or ids).",
    "import": "Store local files as documents (backfill).",
    "reprocess": "Re-extract and re-diff stored versions.",
    "history": "A metric's targets and results across years.",
    "compare": "One metric across every region, or the headline matrix.",
    "review": "Documents flagged for review; --accept ID.",
    "crawl": "Crawl registry sources for new reports and plans.",
    "subscribers": "Add, list and remove digest subscribers.",
    "metrics": "Metric keys with their Chinese names.",
    "serve": "The web face: subscriptions, live archive, JSON API.",
    "digest": "Build due digests and send them (or write .eml).",
    "run": "One full cycle: crawl, extract, diff, digests.",
    "schedule": "The scheduler daemon (APScheduler).",
    "status": "Source health, runs, next jobs, deliveries, reviews.",
    "worker": "A crawl worker taking jobs from Redis.",
    "enqueue": "Queue crawls of all sources for the workers.",
    "site": "Build the static archive site and Atom feed.",
    "demo": "The whole flow on a bundled offline demo site.",
}


def register_all(group: click.Group) -> None:
    for module in MODULES:
        module.register(group)
    for name, command in group.commands.items():
        command.short_help = SHORT_HELP.get(name, command.short_help)
