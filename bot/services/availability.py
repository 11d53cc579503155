"""Availability: skip my next session, pause until a date, resume, what's next for
me, and a program admin cancelling one session of a pod.

A paused person is never coach or buddy: pausing and resuming work the roles of
the affected upcoming sessions out again (sessions.reassign_roles). No Slack calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from bot.services import sessions
from bot.services.themes import theme_title
from models import (
    Member,
    Pod,
    PodMembership,
    PodSession,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)

NEXT_LIMIT = 5
MAX_PAUSE = timedelta(days=366)


# --------------------------------------------------------------------------- errors


class AvailabilityProblem(Exception):
    """The request cannot be done as asked; the UI says why."""


class NoUpcomingSession(AvailabilityProblem):
    pass


class AlreadySkipping(AvailabilityProblem):
    def __init__(self, info: SessionInfo) -> None:
        super().__init__(info.pod_name)
        self.info = info


class PausedThen(AvailabilityProblem):
    """Skipping a session that falls inside the person's pause."""

    def __init__(self, info: SessionInfo, until: date) -> None:
        super().__init__(info.pod_name)
        self.info = info
        self.until = until


class PauseNotInFuture(AvailabilityProblem):
    def __init__(self, day: date, today: date) -> None:
        super().__init__(day.isoformat())
        self.day = day
        self.today = today


class PauseTooFar(AvailabilityProblem):
    def __init__(self, day: date, latest: date) -> None:
        super().__init__(day.isoformat())
        self.day = day
        self.latest = latest


class NotPaused(AvailabilityProblem):
    pass


class NoSessionToCancel(AvailabilityProblem):
    def __init__(self, pod_name: str, on: date | None, upcoming: list[SessionInfo]) -> None:
        super().__init__(pod_name)
        self.pod_name = pod_name
        self.on = on
        self.upcoming = upcoming


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class SessionInfo:
    """One session as a member sees it; plain data, safe after the transaction."""

    id: int
    pod_id: int
    pod_name: str
    pod_timezone: str
    starts_at: datetime
    coach_user_id: str | None
    buddies: tuple[tuple[str, str | None], ...]
    """(newcomer user id, buddy user id or None)."""
    theme: str
    skipping: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class MyNext:
    user_id: str
    tz: str
    now: datetime
    paused_until: date | None
    sessions: list[SessionInfo]


@dataclass(frozen=True)
class PauseResult:
    until: date
    tz: str
    reassigned: int


@dataclass(frozen=True)
class Cancelled:
    cancelled: SessionInfo
    following: SessionInfo | None


def member_today(member: Member, now: datetime) -> date:
    return now.astimezone(_zone(member.tz)).date()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")


def is_paused(member: Member, now: datetime) -> bool:
    return member.is_paused_on(member_today(member, now))


def _theme(key: str | None) -> str:
    return theme_title(key)


def session_info(
    session: Session, pod_session: PodSession, member: Member | None = None
) -> SessionInfo:
    skipping = False
    if member is not None:
        skipping = _skip_of(session, pod_session.id, member.id) is not None
    return SessionInfo(
        id=pod_session.id,
        pod_id=pod_session.pod_id,
        pod_name=pod_session.pod.name,
        pod_timezone=pod_session.pod.timezone,
        starts_at=pod_session.starts_at,
        coach_user_id=pod_session.coach.user_id if pod_session.coach else None,
        buddies=tuple(
            (b.newcomer.user_id, b.buddy.user_id if b.buddy else None) for b in pod_session.buddies
        ),
        theme=_theme(pod_session.theme_key),
        skipping=skipping,
        cancelled=pod_session.status == SessionStatus.CANCELLED,
    )


def _skip_of(session: Session, session_id: int, member_id: int) -> SessionSkip | None:
    return session.scalar(
        select(SessionSkip).where(
            SessionSkip.session_id == session_id, SessionSkip.member_id == member_id
        )
    )


