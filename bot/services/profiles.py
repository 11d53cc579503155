"""Member profiles for matching, and the program's ordered levels and skills lists.

A profile says what the matcher needs: team, level, skills offered and sought, when the
person can meet (weekdays and a window in their own timezone, Member.tz), whether they
want a pod, and a private "please don't put me with…" list that only the matcher and the
person's own data export ever read. No Slack calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services import members as members_service
from bot.services.refusals import FormProblems, Refusal
from models import Member, MemberProfile, ProgramLevel, ProgramSkill
from models.profile_forms import ProfileForm, ProgramListsForm, window_problems
from models.profile_views import ProfileValues, ProgramLists

DEFAULT_LEVELS = (
    "Early career",
    "Mid-level",
    "Senior",
    "Lead or Staff",
    "Manager",
    "Senior leader",
)
DEFAULT_SKILLS = (
    "Coaching",
    "Delegation",
    "Feedback",
    "Hiring",
    "Influencing",
    "Mentoring",
    "Negotiation",
    "Prioritisation",
    "Public speaking",
    "Stakeholder management",
    "Strategy",
    "Writing",
)


class AdminsOnly(Refusal):
    """Only program admins edit the levels and skills lists."""


class UnknownLevel(Refusal):
    def __init__(self, level: str, known: Iterable[str]) -> None:
        listed = ", ".join(known)
        super().__init__(
            f"“{level}” is not one of the program's levels ({listed}). Pick one from the list.",
            field="level",
        )


# --------------------------------------------------------------------------- lists


def levels(tx: Session, team_id: str) -> list[str]:
    """The program's levels, first step first (the defaults until an admin saves some)."""
    stored = list(
        tx.scalars(
            select(ProgramLevel.name)
            .where(ProgramLevel.team_id == team_id)
            .order_by(ProgramLevel.position, ProgramLevel.id)
        )
    )
    return stored or list(DEFAULT_LEVELS)


def skills(tx: Session, team_id: str) -> list[str]:
    """The program's skills, in the order the admin listed them (or the defaults)."""
    stored = list(
        tx.scalars(
            select(ProgramSkill.name)
            .where(ProgramSkill.team_id == team_id)
            .order_by(ProgramSkill.id)
        )
    )
    return stored or list(DEFAULT_SKILLS)


def program_lists(tx: Session, team_id: str) -> ProgramLists:
    custom = tx.scalar(select(ProgramLevel.id).where(ProgramLevel.team_id == team_id).limit(1))
    return ProgramLists(
        levels=tuple(levels(tx, team_id)),
        skills=tuple(skills(tx, team_id)),
        custom=custom is not None,
    )


def save_lists(
    tx: Session, team_id: str, form: ProgramListsForm, *, is_admin: bool
) -> ProgramLists:
    """Replaces both lists. Profiles keep what they say: a level or skill taken off
    the list stays on the profiles that have it until their owners change them."""
    if not is_admin:
        raise AdminsOnly("Only program admins can edit the levels and skills.", field="levels")
    tx.execute(delete(ProgramLevel).where(ProgramLevel.team_id == team_id))
    tx.execute(delete(ProgramSkill).where(ProgramSkill.team_id == team_id))
    tx.flush()
    tx.add_all(
        ProgramLevel(team_id=team_id, position=position, name=name)
        for position, name in enumerate(form.levels)
    )
    tx.add_all(ProgramSkill(team_id=team_id, name=name) for name in form.skills)
    tx.flush()
    return program_lists(tx, team_id)


def canonical_level(level: str | None, known: Iterable[str]) -> str | None:
    """The list's spelling of `level` (any casing), None when it is not on the list."""
    if level is None:
        return None
    return next((name for name in known if name.casefold() == level.casefold()), None)


# --------------------------------------------------------------------------- profiles


def find(tx: Session, member_id: int) -> MemberProfile | None:
    return tx.scalar(select(MemberProfile).where(MemberProfile.member_id == member_id))


