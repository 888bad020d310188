"""Typed records produced by extraction (the §4 JSON contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["target", "achieved", "expected"]
Kind = Literal["level", "growth", "increment", "share", "reduction", "cap", "cumulative"]
KINDS: tuple[Kind, ...] = ("level", "growth", "increment", "share", "reduction", "cap", "cumulative")


@dataclass(slots=True)
class DocumentInfo:
    """What the document is: given by the caller or inferred from the text."""

    title: str | None = None
    region: str | None = None
    year: int | None = None
    doc_type: str | None = None
    url: str | None = None


@dataclass(slots=True)
class Target:
    """One quantitative figure: a goal, a result or an estimate."""

    metric: str
    metric_key: str | None
    phrase: str
    value: float
    value_max: float | None
    unit: str | None
    qualifier: str | None
    kind: Kind
    status: Status
    year: int | None
    sentence: str
    span: tuple[int, int]
    raw: str
    headline: bool = False
    section: str = ""
    term: tuple[int, int] | None = None  # (first, last) year of a multi-year goal or result; `year` is then last
    confidence: float = 1.0  # how sure the extractor is of name, measure, status and period together

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["span"] = list(self.span)
        data["term"] = list(self.term) if self.term else None
        return data


@dataclass(slots=True)
class Priority:
    """A theme (or keyword) and how strongly the document stresses it."""

    theme: str
    weight: float
    count: int
    sentences: list[str] = field(default_factory=list)
    source: str = "theme"

    def to_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "weight": self.weight, "count": self.count}


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one document."""

    document: DocumentInfo
    targets: list[Target]
    priorities: list[Priority]
    text: str = ""

    review: list[str] = field(default_factory=list)  # why the document needs a human look, if it does

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": asdict(self.document),
            "targets": [t.to_dict() for t in self.targets],
            "priorities": [p.to_dict() for p in self.priorities],
            "needs_review": self.review,
        }
