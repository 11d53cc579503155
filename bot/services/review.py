"""The quarterly review: the program's learning velocity over a calendar quarter,
week by week (ISO weeks in UTC, the first and last clipped to the quarter), its
breakthroughs (experiments tried, kudos by value) and the tactics added to the
library, and the session pulse (average usefulness, answers, requests for a
different pod) once K_count people answered. Counts only; with fewer than K_count
people in pods during the quarter there are no numbers at all."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import pulse, velocity
from bot.services.refusals import Refusal
from models import CommunityTactic, Kudos, Member, PodMembership, TacticStatus
from models.velocity_views import Quarter, ReviewFacts

QUARTER_FORMAT = "2026Q4 (or 2026-Q4, Q4 2026)"
_YEAR_FIRST = re.compile(r"^(\d{4})\s*-?\s*q([1-4])$", re.IGNORECASE)
_QUARTER_FIRST = re.compile(r"^q([1-4])\s*-?\s*(\d{4})$", re.IGNORECASE)
MIN_YEAR, MAX_YEAR = 2000, 2999


class NotAQuarter(Refusal):
    """The text names no calendar quarter."""


def parse_quarter(text: str) -> Quarter:
    """ "2026Q4", "2026-Q4", "q4 2026" (any casing) → Quarter; anything else is refused
    with the format to use."""
    cleaned = " ".join((text or "").split())
    year_first = _YEAR_FIRST.match(cleaned)
    quarter_first = _QUARTER_FIRST.match(cleaned)
    if year_first:
        year, number = int(year_first.group(1)), int(year_first.group(2))
    elif quarter_first:
        year, number = int(quarter_first.group(2)), int(quarter_first.group(1))
    else:
        shown = cleaned or "nothing"
        raise NotAQuarter(f"“{shown}” is not a quarter. Write it as {QUARTER_FORMAT}.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise NotAQuarter(f"{year} is out of range. Write the quarter as {QUARTER_FORMAT}.")
    return Quarter(year=year, number=number)


def quarter_of(day: date) -> Quarter:
    return Quarter(year=day.year, number=(day.month - 1) // 3 + 1)


def previous_quarter(day: date) -> Quarter:
    """The last quarter that has ended before `day`."""
    current = quarter_of(day)
    if current.number == 1:
        return Quarter(year=current.year - 1, number=4)
    return Quarter(year=current.year, number=current.number - 1)


def people_in_pods_during(tx: Session, team_id: str, start: datetime, end: datetime) -> int:
    return int(
        tx.scalar(
            select(func.count(func.distinct(PodMembership.member_id))).where(
                PodMembership.team_id == team_id,
                PodMembership.joined_at < end,
                (PodMembership.left_at.is_(None)) | (PodMembership.left_at > start),
            )
        )
        or 0
    )


def review_facts(
    tx: Session, team_id: str, quarter: Quarter | str, now: datetime | None = None
) -> ReviewFacts:
    """The quarter's review. With `now` inside the quarter, it counts up to now (and
    sessions only once ended); weeks after now are left out."""
    if not isinstance(quarter, Quarter):
        quarter = parse_quarter(quarter)
    k_count = velocity.k_count_of(tx, team_id)
    last_day = quarter.end
    if now is not None:
        last_day = min(last_day, now.astimezone(UTC).date() + timedelta(days=1))
    last_day = max(last_day, quarter.start)
    start, end = velocity.at_midnight(quarter.start), velocity.at_midnight(last_day)
    empty = ReviewFacts(
        quarter=quarter,
        k_count=k_count,
        withheld=None,
        velocity=None,
        weeks=(),
        kudos_by_value=(),
        new_tactics=(),
        leaders=None,
        leaders_withheld=False,
    )
    if people_in_pods_during(tx, team_id, start, end) < k_count:
        return replace(empty, withheld=velocity.too_few_people(k_count))
    spans = velocity.weeks_between(quarter.start, last_day)
    raw = velocity.read_raw(tx, team_id, start, end, now=now)
    weeks = velocity.count_weeks(raw, spans, velocity.Scope())
    kudos = tx.execute(
        select(Kudos.value, func.count(Kudos.id))
        .where(Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end)
        .group_by(Kudos.value)
    ).all()
    tactics = tx.scalars(
        select(CommunityTactic.text)
        .where(
            CommunityTactic.team_id == team_id,
            CommunityTactic.status == TacticStatus.APPROVED,
            CommunityTactic.reviewed_at >= start,
            CommunityTactic.reviewed_at < end,
        )
        .order_by(CommunityTactic.reviewed_at, CommunityTactic.id)
    ).all()
    leaders = velocity.leader_counts(tx, team_id, start, end)
    leaders_withheld = leaders.in_pods < k_count
    return replace(
        empty,
        velocity=velocity.summarise(weeks),
        weeks=tuple(weeks),
        kudos_by_value=tuple(
            sorted(
                ((str(value), int(count)) for value, count in kudos), key=lambda v: (-v[1], v[0])
            )
        ),
        new_tactics=tuple(tactics),
        leaders=None if leaders_withheld else leaders,
        leaders_withheld=leaders_withheld,
        pulse=pulse.summary(tx, team_id, start, end, k_count, with_requests=True),
    )


def known_teams(tx: Session) -> list[str]:
    """Workspaces the bot has people in, for a command line that names none."""
    return sorted(team for (team,) in tx.execute(select(Member.team_id).distinct()) if team)
