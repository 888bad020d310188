"""Running the web app under uvicorn: one process, or `workers` processes sharing the listening socket.

uvicorn is the ASGI server: with one worker the app object is handed over directly; with several, uvicorn starts
fresh processes that build the app from the factory `monitor.web:app_from_environment`, so the settings travel as
GOVMON_* environment variables (never on a command line, which other local users can read). Proxy headers
(X-Forwarded-For, X-Forwarded-Proto) are honoured only with `proxy_headers` and only from `forwarded_allow_ips`:
otherwise any client could claim another address and slip past the per-client rate limit.
"""

from __future__ import annotations

import contextlib
import os
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
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it handled: the normal end here
        _run(settings, options)


def _run(settings: Settings, options: ServeOptions) -> None:
    import uvicorn

    common = {"host": options.host, "port": options.port, "proxy_headers": options.proxy_headers,
              "forwarded_allow_ips": options.forwarded_allow_ips, "log_level": options.log_level,
              "server_header": False, "timeout_graceful_shutdown": 10}  # fmt: skip
    if options.workers == 1:
        from monitor.web import create_app

        uvicorn.Server(uvicorn.Config(create_app(settings), **common)).run()  # type: ignore[arg-type]
        return
    os.environ.update(config.environment_of(settings))
    uvicorn.run("monitor.web:app_from_environment", factory=True, workers=options.workers, **common)  # type: ignore[arg-type]
