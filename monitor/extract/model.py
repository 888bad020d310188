"""Typed records produced by extraction (the §4 JSON contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["target", "achieved", "expected"]
Kind = Literal["level", "growth", "increment", "share"]


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["span"] = list(self.span)
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": asdict(self.document),
            "targets": [t.to_dict() for t in self.targets],
            "priorities": [p.to_dict() for p in self.priorities],
        }
