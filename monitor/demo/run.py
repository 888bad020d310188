"""`govmon demo`: serve the bundled site, crawl it, extract and diff, deliver digests to .eml files, build the
archive. Everything lands under one directory (default `var/demo`); a second run reuses its database, so it finds
nothing new and sends nothing.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine

from db.outbox import upsert_subscriber
from db.session import make_engine, session_scope
from monitor.channels.outbox import DirectoryTransport
from monitor.config import Settings
from monitor.demo import stats
from monitor.demo.registry import source_ids, write_registry
from monitor.demo.server import SiteServer
from monitor.digest.selection import Filters
from monitor.ops import jobs
from monitor.publish.site import build_site

SITE = Path(__file__).resolve().parent / "site"
SUBSCRIBERS = (  # (e-mail, what they follow, format)
    ("analyst@example.org", Filters(), "both"),
    ("shanghai-desk@example.org", Filters(regions=("上海市",)), "both"),
    ("rd-watch@example.org", Filters(metrics=("rd_intensity",)), "both"),
)
Update = Callable[[int, int], None]  # (done, total)
Step = Callable[[str, int], AbstractContextManager[Update]]  # a progress bar for one step


class DemoError(Exception):
    """The demo cannot run (e.g. its server port is taken); the message says what to do."""


@dataclass(frozen=True)
class DemoPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "govmon.db"

    @property
    def mail(self) -> Path:
        return self.root / "mail"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def registry(self) -> Path:
        return self.root / "registry.yaml"

    @property
    def port_file(self) -> Path:
        return self.root / "server.port"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database.resolve()}"

    def reset(self) -> None:
        """Remove what earlier runs wrote (only govmon's own files and folders)."""
        for path in (self.mail, self.site):
            shutil.rmtree(path, ignore_errors=True)
        for path in (self.database, self.registry, self.port_file, self.root / "secret.key"):
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)


@dataclass
class DemoReport:
    paths: DemoPaths
    crawls: list[jobs.CrawlOutcome]
    processed: jobs.ProcessReport
    digests: jobs.DigestReport
    mails: list[Path]
    site_files: list[Path]
    regions: list[stats.RegionStats] = field(default_factory=list)
    top: list[stats.TopChange] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def new_documents(self) -> int:
        return sum(c.new + c.changed for c in self.crawls)

    @property
    def failed(self) -> list[jobs.CrawlOutcome]:
        return [c for c in self.crawls if not c.ok]


def demo_settings(base: Settings, paths: DemoPaths) -> Settings:
    """The user's settings with the demo directory's database, data and mail locations. Digests link to the
    archive at `base_url` (default http://localhost:8000, where `govmon demo --keep` serves it)."""
    return base.replace(database_url=paths.database_url, data_dir=str(paths.root), mail_dir=str(paths.mail))


def open_server(paths: DemoPaths) -> SiteServer:
    """The demo site on a free port, the same one on every later run: stored documents keep their URLs."""
    saved = int(paths.port_file.read_text()) if paths.port_file.is_file() and paths.database.is_file() else 0
    try:
        server = SiteServer(SITE, port=saved)
    except OSError as exc:
        raise DemoError(f"port {saved} of the demo site is busy ({exc.strerror}): free it, or start over with "
                        f"`govmon demo --fresh`") from exc  # fmt: skip
    paths.port_file.write_text(str(server.port))
    return server


def run_demo(paths: DemoPaths, settings: Settings, step: Step) -> DemoReport:
    started = time.monotonic()
    paths.root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(paths.database_url, create_dirs=True)
    try:
        _init(engine)
        with open_server(paths) as server:
            crawls = _crawl(settings, write_registry(server.base, paths.registry), step)
        report = _after_crawl(engine, paths, settings, crawls, step)
    finally:
        engine.dispose()
    report.seconds = time.monotonic() - started
    return report


def _init(engine: Engine) -> None:
    from db.migrate import upgrade

    upgrade(engine)
    with session_scope(engine) as session:
        for email, filters, fmt in SUBSCRIBERS:
            upsert_subscriber(session, email, filters, "immediate", fmt)


# The demo server is ours and local: no delay, no throttling, short timeouts.
FAST = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False",
        "CONCURRENT_REQUESTS_PER_DOMAIN=8", "DOWNLOAD_TIMEOUT=10", "RETRY_TIMES=1")  # fmt: skip


def _crawl(settings: Settings, registry: Path, step: Step) -> list[jobs.CrawlOutcome]:
    ids = source_ids()
    with step(f"crawling {len(ids)} demo sources", len(ids)) as update:
        done: list[jobs.CrawlOutcome] = []

        def finished(crawl: jobs.CrawlOutcome) -> None:
            done.append(crawl)
            update(len(done), len(ids))

        return jobs.crawl(settings, ids, str(registry), timeout=120, parallel=3, progress=finished, overrides=FAST)


def _after_crawl(engine: Engine, paths: DemoPaths, settings: Settings, crawls: list[jobs.CrawlOutcome],
                 step: Step) -> DemoReport:  # fmt: skip
    with step("extracting and diffing", 0) as update:
        processed = jobs.process_new_versions(engine, progress=update)
    transport = DirectoryTransport(paths.mail)
    with step("rendering and delivering digests", 0):
        digests = jobs.send_due_digests(engine, settings, transport)
    for eml in transport.written:
        write_preview(eml)
    with step("building the archive site", 0) as update:
        site_files = build_site(engine, paths.site, settings.base_url, progress=update)
    report = DemoReport(paths, crawls, processed, digests, transport.written, site_files)
    with session_scope(engine) as session:
        report.regions, report.top = stats.region_stats(session), stats.top_changes(session)
    return report


def write_preview(eml: Path) -> Path | None:
    """The HTML part of a digest .eml as `<name>.html` beside it, to open in a browser."""
    parts = message_from_bytes(eml.read_bytes()).walk()
    html = next((p for p in parts if p.get_content_type() == "text/html"), None)
    if html is None:
        return None
    payload = html.get_payload(decode=True)
    charset = html.get_content_charset() or "utf-8"
    target = eml.with_suffix(".html")
    target.write_text(payload.decode(charset) if isinstance(payload, bytes) else str(payload), encoding="utf-8")
    return target


def latest_mail(paths: DemoPaths) -> Path | None:
    """The newest digest of the subscriber who follows everything, else the newest digest."""
    mails = sorted(paths.mail.glob("*.eml"))
    return next((p for p in reversed(mails) if SUBSCRIBERS[0][0] in p.name), mails[-1] if mails else None)


def keep_serving(paths: DemoPaths, settings: Settings, announce: Callable[[str], None]) -> None:
    """Serve the demo site (on its usual port: the digests link to it) and `govmon serve` over the demo database (on
    `base_url`'s port when that is local, so every link of the digests works: archive, preferences, unsubscribe)
    until Ctrl-C."""
    from monitor.web.server import ServeOptions, serve

    base = urlsplit(settings.base_url)
    port = (base.port or 80) if base.hostname in ("localhost", "127.0.0.1") else 0
    if port == 0 or not _free(port):
        port = _free_port()
        announce(f"port {base.port} of base_url is busy or not local: the web face is on {port}; the digests' links "
                 f"point at {settings.base_url}")  # fmt: skip
    with open_server(paths) as source:
        announce(f"serving the demo site at {source.base}/index.html and govmon serve (archive, subscriptions, "
                 f"unsubscribe) at http://127.0.0.1:{port}/; Ctrl-C stops")  # fmt: skip
        serve(settings, ServeOptions(port=port, log_level="warning"))
    announce("stopped")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
