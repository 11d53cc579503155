"""What scheduled session messages are due at an instant, with everything needed
to write them, loaded in a fixed number of statements whatever the pod count.

Lateness rule (the bot may have been down): a prep reminder (channel, DMs and
coach brief) is sent only while its session has not started; an end-of-session
DM only within 24 hours of the session's end. Past that, the moment has gone
and the message is dropped rather than sent late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.program_content import get_content
from models import (
    CheckIn,
    Experiment,
    ExperimentStatus,
    Member,
    Pod,
    PodMembership,
    PodSession,
    ProgramSettings,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)
from models.program import DEFAULT_PREP_LEAD_HOURS
from models.session_views import CareRequests

END_DM_MAX_LATENESS = timedelta(hours=24)
MAX_PREP_LEAD_HOURS = 24 * 14
"""Upper bound on a configured lead time, so the candidate query stays bounded."""

# ---------------------------------------------------------------------------- dedupe keys
# Prep keys carry the session's start: a session moved to another time is owed
# a fresh reminder, while repeating a tick for the same time still adds nothing.


def _start_stamp(pod_session: PodSession) -> str:
    return pod_session.starts_at.strftime("%Y%m%dT%H%MZ")


def prep_key(pod_session: PodSession) -> str:
    return f"prep:{pod_session.id}@{_start_stamp(pod_session)}"


def prep_dm_key(pod_session: PodSession, user_id: str) -> str:
    return f"{prep_key(pod_session)}:{user_id}"


def brief_key(pod_session: PodSession) -> str:
    return f"brief:{pod_session.id}@{_start_stamp(pod_session)}"


def end_key(pod_session: PodSession, user_id: str) -> str:
    return f"end:{pod_session.id}:{user_id}"


def cancel_key(pod_session: PodSession) -> str:
    return f"cancel:{pod_session.id}"


# ---------------------------------------------------------------------------- what is due


@dataclass(frozen=True)
class SessionPeople:
    """The people of one session as of now (read inside the transaction that loaded them)."""

    pod_session: PodSession
    pod: Pod
    attendees: list[Member] = field(default_factory=list)
    """Active, unpaused, not skipping, not bots; in joining order."""
    coach: Member | None = None
    newcomers: list[tuple[Member, Member | None]] = field(default_factory=list)
    intents: list[tuple[Member, str]] = field(default_factory=list)
    care: CareRequests | None = None
    """For the coach's brief only: how many check-ins asked for extra care."""
    experiments: dict[int, Experiment] = field(default_factory=dict)
    """Member id → their open experiment with the latest due date."""


@dataclass(frozen=True)
class Due:
    preps: list[SessionPeople]
    ends: list[SessionPeople]


def prep_lead_times(tx: Session) -> dict[str, timedelta]:
    return {
        team_id: timedelta(hours=min(hours, MAX_PREP_LEAD_HOURS))
        for team_id, hours in tx.execute(
            select(ProgramSettings.team_id, ProgramSettings.prep_lead_hours)
        )
    }


def _candidates(
    tx: Session, now: datetime, leads: dict[str, timedelta], pod_ids: Collection[int] | None = None
) -> tuple[list[tuple[PodSession, Pod]], list[tuple[PodSession, Pod]]]:
    """(sessions owed prep reminders, sessions owed end-of-session DMs), in one query."""
    default = timedelta(hours=DEFAULT_PREP_LEAD_HOURS)
    horizon = max([default, *leads.values()])
    # The status inside each branch, so each is a range on its own (status, instant)
    # index: the database never walks every scheduled session of the history.
    scheduled = PodSession.status == SessionStatus.SCHEDULED
    owed_prep = and_(
        scheduled,
        PodSession.starts_at > now,
        PodSession.starts_at <= now + horizon,
        PodSession.prep_enqueued_at.is_(None),
    )
    owed_end = and_(
        scheduled,
        PodSession.ends_at <= now,
        PodSession.ends_at > now - END_DM_MAX_LATENESS,
        PodSession.end_enqueued_at.is_(None),
    )
    query = select(PodSession, Pod).join(Pod, Pod.id == PodSession.pod_id)
    if pod_ids is not None:
        query = query.where(Pod.id.in_(sorted(pod_ids)))
    rows = tx.execute(
        query.where(Pod.archived_at.is_(None), or_(owed_prep, owed_end)).order_by(
            PodSession.starts_at, PodSession.id
        )
    ).all()
    preps = [
        (pod_session, pod)
        for pod_session, pod in rows
        if pod_session.prep_enqueued_at is None
        and now < pod_session.starts_at <= now + leads.get(pod.team_id, default)
    ]
    ends = [
        (pod_session, pod)
        for pod_session, pod in rows
        if pod_session.end_enqueued_at is None
        and now - END_DM_MAX_LATENESS < pod_session.ends_at <= now
    ]
    return preps, ends


