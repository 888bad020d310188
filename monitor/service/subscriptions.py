"""Subscriptions: sign up with double opt-in, confirm, unsubscribe, preferences, and the operator's commands.

A sign-up from the web creates a `pending` subscriber and mails a signed confirmation link; nothing else is sent
to the address until the link is followed (the subscriber becomes `active`). Signing up an address that is
already active changes nothing and mails it a link to its preferences instead, so a stranger can neither change
someone's filters nor learn from the page whether an address is subscribed. Mails to one address are at most one
per `MAIL_INTERVAL`, so the form cannot flood a mailbox.

Every digest carries the subscriber token (`monitor.tokens`): it unsubscribes (one click) and opens the
preferences. Unsubscribing is idempotent and cancels digests still waiting in the outbox.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from db import outbox
from db.session import session_scope
from monitor.channels import ChannelError, HttpSender, describe, make_channel
from monitor.channels.addresses import InvalidAddress, parse_address
from monitor.config import Settings
from monitor.digest.selection import Filters
from monitor.service import notices
from monitor.service.catalogue import Catalogue, validate_filters
from monitor.tokens import (
    InvalidToken,
    confirm_token_parts,
    load_secret,
    make_confirm_token,
    make_token,
    token_subscriber_id,
    verify_confirm_token,
    verify_token,
)

MAIL_INTERVAL = timedelta(minutes=2)  # at most one sign-up mail per address in this time


class SubscriptionError(Exception):
    """The request cannot be done as asked; the message says what to do instead. `chinese` says the same to a
    subscriber on the Chinese web pages (the English message is for the CLI and logs)."""

    def __init__(self, message: str, chinese: str = "") -> None:
        super().__init__(message)
        self.chinese = chinese or message


class InvalidLink(SubscriptionError):
    """A token that is malformed, forged, expired or names nobody."""


class Throttled(SubscriptionError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Subscriber:
    """A subscriber as every face shows them (`subscribers list --json`): an address, or a channel shown with
    its credentials masked (`destination`)."""

    id: int
    email: str  # "" for a channel subscriber
    status: str  # pending | active | unsubscribed
    regions: tuple[str, ...]
    metrics: tuple[str, ...]
    themes: tuple[str, ...]
    doc_types: tuple[str, ...]
    cadence: str
    format: str
    channel: str = "email"  # or one of monitor.channels.KINDS
    destination: str = ""  # the address, or the channel's describe()

    @property
    def filters(self) -> Filters:
        return Filters(self.regions, self.doc_types, self.metrics, self.themes)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email or None, "status": self.status, "regions": list(self.regions),
                "metrics": list(self.metrics), "themes": list(self.themes), "doc_types": list(self.doc_types),
                "cadence": self.cadence, "format": self.format, "channel": self.channel,
                "destination": self.destination}  # fmt: skip


@dataclass(frozen=True)
class Choices:
    """What a subscriber asks for, as given (validated against the catalogue before it is stored)."""

    regions: Sequence[str] = ()
    metrics: Sequence[str] = ()
    themes: Sequence[str] = ()
    doc_types: Sequence[str] = ()
    cadence: str = "daily"
    format: str = "both"


@dataclass(frozen=True)
class SignUp:
    subscriber_id: int
    mail: str  # "confirmation" or "already-subscribed"
    delivery_id: int | None  # the outbox row of the mail, to send it now


@dataclass(frozen=True)
class Managed:
    subscriber: Subscriber
    token: str  # the subscriber token: preferences and unsubscribe
    changed: bool = True


@dataclass
class Links:
    base_url: str
    token: str = field(default="")

    def url(self, path: str, token: str | None = None) -> str:
        return f"{self.base_url.rstrip('/')}/{path}?token={token or self.token}"


def view(row: outbox.SubscriberRow) -> Subscriber:
    f = row.filters
    shown = row.email if row.channel == "email" else describe(row.channel, row.channel_url, row.channel_secret)
    return Subscriber(row.id, row.email, row.status, f.regions, f.metrics, f.themes, f.doc_types, row.cadence,
                      row.format, row.channel, shown)  # fmt: skip


# --- addresses and filters ---------------------------------------------------------------------------------------


def checked_address(email: str) -> str:
    """The address as it will be stored, or SubscriptionError saying what is wrong with it (one validator for
    every face: `monitor.channels.addresses`)."""
    try:
        return parse_address(email).email
    except InvalidAddress as exc:
        shown = repr(email.strip()) if len(email.strip()) <= 60 else f"{email.strip()[:40]!r}…"
        raise SubscriptionError(str(exc), f"{shown} 不是可以投递的电子邮件地址，请检查后重新填写。") from None


def checked_choices(catalogue: Catalogue, choices: Choices) -> tuple[Filters, str, str]:
    if choices.cadence not in outbox.CADENCES:
        raise SubscriptionError(f"cadence must be one of {', '.join(outbox.CADENCES)}", "请选择发送频率。")
    if choices.format not in outbox.FORMATS:
        raise SubscriptionError(f"format must be one of {', '.join(outbox.FORMATS)}", "请选择邮件格式。")
    filters = validate_filters(catalogue, choices.regions, choices.metrics, choices.themes, choices.doc_types)
    return filters, choices.cadence, choices.format


# --- the web's sign-up ---------------------------------------------------------------------------------------------


def subscribe(
    engine: Engine, settings: Settings, catalogue: Catalogue, email: str, choices: Choices, now: datetime
) -> SignUp:
    """Sign up with double opt-in; the mail it queues is sent by `notices.send` (or the next digest run)."""
    address = checked_address(email)
    filters, cadence, fmt = checked_choices(catalogue, choices)
    secret = load_secret(settings)
    with session_scope(engine) as session:
        row = outbox.find_subscriber(session, address)
        if row is not None:
            _throttle(row, now)
        if row is None:
            row = outbox.add_pending(session, address, filters, cadence, fmt)
        elif row.status != "active":  # pending or unsubscribed: the new choices wait for the confirmation
            row = outbox.update_filters(session, row.id, filters, cadence, fmt)
        outbox.note_confirmation_sent(session, row.id, now)
        if row.status == "active":
            mail = notices.already_subscribed(
                settings, row, Links(settings.base_url, make_token(row.id, row.identity, secret))
            )
        else:
            token = make_confirm_token(row.id, row.identity, secret, int(now.timestamp() * 1000))
            mail = notices.confirmation(settings, row, Links(settings.base_url, token))
        delivery_id = outbox.enqueue_notice(session, row.id, mail.key, mail.message_id, mail.payload)
    return SignUp(row.id, mail.kind, delivery_id)


def _throttle(row: outbox.SubscriberRow, now: datetime) -> None:
    if row.confirm_sent_at is None:
        return
    wait = row.confirm_sent_at + MAIL_INTERVAL - now
    if wait > timedelta(0):
        seconds = int(wait.total_seconds()) + 1
        raise Throttled(f"a mail was sent to this address moments ago: wait {seconds} s before asking again", seconds)


def _confirmable(session: Any, settings: Settings, token: str, now: datetime | None) -> outbox.SubscriberRow:
    secret = load_secret(settings)
    subscriber_id = _parse(lambda: confirm_token_parts(token)[0])
    moment = now.timestamp() if now else time.time()
    row = outbox.get_subscriber(session, subscriber_id)
    if row is None:
        raise InvalidLink("this confirmation link names no subscriber (removed since?): sign up again")
    issued = _parse(lambda: verify_confirm_token(token, row.id, row.identity, secret, moment))
    if row.unsubscribed_at is not None and issued < row.unsubscribed_at.timestamp() * 1000:
        raise InvalidLink("this confirmation link was sent before you unsubscribed: sign up again")
    return row


def confirmation_target(engine: Engine, settings: Settings, token: str, now: datetime | None = None) -> Subscriber:
    """The subscriber a confirmation link names, checked but left as it is (a GET must change nothing)."""
    with session_scope(engine) as session:
        return view(_confirmable(session, settings, token, now))


def confirm(engine: Engine, settings: Settings, token: str, now: datetime | None = None) -> Managed:
    """Make the subscriber of a confirmation link active; following it again changes nothing."""
    with session_scope(engine) as session:
        row = _confirmable(session, settings, token, now)
        changed = outbox.set_status(session, row.id, "active")
        row = outbox.get_subscriber(session, row.id) or row
    return Managed(view(row), make_token(row.id, row.email, load_secret(settings)), changed)


def _parse(read: Any) -> Any:
    try:
        return read()
    except InvalidToken as exc:
        raise InvalidLink(str(exc)) from exc


# --- what a subscriber token allows ------------------------------------------------------------------------------


def _verified(session: Any, settings: Settings, token: str) -> outbox.SubscriberRow:
    subscriber_id = _parse(lambda: token_subscriber_id(token))
    row = outbox.get_subscriber(session, subscriber_id)
    if row is None:
        raise InvalidLink("this link names no subscriber (removed since?): nothing more will be sent to you")
    _parse(lambda: verify_token(token, row.id, row.identity, load_secret(settings)))
    return row


def unsubscribe(engine: Engine, settings: Settings, token: str) -> Managed:
    """Stop every digest, including those still waiting in the outbox; repeating it is harmless."""
    with session_scope(engine) as session:
        row = _verified(session, settings, token)
        changed = outbox.set_status(session, row.id, "unsubscribed")
        outbox.cancel_unsent(session, row.id)
        row = outbox.get_subscriber(session, row.id) or row
    return Managed(view(row), token.strip(), changed)


def preferences(engine: Engine, settings: Settings, token: str) -> Managed:
    with session_scope(engine) as session:
        row = _verified(session, settings, token)
    return Managed(view(row), token.strip(), False)


def update_preferences(
    engine: Engine, settings: Settings, catalogue: Catalogue, token: str, choices: Choices, resubscribe: bool = False
) -> Managed:
    """New filters for the token's subscriber; `resubscribe` makes an unsubscribed one active again."""
    filters, cadence, fmt = checked_choices(catalogue, choices)
    with session_scope(engine) as session:
        row = _verified(session, settings, token)
        outbox.update_filters(session, row.id, filters, cadence, fmt)
        if resubscribe and row.status == "unsubscribed":
            outbox.set_status(session, row.id, "active")
        row = outbox.get_subscriber(session, row.id) or row
    return Managed(view(row), token.strip(), True)


