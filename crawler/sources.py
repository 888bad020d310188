"""The source registry: load `sources.yaml`, validate every entry, and say exactly what is wrong.

Only `id`, `region` and `start_urls` are required: adding a site should take three lines, so everything else
has a default with which the generic spider can work a site it has never seen.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import Node, SequenceNode

from crawler import bounded_yaml
from db.repository import DOC_TYPES, LEVELS, SourceSpec
from monitor.vocabulary import WANTED_DOC_TYPES

CMS_FAMILIES = ("auto", "trs", "jcms", "ucap", "gkmlpt", "anhui", "generic")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
KNOWN_FIELDS = frozenset(
    {
        "id", "name", "region", "level", "start_urls", "cms", "doc_types", "allowed_domains", "selectors",
        "title_pattern", "max_pages", "schedule", "render_js", "multi_region", "enabled", "notes", "api",
    }
)  # fmt: skip


class RegistryError(ValueError):
    """A registry file or entry is invalid; the message names the entry and the field."""


@dataclass(frozen=True)
class Source:
    id: str
    region: str
    start_urls: tuple[str, ...]
    name: str = ""
    level: str = "other"
    cms: str = "auto"
    doc_types: tuple[str, ...] = WANTED_DOC_TYPES
    allowed_domains: tuple[str, ...] = ()
    selectors: dict[str, str] = field(default_factory=dict)
    title_pattern: str | None = None
    max_pages: int = 3
    schedule: str | None = None
    render_js: bool = False
    multi_region: bool = False
    enabled: bool = True
    api: dict[str, Any] = field(default_factory=dict)

    @property
    def domains(self) -> tuple[str, ...]:
        """Hosts the spider may visit: the declared ones, else the hosts of the start URLs."""
        if self.allowed_domains:
            return self.allowed_domains
        return tuple(sorted({urlsplit(u).hostname or "" for u in self.start_urls}))

    def entry(self) -> dict[str, Any]:
        """The registry entry as plain YAML/JSON data; `parse_entry(source.entry())` gives the source back."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def spec(self) -> SourceSpec:
        """The entry as the database keeps it (its config as JSON reads it back: lists, so an unchanged entry
        compares equal to its stored row and is not written again)."""
        config = {k: v for k, v in self.entry().items() if k not in ("id", "region", "name", "level")}
        return SourceSpec(id=self.id, region=self.region, name=self.name, level=self.level, config=config)


def _plain(value: Any) -> Any:
    """A field's value as YAML/JSON data: tuples as lists, mappings copied."""
    if isinstance(value, tuple):
        return list(value)
    return copy.deepcopy(value) if isinstance(value, dict) and value else ({} if isinstance(value, dict) else value)


def bundled_registry() -> Path:
    return Path(str(resources.files("crawler") / "sources.yaml"))


def load_registry(path: str | Path | None = None) -> list[Source]:
    """Parse and validate a registry file (the bundled one by default)."""
    path = Path(path) if path else bundled_registry()
    data = _read_yaml(path)
    if isinstance(data, dict) and "sources" in data:
        data = data["sources"]
    if not isinstance(data, list):
        raise RegistryError(f"registry {path}: expected a list of sources")
    sources = [parse_entry(entry, index) for index, entry in enumerate(data)]
    _check_unique(sources)
    return sources


