"""Pod sessions: scheduling the next one, moving, staffing and cancelling them.

Plain Python over a SQLAlchemy session; no Slack calls. Every function that looks
at many pods loads what it needs in a fixed number of statements, whatever the
number of pods (tick runs this every minute).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, exists, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.notify import outbox
from bot.services import reminders, themes
from bot.services.cadence import Cadence, local_date, next_session_start, session_end
from bot.services.rotation import (
    Candidate,
    Membership,
    PastSession,
    Roles,
    assign_roles,
    candidates_from_history,
    previous_coach_id,
)
from bot.ui import reminders as reminders_ui
from models import (
    CheckIn,
    Member,
    OutboxMessage,
    OutboxStatus,
    Pod,
    PodMembership,
    PodSession,
    Reflection,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)

# ---------------------------------------------------------------------------- lookups


def next_session_for_pod(session: Session, pod_id: int, now: datetime) -> PodSession | None:
    """The pod's soonest scheduled session that has not ended (it may be under way)."""
    return session.scalar(
        select(PodSession)
        .where(
            PodSession.pod_id == pod_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at > now,
        )
        .order_by(PodSession.starts_at)
        .limit(1)
    )


def upcoming_for_member(
    session: Session, member: Member, now: datetime, limit: int = 5
) -> list[PodSession]:
    """Scheduled sessions not ended yet of the pods the member is active in, soonest first."""
    return list(
        session.scalars(
            select(PodSession)
            .join(PodMembership, PodMembership.pod_id == PodSession.pod_id)
            .join(Pod, Pod.id == PodSession.pod_id)
            .where(
                PodMembership.member_id == member.id,
                PodMembership.left_at.is_(None),
                Pod.archived_at.is_(None),
                PodSession.status == SessionStatus.SCHEDULED,
                PodSession.ends_at > now,
            )
            .order_by(PodSession.starts_at, PodSession.id)
            .limit(limit)
        )
    )


def held_clause() -> ColumnElement[bool]:
    """SQL truth of DESIGN §4 "held": anyone checked in or reflected, or "We met"."""
    return or_(
        PodSession.held_at.is_not(None),
        exists().where(CheckIn.session_id == PodSession.id),
        exists().where(Reflection.session_id == PodSession.id),
    )


def is_held(session: Session, pod_session: PodSession) -> bool:
    if pod_session.held_at is not None:
        return True
    return bool(session.scalar(select(held_clause()).where(PodSession.id == pod_session.id)))


# ---------------------------------------------------------------------------- history


@dataclass
class PodHistory:
    """What rotation needs to know about one pod, loaded in bulk."""

    memberships: list[Membership] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    sessions: list[PastSession] = field(default_factory=list)
    starts: set[datetime] = field(default_factory=set)
    """Start instants already taken by a row of the pod (cancelled ones included)."""
    latest_start: datetime | None = None


def load_histories(session: Session, pod_ids: Iterable[int]) -> dict[int, PodHistory]:
    """Memberships, members and past sessions of the pods, in three statements."""
    ids = sorted(set(pod_ids))
    histories = {pod_id: PodHistory() for pod_id in ids}
    if not ids:
        return histories
    rows = session.execute(
        select(PodMembership, Member)
        .join(Member, Member.id == PodMembership.member_id)
        .where(PodMembership.pod_id.in_(ids), PodMembership.left_at.is_(None))
        .order_by(PodMembership.joined_at, PodMembership.id)
    )
    for membership, member in rows:
        history = histories[membership.pod_id]
        history.memberships.append(Membership(member.id, membership.joined_at, membership.left_at))
        history.members[member.id] = member
    skips: dict[int, set[int]] = defaultdict(set)
    for session_id, member_id in session.execute(
        select(SessionSkip.session_id, SessionSkip.member_id)
        .join(PodSession, PodSession.id == SessionSkip.session_id)
        .where(PodSession.pod_id.in_(ids))
    ):
        skips[session_id].add(member_id)
    for row in session.execute(
        select(
            PodSession.id,
            PodSession.pod_id,
            PodSession.starts_at,
            PodSession.status,
            PodSession.coach_member_id,
            held_clause().label("held"),
        ).where(PodSession.pod_id.in_(ids))
    ):
        history = histories[row.pod_id]
        history.sessions.append(
            PastSession(
                starts_at=row.starts_at,
                coach_member_id=row.coach_member_id,
                held=bool(row.held),
                cancelled=row.status == SessionStatus.CANCELLED,
                skipped_by=frozenset(skips.get(row.id, ())),
            )
        )
        history.starts.add(row.starts_at)
        if history.latest_start is None or row.starts_at > history.latest_start:
            history.latest_start = row.starts_at
    return histories


