"""The web face's own pages (sign-up, confirmation, preferences, unsubscribe, errors) as typed contexts, rendered
with the archive's layout (`templates/web/*.html.j2` extend `archive/_base.html.j2`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.responses import HTMLResponse

from monitor.publish.render import render
from monitor.service.catalogue import Catalogue, Choice
from monitor.service.subscriptions import Choices, Subscriber

CADENCE_LABELS = (("immediate", "每次有新文件时"), ("daily", "每天一封"), ("weekly", "每周一封"))
FORMAT_LABELS = (("both", "HTML 与纯文本"), ("html", "仅 HTML"), ("text", "仅纯文本"))
NO_STORE = {"Cache-Control": "no-store"}  # pages that show an address or carry a token


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool
    hint: str = ""  # shown small beside the label (a metric's key)


@dataclass(frozen=True)
class FilterForm:
    regions: tuple[Option, ...]
    metrics: tuple[Option, ...]
    themes: tuple[Option, ...]
    doc_types: tuple[Option, ...]
    cadences: tuple[Option, ...]
    formats: tuple[Option, ...]


@dataclass(frozen=True)
class Page:
    """The context of every web page; `root` leads back to the site root from the page's path."""

    title: str
    csrf: str = ""
    root: str = ""
    email: str = ""
    token: str = ""
    status: str = ""
    form: FilterForm | None = None
    errors: tuple[str, ...] = ()
    notice: str = ""
    message: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (href, text)
    mailbox: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _options(choices: Sequence[Choice], chosen: Sequence[str], hint: bool = False) -> tuple[Option, ...]:
    known = [Option(c.value, c.label, c.value in chosen, c.value if hint else "") for c in choices]
    unknown = [Option(v, v, True) for v in chosen if v not in {c.value for c in choices}]
    return tuple(known + unknown)


def filter_form(catalogue: Catalogue, chosen: Choices) -> FilterForm:
    """The form's options from the catalogue, with what the subscriber chose checked."""
    return FilterForm(
        regions=_options([Choice(r, r) for r in catalogue.regions], chosen.regions),
        metrics=_options(catalogue.metrics, chosen.metrics, hint=True),
        themes=_options([Choice(t, t) for t in catalogue.themes], chosen.themes),
        doc_types=_options(catalogue.doc_types, chosen.doc_types),
        cadences=tuple(Option(v, label, v == chosen.cadence) for v, label in CADENCE_LABELS),
        formats=tuple(Option(v, label, v == chosen.format) for v, label in FORMAT_LABELS),
    )


def choices_of(subscriber: Subscriber) -> Choices:
    s = subscriber
    return Choices(s.regions, s.metrics, s.themes, s.doc_types, s.cadence, s.format)


def page_response(template: str, page: Page, status: int = 200, private: bool = True) -> HTMLResponse:
    body = render(f"web/{template}.html.j2", page=page, live=True)
    return HTMLResponse(body, status_code=status, headers=NO_STORE if private else None)


def message(title: str, text: str, status: int, links: tuple[tuple[str, str], ...] = (), mailbox: str = "",
            root: str = "") -> HTMLResponse:  # fmt: skip
    """A page that says what happened and what to do (errors included)."""
    return page_response("message", Page(title, message=text, links=links, mailbox=mailbox, root=root), status)
