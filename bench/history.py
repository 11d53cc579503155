"""History benchmark: the weekly digest and `/coach stats` must not slow down as
history grows.

    python -m bench history                    # a temporary SQLite file
    python -m bench history --sizes 5000 50000 # other reflection counts (a quick run)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench history

The same program is seeded for each size (bot.seed: 100 pods, 500 people, 26 weeks
up to a Thursday evening), then older reflections are added until the history holds
the number asked for (default 50,000 and 500,000), the shared ones carried by the
digests of their weeks. Measured, median of several runs each:

- the digest: this week's digest composed and built as Block Kit, as the Friday
  tick (and "Preview" in /coach admin) does;
- /coach stats for a program admin (their pod and the whole program) and for a
  member (themselves and their pod), as the command builds them.

Each with the SQL statements one run sends, which must not grow with history.

Targets: each under 300 ms, and the largest history less than 2× the smallest.
The PostgreSQL database is emptied first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select, text

from bench.tick import database, empty
from bot.db import Database
from bot.seed import add_reflection_history, seed_demo
from bot.services import digest, velocity
from bot.ui import digest as digest_ui
from bot.ui import stats as stats_ui
from models import Reflection

SIZES = (50_000, 500_000)
TEAM = "T0HIST"
PODS, MEMBERS, WEEKS = 100, 500, 26
NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # a Thursday: the digest is due tomorrow
REPEATS = 7
TARGET_MS = 300.0
TARGET_RATIO = 2.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench history", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=SIZES,
        metavar="REFLECTIONS",
        help=f"reflections in history (default: {' '.join(map(str, SIZES))})",
    )
    args = parser.parse_args(argv)
    args.sizes = tuple(sorted(args.sizes))
    if args.sizes[0] < 1:
        parser.error("--sizes: every count must be at least 1")
    return args


Figures = tuple[float, float, int]
"""(wall ms, this process's CPU ms, SQL statements)"""


def median_ms(db: Database, work: Callable[[], object]) -> Figures:
    """Wall and CPU ms, medians of REPEATS runs after a warm-up, and the statements
    one run sends (the same every run)."""
    work()  # warm: statement caches, content
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    walls, cpus = [], []
    for _ in range(REPEATS):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), statements


def build(db: Database, reflections: int) -> tuple[int, str, str]:
    """Seeds the program and its older history; (reflections, admin id, member id)."""
    empty(db)
    summary = seed_demo(db, team_id=TEAM, pods=PODS, members=MEMBERS, weeks=WEEKS, now=NOW)
    with db.transaction() as tx:
        recent = int(tx.scalar(select(func.count()).select_from(Reflection)) or 0)
    if reflections > recent:
        add_reflection_history(
            db, team_id=TEAM, reflections=reflections - recent, before=NOW - timedelta(weeks=WEEKS)
        )
    if not db.is_sqlite:  # what autovacuum does shortly after a bulk load
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    with db.transaction() as tx:
        total = int(tx.scalar(select(func.count()).select_from(Reflection)) or 0)
    member = next(
        p for pod in summary.pods for p in pod.user_ids if p not in summary.admin_user_ids
    )
    return total, summary.admin_user_ids[0], member


def measure(db: Database, admin: str, member: str) -> dict[str, Figures]:
    def the_digest() -> object:
        with db.transaction() as tx:
            facts = digest.preview(tx, TEAM, NOW)
        return digest_ui.digest_message(facts)

    def stats(user_id: str, admin_view: bool) -> Callable[[], object]:
        def work() -> object:
            with db.transaction() as tx:
                view = velocity.stats_for(tx, TEAM, user_id, NOW, include_program=admin_view)
            return stats_ui.stats_message(view)

        return work

    return {
        "digest": median_ms(db, the_digest),
        "stats (admin)": median_ms(db, stats(admin, True)),
        "stats (member)": median_ms(db, stats(member, False)),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    db, cleanup = database()
    print(
        f"history on {db.engine.dialect.name}: {PODS} pods, {MEMBERS} people, {WEEKS} weeks "
        f"seeded, older reflections added; median of {REPEATS} runs"
    )
    results: dict[int, dict[str, Figures]] = {}
    try:
        for size in args.sizes:
            total, admin, member = build(db, size)
            results[total] = measure(db, admin, member)
            print(f"  {total:,} reflections in history", flush=True)
    finally:
        cleanup()
    names = list(next(iter(results.values())))
    header = f"{'reflections':>11} " + " ".join(f"{name:>24}" for name in names)
    print(header)
    print(f"{'':>11} " + " ".join(f"{'ms (cpu ms) statements':>24}" for _ in names))
    print("-" * len(header))
    for total, row in results.items():
        cells = (f"{wall:.1f} ({cpu:.1f}) {count}" for wall, cpu, count in row.values())
        print(f"{total:>11,} " + " ".join(f"{cell:>24}" for cell in cells))
    print(f"{'target':>11} " + " ".join(f"{'< ' + str(int(TARGET_MS)) + ' ms':>24}" for _ in names))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores when measured)")
    small, large = min(results), max(results)
    if small == large:
        return
    print(f"ratio {large:,} / {small:,} reflections (target < {TARGET_RATIO:.0f}×):")
    for name in names:
        (wall_a, cpu_a, _), (wall_b, cpu_b, _) = results[small][name], results[large][name]
        ratio = wall_b / max(wall_a, 1e-6)
        verdict = "ok" if ratio < TARGET_RATIO and max(wall_a, wall_b) < TARGET_MS else "MISSED"
        print(f"  {name:<15} ×{ratio:.2f} (cpu ×{cpu_b / max(cpu_a, 1e-6):.2f})  {verdict}")


if __name__ == "__main__":
    main()