def roles_for(
    history: PodHistory,
    starts_at: datetime,
    session_day: date,
    skipping: frozenset[int] = frozenset(),
    keep_coach: int | None = None,
) -> Roles:
    paused = frozenset(
        member_id
        for member_id, member in history.members.items()
        if member.is_paused_on(session_day)
    )
    candidates: list[Candidate] = candidates_from_history(
        history.memberships, history.sessions, starts_at, paused=paused, skipping=skipping
    )
    return assign_roles(candidates, previous_coach_id(history.sessions, starts_at), keep_coach)


# ---------------------------------------------------------------------------- scheduling


def _pods_owed_a_session(session: Session, now: datetime, pod_ids: list[int] | None) -> list[Pod]:
    # Uncorrelated IN / NOT IN: each subquery runs once, not once per pod.
    with_active_member = select(PodMembership.pod_id).where(PodMembership.left_at.is_(None))
    with_open_session = select(PodSession.pod_id).where(
        PodSession.status == SessionStatus.SCHEDULED, PodSession.ends_at > now
    )
    query = select(Pod).where(
        Pod.archived_at.is_(None),
        Pod.id.in_(with_active_member),
        Pod.id.not_in(with_open_session),
    )
    if pod_ids is not None:
        if not pod_ids:
            return []
        query = query.where(Pod.id.in_(pod_ids))
    return list(session.scalars(query.order_by(Pod.id)))


def _free_start(
    cadence: Cadence, after: datetime | None, now: datetime, taken: set[datetime]
) -> datetime:
    """The next start after `after` that no other row of the pod holds (a cancelled
    session keeps its slot)."""
    start = next_session_start(cadence, after, now)
    while start in taken:
        start = next_session_start(cadence, start, now)
    return start


def schedule_upcoming(session: Session, now: datetime, pod_ids: list[int] | None = None) -> int:
    """Give every active pod without a scheduled, unfinished session its next one,
    with coach, buddies and theme. Returns how many sessions were created."""
    pods = _pods_owed_a_session(session, now, pod_ids)
    if not pods:
        return 0
    histories = load_histories(session, [pod.id for pod in pods])
    theme_by_pod = themes.themes_for_new_sessions(session, pods)
    rows, roles_by_pod = [], {}
    for pod in pods:
        history = histories[pod.id]
        cadence = Cadence.of(pod)
        starts_at = _free_start(cadence, history.latest_start, now, history.starts)
        roles = roles_for(history, starts_at, local_date(starts_at, cadence.zone))
        roles_by_pod[pod.id] = roles
        rows.append(
            {
                "team_id": pod.team_id,
                "pod_id": pod.id,
                "starts_at": starts_at,
                "ends_at": session_end(cadence, starts_at),
                "status": SessionStatus.SCHEDULED,
                "coach_member_id": roles.coach_id,
                "theme_key": theme_by_pod[pod.id],
                "created_at": now,
            }
        )
    # Plain executemany INSERTs: the ORM would insert row by row on SQLite to
    # learn each new id; the ids are read back in one SELECT instead.
    session.execute(insert(PodSession), rows)
    created = session.execute(
        select(PodSession.id, PodSession.pod_id, PodSession.team_id).where(
            PodSession.pod_id.in_(roles_by_pod),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at > now,
        )
    ).all()
    buddies = [
        {
            "team_id": row.team_id,
            "session_id": row.id,
            "newcomer_member_id": newcomer,
            "buddy_member_id": buddy,
        }
        for row in created
        for newcomer, buddy in roles_by_pod[row.pod_id].buddies.items()
    ]
    if buddies:
        session.execute(insert(SessionBuddy), buddies)
    return len(rows)


def _buddy_rows(team_id: str, roles: Roles) -> list[SessionBuddy]:
    return [
        SessionBuddy(team_id=team_id, newcomer_member_id=newcomer, buddy_member_id=buddy)
        for newcomer, buddy in roles.buddies.items()
    ]


