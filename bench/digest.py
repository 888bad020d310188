"""Digest throughput: N subscribers rendered and delivered through the outbox to a local SMTP sink (aiosmtpd),
against smtplib sending one pre-rendered message N times over one connection, in the same run.

    .venv/bin/python -m bench.digest [--subscribers 10000]
"""

from __future__ import annotations

import argparse
import resource
import smtplib
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bench.harness import Row, note
from db import models as m
from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.channels.outbox import SmtpTransport
from monitor.config import Settings
from monitor.ops.jobs import process_new_versions, send_due_digests
from tests.smtp import smtp_server

TEXTS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "texts"


def prepare(workdir: Path, subscribers: int) -> str:
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        for year in (2023, 2024):
            text = (TEXTS / f"示例市_{year}.txt").read_text(encoding="utf-8")
            store_fetched(
                session,
                FetchedDocument(
                    url=f"https://example.gov.cn/{year}.html",
                    region="示例市",
                    text=text,
                    raw=text.encode(),
                    title=f"{year}年示例市政府工作报告",
                    doc_type="work_report",
                    report_year=year,
                ),
            )
    process_new_versions(engine)
    rows = [
        {
            "email": f"reader{i}@example.org",
            "regions": ["示例市"],
            "themes": [],
            "metrics": [],
            "doc_types": [],
            "cadence": "immediate",
            "format": "both",
            "status": "active",
            "created_at": datetime.now(UTC),
        }
        for i in range(subscribers)
    ]
    with engine.begin() as conn:
        conn.execute(insert(m.Subscriber), rows)
    engine.dispose()
    return url


def govmon_rate(url: str, port: int, workdir: Path) -> tuple[float, int]:
    settings = Settings(database_url=url, smtp_host="127.0.0.1", smtp_port=port, data_dir=str(workdir))
    engine = make_engine(url)
    start = time.perf_counter()
    report = send_due_digests(engine, settings, SmtpTransport(settings), force=True)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return report.sent / elapsed, report.sent


def first_payload(url: str) -> bytes:
    """The wire form of one rendered digest, as the outbox stored it."""
    from db.outbox import payload_of

    engine = make_engine(url)
    with session_scope(engine) as session:
        payload = payload_of(session, 1)
    engine.dispose()
    return payload


def smtplib_rate(port: int, payload: bytes, count: int) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            smtp.sendmail("govmon@localhost", [f"reader{i}@example.org"], payload)
    return count / (time.perf_counter() - start)


@dataclass
class Comparison:
    subscribers: int
    sent: int
    rate: float  # govmon msgs/s
    raw: float  # smtplib msgs/s
    size_kib: float


def compare(subscribers: int = 10_000) -> Comparison:
    with tempfile.TemporaryDirectory() as tmp, smtp_server(keep=False) as (inbox, port):
        workdir = Path(tmp)
        note(f"digest: {subscribers:,} subscribers, rendering and sending through the outbox")
        url = prepare(workdir, subscribers)
        rate, sent = govmon_rate(url, port, workdir)
        note(f"digest: govmon {rate:,.1f} msgs/s; now raw smtplib")
        payload = first_payload(url)
        raw = smtplib_rate(port, payload, subscribers)
        assert inbox.received == sent + subscribers
    return Comparison(subscribers, sent, rate, raw, len(payload) / 1024)


def measure(subscribers: int = 10_000) -> Row:
    """The summary-table row: digests/s through govmon's outbox against raw smtplib sends of one message."""
    c = compare(subscribers)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    detail = f"{c.sent:,} digests of {c.size_kib:.0f} KiB; RSS includes the SMTP sink"
    return Row.of("digests", "msgs/s", c.rate, c.raw, rss, detail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    c = compare(args.subscribers)
    print(f"subscribers : {c.subscribers}, digest size {c.size_kib:.1f} KiB (HTML + text)")
    print(f"govmon      : {c.sent} digests selected, rendered, queued and sent at {c.rate:8.1f} msgs/s")
    print(f"smtplib     : one pre-rendered message {c.subscribers}× at {c.raw:8.1f} msgs/s")
    print(f"ratio       : {c.rate / c.raw:.2f} of raw smtplib")
    print(f"peak RSS    : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
