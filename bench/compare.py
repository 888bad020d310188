"""`govmon compare` on the 31 provinces: the whole command end to end (a fresh process, as a user runs it) and
the comparison in process, against the floor of reading the same figures with one plain SQL query.

The database holds two years of the 31 provincial reports and the national ones (the 2025 reports of
../shared, and each again with its years moved back by one as the 2024 report, so every region has a prior
year; without ../shared, reports written from a template), extracted and diffed as `govmon import` leaves them.

    .venv/bin/python -m bench.compare [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Row, note, run
from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.compare.levels import PROVINCES
from monitor.ops.jobs import process_new_versions
from monitor.service.comparisons import load_matrix, load_table
from tests import corpus

YEARS = (2024, 2025)
TEMPLATE = (
    "{year}年{region}政府工作报告\n\n一、{prior}年工作回顾\n\n过去一年，全省地区生产总值增长{result}%，一般公共预算收入"
    "增长{revenue}%。\n\n二、{year}年主要预期目标\n\n今年经济社会发展的主要预期目标是：地区生产总值增长{gdp}%左右；"
    "居民消费价格涨幅2%左右；城镇调查失业率5.5%左右；城镇新增就业{jobs}万人以上；粮食产量稳定在{grain}亿斤以上。\n\n"
    "三、{year}年重点工作\n\n" + "坚持稳中求进，推动产业升级和科技创新，扩大有效投资和消费，保障和改善民生。" * 120
)


def reports() -> list[tuple[str, int, str]]:
    """(region, year, text) of every report to store."""
    if corpus.available():
        texts = {next(p for p in PROVINCES if p.startswith(name[:2])): text
                 for name, text in corpus.provinces_2025().items()}  # fmt: skip
        out = [(region, year, _as_year(text, year)) for region, text in texts.items() for year in YEARS]
        return out + [("全国", year, corpus.national(year)) for year in YEARS]
    return [(region, year, _synthetic(i, region, year)) for i, region in enumerate(PROVINCES) for year in YEARS]


def _as_year(text: str, year: int) -> str:
    """The 2025 report as if it were `year`'s: every year mentioned moved back alike."""
    shift = 2025 - year
    return re.sub(r"20[12]\d", lambda m: str(int(m.group()) - shift), text) if shift else text


def _synthetic(i: int, region: str, year: int) -> str:
    return TEMPLATE.format(year=year, prior=year - 1, region=region, result=5 + i % 7 / 10, revenue=3 + i % 5 / 10,
                           gdp=5 + i % 3 / 2, jobs=20 + i * 3, grain=100 + i * 25)  # fmt: skip


def prepare(workdir: Path) -> str:
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        for region, year, text in reports():
            store_fetched(session, FetchedDocument(url=f"https://example.gov.cn/{region}/{year}.html", region=region,
                                                   text=text, raw=text.encode(), title=f"{year}年{region}政府工作报告",
                                                   doc_type="work_report", report_year=year))  # fmt: skip
    note("compare: extracting and diffing the stored reports (setup, not measured)")
    process_new_versions(engine)
    engine.dispose()
    return url


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


RAW_SQL = """
SELECT d.region, t.value, t.value_max, t.unit, t.qualifier, t.kind, t.status, t.year, t.sentence
FROM targets t JOIN document_versions v ON v.id = t.version_id JOIN documents d ON d.id = v.document_id
WHERE d.doc_type = 'work_report' AND d.report_year IN (2024, 2025) AND t.metric_key = 'gdp_growth'
  AND v.id IN (SELECT max(v2.id) FROM document_versions v2 GROUP BY v2.document_id)
"""


def raw_query(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(RAW_SQL).fetchall()
    conn.close()


def cli(url: str, *args: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one `govmon` run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run([sys.executable, "-m", "monitor", "--db", url, *args])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"govmon {' '.join(args)} failed: {done.stderr.strip()}")
    return done.seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_cli(url: str, repeat: int, *args: str) -> tuple[float, float]:
    runs = [cli(url, *args) for _ in range(repeat)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def timings(repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="govmon-bench-compare-") as tmp:
        url = prepare(Path(tmp))
        engine = make_engine(url)
        out = {
            "table": best(lambda: load_table(engine, "gdp_growth", 2025), repeat),
            "matrix": best(lambda: load_matrix(engine, 2025), repeat),
            "raw": best(lambda: raw_query(Path(tmp) / "bench.db"), repeat),
        }
        commands = {
            "cli": ("compare", "--metric", "gdp_growth", "--year", "2025", "--json"),
            "cli_matrix": ("compare", "--headline", "--year", "2025", "--json"),
            "cli_version": ("--version",),
        }
        for name, args in commands.items():
            out[name], out[name + "_cpu"] = best_cli(url, repeat, *args)
        engine.dispose()
    return out


def measure(repeat: int = 5) -> Row:
    """The summary-table row: comparison tables per second in process against the plain SQL read of its figures;
    the end-to-end command times (the issue's bound: under a second) in the notes."""
    t = timings(repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    detail = (f"31 provinces × 2 years on SQLite; in process {t['table'] * 1e3:.0f} ms per table, "
              f"{t['matrix'] * 1e3:.0f} ms per matrix; whole command `compare --metric` {_cmd(t, 'cli')}, "
              f"`compare --headline` {_cmd(t, 'cli_matrix')}, `govmon --version` {_cmd(t, 'cli_version')}")  # fmt: skip
    return Row.of("compare", "tables/s", 1 / t["table"], 1 / t["raw"], rss, detail)


def _cmd(t: dict[str, float], name: str) -> str:
    return f"{t[name]:.2f} s ({t[name + '_cpu']:.2f} s CPU)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement; the best counts")
    args = parser.parse_args()
    t = timings(args.repeat)
    print("whole commands, each in a fresh process (wall, and CPU of the process):")
    print(f"  govmon compare --metric gdp_growth --year 2025 --json  {_cmd(t, 'cli')}")
    print(f"  govmon compare --headline --year 2025 --json           {_cmd(t, 'cli_matrix')}")
    print(f"  govmon --version (the start-up every command pays)     {_cmd(t, 'cli_version')}")
    print(f"in process: one table {t['table'] * 1e3:.1f} ms, the headline matrix {t['matrix'] * 1e3:.1f} ms")
    print(f"baseline: one SQL query reading the same figures {t['raw'] * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
