"""Onboarding many people at once: a CSV file (`coachbot people import FILE`) or a Slack
user group (`/coach admin` → Import a user group) becomes member profiles.

Two steps around Slack: `parse_csv` reads the file (columns `slack_id` or `email`,
`team`, `level`, `skills`, `growth_areas`; lists inside a cell are `;`-separated) and
says which rows are bad and why; the wiring then asks Slack who each row is, and
`apply_import` writes the good rows in one transaction. A re-import updates the same
profiles; an empty cell leaves that part of the profile as it is. No Slack calls.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import leavers, profiles
from bot.services import members as members_service
from bot.services.members import SlackProfile
from bot.services.refusals import Refusal
from models.profile_forms import SKILLS_MAX, TEAM_MAX, check_names, clean_name, merge_names
from models.profile_views import ImportProblem, ImportResult

ID_COLUMNS = ("slack_id", "email")
COLUMNS = ("slack_id", "email", "team", "level", "skills", "growth_areas")
ROWS_MAX = 5000
LIST_SEPARATOR = ";"

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ImportRefused(Refusal):
    """The file as a whole can't be read: nothing was imported."""


@dataclass(frozen=True)
class ImportRow:
    """One good row of the file: who (a Slack id or an e-mail), and what to set (None
    means the cell was empty: leave it as it is)."""

    line: int | None
    slack_id: str | None = None
    email: str | None = None
    team: str | None = None
    level: str | None = None
    skills: tuple[str, ...] | None = None
    growth: tuple[str, ...] | None = None

    @property
    def who(self) -> str:
        return self.slack_id or self.email or ""


