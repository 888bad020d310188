"""Running the web app under uvicorn: one process, or `workers` processes sharing the listening socket.

uvicorn is the ASGI server: with one worker the app object is handed over directly; with several, uvicorn starts
fresh processes that build the app from the factory `monitor.web:app_from_environment`, so the settings travel as
GOVMON_* environment variables (never on a command line, which other local users can read). Proxy headers
(X-Forwarded-For, X-Forwarded-Proto) are honoured only with `proxy_headers` and only from `forwarded_allow_ips`:
otherwise any client could claim another address and slip past the per-client rate limit.
"""

from __future__ import annotations

import contextlib
import signal
from dataclasses import dataclass

from monitor import config
from monitor.config import Settings


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "info"


def serve(settings: Settings, options: ServeOptions) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM: uvicorn finishes the requests in flight, then returns)."""
    # uvicorn handles SIGINT and SIGTERM (it finishes the requests in flight), then raises the signal again for the
    # handler it found: here that handler ends `govmon serve` normally, with exit code 0.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            _run(settings, options)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(settings: Settings, options: ServeOptions) -> None:
    import uvicorn

    common = {"host": options.host, "port": options.port, "proxy_headers": options.proxy_headers,
              "forwarded_allow_ips": options.forwarded_allow_ips, "log_level": options.log_level,
              "server_header": False, "timeout_graceful_shutdown": 10}  # fmt: skip
    if options.workers == 1:
        from monitor.web import create_app

        uvicorn.Server(uvicorn.Config(create_app(settings), **common)).run()  # type: ignore[arg-type]
        return
    config.export_for_workers(settings)
    uvicorn.run("monitor.web:app_from_environment", factory=True, workers=options.workers, **common)  # type: ignore[arg-type]
