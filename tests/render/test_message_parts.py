"""A digest's parts are encoded as the e-mail package encodes them, byte for byte, whatever the subscriber's own
address and links hold: non-ASCII, long lines, trailing blanks, odd line ends."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from email import contentmanager, message_from_bytes, policy

import pytest

from monitor.channels.outbox import as_bytes, build_message
from monitor.publish.messages import MessageTemplates, encode_part

DATE = datetime(2024, 1, 30, 8, 5, tzinfo=UTC)
SHARED = "全国概览：经济增长 5%左右，赤字率 3%→4%。\n" * 12 + "<p>" + "一般公共预算 " * 40 + "</p>\n"


def _set_content(body: str) -> tuple[str, bytes]:
    """What `EmailMessage.set_content` puts on the wire for a UTF-8 text part."""
    encode = getattr(contentmanager, "_encode_text")  # noqa: B009 - the package's own encoder, not typed
    cte, data = encode(body, "utf-8", None, policy.default)
    return cte, data.encode("utf-8", "surrogateescape").replace(b"\n", b"\r\n")


def _link(token: str) -> str:
    return f"https://govmon.example.org/unsubscribe?token={token}"


PERSONAL = [
    "reader1@example.org",
    "读者@例子.中国",  # non-ASCII address
    _link("1.abc"),
    _link("2." + "x" * 120),  # a link longer than a line
    _link("3.é中") + " \t",  # non-ASCII, trailing blanks
    "line\rbreak\r\nand\x0bvertical\x85next\u2028separator",
]


@pytest.mark.parametrize("personal", PERSONAL)
@pytest.mark.parametrize(
    "template",
    [
        "短行\n{p}\n第二行\n",  # 8bit unless the personal line is long
        SHARED + "退订：{p}\n",  # base64
        "{p}\n" + SHARED,  # the personal value in the opening, which decides base64 or quoted-printable
        ("ascii only " * 10 + "\n") * 12 + "unsubscribe: {p}\n",  # quoted-printable, more than ten lines
        "<p>" + "a" * 300 + "</p>\n{p}",  # quoted-printable, ten lines or fewer, no final line end
        "{p}",
        "",
    ],
)
def test_a_part_is_encoded_as_set_content_encodes_it(template: str, personal: str) -> None:
    body = template.replace("{p}", personal)
    assert encode_part(body) == _set_content(body)
    assert encode_part(body) == _set_content(body)  # again, from what was kept


def test_random_bodies_are_encoded_as_set_content_encodes_them() -> None:
    rnd = random.Random(18)
    pieces = ["a", " ", "\t", "=", "\n", "\r", "\r\n", "中", "é", "\x0b", "\x85", "x" * 80, _link("9.z"), "=\n"]
    kinds = set()
    for _ in range(3000):
        body = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40))) * rnd.randint(1, 4)
        kinds.add(encode_part(body)[0])
        assert encode_part(body) == _set_content(body), repr(body)
    assert kinds == {"7bit", "8bit", "base64", "quoted-printable"}


def _unbound(wire: bytes) -> bytes:
    found = re.search(rb'boundary="([^"]+)"', wire)
    return wire.replace(found.group(1), b"BOUNDARY") if found else wire


@pytest.mark.parametrize("to", ["reader1@example.org", "读者@例子.中国", '"a b"@example.org'])
@pytest.mark.parametrize("token", ["1.abc", "2." + "x" * 120, "3.é中"])
def test_a_message_with_unusual_personal_values_is_the_built_one(to: str, token: str) -> None:
    """Non-ASCII or long addresses and links, in headers and parts: the same bytes, and the same message read
    back, as `build_message` gives."""
    templates = MessageTemplates()
    for n in range(2):  # the first message makes the template, the second is made from it
        url = _link(f"{token}{n}")
        fields = {"sender": "govmon <digest@govmon.example.org>", "to": to, "subject": "govmon · 全国：赤字率 3%→4%",
                  "text": SHARED + f"发给 {to}\n退订：{url}\n", "html": f"<p>{SHARED}</p><a href=\"{url}\">退订</a>\n",
                  "message_id": f"<k{n}@govmon.example.org>", "unsubscribe_url": url, "date": DATE,
                  "list_id": "govmon digests <digest.govmon.example.org>"}  # fmt: skip
        spliced, built = templates.message(**fields), as_bytes(build_message(**fields))  # type: ignore[arg-type]
        assert _unbound(spliced) == _unbound(built)
        read, expected = (message_from_bytes(w, policy=policy.default) for w in (spliced, built))
        assert read["To"] == expected["To"] and read["List-Unsubscribe"] == expected["List-Unsubscribe"]
        parts = [p.get_content() for p in read.walk() if not p.is_multipart()]  # type: ignore[attr-defined]
        assert parts == [p.get_content() for p in expected.walk() if not p.is_multipart()]  # type: ignore[attr-defined]
        assert parts == [fields["text"], fields["html"]]


def test_long_lines_are_encoded_but_not_kept() -> None:
    from monitor.publish import messages

    long_line = "=ascii, one long line " * 300  # quoted-printable, longer than what is kept
    body = "\n".join([long_line] * 12) + "\n"
    assert encode_part(body) == _set_content(body) and encode_part(body)[0] == "quoted-printable"
    assert long_line.encode() not in getattr(messages, "_QP_LINES")  # noqa: B009 - the module's own memory