def reassign_roles(session: Session, pod_session: PodSession, now: datetime) -> None:
    """Recompute coach and buddies of a session that has not started, after someone
    skipped, paused, resumed, joined or left. An announced coach who can still
    coach keeps the seat."""
    if pod_session.status != SessionStatus.SCHEDULED or pod_session.starts_at <= now:
        return
    pod = session.get(Pod, pod_session.pod_id)
    assert pod is not None
    session.flush()
    history = load_histories(session, [pod.id])[pod.id]
    skipping = frozenset(
        session.scalars(
            select(SessionSkip.member_id).where(SessionSkip.session_id == pod_session.id)
        )
    )
    day = local_date(pod_session.starts_at, Cadence.of(pod).zone)
    roles = roles_for(
        history, pod_session.starts_at, day, skipping, keep_coach=pod_session.coach_member_id
    )
    pod_session.coach_member_id = roles.coach_id
    current = {(b.newcomer_member_id, b.buddy_member_id) for b in pod_session.buddies}
    if current != set(roles.buddies.items()):
        pod_session.buddies.clear()
        session.flush()
        pod_session.buddies.extend(_buddy_rows(pod_session.team_id, roles))
    session.flush()


def reschedule_pod(session: Session, pod: Pod, now: datetime) -> None:
    """Move the pod's sessions that have not started to its (new) cadence, keeping
    the rows so check-ins stay attached; the prep reminders go out again for the
    new time."""
    session.flush()
    future = list(
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
    if not future:
        return
    anchor = session.scalar(
        select(PodSession.starts_at)
        .where(PodSession.pod_id == pod.id, PodSession.starts_at <= now)
        .order_by(PodSession.starts_at.desc())
        .limit(1)
    )
    moving = {s.id for s in future}
    taken = set(
        session.scalars(
            select(PodSession.starts_at).where(
                PodSession.pod_id == pod.id, PodSession.id.not_in(moving)
            )
        )
    )
    cadence = Cadence.of(pod)
    starts = []
    previous = anchor
    for _ in future:
        previous = _free_start(cadence, previous, now, taken)
        starts.append(previous)
    for pod_session, starts_at in zip(future, starts, strict=True):
        if pod_session.starts_at == starts_at and pod_session.ends_at == session_end(
            cadence, starts_at
        ):
            continue
        _withdraw_pending_prep(session, pod_session)
        pod_session.starts_at = starts_at
        pod_session.ends_at = session_end(cadence, starts_at)
        pod_session.prep_enqueued_at = None
        pod_session.end_enqueued_at = None
        session.flush()
    for pod_session in future:
        reassign_roles(session, pod_session, now)


# ---------------------------------------------------------------------------- cancelling


def cancel_session(
    session: Session, pod_session: PodSession, now: datetime, reason: str | None
) -> None:
    """Cancel the session, tell its members, and schedule the pod's next one."""
    if pod_session.status == SessionStatus.CANCELLED:
        return
    pod = session.get(Pod, pod_session.pod_id)
    assert pod is not None
    pod_session.status = SessionStatus.CANCELLED
    pod_session.cancelled_at = now
    pod_session.cancel_reason = reason
    _withdraw_pending_prep(session, pod_session)
    session.flush()
    _tell_cancelled(session, pod, pod_session, reason, now)
    schedule_upcoming(session, now, [pod.id])


def _tell_cancelled(
    session: Session, pod: Pod, pod_session: PodSession, reason: str | None, now: datetime
) -> None:
    """A notice in the pod's channel; without a channel, a DM to each member."""
    key = reminders.cancel_key(pod_session)
    if pod.channel_id:
        text, blocks = reminders_ui.cancel_notice(
            pod.name, reminders_ui.format_when(pod_session.starts_at, pod.timezone), reason
        )
        outbox.post_message(
            session,
            team_id=pod.team_id,
            dedupe_key=key,
            channel=pod.channel_id,
            text=text,
            blocks=blocks,
            not_before=now,
        )
        return
    members = session.scalars(
        select(Member)
        .join(PodMembership, PodMembership.member_id == Member.id)
        .where(PodMembership.pod_id == pod.id, PodMembership.left_at.is_(None))
        .order_by(Member.id)
    )
    for member in members:
        if member.is_bot:
            continue
        text, blocks = reminders_ui.cancel_notice(
            pod.name, reminders_ui.format_when(pod_session.starts_at, member.tz), reason
        )
        outbox.post_message(
            session,
            team_id=pod.team_id,
            dedupe_key=f"{key}:{member.user_id}",
            channel=member.user_id,
            text=text,
            blocks=blocks,
            not_before=now,
        )


def _withdraw_pending_prep(session: Session, pod_session: PodSession) -> None:
    """Drop prep reminders, coach brief and their updates still waiting to be sent
    for the session's current time (it moved or was cancelled); those already
    sent stay as history."""
    keys = (reminders.prep_key(pod_session), reminders.brief_key(pod_session))
    session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(
                *(OutboxMessage.dedupe_key == key for key in keys),
                *(OutboxMessage.dedupe_key.startswith(f"{key}:", autoescape=True) for key in keys),
            ),
        )
        .execution_options(synchronize_session=False)
    )
