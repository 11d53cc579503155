"""Availability: skip my next session, pause until a date, resume, what's next for
me, and a program admin cancelling one session of a pod.

A paused person is never coach or buddy: pausing and resuming work the roles of
the affected upcoming sessions out again (sessions.reassign_roles). No Slack calls.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.services import sessions
from bot.services.cadence import zone_named
from bot.services.members import active_membership_clause, local_today, zone_of
from bot.services.refusals import Refusal
from bot.services.session_views import session_view
from models import (
    Member,
    Pod,
    PodSession,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)
from models.pod_views import Cancelled, MyNext, PauseResult
from models.session_views import SessionView

NEXT_LIMIT = 5
MAX_PAUSE = timedelta(days=366)


# --------------------------------------------------------------------------- refusals


class NoUpcomingSession(Refusal):
    def __init__(self) -> None:
        super().__init__(
            "You have no upcoming sessions. `/coach pod list` shows the pods you can join."
        )


class AlreadySkipping(Refusal):
    """Its words need the reader's wall clock: handlers show `info` through the ui."""

    def __init__(self, info: SessionView) -> None:
        super().__init__(f"You're already skipping {info.pod_name}.")
        self.info = info


class PausedThen(Refusal):
    """Skipping a session inside the person's pause (shown like AlreadySkipping)."""

    def __init__(self, info: SessionView, until: date) -> None:
        super().__init__(f"You're paused until {until.isoformat()}.")
        self.info = info
        self.until = until


class PauseNotInFuture(Refusal):
    def __init__(self, day: date, today: date) -> None:
        super().__init__(
            f"{day.isoformat()} is not in the future (today is {today.isoformat()} for you). "
            "Pick a later date.",
            usage="pause",
        )


class PauseTooFar(Refusal):
    def __init__(self, latest: date) -> None:
        super().__init__(
            f"Pauses can last up to a year: pick a date up to {latest.isoformat()}.",
            usage="pause",
        )


class NotPaused(Refusal):
    def __init__(self) -> None:
        super().__init__(
            "You're not paused, so there is nothing to resume. "
            "To take a break: `/coach pause until YYYY-MM-DD`."
        )


class NoSessionToCancel(Refusal):
    """Its dates read on the pod's calendar: handlers show it through the ui."""

    def __init__(self, pod_name: str, on: date | None, upcoming: list[SessionView]) -> None:
        super().__init__(f"{pod_name} has no session to cancel.", usage="pod")
        self.pod_name = pod_name
        self.on = on
        self.upcoming = upcoming


def is_paused(member: Member, now: datetime) -> bool:
    return member.is_paused_on(local_today(member, now))


def _session_view_for(
    tx: Session, pod_session: PodSession, member: Member | None = None
) -> SessionView:
    """The session as `member` sees it (whether they skip it), or as anyone does."""
    skipping = member is not None and _skip_of(tx, pod_session.id, member.id) is not None
    return session_view(
        pod_session,
        pod_session.pod,
        pod_session.coach,
        buddies=tuple(
            (b.newcomer.user_id, b.buddy.user_id if b.buddy else None) for b in pod_session.buddies
        ),
        skipping=skipping,
    )


def _skip_of(tx: Session, session_id: int, member_id: int) -> SessionSkip | None:
    return tx.scalar(
        select(SessionSkip).where(
            SessionSkip.session_id == session_id, SessionSkip.member_id == member_id
        )
    )


