"""Pod sessions: scheduling the next one, moving, staffing, cancelling them, and
marking one held ("We met").

Plain Python over the database (`tx`); no Slack calls. Every function that looks
at many pods loads what it needs in a fixed number of statements, whatever the
number of pods (tick runs this every minute).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, insert, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.services import members, reminders, themes
from bot.services.cadence import Cadence, local_date, next_session_start, session_end
from bot.services.refusals import Refusal
from bot.services.rotation import (
    Candidate,
    Membership,
    PastSession,
    Roles,
    assign_roles,
    candidates_from_history,
    previous_coach_id,
)
from bot.services.session_views import load_session_view
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
from models.pod_views import PodPerson, SessionCancelled

Period = aliased(PodMembership, name="period")
"""A second view of pod_memberships, for "every period of the people still in"."""

# ---------------------------------------------------------------------------- lookups


def next_session_for_pod(tx: Session, pod_id: int, now: datetime) -> PodSession | None:
    """The pod's soonest scheduled session that has not ended (it may be under way)."""
    return tx.scalar(
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
    tx: Session, member: Member, now: datetime, limit: int = 5
) -> list[PodSession]:
    """Scheduled sessions not ended yet of the pods the member is active in, soonest first."""
    return list(
        tx.scalars(
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


def load_histories(tx: Session, pod_ids: Iterable[int]) -> dict[int, PodHistory]:
    """Memberships, members and past sessions of the pods, in three statements.

    Every period of each person still in the pod, so sessions held while they were
    away count neither as attended nor as coached."""
    ids = sorted(set(pod_ids))
    histories = {pod_id: PodHistory() for pod_id in ids}
    if not ids:
        return histories
    still_in = (
        select(PodMembership.id)
        .where(
            PodMembership.pod_id == Period.pod_id,
            PodMembership.member_id == Period.member_id,
            PodMembership.left_at.is_(None),
        )
        .exists()
    )
    rows = tx.execute(
        select(Period, Member)
        .join(Member, Member.id == Period.member_id)
        .where(Period.pod_id.in_(ids), still_in)
        .order_by(Period.joined_at, Period.id)
    )
    for membership, member in rows:
        history = histories[membership.pod_id]
        history.memberships.append(Membership(member.id, membership.joined_at, membership.left_at))
        history.members[member.id] = member
    skips: dict[int, set[int]] = defaultdict(set)
    for session_id, member_id in tx.execute(
        select(SessionSkip.session_id, SessionSkip.member_id)
        .join(PodSession, PodSession.id == SessionSkip.session_id)
        .where(PodSession.pod_id.in_(ids))
    ):
        skips[session_id].add(member_id)
    for row in tx.execute(
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


def _pods_owed_a_session(tx: Session, now: datetime, pod_ids: list[int] | None) -> list[Pod]:
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
    return list(tx.scalars(query.order_by(Pod.id)))


def _free_start(
    cadence: Cadence, after: datetime | None, now: datetime, taken: set[datetime]
) -> datetime:
    """The next start after `after` that no other row of the pod holds (a cancelled
    session keeps its slot)."""
    start = next_session_start(cadence, after, now)
    while start in taken:
        start = next_session_start(cadence, start, now)
    return start


def pods_owed_a_session(tx: Session, now: datetime) -> list[int]:
    """Ids of the active pods without a scheduled, unfinished session."""
    return [pod.id for pod in _pods_owed_a_session(tx, now, None)]


def schedule_upcoming(tx: Session, now: datetime, pod_ids: list[int] | None = None) -> int:
    """Give every active pod without a scheduled, unfinished session its next one,
    with coach, buddies and theme. Returns how many sessions were created."""
    pods = _pods_owed_a_session(tx, now, pod_ids)
    if not pods:
        return 0
    histories = load_histories(tx, [pod.id for pod in pods])
    theme_by_pod = themes.themes_for_new_sessions(tx, pods)
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
    tx.execute(insert(PodSession), rows)
    created = tx.execute(
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
        tx.execute(insert(SessionBuddy), buddies)
    return len(rows)


def _buddy_rows(team_id: str, roles: Roles) -> list[SessionBuddy]:
    return [
        SessionBuddy(team_id=team_id, newcomer_member_id=newcomer, buddy_member_id=buddy)
        for newcomer, buddy in roles.buddies.items()
    ]


def reassign_roles(tx: Session, pod_session: PodSession, now: datetime) -> None:
    """Recompute coach and buddies of a session that has not started, after someone
    skipped, paused, resumed, joined or left. An announced coach who can still
    coach keeps the seat."""
    if pod_session.status != SessionStatus.SCHEDULED or pod_session.starts_at <= now:
        return
    pod = tx.get(Pod, pod_session.pod_id)
    assert pod is not None
    tx.flush()
    history = load_histories(tx, [pod.id])[pod.id]
    skipping = frozenset(
        tx.scalars(select(SessionSkip.member_id).where(SessionSkip.session_id == pod_session.id))
    )
    day = local_date(pod_session.starts_at, Cadence.of(pod).zone)
    roles = roles_for(
        history, pod_session.starts_at, day, skipping, keep_coach=pod_session.coach_member_id
    )
    pod_session.coach_member_id = roles.coach_id
    current = {(b.newcomer_member_id, b.buddy_member_id) for b in pod_session.buddies}
    if current != set(roles.buddies.items()):
        pod_session.buddies.clear()
        tx.flush()
        pod_session.buddies.extend(_buddy_rows(pod_session.team_id, roles))
    tx.flush()


def reschedule_pod(tx: Session, pod: Pod, now: datetime) -> None:
    """Move the pod's sessions that have not started to its (new) cadence, keeping
    the rows so check-ins stay attached; the prep reminders go out again for the
    new time."""
    tx.flush()
    future = list(
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
    if not future:
        return
    anchor = tx.scalar(
        select(PodSession.starts_at)
        .where(PodSession.pod_id == pod.id, PodSession.starts_at <= now)
        .order_by(PodSession.starts_at.desc())
        .limit(1)
    )
    moving = {s.id for s in future}
    taken = set(
        tx.scalars(
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
        _withdraw_pending_prep(tx, pod_session)
        pod_session.starts_at = starts_at
        pod_session.ends_at = session_end(cadence, starts_at)
        pod_session.calendar_sequence += 1
        pod_session.prep_enqueued_at = None
        pod_session.end_enqueued_at = None
        tx.flush()
    for pod_session in future:
        reassign_roles(tx, pod_session, now)


# ---------------------------------------------------------------------------- cancelling


def cancel_session(
    tx: Session, pod_session: PodSession, now: datetime, reason: str | None
) -> SessionCancelled | None:
    """Cancel the session and schedule the pod's next one. Returns who is to be
    told (bot.notify.sessions), or None when it was cancelled already."""
    if pod_session.status == SessionStatus.CANCELLED:
        return None
    pod = tx.get(Pod, pod_session.pod_id)
    assert pod is not None
    pod_session.status = SessionStatus.CANCELLED
    pod_session.cancelled_at = now
    pod_session.cancel_reason = reason
    pod_session.calendar_sequence += 1
    _withdraw_pending_prep(tx, pod_session)
    tx.flush()
    cancelled = SessionCancelled(
        team_id=pod.team_id,
        key=reminders.cancel_key(pod_session),
        pod_name=pod.name,
        starts_at=pod_session.starts_at,
        pod_timezone=pod.timezone,
        reason=reason,
        channel_id=pod.channel_id,
        members=() if pod.channel_id else _people_to_tell(tx, pod),
    )
    schedule_upcoming(tx, now, [pod.id])
    return cancelled


def _people_to_tell(tx: Session, pod: Pod) -> tuple[PodPerson, ...]:
    members = tx.scalars(
        select(Member)
        .join(PodMembership, PodMembership.member_id == Member.id)
        .where(PodMembership.pod_id == pod.id, PodMembership.left_at.is_(None))
        .order_by(Member.id)
    )
    return tuple(PodPerson(m.user_id, m.tz) for m in members if not m.is_bot)


def _withdraw_pending_prep(tx: Session, pod_session: PodSession) -> None:
    """Drop prep reminders, coach brief and their updates still waiting to be sent
    for the session's current time (it moved or was cancelled); those already
    sent stay as history."""
    keys = (reminders.prep_key(pod_session), reminders.brief_key(pod_session))
    tx.execute(
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


# "We met" can be pressed a little before the session starts.
WE_MET_OPENS_BEFORE_START = timedelta(minutes=15)


class WeMetRefused(Refusal):
    """This session can't be marked as held by this person now."""


# --------------------------------------------------------------------- "We met"


@dataclass(frozen=True)
class WeMet:
    pod_name: str
    already: bool
    """It was marked as held before this press."""


def mark_we_met(tx: Session, team_id: str, user_id: str, session_id: int, now: datetime) -> WeMet:
    """Mark the session held ("We met"), pod members only."""
    member = members.find(tx, team_id, user_id)
    info = load_session_view(tx, session_id, team_id)
    if info is None:
        raise WeMetRefused("I can't find that session any more.")
    if member is None or not members.is_active_member(tx, info.pod_id, member.id):
        raise WeMetRefused(
            f"Only members of the pod *{info.pod_name}* can mark its sessions as held."
        )
    if info.cancelled:
        raise WeMetRefused(f"This *{info.pod_name}* session was cancelled, so it can't be held.")
    if now < info.starts_at - WE_MET_OPENS_BEFORE_START:
        raise WeMetRefused(
            f"This *{info.pod_name}* session hasn't started yet. Press *We met* once you've met."
        )
    pod_session = tx.get(PodSession, session_id, with_for_update=True)
    assert pod_session is not None
    if pod_session.held_at is not None:
        return WeMet(pod_name=info.pod_name, already=True)
    pod_session.held_at = now
    tx.flush()
    return WeMet(pod_name=info.pod_name, already=False)