@dataclass(frozen=True)
class ParsedImport:
    rows: tuple[ImportRow, ...] = ()
    problems: tuple[ImportProblem, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """A row with the Slack user it names (from users.info or users.lookupByEmail)."""

    row: ImportRow
    profile: SlackProfile


@dataclass
class _Counts:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _column_problem(unknown: Sequence[str]) -> str:
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
        hints.append(f"“{name}” (did you mean “{close[0]}”?)" if close else f"“{name}”")
    which = "column" if len(unknown) == 1 else "columns"
    return (
        f"Unknown {which} {', '.join(hints)}. The columns are: {', '.join(COLUMNS)} "
        "(slack_id or email, the others optional). Nothing was imported."
    )


def _list_cell(value: str) -> tuple[str, ...] | None:
    names = [clean_name(part) for part in value.split(LIST_SEPARATOR)]
    names = [name for name in names if name]
    return tuple(names) if names else None


def parse_csv(text: str, level_names: Sequence[str]) -> ParsedImport:
    """The good rows and, by line, why each bad one is bad. Raises ImportRefused when
    the file as a whole can't be used (no header, unknown columns, no id column)."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportRefused("The file is empty: it needs a header line and one row a person.")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportRefused(f"The header line is not valid CSV: {error}.") from None
    columns = [clean_name(name).lower().replace(" ", "_") for name in header]
    unknown = [name or "(empty)" for name in columns if name not in COLUMNS]
    if unknown:
        raise ImportRefused(_column_problem(unknown))
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ImportRefused(
            f"The column “{repeated[0]}” appears twice in the header. Nothing was imported."
        )
    if not any(name in columns for name in ID_COLUMNS):
        raise ImportRefused(
            "The file needs a slack_id or an email column to say who each row is. "
            f"It has: {', '.join(columns)}. Nothing was imported."
        )
    rows: list[ImportRow] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(problems) >= ROWS_MAX:
                raise ImportRefused(
                    f"The file has more than {ROWS_MAX:,} rows: split it. Nothing was imported."
                )
            parsed = _row(line, columns, cells, level_names)
            if isinstance(parsed, ImportProblem):
                problems.append(parsed)
                continue
            key = (parsed.slack_id or parsed.email or "").casefold()
            if key in seen:
                problems.append(
                    ImportProblem(line, parsed.who, f"the same person as line {seen[key]}")
                )
                continue
            seen[key] = line
            rows.append(parsed)
    except csv.Error as error:
        raise ImportRefused(
            f"Line {line + 1} is not valid CSV ({error}). Nothing was imported."
        ) from None
    return ParsedImport(rows=tuple(rows), problems=tuple(problems))


def _row(
    line: int, columns: list[str], cells: list[str], level_names: Sequence[str]
) -> ImportRow | ImportProblem:
    if len(cells) > len(columns):
        return ImportProblem(
            line, "", f"{len(cells)} cells but the header has {len(columns)} columns"
        )
    values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(columns)}
    slack_id = values.get("slack_id", "").upper() or None
    email = values.get("email", "").lower() or None
    who = slack_id or email or ""
    if slack_id is None and email is None:
        return ImportProblem(line, who, "no slack_id or email: say who this row is")
    if slack_id is not None and not _SLACK_ID.match(slack_id):
        return ImportProblem(
            line, who, f"“{slack_id}” is not a Slack user id (they look like U0123ABCD)"
        )
    if slack_id is None and email is not None and not _EMAIL.match(email):
        return ImportProblem(line, who, f"“{email}” is not an e-mail address")
    team = clean_name(values.get("team", "")) or None
    if team is not None and len(team) > TEAM_MAX:
        return ImportProblem(line, who, f"the team is longer than {TEAM_MAX} characters")
    level = clean_name(values.get("level", "")) or None
    if level is not None:
        known = profiles.canonical_level(level, level_names)
        if known is None:
            return ImportProblem(
                line,
                who,
                f"level “{level}” is not one of the program's levels ({', '.join(level_names)})",
            )
        level = known
    lists: dict[str, tuple[str, ...] | None] = {}
    for column, what in (("skills", "skill"), ("growth_areas", "growth area")):
        names = _list_cell(values.get(column, ""))
        if names is not None:
            try:
                check_names(merge_names(names), what, SKILLS_MAX)
            except ValueError as error:
                return ImportProblem(line, who, f"{column}: {error}")
        lists[column] = names
    return ImportRow(
        line=line,
        slack_id=slack_id,
        email=email if slack_id is None else None,
        team=team,
        level=level,
        skills=lists["skills"],
        growth=lists["growth_areas"],
    )


def unusable(profile: SlackProfile) -> str | None:
    """Why this Slack user can't be imported, if they can't."""
    if profile.deleted:
        return "deactivated in Slack"
    if profile.is_bot:
        return "a bot, not a person"
    return None


def apply_import(
    tx: Session,
    team_id: str,
    resolved: Sequence[Resolved],
    problems: Sequence[ImportProblem],
    now: datetime,
    *,
    source: str = "",
) -> ImportResult:
    """Writes the good rows: members made or refreshed from what Slack said, profiles
    made or updated (never twice for one person). Returns who was added, updated or
    already up to date (by Slack user id), and the problems, by line."""
    skill_names = profiles.skills(tx, team_id)
    counts = _Counts()
    refused = list(problems)
    done: set[str] = set()
    invite: list[str] = []
    for item in resolved:
        row, person = item.row, item.profile
        why = unusable(person)
        if why is not None:
            refused.append(ImportProblem(row.line, row.who, why))
            continue
        if person.user_id in done:
            refused.append(ImportProblem(row.line, row.who, "this person is already in the import"))
            continue
        done.add(person.user_id)
        member = leavers.apply_profile(tx, team_id, person, now)
        members_service.lock_member(tx, member.id)
        profile, made = profiles.upsert(tx, member, now)
        before = (profile.team_name, profile.level, list(profile.offers), list(profile.growth))
        if row.team is not None:
            profile.team_name = row.team
        if row.level is not None:
            profile.level = row.level
        if row.skills is not None:
            profile.offers = merge_names(row.skills, skill_names)
        if row.growth is not None:
            profile.growth = merge_names(row.growth, skill_names)
        after = (profile.team_name, profile.level, list(profile.offers), list(profile.growth))
        if made:
            counts.added.append(person.user_id)
        elif before != after:
            counts.updated.append(person.user_id)
        else:
            counts.unchanged.append(person.user_id)
        if made or before != after:
            profile.updated_at = now
        profile.imported_at = now
        if not profile.match_opt_in:
            invite.append(person.user_id)
    tx.flush()
    return ImportResult(
        added=tuple(counts.added),
        updated=tuple(counts.updated),
        unchanged=tuple(counts.unchanged),
        problems=tuple(sorted(refused, key=lambda p: (p.line is None, p.line or 0))),
        source=source,
        invite=tuple(invite),
    )