def _read_yaml(path: Path) -> Any:
    """The registry's data, refused before it is built when it is larger or deeper than a registry can be."""
    try:
        if path.is_dir():
            raise RegistryError(f"registry {path} is a directory: pass a YAML file")
        if path.stat().st_size > bounded_yaml.MAX_BYTES:
            raise RegistryError(f"registry {path} is larger than {bounded_yaml.MAX_BYTES // 2**20} MB")
        node, loader = bounded_yaml.compose(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegistryError(f"registry {path} not found") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"registry {path} is not UTF-8 text") from exc
    except bounded_yaml.YamlTooLarge as exc:
        raise RegistryError(f"registry {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"registry {path} is not valid YAML: {exc}") from exc
    if node is not None:
        _check_size(node, path)
    return bounded_yaml.construct(loader, node)


def _check_size(document: Node, path: Path) -> None:
    """Each entry within its own bound (so the message names it), then the whole file."""
    entries = bounded_yaml.mapping_node(document, "sources") or document
    memo: dict[int, bounded_yaml.Size] = {}  # the whole file's measure reuses its entries'
    try:
        for index, entry in enumerate(bounded_yaml.children(entries) if isinstance(entries, SequenceNode) else ()):
            name = bounded_yaml.mapping_value(entry, "id") or f"#{index + 1}"
            bounded_yaml.check(entry, f"source {name}", bounded_yaml.MAX_ENTRY_NODES,
                               bounded_yaml.MAX_ENTRY_DEPTH, memo)  # fmt: skip
        bounded_yaml.check(document, f"registry {path}", bounded_yaml.MAX_NODES, memo=memo)
    except bounded_yaml.YamlTooLarge as exc:
        raise RegistryError(str(exc)) from None


def parse_entry(entry: Any, index: int = 0) -> Source:
    if not isinstance(entry, dict):
        raise RegistryError(f"entry #{index + 1}: expected a mapping, got {type(entry).__name__}")
    name = str(entry.get("id") or f"#{index + 1}")
    unknown = sorted(str(key) for key in set(entry) - KNOWN_FIELDS)
    if unknown:
        raise RegistryError(f"source {name}: unknown field {unknown[0]!r}")
    for required in ("id", "region", "start_urls"):
        if not entry.get(required):
            raise RegistryError(f"source {name}: field {required!r} is required")
    _check(ID_PATTERN.match(str(entry["id"])), name, "id", "lower-case letters, digits, - and _")
    urls = _as_tuple(entry["start_urls"], name, "start_urls")
    for url in urls:
        _check_start_url(url, name)
    _check(entry.get("level", "other") in LEVELS, name, "level", f"one of {', '.join(LEVELS)}")
    _check(entry.get("cms", "auto") in CMS_FAMILIES, name, "cms", f"one of {', '.join(CMS_FAMILIES)}")
    doc_types = _as_tuple(entry.get("doc_types", Source.doc_types), name, "doc_types")
    for doc_type in doc_types:
        _check(doc_type in DOC_TYPES, name, "doc_types", f"each one of {', '.join(DOC_TYPES)}")
    max_pages = entry.get("max_pages", Source.max_pages)
    _check(isinstance(max_pages, int) and 1 <= max_pages <= 100, name, "max_pages", "an integer 1–100")
    _check_pattern(entry.get("title_pattern"), name)
    return Source(
        id=str(entry["id"]),
        region=str(entry["region"]),
        start_urls=urls,
        name=str(entry.get("name", "")),
        level=entry.get("level", "other"),
        cms=entry.get("cms", "auto"),
        doc_types=doc_types,
        allowed_domains=_as_tuple(entry.get("allowed_domains", ()), name, "allowed_domains"),
        selectors=dict(entry.get("selectors") or {}),
        title_pattern=entry.get("title_pattern"),
        max_pages=max_pages,
        schedule=entry.get("schedule"),
        render_js=bool(entry.get("render_js", False)),
        multi_region=bool(entry.get("multi_region", False)),
        enabled=bool(entry.get("enabled", True)),
        api=dict(entry.get("api") or {}),
    )


def _check(ok: Any, name: str, field_name: str, expected: str) -> None:
    if not ok:
        raise RegistryError(f"source {name}: field {field_name!r} is invalid (expected {expected})")


def _check_start_url(url: str, name: str) -> None:
    parts = urlsplit(url)
    shown = repr(url if len(url) <= 120 else url[:100] + "…")
    if parts.scheme not in ("http", "https"):
        raise RegistryError(f"source {name}: field 'start_urls': {shown} is not allowed: only http:// and https:// "
                            "addresses of the site are crawled")  # fmt: skip
    if not parts.hostname:
        raise RegistryError(f"source {name}: field 'start_urls': {shown} has no host: write it as https://host/path")


def _check_pattern(pattern: Any, name: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(str(pattern))
    except re.error as exc:
        raise RegistryError(f"source {name}: field 'title_pattern' is not a valid regex: {exc}") from exc


def _as_tuple(value: Any, name: str, field_name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RegistryError(f"source {name}: field {field_name!r} must be a string or a list of strings")


def _check_unique(sources: list[Source]) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise RegistryError(f"source {source.id}: field 'id' is duplicated")
        seen.add(source.id)
