"""Plain addresses are decided without email-validator, with its very verdict and stored form; and put in
MAIL FROM and RCPT TO as smtplib would put them."""

from __future__ import annotations

import random
import smtplib

import pytest
from email_validator import EmailNotValidError, validate_email

from monitor.channels.addresses import Address, InvalidAddress, _plain, address_key, parse_address
from monitor.channels.mail import smtp_path


def _validator(text: str) -> Address | None:
    """What email-validator alone makes of `text` (None: refused), with the options `parse_address` uses."""
    try:
        valid = validate_email(text, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError:
        return None
    email = valid.ascii_email or valid.normalized
    return Address(email, address_key(email))


EDGES = [
    "reader1@example.org",
    "a.b_c+d-e@mail.example.com",
    "x@a.co",
    "x@1.example.org",
    "x@example.123",  # a numeric top-level domain: refused
    "x@example.org1",
    "x@example",  # no dot: refused
    "x@mail.test",  # special-use names: refused
    "x@example.invalid",
    "x@localhost",
    "x@foo.local",
    "x@onion",
    "x@sub.example.onion",
    "x@ab--cd.example.org",  # two dashes after two characters: refused unless Punycode
    "x@xn--fiqs8s.cn",  # Punycode (中国): validated by email-validator
    "x@a-b.example.org",
    "x@-ab.example.org",
    "x@ab-.example.org",
    ".x@example.org",
    "x.@example.org",
    "x..y@example.org",
    "x@example..org",
    "postmaster@example.org",
    "Reader@example.org",  # upper case: validated by email-validator
    "reader@Example.ORG",
    "a" * 64 + "@example.org",
    "a" * 65 + "@example.org",  # too long before the @
    "x@" + "a" * 63 + ".org",
    "x@" + "a" * 64 + ".org",  # a label too long
    "x@" + ".".join(["a" * 60] * 4) + ".org",  # a host name too long
    "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example.org",  # within each limit, too long as a whole
    " reader@example.org ",
    "reader@例子.中国",
]


@pytest.mark.parametrize("text", EDGES)
def test_a_plain_address_gets_the_validators_verdict(text: str) -> None:
    expected = _validator(text.strip())
    if _plain(text):
        assert expected is not None and parse_address(text) == expected == Address(text, text)
    elif expected is None:
        with pytest.raises(InvalidAddress):
            parse_address(text)
    else:
        assert parse_address(text) == expected


def test_random_addresses_made_of_the_plain_characters_get_the_validators_verdict() -> None:
    rnd = random.Random(18)
    pieces = ["a", "z", "0", "9", "_", "+", "-", ".", "--", "xn", "test", "local", "arpa", "1", "ab"]
    checked = plain = 0
    for _ in range(4000):
        local = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))
        domain = "".join(rnd.choice([*pieces, ".", "."]) for _ in range(rnd.randint(1, 10)))
        text = f"{local}@{domain}"
        expected = _validator(text)
        if _plain(text):
            plain += 1
            assert parse_address(text) == expected, text
        elif expected is None:
            with pytest.raises(InvalidAddress):
                parse_address(text)
        checked += 1
    assert plain > 40 and checked == 4000  # the fast path was taken often enough to be tested


@pytest.mark.parametrize(
    "text",
    [*EDGES, "govmon <digest@govmon.example.org>", "<a@b.org>", '"a b"@example.org', "a(c)@b.org", "Name a@b.org",
     "a@b", "a@", "@b.org", "", "a@b.org.", "读者@例子.中国", "a@[127.0.0.1]"],
)  # fmt: skip
def test_the_smtp_path_of_an_address_is_the_one_smtplib_writes(text: str) -> None:
    assert smtp_path(text) == smtplib.quoteaddr(text)
    assert smtp_path(text) == smtplib.quoteaddr(text)  # again, from what was kept


def test_the_smtp_path_of_random_addresses_is_the_one_smtplib_writes() -> None:
    rnd = random.Random(5)
    pieces = ["a", "Z", "0", "_", "+", "-", ".", "..", "@", " ", "<", ">", '"', "(", ")", ",", ";", ":", "\\", "é"]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert smtp_path(text) == smtplib.quoteaddr(text), repr(text)
