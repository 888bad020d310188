"""`govmon serve`: the web face (sign-up, preferences, one-click unsubscribe, live archive, JSON API, /healthz,
/metrics) under uvicorn."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from monitor.cli.app import App, pass_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (about one per CPU).")  # fmt: skip
@click.option("--proxy-headers", is_flag=True,
              help="Behind a reverse proxy: client address and scheme from X-Forwarded-For/-Proto.")  # fmt: skip
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="Comma-separated proxies whose forwarded headers are trusted (with --proxy-headers).")  # fmt: skip
@pass_app
def serve(app: App, host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str) -> None:
    """Serve the web face: /subscribe, /preferences, /unsubscribe (RFC 8058 one-click), the live archive and
    Atom feeds, the JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json), /healthz and /metrics.

    In production run it behind a reverse proxy that terminates TLS, with base_url set to the public https URL
    and secret_key set (see README, "The web face").

    \b
    Examples:
      govmon serve                                   # http://127.0.0.1:8000
      govmon serve --workers 2 --proxy-headers       # behind nginx on the same machine
    """
    from monitor.web.server import ServeOptions
    from monitor.web.server import serve as run

    app.engine()  # the schema must be current: a clear error now, not a 500 on the first request
    for warning in _warnings(app, host):
        app.err.print(f"[yellow]warning:[/] {warning}")
    app.err.print(f"serving {app.settings.base_url} on http://{host}:{port} with {workers} worker(s); Ctrl-C stops")
    run(app.settings, ServeOptions(host, port, workers, proxy_headers, forwarded_allow_ips))


def _warnings(app: App, host: str) -> list[str]:
    s = app.settings
    found = []
    if urlsplit(s.base_url).scheme != "https" and host not in LOOPBACK:
        found.append(f"base_url {s.base_url} is not https: links in mails would travel in clear text")
    if not s.secret_key and host not in LOOPBACK:
        found.append(f"secret_key is not set: tokens are signed with the key generated in {s.data_dir}/secret.key")
    return found


def register(group: click.Group) -> None:
    group.add_command(serve)
