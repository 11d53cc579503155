"""The small session and member queries the session-loop services share: a
member's own calendar day, a write lock on one person, pod membership, a
session as a member sees it, their next sessions and their pods."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from bot.services import themes
from models import Member, Pod, PodMembership, PodSession, SessionSkip, SessionStatus
from models.session_views import SessionView

logger = logging.getLogger(__name__)


def zone_named(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


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
    return exists().where(
        PodMembership.pod_id == pod_id_column,
        PodMembership.member_id == member_id,
        PodMembership.left_at.is_(None),
    )


def is_active_member(tx: Session, pod_id: int, member_id: int) -> bool:
    return bool(
        tx.scalar(
            select(PodMembership.id).where(
                PodMembership.pod_id == pod_id,
                PodMembership.member_id == member_id,
                PodMembership.left_at.is_(None),
            )
        )
    )


def was_member_at(tx: Session, pod_id: int, member_id: int, instant: datetime) -> bool:
    """In the pod now, or at the given instant (left since)."""
    row = tx.execute(
        select(PodMembership.joined_at, PodMembership.left_at).where(
            PodMembership.pod_id == pod_id, PodMembership.member_id == member_id
        )
    ).first()
    if row is None:
        return False
    return row.left_at is None or row.left_at >= instant


def theme_title(theme_key: str | None) -> str | None:
    """The theme's title, or None (no theme, or the content can't be read: a
    content problem must not hide a person's session)."""
    if not theme_key:
        return None
    try:
        return themes.theme_title(theme_key)
    except Exception:
        logger.warning("could not read theme %s", theme_key, exc_info=True)
        return None


def session_view(
    pod_session: PodSession,
    pod: Pod,
    coach: Member | None,
    *,
    buddies: tuple[tuple[str, str | None], ...] = (),
    skipping: bool = False,
) -> SessionView:
    return SessionView(
        session_id=pod_session.id,
        pod_id=pod.id,
        pod_name=pod.name,
        pod_timezone=pod.timezone,
        starts_at=pod_session.starts_at,
        ends_at=pod_session.ends_at,
        status=pod_session.status,
        coach_user_id=coach.user_id if coach is not None else None,
        theme_key=pod_session.theme_key,
        theme_title=theme_title(pod_session.theme_key),
        buddies=buddies,
        skipping=skipping,
    )


def load_session_view(tx: Session, session_id: int, team_id: str) -> SessionView | None:
    coach = aliased(Member)
    row = tx.execute(
        select(PodSession, Pod, coach)
        .join(Pod, Pod.id == PodSession.pod_id)
        .outerjoin(coach, coach.id == PodSession.coach_member_id)
        .where(PodSession.id == session_id, PodSession.team_id == team_id)
    ).first()
    if row is None:
        return None
    return session_view(row[0], row[1], row[2])


def next_sessions_for_member(tx: Session, member: Member, now: datetime) -> list[SessionView]:
    """The next session of each of the member's pods that has not ended yet
    (sessions they said they will skip are passed over), soonest first."""
    coach = aliased(Member)
    skipped = exists().where(
        SessionSkip.session_id == PodSession.id, SessionSkip.member_id == member.id
    )
    rows = tx.execute(
        select(PodSession, Pod, coach)
        .join(Pod, Pod.id == PodSession.pod_id)
        .outerjoin(coach, coach.id == PodSession.coach_member_id)
        .where(
            PodSession.team_id == member.team_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at > now,
            Pod.archived_at.is_(None),
            active_membership_clause(member.id, Pod.id),
            ~skipped,
        )
        .order_by(PodSession.starts_at, PodSession.id)
    ).all()
    firsts: dict[int, SessionView] = {}
    for pod_session, pod, coach_member in rows:
        firsts.setdefault(pod.id, session_view(pod_session, pod, coach_member))
    return list(firsts.values())


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
