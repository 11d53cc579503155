"""Fan-out benchmark: 10,000 DMs through the Slack stand-in, each call answered
after 100 ms, delivered by the outbox sender's worker processes.

    python -m bench fanout                       # SQLite, one worker process
    python -m bench fanout --messages 2000       # a quick run
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench fanout --workers 4

Two runs: a clean one, and one where the stand-in answers a share of the calls
with 429 and Retry-After. Each prints calls made, retries, wall time and the most
calls in flight at the stand-in at once. Targets: every DM delivered once in
under 60 s; with 429s, no call starts inside a Retry-After window and throughput
adapts (the rate-limited run is slower, not failed); calls in flight never exceed
`--in-flight`, a bound the worker processes share through the database
(`OutboxSender(max_claimed=...)`). Reference, measured in the same run: the time
the bound allows at best, messages × latency / in-flight.

The PostgreSQL database is emptied first.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import func, select, text

from bot.db import Database
from bot.notify import outbox
from bot.sender import OutboxSender
from bot.settings import normalize_database_url
from models import Base, OutboxMessage, OutboxStatus
from slack_standin.server import SlackStandIn

TOKEN = "xoxb-bench"
TEAM = "T0BENCH"
TARGET_SECONDS = 60.0
WINDOW_GRACE_SECONDS = 0.05
"""A call the sender had already begun when the 429 reached it cannot be recalled."""
ROOT = Path(__file__).resolve().parent.parent


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------- worker process


def worker(url: str, api_url: str, in_flight: int, per_process: int) -> None:
    """Sends until the outbox is empty; real time is the clock (Retry-After in seconds)."""
    db = Database.from_url(url)
    client = WebClient(token=TOKEN, base_url=api_url, timeout=10)
    sender = OutboxSender(
        db,
        client,
        clock=now,
        max_in_flight=per_process,
        batch_size=per_process,
        max_claimed=in_flight,
        backoff_base=timedelta(seconds=1),
    )
    while True:
        if sender.drain() == "nothing to send":
            if _settled(db):
                return
            time.sleep(0.02)


def _settled(db: Database) -> bool:
    with db.transaction() as tx:
        waiting = tx.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.CLAIMED]))
            .limit(1)
        )
    return waiting is None


# ---------------------------------------------------------------------- one run


def run(db: Database, url: str, args: argparse.Namespace, p429: float) -> dict[str, float]:
    _empty(db)
    with SlackStandIn(bot_token=TOKEN) as slack:
        users = [f"UF{n:05d}" for n in range(args.messages)]
        for user_id in users:
            slack.add_user(user_id, user_id.lower())
        slack.set_latency("chat.postMessage", args.latency)
        if p429:
            slack.chaos(seed=7, p429=p429, p5xx=0.0, methods=["chat.postMessage"], retry_after=1)
        at = now()
        with db.transaction() as tx:
            outbox.enqueue_all(
                tx,
                [
                    outbox.Outgoing(
                        TEAM, f"fanout:{u}", outbox.POST_MESSAGE, {"channel": u, "text": "Hi"}
                    )
                    for u in users
                ],
                at,
            )
        per_process = max(1, args.in_flight // args.workers)
        cpu_before = _cpu_seconds()
        started = time.monotonic()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.fanout",
                    "--worker",
                    url,
                    slack.api_url,
                    str(args.in_flight),
                    str(per_process),
                ],
                cwd=ROOT,
            )  # fmt: skip
            for _ in range(args.workers)
        ]
        for process in processes:
            process.wait()
        wall = time.monotonic() - started
        cpu = _cpu_seconds() - cpu_before
        calls = slack.calls_to("chat.postMessage")
        delivered = Counter(
            (m.get("metadata") or {}).get("event_payload", {}).get("dedupe_key")
            for user_id in users
            for m in slack.dms(user_id)
        )
    statuses = Counter(call.status for call in calls)
    inside = _calls_inside_windows(calls)
    return {
        "calls": len(calls),
        "retries": len(calls) - statuses[200],
        "rate_limited": statuses[429],
        "wall": wall,
        "max_in_flight": _max_in_flight(calls),
        "delivered": len(delivered),
        "doubles": sum(1 for count in delivered.values() if count > 1),
        "inside_window": inside,
        "failed": _count(db, OutboxStatus.FAILED),
        "cpu_ms_per_message": 1000 * cpu / max(1, args.messages),
    }


def _cpu_seconds() -> float:
    """CPU of this process (the stand-in) and of the finished worker processes."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _max_in_flight(calls) -> int:  # type: ignore[no-untyped-def]
    edges = sorted([(c.started_at, 1) for c in calls] + [(c.at, -1) for c in calls])
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


