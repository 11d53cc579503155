"""`coachbot seed --demo --pods N --members M --weeks W`: a demo program in an empty
database (bot.seed), with a progress bar on a terminal.

Seeding refuses a database that has data already: demo people would mix with real
ones. `--force` lets the demo team in beside other teams' data, never into a team
that has members or pods.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

DEFAULT_TEAM = "T0DEMO"
MAX_PODS = 10_000
MAX_MEMBERS = 100_000
MAX_WEEKS = 520


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    # Sizes are read as text and checked in run(), so a bad one gets one clear line.
    parser.add_argument(
        "--demo", action="store_true", help="a demo program (the only kind there is)"
    )
    parser.add_argument("--pods", default="3", help="pods (default: 3)")
    parser.add_argument("--members", default="12", help="people, at least 2 a pod (default: 12)")
    parser.add_argument("--weeks", default="4", help="weeks of history (default: 4)")
    parser.add_argument(
        "--team", default=DEFAULT_TEAM, help=f"workspace id (default: {DEFAULT_TEAM})"
    )
    parser.add_argument(
        "--seed", default="0", help="random seed: same seed, same data (default: 0)"
    )
    parser.add_argument("--at", help="the instant the history ends, ISO-8601 (default: now)")
    parser.add_argument(
        "--force", action="store_true", help="seed even though other teams have data"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


class BadArgument(Exception):
    """One line saying what is wrong with the command line."""


def _count(args: Any, name: str, low: int, high: int) -> int:
    raw = str(getattr(args, name)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise BadArgument(f"--{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadArgument(f"--{name} must be between {low:,} and {high:,}, not {value:,}")
    return value


def _instant(raw: str | None, now: datetime) -> datetime:
    if not raw:
        return now
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise BadArgument(
            f"--at must be an ISO-8601 instant such as 2026-11-30T09:00:00+00:00, not {raw!r}"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def parse(args: Any, now: datetime) -> dict[str, Any]:
    """The checked arguments of seed_demo; raises BadArgument."""
    if not args.demo:
        raise BadArgument("say what to seed: --demo (the only kind there is)")
    pods = _count(args, "pods", 1, MAX_PODS)
    members = _count(args, "members", 2, MAX_MEMBERS)
    if members < 2 * pods:
        raise BadArgument(
            f"--members must be at least twice --pods ({2 * pods:,} for {pods:,} pods), "
            f"not {members:,}"
        )
    team = str(args.team).strip()
    if not team or not team.isalnum() or not team.startswith("T"):
        raise BadArgument(f"--team must be a Slack workspace id such as T0DEMO, not {team!r}")
    return {
        "team_id": team,
        "pods": pods,
        "members": members,
        "weeks": _count(args, "weeks", 0, MAX_WEEKS),
        "rng_seed": _count(args, "seed", 0, 2**31 - 1),
        "now": _instant(args.at, now),
    }


def run(args: Any, rt: Any) -> int:
    """Seeds and prints what was written; 2 (with one line on stderr) when refused."""
    from bot.seed import SeedRefused, database_is_empty, seed_demo

    try:
        options = parse(args, rt.now())
    except BadArgument as problem:
        return _refuse(str(problem))
    rt.db.upgrade()
    if not args.force and not database_is_empty(rt.db):
        return _refuse(
            "the database already has data; seed an empty database "
            "(or add --force to put the demo team beside it)"
        )
    started = time.perf_counter()
    try:
        summary = seed_demo(rt.db, **options, progress=sys.stdout.isatty() and not args.no_progress)
    except SeedRefused as refusal:
        return _refuse(str(refusal))
    seconds = time.perf_counter() - started
    rows = sum(summary.counts.values())
    print(
        f"coachbot: seeded team {summary.team_id}: {len(summary.people):,} people, "
        f"{len(summary.pods):,} pods, {options['weeks']} weeks of history "
        f"({rows:,} rows in {seconds:.1f} s)"
    )
    for table, count in sorted(summary.counts.items()):
        print(f"  {table:<18} {count:>10,}")
    admins = ", ".join(summary.admin_user_ids)
    print(f"  program admin: {admins}; digest channel: {summary.digest_channel_id}")
    return 0


def _refuse(message: str) -> int:
    print(f"coachbot seed: {message}", file=sys.stderr)
    return 2
