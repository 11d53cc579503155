"""The people the bot knows: their profiles from Slack, their own calendar day,
the pods they are in, who the program admins are, and the lock that puts one
person's submissions one after the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.services.cadence import zone_named
from models import Member, Pod, PodMembership

PROFILE_MAX_AGE = timedelta(hours=12)
MEMBER_KEY = ("team_id", "user_id")
"""The members table's unique key, which member rows are upserted on."""


@dataclass(frozen=True)
class SlackProfile:
    """What users.info tells us about a person."""

    user_id: str
    display_name: str
    real_name: str
    tz: str
    is_bot: bool
    is_admin: bool
    deleted: bool = False
    """Deactivated in Slack (left the company)."""

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
            deleted=bool(user.get("deleted")),
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
    """The member with this profile, made or updated in one statement."""
    fields = {
        "display_name": profile.display_name,
        "real_name": profile.real_name,
        "tz": profile.tz,
        "is_bot": profile.is_bot,
        "is_slack_admin": profile.is_admin,
        "profile_refreshed_at": now,
    }
    statement = _insert_member(tx, team_id, profile.user_id, now, fields)
    tx.execute(statement.on_conflict_do_update(index_elements=MEMBER_KEY, set_=fields))
    return _reload(tx, team_id, profile.user_id)


def get_or_create(tx: Session, team_id: str, user_id: str, now: datetime) -> Member:
    """A member row even when Slack could not be asked (profile fields stay default)."""
    member = find(tx, team_id, user_id)
    if member is None:
        statement = _insert_member(tx, team_id, user_id, now, {})
        tx.execute(statement.on_conflict_do_nothing(index_elements=MEMBER_KEY))
        member = _reload(tx, team_id, user_id)
    return member


def _insert_member(
    tx: Session, team_id: str, user_id: str, now: datetime, fields: dict[str, Any]
) -> postgresql.Insert | sqlite.Insert:
    """INSERT of a member row, to finish with ON CONFLICT on MEMBER_KEY: requests from
    someone new that arrive together (each finding no row) make one row, not an
    IntegrityError."""
    values = {"team_id": team_id, "user_id": user_id, "created_at": now, **fields}
    if tx.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Member).values(values)
    return sqlite.insert(Member).values(values)


def _reload(tx: Session, team_id: str, user_id: str) -> Member:
    """The row as the database holds it now, replacing what the session had loaded."""
    return tx.scalars(
        select(Member)
        .where(Member.team_id == team_id, Member.user_id == user_id)
        .execution_options(populate_existing=True)
    ).one()


def is_program_admin(member: Member | None, configured_admins: frozenset[str]) -> bool:
    if member is None:
        return False
    return member.user_id in configured_admins or member.is_slack_admin


def program_admin_ids(tx: Session, team_id: str, configured: Iterable[str] = ()) -> list[str]:
    """Program admins: COACHBOT_ADMINS plus the members known as Slack admins or
    owners, in a stable order."""
    slack_admins = tx.scalars(
        select(Member.user_id)
        .where(
            Member.team_id == team_id,
            Member.is_slack_admin.is_(True),
            Member.is_bot.is_(False),
        )
        .order_by(Member.user_id)
    )
    return list(dict.fromkeys([*sorted(configured), *slack_admins]))


def zone_of(member: Member | None) -> ZoneInfo:
    return zone_named(member.tz if member is not None else None)


def local_today(member: Member | None, now: datetime) -> date:
    return now.astimezone(zone_of(member)).date()


def lock_member(tx: Session, member_id: int) -> None:
    """Take a write lock on the member's row for the rest of the transaction.

    A no-op UPDATE locks the row on PostgreSQL and takes SQLite's write lock
    before anything is read, so one person's double submissions run one after
    the other and the second sees the first.
    """
    tx.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(user_id=Member.user_id)
        .execution_options(synchronize_session=False)
    )


def active_membership_clause(member_id: int, pod_id_column: Any) -> Any:
    """SQL truth of "the member is in that pod now" (a column or a pod id)."""
    return exists().where(
        PodMembership.pod_id == pod_id_column,
        PodMembership.member_id == member_id,
        PodMembership.left_at.is_(None),
    )


def is_active_member(tx: Session, pod_id: int, member_id: int) -> bool:
    return bool(tx.scalar(select(active_membership_clause(member_id, pod_id))))


def was_member_at(tx: Session, pod_id: int, member_id: int, instant: datetime) -> bool:
    """In the pod now, or in a period that lasted until the given instant (left since)."""
    return bool(
        tx.scalar(
            select(
                exists().where(
                    PodMembership.pod_id == pod_id,
                    PodMembership.member_id == member_id,
                    or_(PodMembership.left_at.is_(None), PodMembership.left_at >= instant),
                )
            )
        )
    )


def member_pod_names(tx: Session, member_id: int) -> list[str]:
    return list(
        tx.scalars(
            select(Pod.name)
            .join(PodMembership, PodMembership.pod_id == Pod.id)
            .where(
                PodMembership.member_id == member_id,
                PodMembership.left_at.is_(None),
                Pod.archived_at.is_(None),
            )
            .order_by(Pod.name)
        )
    )