def find_due(tx: Session, now: datetime, pod_ids: Collection[int] | None = None) -> Due:
    """Sessions owed their prep reminders or end-of-session DMs at `now`, with their
    people; with `pod_ids`, only those pods' sessions."""
    preps, ends = _candidates(tx, now, prep_lead_times(tx), pod_ids)
    if not preps and not ends:
        return Due([], [])
    people = load_people(tx, [*preps, *ends], want_intents={ps.id for ps, _ in preps})
    return Due(
        preps=[people[ps.id] for ps, _ in preps],
        ends=_with_experiments(tx, [people[ps.id] for ps, _ in ends]),
    )


def pods_with_due_sessions(tx: Session, now: datetime) -> list[int]:
    """Ids of the pods with a session owed a prep reminder or end-of-session DMs at `now`."""
    preps, ends = _candidates(tx, now, prep_lead_times(tx))
    return sorted({pod.id for _, pod in [*preps, *ends]})


def load_people(
    tx: Session, sessions: Sequence[tuple[PodSession, Pod]], want_intents: set[int]
) -> dict[int, SessionPeople]:
    session_ids = sorted({ps.id for ps, _ in sessions})
    pod_ids = sorted({pod.id for _, pod in sessions})
    members_by_pod: dict[int, list[Member]] = defaultdict(list)
    for membership, member in tx.execute(
        select(PodMembership, Member)
        .join(Member, Member.id == PodMembership.member_id)
        .where(PodMembership.pod_id.in_(pod_ids), PodMembership.left_at.is_(None))
        .order_by(PodMembership.joined_at, PodMembership.id)
    ):
        members_by_pod[membership.pod_id].append(member)
    skips: dict[int, set[int]] = defaultdict(set)
    for session_id, member_id in tx.execute(
        select(SessionSkip.session_id, SessionSkip.member_id).where(
            SessionSkip.session_id.in_(session_ids)
        )
    ):
        skips[session_id].add(member_id)
    buddies: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for row in tx.execute(
        select(
            SessionBuddy.session_id, SessionBuddy.newcomer_member_id, SessionBuddy.buddy_member_id
        )
        .where(SessionBuddy.session_id.in_(session_ids))
        .order_by(SessionBuddy.id)
    ):
        buddies[row.session_id].append((row.newcomer_member_id, row.buddy_member_id))
    intents: dict[int, list[tuple[int, str]]] = defaultdict(list)
    careful: dict[int, set[int]] = defaultdict(set)
    if want_intents:
        for row in tx.execute(
            select(
                CheckIn.session_id,
                CheckIn.member_id,
                CheckIn.intent,
                CheckIn.share_intent,
                CheckIn.sensitive,
            )
            .where(
                CheckIn.session_id.in_(sorted(want_intents)),
                or_(CheckIn.share_intent.is_(True), CheckIn.sensitive.is_(True)),
            )
            .order_by(CheckIn.created_at, CheckIn.id)
        ):
            if row.share_intent:
                intents[row.session_id].append((row.member_id, row.intent))
            if row.sensitive:
                careful[row.session_id].add(row.member_id)

    result = {}
    for pod_session, pod in sessions:
        day = pod_session.starts_at.astimezone(ZoneInfo(pod.timezone)).date()
        active = {m.id: m for m in members_by_pod[pod.id]}
        attendees = [
            m
            for m in active.values()
            if not m.is_bot and not m.is_paused_on(day) and m.id not in skips[pod_session.id]
        ]
        present = {m.id: m for m in attendees}
        result[pod_session.id] = SessionPeople(
            pod_session=pod_session,
            pod=pod,
            attendees=attendees,
            coach=present.get(pod_session.coach_member_id or -1),
            newcomers=[
                (present[newcomer], present.get(buddy or -1))
                for newcomer, buddy in buddies[pod_session.id]
                if newcomer in present
            ],
            intents=[
                (active[member_id], text)
                for member_id, text in intents[pod_session.id]
                if member_id in active
            ],
            care=_care(sum(1 for member_id in careful[pod_session.id] if member_id in active)),
        )
    return result


def _care(count: int) -> CareRequests | None:
    if not count:
        return None
    return CareRequests(count=count, reminder=get_content().ground_rules.sensitive_topics)


def _with_experiments(tx: Session, people: list[SessionPeople]) -> list[SessionPeople]:
    """Each attendee's open experiment with the latest due date."""
    member_ids = sorted({m.id for p in people for m in p.attendees})
    if not member_ids:
        return people
    latest: dict[int, Experiment] = {}
    for experiment in tx.scalars(
        select(Experiment)
        .where(Experiment.member_id.in_(member_ids), Experiment.status == ExperimentStatus.OPEN)
        .order_by(Experiment.due_date, Experiment.id)
    ):
        latest[experiment.member_id] = experiment
    return [
        replace(item, experiments={m.id: latest[m.id] for m in item.attendees if m.id in latest})
        for item in people
    ]


def mark_enqueued(
    tx: Session, prep_ids: Iterable[int], end_ids: Iterable[int], now: datetime
) -> None:
    for column, ids in (
        (PodSession.prep_enqueued_at, sorted(set(prep_ids))),
        (PodSession.end_enqueued_at, sorted(set(end_ids))),
    ):
        if ids:
            tx.execute(
                update(PodSession)
                .where(PodSession.id.in_(ids))
                .values({column.key: now})
                .execution_options(synchronize_session=False)
            )
