"""Subscriber e-mail addresses: validated and bounded before they are stored, keyed without regard to case.

One function, `parse_address`, decides what may be stored: the CLI calls it, and so will any sign-up form, so
an address that one entry point refuses can never arrive through another. Validation is syntactic
(email-validator, no DNS: the machine that adds a subscriber may have no resolver, and a mailbox that exists
today may not tomorrow). Addresses that need SMTPUTF8 (a non-ASCII local part) are refused, since the sender
does not speak it; internationalised domain names are stored in their ASCII (IDNA) form, which every server
accepts.

Most addresses are plain: a lower-case dot-atom local part and a lower-case host name. For those `parse_address`
decides by itself, with the same verdict and the same stored form email-validator gives (each rule it applies to
such an address is checked here too); anything else is validated by email-validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 254  # RFC 5321: a forward-path holds at most 256 octets, angle brackets included
SHOWN = 60  # characters of an address shown in a message


class InvalidAddress(ValueError):
    """The text is not an address govmon can deliver to; the message says why (one line)."""


@dataclass(frozen=True)
class Address:
    email: str  # as stored and sent to: domain lower-cased and in ASCII, local part as typed
    key: str  # identity: FOO@example.org and foo@example.org are one subscriber


def parse_address(text: str) -> Address:
    """The address to store for `text`, or InvalidAddress naming the problem."""
    from email_validator import EmailNotValidError, validate_email  # here: not on the start-up path of every command

    if _plain(text):
        return Address(text, address_key(text))
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise InvalidAddress(
            f"{shown(text)} is not an e-mail address: longer than the {MAX_LENGTH} characters an address can have"
        )
    try:
        valid = validate_email(text, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError as exc:
        raise InvalidAddress(f"{shown(text)} is not an e-mail address: {exc}") from None
    email = valid.ascii_email or valid.normalized
    return Address(email, address_key(email))


_LOCAL = 64  # RFC 5321: octets before the @
_DOMAIN = 253  # octets of a host name
_LABEL = 63  # octets between two dots
# a dot-atom of lower-case letters, digits, _ + - ; host labels of letters, digits and inner dashes, at least two,
# the last ending with a letter (every top-level domain does)
_PLAIN = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*"  # the local part
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z0-9][a-z0-9-]*)?[a-z]"  # the host name
)


def _plain(text: str) -> bool:
    """Whether `text` is a plain address email-validator accepts as it is: within the lengths, no label with two
    dashes after its first two characters (reserved for Punycode and its kin), no special-use domain."""
    if len(text) > MAX_LENGTH or not _PLAIN.fullmatch(text):
        return False
    local, _, domain = text.partition("@")
    if len(local) > _LOCAL or len(domain) > _DOMAIN or "--" in domain:
        return False
    labels = domain.split(".")
    if any(len(label) > _LABEL for label in labels):
        return False
    from email_validator import SPECIAL_USE_DOMAIN_NAMES  # read when called: the library's list may be changed

    return not any(".".join(labels[i:]) in SPECIAL_USE_DOMAIN_NAMES for i in range(len(labels)))


def address_key(email: str) -> str:
    """The case-insensitive identity of an address (also of rows stored before addresses were validated)."""
    return email.strip().lower()


def shown(address: str) -> str:
    """An address as messages show it: whole when short, else its start and its length."""
    flat = " ".join(address.split())
    if len(flat) <= SHOWN:
        return repr(flat)
    return f"{flat[: SHOWN - 20]!r}… ({len(address)} characters)"
