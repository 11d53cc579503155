"""`coachbot report --quarter 2026Q4`: the quarterly review written to files (the
chart as PNG, the weekly numbers as CSV) and its summary printed."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.charts import review_chart
from bot.runtime import Runtime
from bot.services import review
from bot.services.refusals import Refusal
from bot.ui import review as review_ui
from models.velocity_views import Quarter, ReviewFacts

CSV_COLUMNS = ("week", "sessions_held", "insights", "experiments_tried")


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--quarter", required=True, help="the quarter, e.g. 2026Q4")
    parser.add_argument("--team", help="the Slack workspace id (needed with several workspaces)")
    parser.add_argument("--out", default=".", help="directory for the PNG and CSV (default: .)")
    return parser


def build_parser() -> argparse.ArgumentParser:
    return add_arguments(argparse.ArgumentParser(prog="coachbot report", description=__doc__))


def csv_rows(facts: ReviewFacts) -> list[tuple[str, int, int, int]]:
    return [(w.start.isoformat(), w.sessions_held, w.insights, w.tried) for w in facts.weeks]


def write_files(facts: ReviewFacts, out_dir: Path) -> list[Path]:
    """The PNG (when the quarter has data) and the CSV (when it has numbers)."""
    if facts.withheld is not None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    png = review_chart(facts)
    if png is not None:
        chart = out_dir / f"coachbot-review-{facts.quarter.code}.png"
        chart.write_bytes(png)
        paths.append(chart)
    table = out_dir / f"coachbot-review-{facts.quarter.code}.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(facts))
    paths.append(table)
    return paths


def write_report(
    rt: Runtime, team_id: str, quarter: Quarter | str, out_dir: Path | str
) -> tuple[ReviewFacts, list[Path]]:
    """The review of `quarter` for the workspace, written under `out_dir`; raises a
    Refusal for a malformed quarter before anything is written."""
    with rt.db.transaction() as tx:
        facts = review.review_facts(tx, team_id, quarter, rt.now())
    return facts, write_files(facts, Path(out_dir))


def choose_team(rt: Runtime, team: str | None) -> str:
    if team:
        return team
    with rt.db.transaction() as tx:
        teams = review.known_teams(tx)
    if not teams:
        raise Refusal("No program is set up yet: nobody has used Coachbot in any workspace.")
    if len(teams) > 1:
        raise Refusal(
            f"Several workspaces use Coachbot; name one with --team ({', '.join(teams)})."
        )
    return teams[0]


def run_report(args: argparse.Namespace | Sequence[str] | None, rt: Runtime) -> int:
    """The `report` subcommand: prints the summary and the files written; 2 for bad
    input (a malformed quarter, no or several workspaces), 0 otherwise."""
    if not isinstance(args, argparse.Namespace):
        args = build_parser().parse_args(list(args) if args is not None else None)
    try:
        quarter = review.parse_quarter(args.quarter)
        facts, paths = write_report(rt, choose_team(rt, args.team), quarter, args.out)
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return 2
    print(review_ui.summary_text(facts, for_slack=False))
    for path in paths:
        print(f"wrote {path}")
    return 0
