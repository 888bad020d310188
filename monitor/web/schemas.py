"""The shapes of the JSON API, for its OpenAPI description. Answers are built by `monitor.service.reads` with
the field names of the CLI's `--json` output; these models document them (they are not used to build answers).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Document(BaseModel):
    """A stored document, as `govmon documents --json` prints it."""

    id: int
    url: str
    title: str
    region: str
    doc_type: str
    report_year: int | None
    published_at: str | None
    source_id: str | None
    versions: int


class Target(BaseModel):
    """A figure, as `govmon extract --json` prints it (`status`: target, achieved or expected)."""

    metric: str
    metric_key: str | None
    phrase: str
    value: float
    value_max: float | None
    unit: str
    qualifier: str | None
    kind: str
    status: str
    year: int | None
    sentence: str
    span: list[int]
    raw: str


class Change(BaseModel):
    """A change against the prior year, as `govmon diff --json` prints it."""

    metric: str
    metric_key: str | None
    change: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    significance: float
    ambition: dict[str, Any] | None


class Priority(BaseModel):
    theme: str
    weight: float
    count: int


class DocumentDetail(BaseModel):
    document: Document
    compared_with: Document | None
    targets: list[Target]
    priorities: list[Priority]
    changes: list[Change]
    priority_changes: dict[str, list[dict[str, Any]]]


class HistoryPoint(BaseModel):
    """One year of `govmon history --json`: that year's target and the result it reports for the year before."""

    year: int
    document_id: int
    url: str
    target: Target | None
    result: Target | None


class Source(BaseModel):
    """A source with its health, in the field names of `govmon sources list --json`, and its last crawl run."""

    id: str
    name: str
    region: str
    level: str
    cms: str
    start_urls: list[str]
    health: str
    last_error: str | None
    last_crawled_at: str | None
    documents: int
    last_run: dict[str, Any] | None


class Choice(BaseModel):
    key: str
    name: str


class Catalogue(BaseModel):
    """What subscribers and the API's filters accept."""

    regions: list[str]
    metrics: list[Choice]
    themes: list[str]
    doc_types: list[Choice]


class Problem(BaseModel):
    detail: str


class ComparisonRow(BaseModel):
    """One region of a comparison: its target of the year, last year's target and result, change and gap."""

    region: str
    level: str
    document_id: int
    prior_document_id: int | None
    target: Target | None
    prior_target: Target | None
    prior_result: Target | None
    change: str | None
    gap: float | None


class Comparison(BaseModel):
    """One metric across every region that reported a year, as `govmon compare --json` prints it."""

    metric: str
    metric_key: str
    year: int
    level: str
    summary: dict[str, Any]
    rows: list[ComparisonRow]


class ComparisonMatrix(BaseModel):
    """Regions × headline metrics of a year, as `govmon compare --headline --json` prints it."""

    year: int
    level: str
    metrics: list[dict[str, Any]]
    rows: list[dict[str, Any]]