def _my_upcoming(tx: Session, member: Member, now: datetime, limit: int | None):  # type: ignore[no-untyped-def]
    """Scheduled sessions of my active pods that have not started, soonest first."""
    query = (
        select(PodSession)
        .join(Pod, Pod.id == PodSession.pod_id)
        .where(
            Pod.team_id == member.team_id,
            Pod.archived_at.is_(None),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at > now,
            active_membership_clause(member.id, PodSession.pod_id),
        )
        .order_by(PodSession.starts_at, PodSession.id)
        .options(
            selectinload(PodSession.buddies).selectinload(SessionBuddy.newcomer),
            selectinload(PodSession.buddies).selectinload(SessionBuddy.buddy),
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return list(tx.scalars(query))


# --------------------------------------------------------------------------- skip


def skip_next(tx: Session, member: Member, now: datetime) -> SessionView:
    """Sits the member out of their soonest session (across all their pods)."""
    upcoming = _my_upcoming(tx, member, now, limit=1)
    if not upcoming:
        raise NoUpcomingSession()
    pod_session = upcoming[0]
    info = _session_view_for(tx, pod_session, member)
    if info.skipping:
        raise AlreadySkipping(info)
    session_day = pod_session.starts_at.astimezone(zone_of(member)).date()
    if member.paused_until is not None and member.is_paused_on(session_day):
        raise PausedThen(info, member.paused_until)
    tx.add(
        SessionSkip(
            team_id=pod_session.team_id,
            session_id=pod_session.id,
            member_id=member.id,
            created_at=now,
        )
    )
    # The skipper's calendar shows the session cancelled; a new SEQUENCE makes it update.
    pod_session.calendar_sequence += 1
    tx.flush()
    sessions.reassign_roles(tx, pod_session, now)
    tx.refresh(pod_session)
    return _session_view_for(tx, pod_session, member)


# --------------------------------------------------------------------------- pause / resume


def pause_until(tx: Session, member: Member, until: date, now: datetime) -> PauseResult:
    """Pauses the member through `until` (inclusive, their own calendar)."""
    today = local_today(member, now)
    if until <= today:
        raise PauseNotInFuture(until, today)
    latest = today + MAX_PAUSE
    if until > latest:
        raise PauseTooFar(latest)
    member.paused_until = until
    tx.flush()
    reassigned = _reassign_within(tx, member, now, until)
    return PauseResult(until=until, tz=member.tz, reassigned=reassigned)


def resume(tx: Session, member: Member, now: datetime) -> int:
    """Ends the pause now; returns how many upcoming sessions were restaffed."""
    if not is_paused(member, now):
        raise NotPaused()
    until = member.paused_until
    member.paused_until = None
    tx.flush()
    assert until is not None
    return _reassign_within(tx, member, now, until, only_open_seats=True)


def _reassign_within(
    tx: Session, member: Member, now: datetime, until: date, only_open_seats: bool = False
) -> int:
    """Works out roles again for my pods' sessions on or before `until` (a day of
    margin for timezones). On resume, only sessions that lack a coach or a buddy."""
    zone = zone_of(member)
    count = 0
    for pod_session in _my_upcoming(tx, member, now, limit=None):
        if pod_session.starts_at.astimezone(zone).date() > until + timedelta(days=1):
            break
        if only_open_seats and not _has_open_seat(pod_session):
            continue
        sessions.reassign_roles(tx, pod_session, now)
        count += 1
    return count


def _has_open_seat(pod_session: PodSession) -> bool:
    return pod_session.coach_member_id is None or any(
        b.buddy_member_id is None for b in pod_session.buddies
    )


# --------------------------------------------------------------------------- next


def my_next(tx: Session, member: Member, now: datetime, limit: int = NEXT_LIMIT) -> MyNext:
    upcoming = sessions.upcoming_for_member(tx, member, now, limit=limit)
    return MyNext(
        user_id=member.user_id,
        tz=member.tz,
        now=now,
        paused_until=member.paused_until if is_paused(member, now) else None,
        sessions=[_session_view_for(tx, s, member) for s in upcoming],
    )


# --------------------------------------------------------------------------- cancel


def cancel_pod_session(
    tx: Session, pod: Pod, on: date | None, now: datetime, reason: str
) -> Cancelled:
    """Cancels the pod's next session, or its session on `on` (a day in the pod's
    timezone); sessions.cancel_session schedules the following one. The notice for
    the members is in the result (bot.notify.sessions)."""
    zone = zone_named(pod.timezone)
    upcoming = list(
        tx.scalars(
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
        raise NoSessionToCancel(pod.name, on, [_session_view_for(tx, s) for s in upcoming[:3]])
    notice = sessions.cancel_session(tx, target, now, reason)
    tx.flush()
    tx.refresh(target)
    following = sessions.next_session_for_pod(tx, pod.id, now)
    return Cancelled(
        cancelled=_session_view_for(tx, target),
        following=_session_view_for(tx, following) if following is not None else None,
        notice=notice,
    )