def _calls_inside_windows(calls) -> int:  # type: ignore[no-untyped-def]
    """Calls that reached the stand-in inside a Retry-After window it had granted."""
    windows = sorted(c.at for c in calls if c.status == 429)
    inside = 0
    for call in calls:
        for granted in windows:
            if granted + WINDOW_GRACE_SECONDS < call.started_at < granted + 1.0:
                inside += 1
                break
    return inside


def _count(db: Database, status: OutboxStatus) -> int:
    with db.transaction() as tx:
        return int(tx.scalar(select(func.count()).where(OutboxMessage.status == status)) or 0)


def _empty(db: Database) -> None:
    with db.engine.begin() as connection:
        if db.is_sqlite:
            connection.execute(OutboxMessage.__table__.delete())
        else:
            connection.execute(text("TRUNCATE outbox_messages RESTART IDENTITY"))


def _database(tmp: str) -> tuple[Database, str]:
    url = os.environ.get("BENCH_DATABASE_URL")
    url = normalize_database_url(url) if url else f"sqlite:///{tmp}/fanout.db"
    db = Database.from_url(url)
    if not db.is_sqlite:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    assert Base.metadata.tables["outbox_messages"] is not None
    return db, url


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        worker(argv[1], argv[2], int(argv[3]), int(argv[4]))
        return
    parser = argparse.ArgumentParser(prog="python -m bench fanout", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per call")
    parser.add_argument("--workers", type=int, default=None, help="processes (1 on SQLite)")
    parser.add_argument("--in-flight", type=int, default=40, help="calls in flight, in all")
    parser.add_argument("--p429", type=float, default=0.005, help="share answered 429")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db, url = _database(tmp)
        if args.workers is None:
            args.workers = 1 if db.is_sqlite else 4
        if db.is_sqlite and args.workers > 1:
            raise SystemExit("bench fanout: SQLite runs one sender process; use PostgreSQL")
        ideal = args.messages * args.latency / args.in_flight
        print(
            f"{args.messages} DMs, {args.latency * 1000:.0f} ms a call, {args.workers} worker "
            f"process(es), at most {args.in_flight} calls in flight, on {db.engine.dialect.name}"
        )
        print(f"reference: the bound's best time {ideal:.1f} s")
        for label, p429 in (("clean", 0.0), (f"{p429_label(args.p429)} answered 429", args.p429)):
            figures = run(db, url, args, p429)
            print(
                f"{label:>20}: {figures['wall']:5.1f} s (target < {TARGET_SECONDS:.0f} s, "
                f"{figures['wall'] / TARGET_SECONDS:.2f}× target, "
                f"{figures['wall'] / ideal:.2f}× reference); "
                f"{figures['calls']} calls, {figures['retries']} retries "
                f"({figures['rate_limited']} rate limited); "
                f"max in flight {figures['max_in_flight']} (bound {args.in_flight}); "
                f"delivered {figures['delivered']}/{args.messages}, doubles {figures['doubles']}, "
                f"calls inside a Retry-After window {figures['inside_window']}, "
                f"failed {figures['failed']}; "
                f"CPU {figures['cpu_ms_per_message']:.1f} ms a message (workers + stand-in), "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
        db.engine.dispose()


def p429_label(p429: float) -> str:
    return f"{p429:.1%}"


if __name__ == "__main__":
    main()