# --- the operator's commands -------------------------------------------------------------------------------------


def add_subscriber(
    engine: Engine, settings: Settings, catalogue: Catalogue, email: str, choices: Choices
) -> tuple[Subscriber, bool]:
    """Add (or update) an active subscriber: the operator vouches for the address, no confirmation is mailed.
    Returns the subscriber and whether one with this address (whatever its case) existed before."""
    address = checked_address(email)
    filters, cadence, fmt = checked_choices(catalogue, choices)
    with session_scope(engine) as session:
        existed = outbox.find_subscriber(session, address) is not None
        return view(outbox.upsert_subscriber(session, address, filters, cadence, fmt)), existed


@dataclass(frozen=True)
class ChannelChoice:
    """Where a channel subscriber's digests go: a kind of `monitor.channels.KINDS`, its URL and secret."""

    kind: str
    url: str
    secret: str = field(default="", repr=False)


def checked_channel(settings: Settings, channel: ChannelChoice) -> ChannelChoice:
    """The channel as it will be stored, or SubscriptionError with the one-line reason (a URL the egress guard
    refuses, an unknown kind, a secret the medium has no use for); credentials masked in the reason."""
    try:
        with HttpSender.from_settings(settings) as http:
            made = make_channel(channel.kind, channel.url, channel.secret, http=http)
    except ChannelError as exc:
        raise SubscriptionError(str(exc)) from None
    return ChannelChoice(made.kind, channel.url.strip(), channel.secret)


