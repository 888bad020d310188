"""Render once: subscribers who get the same digest share one rendering and one message template, and each
still gets exactly the bytes rendering their own digest alone would give."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from monitor.channels.outbox import as_bytes, build_message
from monitor.digest.selection import DigestContext, Filters, Links, build_digest
from monitor.publish.messages import MessageTemplates
from monitor.publish.render import DigestRenderer, render_digest
from tests.render import samples

DATE = datetime(2024, 1, 30, 8, 5, tzinfo=UTC)


def digest_for(email: str, token: str, filters: Filters | None = None) -> DigestContext:
    links = Links(samples.BASE_URL, f"https://govmon.example.org/unsubscribe?token={token}",
                  f"https://govmon.example.org/preferences?token={token}")  # fmt: skip
    return build_digest(email, [samples.shanghai_update()], filters or Filters(), links, samples.WINDOW, samples.NOW)


def test_identical_digests_are_rendered_once_and_personalised() -> None:
    renderer = DigestRenderer()
    readers = [("a@example.org", "1.aaa"), ("o'neil+x@example.org", "2.b&b"), ("c@example.org", "3.ccc")]
    for email, token in readers:
        ctx = digest_for(email, token)
        shared = renderer.render(ctx)
        alone = render_digest(ctx)
        assert (shared.html, shared.text) == (alone.html, alone.text)
        assert shared.text is not None and email in shared.text and f"token={token}" in shared.text
    assert renderer.renders == 1  # (the address with an apostrophe, escaped in HTML, was rendered on its own)
    renderer.render(digest_for("d@example.org", "4.ddd", Filters(metrics=("rd_intensity",))))
    assert renderer.renders == 2  # other filters, another digest


def test_copies_of_two_digests_in_turn_each_get_their_own_digest() -> None:
    from monitor.digest.selection import personal

    renderer = DigestRenderer()
    first, other = digest_for("a@example.org", "1.a"), digest_for("a@example.org", "1.a", Filters(metrics=("gdp",)))
    later = replace(first, generated_at="2024-01-30 09:00")  # the same sections, rendered at another time
    for i, base in enumerate([first, other, first, later, other, later]):
        ctx = personal(base, f"r{i}@example.org", Links(samples.BASE_URL, f"https://govmon.example.org/u?t={i}"))
        shared, alone = renderer.render(ctx), render_digest(ctx)
        assert (shared.html, shared.text, shared.context) == (alone.html, alone.text, alone.context)
    assert renderer.renders == 3


def test_a_link_that_is_not_a_web_url_is_rendered_on_its_own() -> None:
    renderer = DigestRenderer()
    ctx = replace(digest_for("a@example.org", "1.a"), unsubscribe_url="javascript:alert(1)")
    assert renderer.render(ctx).html == render_digest(ctx).html and renderer.renders == 0


def _unbound(wire: bytes) -> bytes:
    found = re.search(rb'boundary="([^"]+)"', wire)
    return wire.replace(found.group(1), b"BOUNDARY") if found else wire


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("短行\n第二行\n", "<p>短</p>"),  # 8bit parts
        ("很长的一行：全国概览 经济增长 5%左右" * 30 + "\n", "<p>" + "赤字率 3%→4%左右 " * 50 + "</p>\n"),  # base64
        ("ascii only, a plain line\n" * 3, None),
        (None, "<p>" + "a" * 300 + "</p>\n" * 20),  # quoted-printable
    ],
)
@pytest.mark.parametrize("mailto", ["", "mailto:unsubscribe@example.org?subject=unsubscribe%201.abc"])
def test_a_message_from_the_template_is_the_message_build_message_makes(
    text: str | None, html: str | None, mailto: str
) -> None:
    templates = MessageTemplates()
    for to, token in (("a@example.org", "1.aaa"), ("b.c+d@example.org", "2.bbb")):
        fields = {"sender": "govmon <digest@govmon.example.org>", "to": to, "subject": "govmon · 全国：赤字率 3%→4%",
                  "text": text, "html": html, "message_id": f"<{token}@govmon.example.org>",
                  "unsubscribe_url": f"https://govmon.example.org/unsubscribe?token={token}", "date": DATE,
                  "list_id": "govmon digests <digest.govmon.example.org>", "unsubscribe_mailto": mailto}  # fmt: skip
        assert _unbound(templates.message(**fields)) == _unbound(as_bytes(build_message(**fields)))  # type: ignore[arg-type]


def test_an_unusual_address_goes_through_build_message() -> None:
    fields = {"sender": "govmon <d@govmon.example.org>", "to": '"a b"@example.org', "subject": "s", "text": "正文",
              "html": None, "message_id": "<k@govmon.example.org>", "unsubscribe_url": "https://x.example.org/u",
              "date": DATE}  # fmt: skip
    assert _unbound(MessageTemplates().message(**fields)) == _unbound(as_bytes(build_message(**fields)))  # type: ignore[arg-type]


@pytest.mark.parametrize("module", ["monitor.publish.render", "monitor.publish.site", "monitor.service.reads",
                                    "monitor.web", "monitor.channels", "monitor.publish.messages"])  # fmt: skip
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """The renderer, the message templates and the channels import one another: no order may hit a cycle."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
