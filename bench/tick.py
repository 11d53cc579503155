"""Tick benchmark: SQL statements and time per tick for 10, 100 and 1000 pods.

    python -m bench tick            # a temporary SQLite file
    python -m bench tick --sizes 5 20  # other pod counts (a quick run)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench tick

The PostgreSQL database is emptied first.

First part, tick's rhythm on a bare program: each size is measured at four
instants of a weekly pod's life: scheduling every pod's next session, an idle
minute, the prep reminders (channel, DMs, coach brief) and the end-of-session
DMs. The statement count should not grow with the number of pods, except that
one INSERT carries at most 1000 outbox rows (SQLAlchemy's insertmanyvalues
page), so 6000 messages take six.

Second part, tick at scale (`--scale-pods`, default 200 and 2000 pods of five
members with a year of history from bot.seed): the busy tick that finds about 300
due sessions (the bot was down for a few hours, or a popular hour) and enqueues
their prep reminders and end-of-session DMs. Target: under 2 s at 2000 pods, with
the same number of SQL statements at every size. "statements" are the statements
tick executes; "round trips" also count each page of a bulk INSERT.

    python -m bench tick --sizes 10 --scale-pods 20 200 --weeks 8   # a quick run
    python -m bench tick --sizes 0     # only the scale part (the full year)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import and_, event, func, insert, inspect, or_, select, text

from bot.db import Database
from bot.seed import seed_demo
from bot.settings import normalize_database_url
from bot.tick import tick
from models import Base, Member, Pod, PodMembership, PodSession, SessionStatus

SIZES = (10, 100, 1000)
MEMBERS_PER_POD = 4
TEAM = "T0BENCH"
SCHEDULE_AT = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Monday; pods meet Tuesdays 15:00 London
IDLE_AT = SCHEDULE_AT + timedelta(hours=1)
PREP_AT = datetime(2026, 3, 2, 15, tzinfo=UTC)
END_AT = datetime(2026, 3, 3, 15, 45, tzinfo=UTC)
IDLE_REPEATS = 20

SCALE_PODS = (200, 2000)
SCALE_MEMBERS_PER_POD = 5
SCALE_WEEKS = 52
SCALE_NOW = datetime(2026, 11, 30, 6, tzinfo=UTC)  # the seeded history ends on a Monday
SCALE_DUE = 300
SCALE_TARGET_MS = 2000.0


@dataclass(frozen=True)
class Figures:
    statements: int
    enqueued: int
    ms: float
    round_trips: int = 0
    cpu_ms: float = 0.0
    """This process's CPU time: what the wall time would be on an idle machine, less
    the database's own work (fsync, a PostgreSQL server's CPU)."""


class Counter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements = 0
        self.executions = 0
        event.listen(db.engine, "before_cursor_execute", self._count)
        event.listen(db.engine, "before_execute", self._count_execution)

    def _count(self, *_args: object) -> None:
        self.statements += 1

    def _count_execution(self, *_args: object) -> None:
        self.executions += 1

    def measure(self, at: datetime) -> Figures:
        self.statements = 0
        self.executions = 0
        started, cpu = time.perf_counter(), time.process_time()
        enqueued = tick(self.db, at)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return Figures(self.statements, enqueued, elapsed * 1000, self.statements, cpu * 1000)


def empty(db: Database) -> None:
    with db.engine.begin() as connection:
        existing = set(inspect(connection).get_table_names())  # models ahead of migrations
        tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
        if db.is_sqlite:
            for table in tables:
                connection.execute(table.delete())
        else:
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def seed(db: Database, pods: int) -> None:
    """Pods of four seasoned members (two held sessions behind them)."""
    joined = SCHEDULE_AT - timedelta(days=60)
    with db.transaction() as tx:
        tx.execute(
            insert(Member),
            [
                {
                    "team_id": TEAM,
                    "user_id": f"U{p:04d}{m}",
                    "tz": "America/New_York" if m == 0 else "Europe/London",
                    "ground_rules_agreed_at": joined,
                    "created_at": joined,
                }
                for p in range(pods)
                for m in range(MEMBERS_PER_POD)
            ],
        )
        tx.execute(
            insert(Pod),
            [
                {
                    "team_id": TEAM,
                    "name": f"Pod {p}",
                    "name_key": f"pod {p}",
                    "weekday": 1,
                    "local_time": clock_time(15, 0),
                    "timezone": "Europe/London",
                    "channel_id": f"C{p:05d}",
                    "created_by": f"U{p:04d}0",
                    "created_at": joined,
                }
                for p in range(pods)
            ],
        )
        pod_ids = tx.scalars(text("SELECT id FROM pods ORDER BY id")).all()
        member_ids = tx.scalars(text("SELECT id FROM members ORDER BY id")).all()
        tx.execute(
            insert(PodMembership),
            [
                {
                    "team_id": TEAM,
                    "pod_id": pod_id,
                    "member_id": member_ids[p * MEMBERS_PER_POD + m],
                    "joined_at": joined + timedelta(minutes=m),
                }
                for p, pod_id in enumerate(pod_ids)
                for m in range(MEMBERS_PER_POD)
            ],
        )
        past = [SCHEDULE_AT - timedelta(weeks=w) + timedelta(hours=6) for w in (2, 1)]
        tx.execute(
            insert(PodSession),
            [
                {
                    "team_id": TEAM,
                    "pod_id": pod_id,
                    "starts_at": start,
                    "ends_at": start + timedelta(minutes=45),
                    "held_at": start,
                    "prep_enqueued_at": start,
                    "end_enqueued_at": start,
                    "created_at": start,
                }
                for pod_id in pod_ids
                for start in past
            ],
        )


def database() -> tuple[Database, Callable[[], None]]:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        db = Database.from_url(normalize_database_url(url))
        db.upgrade()
        return db, db.engine.dispose
    folder = tempfile.TemporaryDirectory(prefix="coachbot-bench-")
    db = Database.from_url(f"sqlite:///{Path(folder.name) / 'bench.db'}")
    db.upgrade()

    def cleanup() -> None:
        db.engine.dispose()
        folder.cleanup()

    return db, cleanup


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench tick", description="Tick benchmark.")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=SIZES,
        metavar="PODS",
        help=f"pod counts of the first part (default: {' '.join(map(str, SIZES))}; 0: skip it)",
    )
    parser.add_argument(
        "--scale-pods",
        type=int,
        nargs="+",
        default=SCALE_PODS,
        metavar="PODS",
        help="pod counts of the scale part, with history "
        f"(default: {' '.join(map(str, SCALE_PODS))}; 0: skip it)",
    )
    parser.add_argument(
        "--weeks",
        type=int,
        default=SCALE_WEEKS,
        help=f"weeks of seeded history in the scale part (default: {SCALE_WEEKS})",
    )
    args = parser.parse_args(argv)
    args.sizes = tuple(sorted(n for n in args.sizes if n))
    args.scale_pods = tuple(sorted(n for n in args.scale_pods if n))
    if any(n < 1 for n in (*args.sizes, *args.scale_pods)):
        parser.error("every pod count must be at least 1")
    if args.weeks < 1:
        parser.error("--weeks must be at least 1")
    return args


def parse_sizes(argv: list[str] | None = None) -> tuple[int, ...]:
    return tuple(parse_args(argv).sizes)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    db, cleanup = database()
    counter = Counter(db)
    try:
        if args.sizes:
            rhythm(db, counter, args.sizes)
        if args.scale_pods:
            scale(db, counter, args.scale_pods, args.weeks)
    finally:
        cleanup()


def rhythm(db: Database, counter: Counter, sizes: tuple[int, ...]) -> None:
    print(f"tick on {db.engine.dialect.name}, {MEMBERS_PER_POD} members per pod")
    header = f"{'pods':>5} {'instant':<9} {'statements':>10} {'enqueued':>8} {'ms':>8}"
    print(header)
    print("-" * len(header))
    results: dict[int, dict[str, Figures]] = {}
    empty(db)
    seed(db, 2)
    for instant in (SCHEDULE_AT, IDLE_AT, PREP_AT, END_AT):  # warm-up: imports, caches
        tick(db, instant)
    for pods in sizes:
        empty(db)
        seed(db, pods)
        rows = {"schedule": counter.measure(SCHEDULE_AT)}
        idle = [counter.measure(IDLE_AT + timedelta(minutes=i)) for i in range(IDLE_REPEATS)]
        rows["idle"] = replace(idle[0], ms=statistics.median(f.ms for f in idle))
        rows["prep"] = counter.measure(PREP_AT)
        rows["end"] = counter.measure(END_AT)
        results[pods] = rows
        for name, f in rows.items():
            print(f"{pods:>5} {name:<9} {f.statements:>10} {f.enqueued:>8} {f.ms:>8.1f}")
    print()
    small, large = sizes[0], sizes[-1]
    if small == large:
        return
    print(f"ratios {large} pods / {small} pods (pods ×{large // small}):")
    for name in results[small]:
        a, b = results[small][name], results[large][name]
        print(
            f"  {name:<9} statements ×{b.statements / a.statements:.2f}"
            f"   time ×{b.ms / max(a.ms, 1e-6):.1f}"
            f"   {b.ms / large:.3f} ms per pod at {large}"
        )


# --------------------------------------------------------------------------- at scale


def due_sessions(db: Database, at: datetime) -> int:
    """Sessions owed prep reminders or end-of-session DMs at `at` (the default lead)."""
    owed_prep = and_(
        PodSession.prep_enqueued_at.is_(None),
        PodSession.starts_at > at,
        PodSession.starts_at <= at + timedelta(hours=24),
    )
    owed_end = and_(
        PodSession.end_enqueued_at.is_(None),
        PodSession.ends_at <= at,
        PodSession.ends_at > at - timedelta(hours=24),
    )
    with db.transaction() as tx:
        return int(
            tx.scalar(
                select(func.count())
                .select_from(PodSession)
                .where(PodSession.status == SessionStatus.SCHEDULED, or_(owed_prep, owed_end))
            )
            or 0
        )


def busy_gap(db: Database, wanted: int) -> timedelta:
    """How long after the end of the seeded history the first tick finds `wanted`
    due sessions (or the most a day finds)."""
    gap = timedelta(minutes=15)
    while gap < timedelta(hours=24) and due_sessions(db, SCALE_NOW + gap) < wanted:
        gap += timedelta(minutes=15)
    return gap


def seed_history(db: Database, pods: int, weeks: int) -> float:
    empty(db)
    started = time.perf_counter()
    seed_demo(
        db,
        team_id=TEAM,
        pods=pods,
        members=pods * SCALE_MEMBERS_PER_POD,
        weeks=weeks,
        now=SCALE_NOW,
        progress=sys.stdout.isatty(),
    )
    if not db.is_sqlite:  # what autovacuum does shortly after a bulk load
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    return time.perf_counter() - started


def scale(db: Database, counter: Counter, sizes: tuple[int, ...], weeks: int) -> None:
    members = SCALE_MEMBERS_PER_POD
    print(
        f"tick at scale on {db.engine.dialect.name}: {members} members a pod, {weeks} weeks "
        f"of seeded history, the busy tick (~{SCALE_DUE} due sessions at {sizes[-1]} pods)"
    )
    seed_history(db, 3, 2)  # warm-up: imports and statement caches on a tiny program
    for hours in range(0, 30, 2):
        tick(db, SCALE_NOW + timedelta(hours=hours))
    figures: dict[int, tuple[int, int, Figures, float]] = {}
    gap: timedelta | None = None
    for pods in sorted(sizes, reverse=True):  # the largest decides the instant
        seconds = seed_history(db, pods, weeks)
        with db.transaction() as tx:
            reflections = int(tx.scalar(text("SELECT count(*) FROM reflections")) or 0)
            outbox = int(tx.scalar(text("SELECT count(*) FROM outbox_messages")) or 0)
        if gap is None:
            gap = busy_gap(db, SCALE_DUE)
        at = SCALE_NOW + gap
        due = due_sessions(db, at)
        result = counter.measure(at)
        result = replace(result, statements=counter.executions, round_trips=counter.statements)
        figures[pods] = (due, reflections, result, seconds)
        print(
            f"  seeded {pods} pods in {seconds:.0f} s: {reflections:,} reflections, "
            f"{outbox:,} outbox rows; tick {gap} after the history ends",
            flush=True,
        )
    header = (
        f"{'pods':>5} {'due':>5} {'statements':>10} {'round trips':>11} "
        f"{'enqueued':>8} {'ms':>8} {'cpu ms':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for pods in sorted(figures):
        due, _, f, _ = figures[pods]
        target = f"< {SCALE_TARGET_MS:.0f} ms" if pods == max(figures) else ""
        verdict = ("ok" if f.ms < SCALE_TARGET_MS else "MISSED") if target else ""
        print(
            f"{pods:>5} {due:>5} {f.statements:>10} {f.round_trips:>11} "
            f"{f.enqueued:>8} {f.ms:>8.1f} {f.cpu_ms:>8.1f}  {target} {verdict}"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores when measured)")
    small, large = min(figures), max(figures)
    if small != large:
        a, b = figures[small][2], figures[large][2]
        same = "same" if a.statements == b.statements else "DIFFERENT"
        more_due = figures[large][0] / max(1, figures[small][0])
        print(
            f"ratios {large} / {small} pods: statements {a.statements} → {b.statements} ({same}),"
            f" time ×{b.ms / max(a.ms, 1e-6):.1f} for ×{more_due:.1f} due sessions"
        )


if __name__ == "__main__":
    main()