def values_of(profile: MemberProfile | None, member: Member | None) -> ProfileValues:
    timezone = member.tz if member is not None else "UTC"
    if profile is None:
        return ProfileValues(timezone=timezone)
    return ProfileValues(
        team_name=profile.team_name,
        level=profile.level,
        focus=profile.focus,
        offers=tuple(profile.offers or ()),
        growth=tuple(profile.growth or ()),
        weekdays=tuple(profile.weekdays or ()),
        window_start=profile.window_start,
        window_end=profile.window_end,
        match_opt_in=profile.match_opt_in,
        avoid_user_ids=tuple(profile.avoid_user_ids or ()),
        timezone=timezone,
    )


def my_profile(
    tx: Session, team_id: str, user_id: str, now: datetime
) -> tuple[ProfileValues, ProgramLists]:
    """What the person's own profile modal opens with, and the lists it offers."""
    member = members_service.get_or_create(tx, team_id, user_id, now)
    return values_of(find(tx, member.id), member), program_lists(tx, team_id)


def upsert(tx: Session, member: Member, now: datetime) -> tuple[MemberProfile, bool]:
    """The member's profile row, made when missing; True when it was made."""
    profile = find(tx, member.id)
    if profile is not None:
        return profile, False
    profile = MemberProfile(
        team_id=member.team_id,
        member_id=member.id,
        team_name="",
        offers=[],
        growth=[],
        weekdays=[],
        avoid_user_ids=[],
        match_opt_in=False,
        created_at=now,
        updated_at=now,
    )
    tx.add(profile)
    tx.flush()
    return profile, True


def save_profile(
    tx: Session, team_id: str, user_id: str, form: ProfileForm, now: datetime
) -> ProfileValues:
    """Stores the person's own profile, or refuses with every problem inline and
    nothing written."""
    lists = program_lists(tx, team_id)
    problems = window_problems(form.match_opt_in, form.weekdays, form.window_start, form.window_end)
    level = canonical_level(form.level, lists.levels)
    if form.level is not None and level is None:
        problems["level"] = UnknownLevel(form.level, lists.levels).message
    if user_id in form.avoid:
        problems["avoid"] = "That list is for other people: take yourself off it."
    if problems:
        raise FormProblems(problems)
    member = members_service.get_or_create(tx, team_id, user_id, now)
    profile, _ = upsert(tx, member, now)
    profile.team_name = form.team_name
    profile.level = level
    profile.focus = form.focus
    profile.offers = form.offered_skills(lists.skills)
    profile.growth = form.growth_areas(lists.skills)
    profile.weekdays = list(form.weekdays)
    profile.window_start = form.window_start
    profile.window_end = form.window_end
    profile.match_opt_in = form.match_opt_in
    profile.avoid_user_ids = list(form.avoid)
    profile.updated_at = now
    tx.flush()
    return values_of(profile, member)


# --------------------------------------------------------------------------- my data


def export_record(tx: Session, member_id: int) -> dict[str, Any] | None:
    """The person's own profile for their data export, the private list included."""
    profile = find(tx, member_id)
    if profile is None:
        return None
    return {
        "team_or_function": profile.team_name,
        "level": profile.level,
        "focus": profile.focus,
        "skills_offered": list(profile.offers or ()),
        "growth_areas": list(profile.growth or ()),
        "weekdays": list(profile.weekdays or ()),
        "window_start": profile.window_start.isoformat() if profile.window_start else None,
        "window_end": profile.window_end.isoformat() if profile.window_end else None,
        "match_me_into_a_pod": profile.match_opt_in,
        "please_dont_put_me_with": list(profile.avoid_user_ids or ()),
        "imported_at": profile.imported_at.isoformat() if profile.imported_at else None,
        "updated_at": profile.updated_at.isoformat(),
    }


def delete_for(tx: Session, member_id: int) -> int:
    result = tx.execute(
        delete(MemberProfile)
        .where(MemberProfile.member_id == member_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