def _my_upcoming(session: Session, member: Member, now: datetime, limit: int | None):  # type: ignore[no-untyped-def]
    """Scheduled sessions of my active pods that have not started, soonest first."""
    query = (
        select(PodSession)
        .join(Pod, Pod.id == PodSession.pod_id)
        .where(
            Pod.team_id == member.team_id,
            Pod.archived_at.is_(None),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at > now,
            exists().where(
                PodMembership.pod_id == PodSession.pod_id,
                PodMembership.member_id == member.id,
                PodMembership.left_at.is_(None),
            ),
        )
        .order_by(PodSession.starts_at, PodSession.id)
        .options(
            selectinload(PodSession.buddies).selectinload(SessionBuddy.newcomer),
            selectinload(PodSession.buddies).selectinload(SessionBuddy.buddy),
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


# --------------------------------------------------------------------------- skip


def skip_next(session: Session, member: Member, now: datetime) -> SessionInfo:
    """Sits the member out of their soonest session (across all their pods)."""
    upcoming = _my_upcoming(session, member, now, limit=1)
    if not upcoming:
        raise NoUpcomingSession()
    pod_session = upcoming[0]
    info = session_info(session, pod_session, member)
    if info.skipping:
        raise AlreadySkipping(info)
    session_day = pod_session.starts_at.astimezone(_zone(member.tz)).date()
    if member.paused_until is not None and member.is_paused_on(session_day):
        raise PausedThen(info, member.paused_until)
    session.add(
        SessionSkip(
            team_id=pod_session.team_id,
            session_id=pod_session.id,
            member_id=member.id,
            created_at=now,
        )
    )
    session.flush()
    sessions.reassign_roles(session, pod_session, now)
    session.refresh(pod_session)
    return session_info(session, pod_session, member)


# --------------------------------------------------------------------------- pause / resume


def pause_until(session: Session, member: Member, until: date, now: datetime) -> PauseResult:
    """Pauses the member through `until` (inclusive, their own calendar)."""
    today = member_today(member, now)
    if until <= today:
        raise PauseNotInFuture(until, today)
    latest = today + MAX_PAUSE
    if until > latest:
        raise PauseTooFar(until, latest)
    member.paused_until = until
    session.flush()
    reassigned = _reassign_within(session, member, now, until)
    return PauseResult(until=until, tz=member.tz, reassigned=reassigned)


def resume(session: Session, member: Member, now: datetime) -> int:
    """Ends the pause now; returns how many upcoming sessions were restaffed."""
    if not is_paused(member, now):
        raise NotPaused()
    until = member.paused_until
    member.paused_until = None
    session.flush()
    assert until is not None
    return _reassign_within(session, member, now, until, only_open_seats=True)


def _reassign_within(
    session: Session, member: Member, now: datetime, until: date, only_open_seats: bool = False
) -> int:
    """Works out roles again for my pods' sessions on or before `until` (a day of
    margin for timezones). On resume, only sessions that lack a coach or a buddy."""
    zone = _zone(member.tz)
    count = 0
    for pod_session in _my_upcoming(session, member, now, limit=None):
        if pod_session.starts_at.astimezone(zone).date() > until + timedelta(days=1):
            break
        if only_open_seats and not _has_open_seat(pod_session):
            continue
        sessions.reassign_roles(session, pod_session, now)
        count += 1
    return count


def _has_open_seat(pod_session: PodSession) -> bool:
    return pod_session.coach_member_id is None or any(
        b.buddy_member_id is None for b in pod_session.buddies
    )


# --------------------------------------------------------------------------- next


def my_next(session: Session, member: Member, now: datetime, limit: int = NEXT_LIMIT) -> MyNext:
    upcoming = sessions.upcoming_for_member(session, member, now, limit=limit)
    return MyNext(
        user_id=member.user_id,
        tz=member.tz,
        now=now,
        paused_until=member.paused_until if is_paused(member, now) else None,
        sessions=[session_info(session, s, member) for s in upcoming],
    )


# --------------------------------------------------------------------------- cancel


def cancel_pod_session(
    session: Session, pod: Pod, on: date | None, now: datetime, reason: str
) -> Cancelled:
    """Cancels the pod's next session, or its session on `on` (a day in the pod's
    timezone). Members are told by sessions.cancel_session, which also schedules
    the following session."""
    zone = _zone(pod.timezone)
    upcoming = list(
        session.scalars(
            select(PodSession)
            .where(
                PodSession.pod_id == pod.id,
                PodSession.status == SessionStatus.SCHEDULED,
                PodSession.starts_at > now,
            )
            .order_by(PodSession.starts_at)
        )
    )
    if on is None:
        target = upcoming[0] if upcoming else None
    else:
        target = next((s for s in upcoming if s.starts_at.astimezone(zone).date() == on), None)
    if target is None:
        raise NoSessionToCancel(pod.name, on, [session_info(session, s) for s in upcoming[:3]])
    sessions.cancel_session(session, target, now, reason)
    session.flush()
    session.refresh(target)
    following = sessions.next_session_for_pod(session, pod.id, now)
    return Cancelled(
        cancelled=session_info(session, target),
        following=session_info(session, following) if following is not None else None,
    )
