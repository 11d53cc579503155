"""A pod session as a member sees it: the `SessionView`s the check-in,
reflection, availability and App Home services return."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from bot.services import themes
from bot.services.members import active_membership_clause
from models import Member, Pod, PodSession, SessionSkip, SessionStatus
from models.session_views import SessionView

logger = logging.getLogger(__name__)


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
