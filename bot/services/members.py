"""The people the bot knows: profiles from Slack, pauses, consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member

PROFILE_MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class SlackProfile:
    """What users.info tells us about a person."""

    user_id: str
    display_name: str
    real_name: str
    tz: str
    is_bot: bool
    is_admin: bool

    @classmethod
    def from_users_info(cls, user: dict) -> SlackProfile:
        profile = user.get("profile") or {}
        return cls(
            user_id=user["id"],
            display_name=profile.get("display_name") or "",
            real_name=user.get("real_name") or profile.get("real_name") or "",
            tz=valid_timezone(user.get("tz")) or "UTC",
            is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
            is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        )


def valid_timezone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def find(tx: Session, team_id: str, user_id: str) -> Member | None:
    return tx.scalar(select(Member).where(Member.team_id == team_id, Member.user_id == user_id))


def find_many(tx: Session, team_id: str, user_ids: list[str]) -> dict[str, Member]:
    if not user_ids:
        return {}
    rows = tx.scalars(select(Member).where(Member.team_id == team_id, Member.user_id.in_(user_ids)))
    return {member.user_id: member for member in rows}


def needs_refresh(member: Member | None, now: datetime) -> bool:
    return (
        member is None
        or member.profile_refreshed_at is None
        or now - member.profile_refreshed_at > PROFILE_MAX_AGE
    )


def upsert_profile(tx: Session, team_id: str, profile: SlackProfile, now: datetime) -> Member:
    member = find(tx, team_id, profile.user_id)
    if member is None:
        member = Member(team_id=team_id, user_id=profile.user_id, created_at=now)
        tx.add(member)
    member.display_name = profile.display_name
    member.real_name = profile.real_name
    member.tz = profile.tz
    member.is_bot = profile.is_bot
    member.is_slack_admin = profile.is_admin
    member.profile_refreshed_at = now
    tx.flush()
    return member


def get_or_create(tx: Session, team_id: str, user_id: str, now: datetime) -> Member:
    """A member row even when Slack could not be asked (profile fields stay default)."""
    member = find(tx, team_id, user_id)
    if member is None:
        member = Member(team_id=team_id, user_id=user_id, created_at=now)
        tx.add(member)
        tx.flush()
    return member


def is_program_admin(member: Member | None, configured_admins: frozenset[str]) -> bool:
    if member is None:
        return False
    return member.user_id in configured_admins or member.is_slack_admin
