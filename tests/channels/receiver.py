"""A real HTTP receiver on loopback for channel tests, and the receivers' own signature checks.

The checks are written here from the vendors' documentation, independently of `monitor.channels.signing`, so
that a wrong algorithm in the channel fails the test instead of agreeing with itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monitor.channels.http import HttpSender, parse_origins


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Answer = tuple[int, dict[str, str], bytes]
Respond = Callable[[Received], Answer | None]  # None: close the connection without answering


def ok_json(data: object, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode()


@dataclass
class Receiver:
    respond: Respond = field(default=lambda _: ok_json({"errcode": 0, "errmsg": "ok"}))
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def sender(self, timeout: float = 3.0) -> HttpSender:
        """A sender that may reach this loopback receiver, as `channel_private_origins` allows."""
        return HttpSender(timeout, "govmon-test", parse_origins(f"127.0.0.1:{self.port}"))


@contextmanager
def running(respond: Respond | None = None, port: int = 0) -> Iterator[Receiver]:
    """A receiver on loopback, on `port` when given (a receiver coming back where a dead one was)."""
    receiver = Receiver() if respond is None else Receiver(respond)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
    server.daemon_threads = True
    server.block_on_close = False
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def dead_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/hook"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = Received(parts.path, query, headers, body)
            receiver.received.append(request)
            answer = receiver.respond(request)
            if answer is None:
                self.close_connection = True
                return
            try:
                self._answer(*answer)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: that is the test
                self.close_connection = True

        def _answer(self, status: int, extra: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            return None

    return Handler


# --- the receivers' signature checks ------------------------------------------------------------------------


def webhook_signed(secret: str, request: Received, now: float | None = None) -> bool:
    """govmon's webhook: sha256=hex HMAC of `timestamp.body`, timestamp at most five minutes old."""
    stamp = request.headers.get("x-govmon-timestamp", "")
    if not stamp.isdigit() or abs((now or time.time()) - int(stamp)) > 300:
        return False
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, request.headers.get("x-govmon-signature", ""))


def dingtalk_signed(secret: str, request: Received) -> bool:
    """钉钉: `sign` = Base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), timestamp in ms, ≤ 1 hour."""
    stamp = request.query.get("timestamp", "")
    if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3_600_000:
        return False
    mac = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), request.query.get("sign", ""))


def feishu_signed(secret: str, request: Received) -> bool:
    """飞书: `sign` = Base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=empty)), timestamp in s, ≤ 1 hour."""
    data = request.json()
    stamp = str(data.get("timestamp", ""))
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > 3600:
        return False
    mac = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), str(data.get("sign", "")))
