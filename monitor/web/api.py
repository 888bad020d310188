"""The JSON API under `/api/v1/`: documents (filtered, paginated), one document with its figures and changes, a
region × metric history, sources and their health, and the filter catalogue. Field names are those of the CLI's
`--json` output; the OpenAPI description is at `/api/v1/openapi.json`.

`/api/v1/documents` answers with the list `govmon documents --json` prints, one page of it; the total is in
`X-Total-Count` and the neighbouring pages in a `Link` header (rel="next"/"prev"), so the body keeps the CLI's
shape.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.reads import DocumentQuery
from monitor.service import reads
from monitor.web import forms, schemas
from monitor.web.archive import serve_cached
from monitor.web.state import Cached, cached

router = APIRouter(prefix="/api/v1", tags=["api"])
DocType = Literal["work_report", "plan", "summary", "other"]
JSON = "application/json"


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _links(base: str, params: dict[str, Any], found: reads.DocumentList) -> str:
    def url(page: int) -> str:
        query = {k: v for k, v in params.items() if v is not None} | {"page": page, "per_page": found.per_page}
        return f"<{base}/api/v1/documents?{urlencode(query)}>"

    links = []
    if found.page < found.pages:
        links.append(f'{url(found.page + 1)}; rel="next"')
    if found.page > 1:
        links.append(f'{url(found.page - 1)}; rel="prev"')
    return ", ".join(links)


@router.get("/documents", response_model=list[schemas.Document])
async def documents(request: Request, region: str | None = Query(None, max_length=50),
                    doc_type: DocType | None = None, year: int | None = Query(None, ge=1949, le=2100),
                    page: int = Query(1, ge=1, le=1_000_000),
                    per_page: int = Query(50, ge=1, le=reads.MAX_PER_PAGE)) -> Response:  # fmt: skip
    """Stored documents, newest first, one page at a time."""
    web = forms.state(request)
    query = DocumentQuery(region or None, doc_type, year)
    base = web.settings.base_url.rstrip("/")

    def produce(modified: str | None) -> Cached:
        found = reads.list_documents(web.reader, query, page, per_page)
        headers = [("X-Total-Count", str(found.total))]
        link = _links(base, {"region": region, "doc_type": doc_type, "year": year}, found)
        return cached(_json(found.items), JSON, modified, tuple(headers + ([("Link", link)] if link else [])))

    key = f"api:documents:{region}:{doc_type}:{year}:{page}:{per_page}"
    return await serve_cached(request, key, produce) or _problem(404, "no such page")


@router.get("/documents/{document_id}", response_model=schemas.DocumentDetail,
            responses={404: {"model": schemas.Problem}})  # fmt: skip
async def document(request: Request, document_id: int) -> Response:
    """One document with its figures (targets, results, estimates), priorities and changes against the prior year."""
    web = forms.state(request)

    def produce(modified: str | None) -> Cached | None:
        found = reads.document_detail(web.reader, document_id)
        return None if found is None else cached(_json(found), JSON, modified)

    answer = await serve_cached(request, f"api:document:{document_id}", produce)
    return answer or _problem(404, f"no document {document_id}: see /api/v1/documents")


@router.get("/history", response_model=list[schemas.HistoryPoint], responses={404: {"model": schemas.Problem}})
async def history(request: Request, region: str = Query(..., max_length=50), metric: str = Query(..., max_length=80),
                  doc_type: DocType = "work_report") -> Response:  # fmt: skip
    """A metric's target and reported result in each stored year of a region (`govmon history --json`)."""
    web = forms.state(request)

    def produce(modified: str | None) -> Cached | None:
        points = reads.metric_history(web.reader, region, metric, doc_type)
        return cached(_json(points), JSON, modified) if points else None

    answer = await serve_cached(request, f"api:history:{region}:{metric}:{doc_type}", produce)
    return answer or _problem(404, f"no stored {doc_type} of {region} mentions {metric}: see /api/v1/catalogue")


@router.get("/compare", response_model=schemas.Comparison | schemas.ComparisonMatrix,
            responses={400: {"model": schemas.Problem}, 404: {"model": schemas.Problem}})  # fmt: skip
async def compare(request: Request, metric: str | None = Query(None, max_length=80),
                  year: int | None = Query(None, ge=1949, le=2100),
                  level: Literal["province", "city", "all"] = "province",
                  doc_type: Literal["work_report", "plan"] = "work_report") -> Response:  # fmt: skip
    """One metric (key or Chinese name) across every region that reported a year (`govmon compare --json`);
    without `metric`, the regions × headline metrics matrix (`govmon compare --headline --json`)."""
    from monitor.compare import UnknownMetric, resolve_metric
    from monitor.service.comparisons import NothingToCompare, load_matrix, load_table

    web = forms.state(request)
    try:
        key = resolve_metric(metric) if metric else None
    except UnknownMetric as exc:
        return _problem(400, str(exc))

    def produce(modified: str | None) -> Cached | None:
        try:
            found = (load_table(web.reader, key, year, level, doc_type) if key
                     else load_matrix(web.reader, year, level, doc_type))  # fmt: skip
        except NothingToCompare:
            return None
        return cached(_json(found.to_dict()), JSON, modified)

    answer = await serve_cached(request, f"api:compare:{key}:{year}:{level}:{doc_type}", produce)
    return answer or _problem(404, f"no {doc_type} of {year or 'any year'} is stored for level {level}")


@router.get("/sources", response_model=list[schemas.Source])
async def sources(request: Request) -> Response:
    """Every registered source with its health, document count and last crawl run."""
    web = forms.state(request)
    found = await run_in_threadpool(reads.sources, web.reader)
    return Response(_json(found), media_type=JSON, headers={"Cache-Control": "no-cache"})


@router.get("/catalogue", response_model=schemas.Catalogue)
async def catalogue(request: Request) -> Response:
    """Regions, metrics (key and Chinese name), themes and document types that filters accept."""
    web = forms.state(request)
    c = await run_in_threadpool(web.catalogue)
    data = {
        "regions": list(c.regions),
        "metrics": [{"key": m.value, "name": m.label} for m in c.metrics],
        "themes": list(c.themes),
        "doc_types": [{"key": d.value, "name": d.label} for d in c.doc_types],
    }
    return Response(_json(data), media_type=JSON)
