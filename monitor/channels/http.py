"""HTTP for channels: the egress guard in front of every URL, one attempt per send, the answer as data.

The crawler's guard (`crawler.guard`) decides: only http(s), and no loopback, private, link-local (cloud
metadata), reserved or multicast address — unless its host and port are listed in `channel_private_origins`,
as the crawler trusts a source's own start URL (tests run their receivers on loopback that way; so can an
intranet receiver). A host name is resolved here, its addresses checked the same way, and the request goes to
the checked address (Host header and TLS name stay the host's), so a DNS answer that changes between the check
and the connection cannot reach a private address.

Nothing is retried here and nothing sleeps. A failure says whether the request may have reached the receiver:
`unreachable` (refused connection, DNS failure, connect timeout: nothing left this process) or `interrupted`
(timeout or broken connection after the request was written). Each request uses a fresh connection, so an idle
connection that the server closed cannot turn into a spurious `interrupted`. Redirects are not followed.
URLs are credentials: httpx's own request log is masked, and every reason is redacted.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from time import time
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from crawler.guard import IP, WEB_SCHEMES, Policy, address_kind, address_of, ip_literal, is_public, normal_host
from monitor.channels.base import ChannelError, Outcome, mask_url, redact, url_secrets
from monitor.config import Settings

MAX_ANSWER = 64 * 1024  # bytes of a receiver's answer read: a robot's JSON is tiny, a hostile one need not be
Resolver = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class NoReply:
    kind: Literal["refused", "unreachable", "interrupted"]
    reason: str


# --- the egress guard ---------------------------------------------------------------------------------------


def parse_origins(text: str) -> frozenset[tuple[str, int]]:
    """`channel_private_origins`: "127.0.0.1:8080, hooks.intranet:443" → {(host, port)}."""
    origins = set()
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        host, sep, port = entry.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ChannelError(f"channel_private_origins: {entry!r} is not host:port")
        origins.add((normal_host(host), int(port)))
    return frozenset(origins)


def check_url(url: str, trusted: frozenset[tuple[str, int]] = frozenset()) -> tuple[str, int]:
    """The URL's (host, port) when the guard lets it through; else ChannelError with the reason in words."""
    try:
        parts = urlsplit(url)
        host, port = normal_host(parts.hostname or ""), parts.port or WEB_SCHEMES.get(parts.scheme.lower(), 0)
    except ValueError:
        raise ChannelError(f"channel URL {mask_url(url)} refused: malformed host or port") from None
    verdict = Policy((host,), trusted).verdict(url)
    if verdict is not None:
        raise ChannelError(f"channel URL {mask_url(url)} refused: {_words(verdict[0], host, port)}")
    return host, port


def _words(reason: str, host: str, port: int) -> str:
    if reason == "scheme":
        return "only http and https URLs are allowed"
    address = address_of(host)
    if reason == "private" and address is not None:
        return f"{host} is a {address_kind(address)} address; {_ALLOW.format(host=host, port=port)}"
    return "no host or a malformed port"


_ALLOW = "if {host}:{port} is your own receiver, list it in GOVMON_CHANNEL_PRIVATE_ORIGINS"


def pin(host: str, port: int, trusted: frozenset[tuple[str, int]], resolver: Resolver) -> str:
    """The address to connect to: the host's own if it is a literal, else a checked one from DNS (OSError if none)."""
    literal = address_of(host)
    if literal is not None:
        return literal.compressed
    answers: list[IP] = [
        ip for info in resolver(host, port, type=socket.SOCK_STREAM) if (ip := ip_literal(str(info[4][0]))) is not None
    ]
    usable = answers if (host, port) in trusted else [ip for ip in answers if is_public(ip)]
    if usable:
        return usable[0].compressed
    if answers:
        allow = _ALLOW.format(host=host, port=port)
        raise ChannelError(f"{host} resolves to {address_kind(answers[0])} address {answers[0]}; {allow}")
    raise OSError(f"{host} has no address")


# --- one request --------------------------------------------------------------------------------------------


