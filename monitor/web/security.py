"""Security of the web face: response headers, CSRF tokens of forms, and rate limits.

- Every response carries a Content-Security-Policy that allows no script at all and styles only from the site
  itself (the pages have no inline style), `frame-ancestors 'none'`, `X-Content-Type-Options: nosniff` and
  `Referrer-Policy: no-referrer` (links carry tokens: none may leak to another site in a Referer).
- A form's CSRF token is the HMAC of a random cookie (`monitor.tokens.csrf_token`): a page of another site can
  neither read the cookie nor compute the token. The one-click unsubscribe POST of RFC 8058 needs no token — it
  comes from a mailbox provider without cookies, and the signed subscriber token in its URL is the authority.
- `RateLimiter` counts events per key in a sliding window, in this process (with several workers each keeps
  its own counts; the per-address limit is also enforced in the database, see `service.subscriptions`).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from monitor.tokens import csrf_token, csrf_valid

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")
CSRF_COOKIE = "govmon_csrf"
CSRF_FIELD = "csrf_token"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response (HSTS only over https)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = HEADERS + ([HSTS] if scope.get("scheme") == "https" else [])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


# --- CSRF ------------------------------------------------------------------------------------------------------


def csrf_nonce(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie value, or a new one (True: it must be set on the response)."""
    found = request.cookies.get(CSRF_COOKIE, "")
    if 16 <= len(found) <= 64 and found.replace("-", "").replace("_", "").isalnum():
        return found, False
    return secrets.token_urlsafe(24), True


def form_token(request: Request, secret: bytes) -> tuple[str, str | None]:
    """(the token to put in a form, the cookie to set or None)."""
    nonce, new = csrf_nonce(request)
    return csrf_token(nonce, secret), nonce if new else None


def set_csrf_cookie(response: Response, nonce: str | None, request: Request, path: str) -> None:
    if nonce is not None:
        secure = request.url.scheme == "https"
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=secure, path=path)


def csrf_ok(request: Request, submitted: object, secret: bytes) -> bool:
    token = submitted if isinstance(submitted, str) else None
    return csrf_valid(request.cookies.get(CSRF_COOKIE), token, secret)


# --- rate limits -----------------------------------------------------------------------------------------------


class RateLimiter:
    """At most `limit` events per key within `window` seconds."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one event; 0 when allowed, else the seconds until the key may try again (nothing counted)."""
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            if len(self._events) > self.max_keys:
                self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, e in self._events.items() if not e or e[-1] <= now - self.window]:
            del self._events[key]
