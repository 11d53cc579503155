"""Matching benchmark: proposing pods for 2,000 people (target: under 10 s).

    python -m bench matching              # 2000 people, a temporary SQLite file
    python -m bench matching --people 300 # a quicker run
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench matching

The full path is timed: reading profiles and history from the database, the
optimiser (greedy construction, annealing, large neighbourhood search) and storing
the proposal. The reference, measured in the same run on the same people, is the
greedy construction alone; the score gain of the search over it is printed too.
The people are synthetic: five levels, twelve teams, eight skills, six timezones,
one to four weekdays and a two-to-six-hour window each, some private lists, some
newcomers, and a tenth of them with a pod in the last year.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import insert, text

from bench.tick import database, empty
from bot.db import Database
from bot.services.matching import optimiser, proposals
from models import Member, MemberProfile, Pod, PodMembership, ProgramLevel

TEAM = "T0BENCH"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
TARGET_SECONDS = 10.0
LEVELS = ("Associate", "Junior", "Senior", "Lead", "Principal")
SKILLS = (
    "negotiation",
    "feedback",
    "hiring",
    "roadmaps",
    "public speaking",
    "delegation",
    "writing",
    "coaching",
)
ZONES = (
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "UTC",
)


def seed(db: Database, people: int, rng: random.Random) -> None:
    with db.transaction() as tx:
        tx.execute(
            insert(ProgramLevel),
            [{"team_id": TEAM, "position": k, "name": n} for k, n in enumerate(LEVELS)],
        )
        tx.execute(
            insert(Member),
            [
                {
                    "team_id": TEAM,
                    "user_id": f"U{i:05d}",
                    "display_name": f"Person {i}",
                    "tz": rng.choice(ZONES),
                    "created_at": NOW,
                }
                for i in range(people)
            ],
        )
        ids = tx.scalars(text("SELECT id FROM members ORDER BY id")).all()
        rows = []
        for member_id in ids:
            start = rng.choice((8, 9, 10, 13, 14))
            rows.append(
                {
                    "team_id": TEAM,
                    "member_id": member_id,
                    "team_name": f"team {rng.randrange(12)}",
                    "level": rng.choice(LEVELS),
                    "offers": rng.sample(SKILLS, 2),
                    "growth": rng.sample(SKILLS, 2),
                    "weekdays": rng.sample(range(5), rng.randint(1, 4)),
                    "window_start": clock_time(start),
                    "window_end": clock_time(min(23, start + rng.randint(2, 6))),
                    "match_opt_in": True,
                    "avoid_user_ids": [f"U{rng.randrange(people):05d}"]
                    if rng.random() < 0.1
                    else [],
                    "focus": None,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "imported_at": None,
                }
            )

        tx.execute(insert(MemberProfile), rows)
        # A tenth had a pod of four that ended a month ago (history for "no repeats").
        veterans = ids[: people // 10 // 4 * 4]
        old_pods = len(veterans) // 4
        if old_pods:
            tx.execute(
                insert(Pod),
                [
                    {
                        "team_id": TEAM,
                        "name": f"Old {p}",
                        "name_key": f"old {p}",
                        "weekday": 1,
                        "local_time": clock_time(15),
                        "timezone": "UTC",
                        "created_by": "U00000",
                        "created_at": NOW - timedelta(days=300),
                        "archived_at": NOW - timedelta(days=30),
                    }
                    for p in range(old_pods)
                ],
            )
            pod_ids = tx.scalars(text("SELECT id FROM pods ORDER BY id")).all()
            tx.execute(
                insert(PodMembership),
                [
                    {
                        "team_id": TEAM,
                        "pod_id": pod_ids[k // 4],
                        "member_id": member_id,
                        "joined_at": NOW - timedelta(days=300),
                        "left_at": NOW - timedelta(days=30),
                    }
                    for k, member_id in enumerate(veterans)
                ],
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench matching", description=__doc__)
    parser.add_argument("--people", type=int, default=2000, help="people to match (2000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    db, cleanup = database()
    try:
        empty(db)
        seed(db, args.people, random.Random(args.seed))
        with db.transaction() as tx:
            pool = proposals.pool(tx, TEAM, NOW)
            rules = proposals.rules_for(tx, TEAM)
        started = time.perf_counter()
        greedy = optimiser.propose(
            pool.people, rules, pool.recent_pairs, seed=args.seed, anneal=False
        )
        greedy_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with db.transaction() as tx:
            run = proposals.propose(tx, TEAM, "bench", NOW, seed=args.seed)
        seconds = time.perf_counter() - started
    finally:
        cleanup()
    placed = sum(len(p.names) for p in run.pods)
    verdict = "ok" if seconds < TARGET_SECONDS else "TOO SLOW"
    print(
        f"people: {args.people}; pods: {len(run.pods)}; placed: {placed}; "
        f"not placed: {len(run.unplaced)}"
    )
    print(
        f"propose (database + optimiser + store): {seconds:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s: {verdict})"
    )
    print(
        f"reference, greedy construction only: {greedy_seconds:.2f} s "
        f"(ratio {seconds / max(greedy_seconds, 1e-9):.1f}×)"
    )
    print(
        f"score: {run.score:g} vs greedy {greedy.score:g} "
        f"(+{run.score - greedy.score:g}; unplaced {len(run.unplaced)} vs "
        f"{len(greedy.unplaced)})"
    )
