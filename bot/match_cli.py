"""`coachbot match`: propose pods from profiles for a workspace, store the proposal,
print it, DM each person who could not be placed, and send the proposed pods to the
program admins, who create them with one button in Slack.

    coachbot match [--team T] [--size 4] [--min 3] [--max 6] [--spread 1] [--by-focus]
"""

from __future__ import annotations

import argparse
import sys
import time

from bot.notify import matching as notify
from bot.runtime import Runtime
from bot.services import members as members_service
from bot.services import review
from bot.services.matching import proposals
from bot.services.refusals import Refusal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help="the Slack workspace id (needed with several workspaces)")
    parser.add_argument("--size", type=int, help="target pod size (default: the admin setting, 4)")
    parser.add_argument("--min", dest="min_size", type=int, help="smallest pod (default 3)")
    parser.add_argument("--max", dest="max_size", type=int, help="largest pod (default 6)")
    parser.add_argument(
        "--spread", type=int, help="largest level gap inside a pod, in steps (default 1)"
    )
    parser.add_argument(
        "--by-focus", action="store_const", const=True, help="only people with the same focus"
    )
    parser.add_argument("--seed", type=int, help="seed for a reproducible proposal")
    parser.add_argument(
        "--no-send", action="store_true", help="print only: no DMs to admins or unplaced people"
    )


def run(args: argparse.Namespace, rt: Runtime) -> int:
    return run_match(
        rt,
        team=args.team,
        size=args.size,
        min_size=args.min_size,
        max_size=args.max_size,
        spread=args.spread,
        by_focus=args.by_focus,
        seed=args.seed,
        send=not args.no_send,
    )


def run_match(
    rt: Runtime,
    *,
    team: str | None,
    size: int | None,
    min_size: int | None,
    max_size: int | None,
    spread: int | None,
    by_focus: bool | None,
    seed: int | None,
    send: bool = True,
) -> int:
    """0 when pods were proposed; 2 with the problem on stderr otherwise."""
    with rt.db.transaction() as tx:
        teams = [team] if team else review.known_teams(tx)
    if len(teams) != 1:
        problem = "nobody has used Coachbot yet" if not teams else "name one with --team"
        print(f"coachbot: which workspace? {problem}.", file=sys.stderr)
        return 2
    (team_id,) = teams
    now = rt.now()
    started = time.perf_counter()
    try:
        with rt.db.transaction() as tx:
            rules = proposals.rules_for(
                tx,
                team_id,
                target_size=size,
                min_size=min_size,
                max_size=max_size,
                max_level_spread=spread,
                by_focus=by_focus,
            )
            run_view = proposals.propose(tx, team_id, "cli", now, rules=rules, seed=seed)
            if send:
                notify.unplaced_dms(tx, run_view, now)
                admins = members_service.program_admin_ids(tx, team_id, rt.settings.admin_user_ids)
                notify.proposals_to_admins(tx, run_view, admins, now)
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    placed = sum(len(p.names) for p in run_view.pods)
    print(
        f"Proposal {run_view.run_id}: {len(run_view.pods)} pods for {placed} of "
        f"{run_view.people} people, {len(run_view.unplaced)} not placed; score "
        f"{run_view.score:g} (greedy {run_view.greedy_score:g}); {seconds:.2f} seconds."
    )
    for pod in run_view.pods:
        print(f"Pod {pod.position}: {', '.join(pod.names)} (score {pod.score:g})")
        print(f"    {pod.reasons}")
    for person in run_view.unplaced:
        print(f"Not placed: {person.name}: {person.reason}")
    if send:
        print("The admins have the proposal in a DM, with a button to create each pod.")
    return 0