def add_channel_subscriber(
    engine: Engine, settings: Settings, catalogue: Catalogue, channel: ChannelChoice, choices: Choices
) -> tuple[Subscriber, bool]:
    """Add (or update) an active subscriber on a webhook or group robot, with the same filters and cadences as an
    address; the URL goes through the egress guard now, not only when a digest is sent. Returns the subscriber
    and whether one with this kind and URL existed before. `format` does not apply (each medium has its own)."""
    checked = checked_channel(settings, channel)
    filters, cadence, fmt = checked_choices(catalogue, choices)
    with session_scope(engine) as session:
        row, existed = outbox.upsert_channel(session, checked.kind, checked.url, checked.secret, filters, cadence, fmt)
        return view(row), existed


def enrol(engine: Engine, email: str, filters: Filters, cadence: str, fmt: str) -> Subscriber:
    """Add (or update) an active subscriber whose filters are known to be valid (the demo's own), without the
    catalogue check of `add_subscriber`."""
    with session_scope(engine) as session:
        return view(outbox.upsert_subscriber(session, checked_address(email), filters, cadence, fmt))


def list_subscribers(engine: Engine) -> list[Subscriber]:
    with session_scope(engine) as session:
        return [view(row) for row in outbox.list_subscribers(session)]


def remove_subscriber(engine: Engine, email_or_id: str) -> list[str]:
    """Delete the subscribers an address (any case) or `#id` names; the addresses removed."""
    with session_scope(engine) as session:
        return outbox.remove_subscriber(session, email_or_id)


def subscriber_links(settings: Settings, subscriber_id: int, email: str) -> tuple[str, str]:
    """The (unsubscribe, preferences) URLs of a subscriber, as every digest carries them."""
    links = Links(settings.base_url, make_token(subscriber_id, email, load_secret(settings)))
    return links.url("unsubscribe"), links.url("preferences")
