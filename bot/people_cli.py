"""`coachbot people import FILE`: onboard many people at once from a CSV file, and
`coachbot skills --csv`: the skills map (offered and sought, per skill) as CSV.

The file has a header line with `slack_id` or `email` and any of `team`, `level`,
`skills`, `growth_areas` (lists inside a cell are `;`-separated). Good rows go in; bad
rows are reported by line with the reason; a re-import updates, never duplicates, and
each person is invited by DM once.

Exit codes: 0 everything went in; 1 some rows were not imported (the others were);
2 nothing was done (an unreadable file, unknown columns, no workspace).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.notify import profiles as profiles_notify
from bot.runtime import Runtime
from bot.services import skills_map
from bot.services.refusals import Refusal
from bot.ui import profile as profile_ui

FILE_MAX_BYTES = 5 * 1024 * 1024


def add_people_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    actions = parser.add_subparsers(dest="people_command", required=True, metavar="ACTION")
    imports = actions.add_parser(
        "import",
        help="add or update people's profiles from a CSV file and invite them by DM",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imports.add_argument("file", help="CSV: slack_id or email, team, level, skills, growth_areas")
    imports.add_argument("--team", help="the Slack workspace id (default: the bot token's)")
    return parser


def add_skills_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--csv", action="store_true", required=True, help="print the skills map as CSV"
    )
    parser.add_argument("--team", help="the Slack workspace id (needed with several workspaces)")
    return parser


def _workspace(rt: Runtime, team: str | None) -> str:
    if team:
        return team
    try:
        return str(rt.client.auth_test()["team_id"])
    except SlackApiError as error:
        raise Refusal(
            f"Slack did not say which workspace the token is for ({error.response.get('error')}); "
            "name it with --team."
        ) from error


def _read(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise Refusal(f"No file at {path}.")
    if file.stat().st_size > FILE_MAX_BYTES:
        raise Refusal(f"{path} is larger than {FILE_MAX_BYTES // (1024 * 1024)} MB: split it.")
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise Refusal(f"{path} is not UTF-8 text: save it as CSV UTF-8 and try again.") from None


def run_people(args: argparse.Namespace, rt: Runtime) -> int:
    """`people import FILE`: prints what went in and, by line, what did not."""
    try:
        text = _read(args.file)
        team_id = _workspace(rt, args.team)
        outcome = profiles_notify.import_csv(rt, team_id, text, source=Path(args.file).name)
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return 2
    lines = profile_ui.import_result_lines(outcome.result, outcome.invited)
    print("\n".join(lines))
    return 1 if outcome.result.problems else 0


def run_skills(args: argparse.Namespace, rt: Runtime) -> int:
    """`skills --csv`: the skills map as CSV on standard output."""
    from bot.report_cli import choose_team

    try:
        team_id = choose_team(rt, args.team)
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return 2
    with rt.db.transaction() as tx:
        sys.stdout.write(skills_map.skills_csv(tx, team_id))
    return 0
