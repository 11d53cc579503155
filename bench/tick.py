"""Tick benchmark: SQL statements and time per tick for 10, 100 and 1000 pods.

    python -m bench tick            # a temporary SQLite file
    python -m bench tick --sizes 5 20  # other pod counts (a quick run)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench tick

The PostgreSQL database is emptied first. Each size is measured at four
instants of a weekly pod's life: scheduling every pod's next session, an idle
minute, the prep reminders (channel, DMs, coach brief) and the end-of-session
DMs. The statement count should not grow with the number of pods, except that
one INSERT carries at most 1000 outbox rows (SQLAlchemy's insertmanyvalues
page), so 6000 messages take six.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import event, insert, text

from bot.db import Database
from bot.settings import normalize_database_url
from bot.tick import tick
from models import Base, Member, Pod, PodMembership, PodSession

SIZES = (10, 100, 1000)
MEMBERS_PER_POD = 4
TEAM = "T0BENCH"
SCHEDULE_AT = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Monday; pods meet Tuesdays 15:00 London
IDLE_AT = SCHEDULE_AT + timedelta(hours=1)
PREP_AT = datetime(2026, 3, 2, 15, tzinfo=UTC)
END_AT = datetime(2026, 3, 3, 15, 45, tzinfo=UTC)
IDLE_REPEATS = 20


@dataclass(frozen=True)
class Figures:
    statements: int
    enqueued: int
    ms: float


class Counter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements = 0
        event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: object) -> None:
        self.statements += 1

    def measure(self, at: datetime) -> Figures:
        self.statements = 0
        started = time.perf_counter()
        enqueued = tick(self.db, at)
        elapsed = time.perf_counter() - started
        return Figures(self.statements, enqueued, elapsed * 1000)


def empty(db: Database) -> None:
    with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


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


def parse_sizes(argv: list[str] | None = None) -> tuple[int, ...]:
    parser = argparse.ArgumentParser(prog="python -m bench tick", description="Tick benchmark.")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=SIZES,
        metavar="PODS",
        help=f"pod counts to measure, smallest first (default: {' '.join(map(str, SIZES))})",
    )
    sizes = tuple(sorted(parser.parse_args(argv).sizes))
    if sizes[0] < 1:
        parser.error("--sizes: every pod count must be at least 1")
    return sizes


def main(argv: list[str] | None = None) -> None:
    sizes = parse_sizes(argv)
    db, cleanup = database()
    counter = Counter(db)
    print(f"tick on {db.engine.dialect.name}, {MEMBERS_PER_POD} members per pod")
    header = f"{'pods':>5} {'instant':<9} {'statements':>10} {'enqueued':>8} {'ms':>8}"
    print(header)
    print("-" * len(header))
    results: dict[int, dict[str, Figures]] = {}
    try:
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
        print(f"ratios {large} pods / {small} pods (pods ×{large // small}):")
        for name in results[small]:
            a, b = results[small][name], results[large][name]
            print(
                f"  {name:<9} statements ×{b.statements / a.statements:.2f}"
                f"   time ×{b.ms / max(a.ms, 1e-6):.1f}"
                f"   {b.ms / large:.3f} ms per pod at {large}"
            )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
