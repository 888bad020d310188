"""Operations: `/healthz` (the database answers; age of the last successful crawl) and `/metrics` (Prometheus
text exposition format 0.0.4: documents, versions, figures, changes, subscribers, sources, crawl runs and
deliveries by state, documents held for review, the time of the last successful crawl).
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from monitor.service import reads
from monitor.web import forms

router = APIRouter(include_in_schema=False)
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    web = forms.state(request)
    found = await run_in_threadpool(reads.health, web.reader, web.now())
    return JSONResponse(
        found.to_json(), status_code=200 if found.database else 503, headers={"Cache-Control": "no-store"}
    )


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    web = forms.state(request)
    counts = await run_in_threadpool(reads.counts, web.reader)
    return PlainTextResponse(exposition(counts), media_type=PROMETHEUS, headers={"Cache-Control": "no-store"})


def exposition(c: reads.Counts) -> str:
    lines: list[str] = []
    _gauge(lines, "govmon_documents", "Stored documents (reports and plans).", [((), c.documents)])
    _gauge(lines, "govmon_document_versions", "Stored versions of documents.", [((), c.versions)])
    _labelled(lines, "govmon_figures", "Extracted figures by status.", "status", c.figures)
    _gauge(lines, "govmon_changes", "Stored changes against prior years.", [((), c.changes)])
    _labelled(lines, "govmon_subscribers", "Subscribers by status.", "status", c.subscribers)
    _labelled(lines, "govmon_sources", "Registered sources by health.", "health", c.sources)
    _labelled(lines, "govmon_crawl_runs", "Crawl runs by outcome.", "status", c.crawl_runs)
    _labelled(lines, "govmon_deliveries", "Outbox deliveries by state.", "status", c.deliveries)
    _gauge(lines, "govmon_documents_needing_review", "Documents held for review (govmon review).",
           [((), c.needs_review)])  # fmt: skip
    if c.last_successful_crawl is not None:
        stamp = c.last_successful_crawl.timestamp()
        _gauge(lines, "govmon_last_successful_crawl_timestamp_seconds", "When the last successful crawl finished.",
               [((), stamp)])  # fmt: skip
    return "\n".join(lines) + "\n"


def _labelled(lines: list[str], name: str, help_text: str, label: str, values: dict[str, int]) -> None:
    _gauge(lines, name, help_text, [(((label, key),), n) for key, n in sorted(values.items())])


def _gauge(
    lines: list[str], name: str, help_text: str, samples: Iterable[tuple[tuple[tuple[str, str], ...], float]]
) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        rendered = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
        number = str(value) if isinstance(value, int) else repr(float(value))
        lines.append(f"{name}{{{rendered}}} {number}" if labels else f"{name} {number}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