@dataclass
class HttpSender:
    """Posts JSON bodies to channel URLs; `close()` (or `with`) when done."""

    timeout: float
    user_agent: str
    trusted: frozenset[tuple[str, int]] = frozenset()
    resolver: Resolver = socket.getaddrinfo
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpSender:
        return cls(settings.channel_timeout, settings.user_agent, parse_origins(settings.channel_private_origins))

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Reply | NoReply:
        secrets = url_secrets(url)
        try:
            host, port = check_url(url, self.trusted)
            target = httpx.URL(url)
            address = pin(host, port, self.trusted, self.resolver)
        except (ChannelError, httpx.InvalidURL) as exc:
            return NoReply("refused", redact(str(exc), *secrets))
        except OSError as exc:
            return NoReply("unreachable", redact(f"cannot resolve the receiver's host: {exc}", *secrets))
        return self._exchange(target, host, address, body, headers, secrets)

    def _exchange(self, target: httpx.URL, host: str, address: str, body: bytes, headers: Mapping[str, str],
                  secrets: tuple[str, ...]) -> Reply | NoReply:  # fmt: skip
        request_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent,
                           "Host": target.netloc.decode("ascii"), **headers}  # fmt: skip
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        try:
            with self.client().stream(
                "POST", target.copy_with(host=address), content=body, headers=request_headers, extensions=extensions
            ) as response:
                return Reply(response.status_code, _lower(response.headers), _read(response))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            return NoReply("unreachable", redact(f"cannot connect to the receiver: {_reason(exc)}", *secrets))
        except httpx.HTTPError as exc:
            return NoReply("interrupted", redact(f"no answer from the receiver: {_reason(exc)}", *secrets))

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, trust_env=False, follow_redirects=False,
                limits=httpx.Limits(max_keepalive_connections=0),
            )  # fmt: skip
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> HttpSender:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _lower(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _read(response: httpx.Response) -> bytes:
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= MAX_ANSWER:
            break
    return bytes(data[:MAX_ANSWER])


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def transport_outcome(failure: NoReply, duplicates_harmless: bool) -> Outcome:
    """No answer: refused → failed; unreachable → retry; interrupted → retry only where the receiver drops a
    duplicate, else unknown (it may already show in the group)."""
    if failure.kind == "refused":
        return Outcome.failed(failure.reason)
    if failure.kind == "unreachable" or duplicates_harmless:
        return Outcome.retry(failure.reason)
    return Outcome.unknown(f"{failure.reason}; it may or may not have been posted, so it is not sent again")


# --- reading an answer --------------------------------------------------------------------------------------


def http_outcome(reply: Reply, secrets: tuple[str, ...] = ()) -> Outcome | None:
    """The outcome an HTTP status alone decides; None for 2xx (the channel reads the body)."""
    status = reply.status
    if 200 <= status < 300:
        return None
    if status in (408, 425, 429) or status >= 500:
        return Outcome.retry(f"receiver answered HTTP {status}{snippet(reply, secrets)}", retry_after(reply.headers))
    if 300 <= status < 400:
        return Outcome.failed(f"receiver answered HTTP {status}, a redirect: channels do not follow them; fix the URL")
    return Outcome.failed(f"receiver refused the message: HTTP {status}{snippet(reply, secrets)}")


def snippet(reply: Reply, secrets: tuple[str, ...] = (), limit: int = 200) -> str:
    """The start of the answer as ": …", one line, redacted: what the operator needs to see why."""
    text = " ".join(reply.body[: limit * 4].decode("utf-8", "replace").split())[:limit]
    return f": {redact(text, *secrets)}" if text else ""


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait that the receiver asked for: Retry-After (seconds or an HTTP date), else 飞书's
    x-ogw-ratelimit-reset; clamped to a day."""
    value = (headers.get("retry-after") or headers.get("x-ogw-ratelimit-reset") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(min(int(value), 86400))
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when - (time() if now is None else now), 86400.0))


class _MaskUrls(logging.Filter):
    """httpx logs each request's URL at INFO; a channel URL carries its token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_MaskUrls())
