"""The skills map for program admins: for each skill, how many people offer it and how
many seek it (growth areas), and the largest gaps, sought far more than offered.

Counts only, never names. Profiles of people deactivated in Slack (or who deleted their
data) are left out. No Slack calls.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import profiles, program
from models import Member, MemberProfile
from models.profile_views import SkillCount, SkillsMap

GAPS_SHOWN = 5
OTHER = "Other skills people named"
OTHER_KEY = "\x00other"
CSV_COLUMNS = ("skill", "offered", "sought", "gap", "on_program_list")


def skills_map(tx: Session, team_id: str) -> SkillsMap:
    """Every skill on the program's list (even at zero) and every other skill someone
    named, the most sought first; gaps: sought more than offered, widest first."""
    listed = profiles.skills(tx, team_id)
    rows = tx.execute(
        select(MemberProfile.offers, MemberProfile.growth, MemberProfile.match_opt_in)
        .join(Member, Member.id == MemberProfile.member_id)
        .where(
            MemberProfile.team_id == team_id,
            Member.deactivated_at.is_(None),
            Member.is_bot.is_(False),
        )
    ).all()
    spelling = {name.casefold(): name for name in listed}
    on_list = set(spelling)
    offered: dict[str, int] = dict.fromkeys(spelling, 0)
    sought: dict[str, int] = dict.fromkeys(spelling, 0)
    people: dict[str, int] = {}
    opted_in = 0
    for offers, growth, opt_in in rows:
        opted_in += bool(opt_in)
        mine: set[str] = set()
        for names, tally in ((offers, offered), (growth, sought)):
            for key in {str(name).casefold() for name in names or ()}:
                spelling.setdefault(key, next(n for n in names if str(n).casefold() == key))
                tally[key] = tally.get(key, 0) + 1
                mine.add(key)
        for key in mine:
            people[key] = people.get(key, 0) + 1
    # A skill someone typed themselves is their words: shown by name only once at least
    # K_count people named it, otherwise counted under OTHER.
    k_count = program.get_settings(tx, team_id).k_count
    rare = [key for key in spelling if key not in on_list and people.get(key, 0) < k_count]
    if rare:
        spelling[OTHER_KEY] = OTHER
        offered[OTHER_KEY] = sum(offered.pop(key, 0) for key in rare)
        sought[OTHER_KEY] = sum(sought.pop(key, 0) for key in rare)
        for key in rare:
            del spelling[key]
    counts = [
        SkillCount(spelling[key], offered.get(key, 0), sought.get(key, 0)) for key in spelling
    ]
    counts.sort(key=lambda c: (c.skill == OTHER, -c.sought, -c.offered, c.skill.casefold()))
    gaps = sorted(
        (c for c in counts if c.gap > 0 and c.skill != OTHER),
        key=lambda c: (-c.gap, -c.sought, c.skill.casefold()),
    )
    return SkillsMap(
        skills=tuple(counts),
        gaps=tuple(gaps[:GAPS_SHOWN]),
        profiles=len(rows),
        opted_in=opted_in,
    )


def _cell(text: str) -> str:
    """People typed these names: a leading =, +, - or @ would run as a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def is_listed(tx: Session, team_id: str) -> set[str]:
    return {name.casefold() for name in profiles.skills(tx, team_id)}


def skills_csv(tx: Session, team_id: str) -> str:
    """The skills map as CSV: skill, offered, sought, gap, on_program_list."""
    facts = skills_map(tx, team_id)
    listed = is_listed(tx, team_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for count in facts.skills:
        writer.writerow(
            [
                _cell(count.skill),
                count.offered,
                count.sought,
                count.gap,
                "yes" if count.skill.casefold() in listed else "no",
            ]
        )
    return out.getvalue()
