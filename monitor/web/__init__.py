"""The web face of govmon (`govmon serve`): an ASGI app (FastAPI on Starlette, served by uvicorn).

`create_app(settings)` builds it: the live archive (`archive`), sign-up with double opt-in (`subscribe`),
preferences and one-click unsubscribe (`manage`), the JSON API (`api`), `/healthz` and `/metrics` (`ops`), behind
the security headers of `security`. Every use case is a function of `monitor.service`; routes only translate HTTP
to those calls and back. Administration (adding, removing, listing subscribers) stays in the CLI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from importlib.metadata import version

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from monitor import config
from monitor.config import Settings
from monitor.service.database import open_engine
from monitor.tokens import load_secret
from monitor.web import api, archive, manage, ops, subscribe
from monitor.web.security import RateLimiter, SecurityHeaders
from monitor.web.state import Limits, PageCache, WebState
from monitor.web.views import message


def create_app(settings: Settings, *, limits: Limits | None = None, now: Callable[[], datetime] | None = None,
               send_notice: Callable[[int], object] | None = None, page_ttl: float = 1.0) -> FastAPI:  # fmt: skip
    """The app over the database of `settings`. `send_notice(delivery_id)` sends a queued sign-up mail (default:
    by the settings' SMTP server or mail_dir); `now` and `limits` are for tests."""
    limits = limits or Limits()
    engine = open_engine(settings.database_url)
    web = WebState(
        settings=settings,
        engine=engine,
        reader=open_engine(settings.database_url, read_only=True),
        secret=load_secret(settings),
        per_client=RateLimiter(limits.per_client, limits.window),
        per_email=RateLimiter(limits.per_email, limits.window),
        pages=PageCache(ttl=page_ttl),
        send_notice=send_notice or _sender(settings, engine),
    )
    if now is not None:
        web.now = now
    app = FastAPI(title="govmon", version=version("govmon"), openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=_lifespan(web))  # fmt: skip
    app.state.web = web
    for module in (api, ops, subscribe, manage, archive):
        app.include_router(module.router)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(SecurityHeaders)
    return app


def _sender(settings: Settings, engine: object) -> Callable[[int], object]:
    from monitor.service import notices

    def send(delivery_id: int) -> object:
        return notices.send(engine, settings, delivery_id)  # type: ignore[arg-type]

    return send


def _lifespan(web: WebState) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        web.engine.dispose()
        web.reader.dispose()

    return lifespan


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": getattr(exc, "detail", "error")}, status_code=status)
    if status == 404:
        return archive.not_found()
    return message("请求无法处理", f"请求无法处理（HTTP {status}）。", status)


def app_from_environment() -> FastAPI:
    """The factory `govmon serve --workers N` gives uvicorn: each worker process reads the same settings."""
    return create_app(config.load())
