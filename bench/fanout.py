"""Fan-out benchmark: 10,000 DMs through the Slack stand-in, each call answered
after 100 ms, delivered by the outbox sender's worker processes.

    python -m bench fanout                       # SQLite, one worker process
    python -m bench fanout --messages 2000       # a quick run
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench fanout --workers 4

Two runs: a clean one, and one where the stand-in answers a share of the calls
with 429 and Retry-After 1. Each prints, beside its target: wall time, calls made
and retries, DMs delivered (once each), the most calls in flight at the stand-in
at once, and calls inside a Retry-After window, with CPU a message.

Targets: every DM delivered once in under 60 s (clean); calls in flight never
exceed `--in-flight`, a bound the worker processes share through the database
(`OutboxSender(max_claimed=...)`); with 429s, throughput adapts (slower, nothing
failed: reference the bound's best time plus the time the windows kept the method
closed) and no call lands inside a Retry-After window. As Slack counts it (per
method), a call lands inside a window when it reaches the stand-in after the 429
was answered and before Retry-After ran out; calls that arrive within
WINDOW_GRACE_SECONDS of the 429's answer are counted apart: they were already on
their way, or started by another process before the window reached the database,
and no sender can recall them. Reference, measured in the same run: the time the
bound allows at best, messages × latency / in-flight.

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

from bot.db import Database, make_engine
from bot.notify import outbox
from bot.sender import OutboxSender
from bot.settings import normalize_database_url
from models import Base, OutboxMessage, OutboxStatus
from slack_standin.server import SlackStandIn

TOKEN = "xoxb-bench"
TEAM = "T0BENCH"
TARGET_SECONDS = 60.0
WINDOW_GRACE_SECONDS = 0.05
"""Calls that reach the stand-in this soon after it answered a 429 are not counted as
inside its window: the 429 still had to reach its sender and that sender's window the
database, and a call another process checked the window for just before cannot be
recalled. What the sender promises is that no call starts once the window is there."""
ROOT = Path(__file__).resolve().parent.parent


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------- worker process


def worker(url: str, api_url: str, in_flight: int, per_process: int) -> None:
    """Sends until the outbox is empty; real time is the clock (Retry-After in seconds)."""
    # A pooled connection for each sending thread and the claiming one: none is
    # opened and closed per message.
    db = Database(make_engine(url, pool_size=per_process + 2))
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
        workers_cpu, standin_cpu = (
            after - before for after, before in zip(_cpu_seconds(), cpu_before, strict=True)
        )
        calls = slack.calls_to("chat.postMessage")
        inside = slack.calls_inside_retry_after(grace=WINDOW_GRACE_SECONDS)
        arrived_late = slack.calls_inside_retry_after()
        delivered = Counter(
            (m.get("metadata") or {}).get("event_payload", {}).get("dedupe_key")
            for user_id in users
            for m in slack.dms(user_id)
        )
    statuses = Counter(call.status for call in calls)
    return {
        "calls": len(calls),
        "retries": len(calls) - statuses[200],
        "rate_limited": statuses[429],
        "wall": wall,
        "closed": _seconds_closed(calls),
        "max_in_flight": _max_in_flight(calls),
        "delivered": len(delivered),
        "doubles": sum(1 for count in delivered.values() if count > 1),
        "inside_window": len(inside),
        "within_grace": len(arrived_late) - len(inside),
        "latest_ms": 1000 * max((_after_429(c, calls) for c in arrived_late), default=0.0),
        "failed": _count(db, OutboxStatus.FAILED),
        "workers_cpu_ms": 1000 * workers_cpu / max(1, args.messages),
        "standin_cpu_ms": 1000 * standin_cpu / max(1, args.messages),
    }


def _cpu_seconds() -> tuple[float, float]:
    """CPU of the finished worker processes, and of this process (the stand-in)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def _max_in_flight(calls) -> int:  # type: ignore[no-untyped-def]
    edges = sorted([(c.started_at, 1) for c in calls] + [(c.at, -1) for c in calls])
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


def _after_429(call, calls) -> float:  # type: ignore[no-untyped-def]
    """Seconds between the latest 429 answered before `call` arrived and its arrival."""
    return min(
        call.started_at - refused.at
        for refused in calls
        if refused.status == 429 and refused.at < call.started_at
    )


def _seconds_closed(calls) -> float:  # type: ignore[no-untyped-def]
    """How long the Retry-After windows the stand-in granted kept the method closed
    (overlapping windows counted once)."""
    windows = sorted((c.at, c.at + (c.retry_after or 0)) for c in calls if c.status == 429)
    closed, reach = 0.0, float("-inf")
    for start, end in windows:
        closed += max(0.0, end - max(start, reach))
        reach = max(reach, end)
    return closed


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
    parser = argparse.ArgumentParser(
        prog="python -m bench fanout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        print(f"reference: the bound's best time {ideal:.1f} s (messages × latency / in flight)")
        for label, p429 in (("clean", 0.0), (f"{p429_label(args.p429)} answered 429", args.p429)):
            print(f"{label}:")
            for line in report(run(db, url, args, p429), args, ideal, rate_limited=p429 > 0):
                print(f"  {line}")
        db.engine.dispose()


def report(
    figures: dict[str, float], args: argparse.Namespace, ideal: float, rate_limited: bool
) -> list[str]:
    """One line a figure, with its target and ✓ / ✗."""
    wall = figures["wall"]
    if rate_limited:
        # Nothing may be sent while a window is open: the best is the bound's time
        # plus the time the windows kept the method closed.
        reference = ideal + figures["closed"]
        wall_line = (
            f"{wall:5.1f} s  target: slower than clean, nothing failed "
            f"{_mark(figures['failed'] == 0)}  ({wall / reference:.2f}× the bound's best "
            f"{ideal:.1f} s + {figures['closed']:.1f} s of Retry-After windows)"
        )
    else:
        wall_line = (
            f"{wall:5.1f} s  target < {TARGET_SECONDS:.0f} s {_mark(wall < TARGET_SECONDS)}  "
            f"({wall / TARGET_SECONDS:.2f}× target, {wall / ideal:.2f}× the bound's best)"
        )
    once = figures["delivered"] == args.messages and figures["doubles"] == 0
    return [
        f"wall time: {wall_line}",
        f"calls made: {figures['calls']:.0f}, retries {figures['retries']:.0f} "
        f"({figures['rate_limited']:.0f} answered 429)",
        f"delivered: {figures['delivered']:.0f}/{args.messages}, doubles "
        f"{figures['doubles']:.0f}, failed {figures['failed']:.0f}  target every DM once "
        f"{_mark(once and figures['failed'] == 0)}",
        f"max calls in flight: {figures['max_in_flight']:.0f}  target ≤ {args.in_flight} "
        f"{_mark(figures['max_in_flight'] <= args.in_flight)}",
        f"calls inside a Retry-After window: {figures['inside_window']:.0f}  target 0 "
        f"{_mark(figures['inside_window'] == 0)}  ({figures['within_grace']:.0f} more arrived "
        f"within {WINDOW_GRACE_SECONDS * 1000:.0f} ms of a 429's answer, started before it "
        f"could be known; the latest {figures['latest_ms']:.1f} ms after)",
        f"CPU a message: workers {figures['workers_cpu_ms']:.1f} ms, stand-in "
        f"{figures['standin_cpu_ms']:.1f} ms; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores",
    ]


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def p429_label(p429: float) -> str:
    return f"{p429:.1%}"


if __name__ == "__main__":
    main()
