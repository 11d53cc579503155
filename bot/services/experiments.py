"""Experiments: one small testable step from a check-in, followed up once.

A member resolves an experiment with "Tried it" (optionally with a note on how
it went) or "Drop"; "Not yet" moves its due date to their next session. On the
due date, at 10:00 in the member's own timezone, one nudge DM goes out through
the outbox (dedupe key `nudge:ID`, and `nudged_at` set), never a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.services import reminders
from bot.services.checkins import (
    Refusal,
    find_member,
    local_today,
    lock_member,
    zone_of,
)
from bot.ui import experiments as experiments_ui
from models import (
    Experiment,
    ExperimentStatus,
    Member,
    Pod,
    PodMembership,
    PodSession,
    SessionStatus,
)
from models.session_forms import parse_outcome_note

NUDGE_LOCAL_TIME = time(10, 0)
# A nudge delayed by an outage still goes out within this window; after it, it is
# no longer "on the due date" and is dropped rather than sent days late.
NUDGE_GRACE = timedelta(hours=36)
NOT_YET_FALLBACK = timedelta(weeks=1)
# Ids per UPDATE … IN (…): far below SQLite's and PostgreSQL's parameter limits.
UPDATE_CHUNK = 5000

TRIED = "tried"
NOT_YET = "not_yet"
DROP = "drop"
CHOICES = (TRIED, NOT_YET, DROP)


def nudge_key(experiment_id: int) -> str:
    return f"nudge:{experiment_id}"


@dataclass(frozen=True)
class ExperimentView:
    """An experiment as its author sees it."""

    id: int
    text: str
    due_date: date
    status: str
    outcome_note: str | None
    pod_name: str | None
    resolved_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == ExperimentStatus.OPEN


def _view(experiment: Experiment, pod_name: str | None) -> ExperimentView:
    return ExperimentView(
        id=experiment.id,
        text=experiment.text,
        due_date=experiment.due_date,
        status=experiment.status,
        outcome_note=experiment.outcome_note,
        pod_name=pod_name,
        resolved_at=experiment.resolved_at,
    )


def _with_pod_names(session: Session, statement: Any) -> list[ExperimentView]:
    rows = session.execute(statement).all()
    return [_view(experiment, pod_name) for experiment, pod_name in rows]


def _listing(member_id: int) -> Any:
    return (
        select(Experiment, Pod.name)
        .outerjoin(PodSession, PodSession.id == Experiment.session_id)
        .outerjoin(Pod, Pod.id == PodSession.pod_id)
        .where(Experiment.member_id == member_id)
    )


def open_experiments(
    session: Session, member_id: int, limit: int | None = None
) -> list[ExperimentView]:
    """The member's open experiments, soonest due first."""
    statement = (
        _listing(member_id)
        .where(Experiment.status == ExperimentStatus.OPEN)
        .order_by(Experiment.due_date, Experiment.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return _with_pod_names(session, statement)


def count_open(session: Session, member_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Experiment.id)).where(
                Experiment.member_id == member_id, Experiment.status == ExperimentStatus.OPEN
            )
        )
        or 0
    )


def recently_resolved(session: Session, member_id: int, limit: int = 3) -> list[ExperimentView]:
    statement = (
        _listing(member_id)
        .where(Experiment.status != ExperimentStatus.OPEN, Experiment.resolved_at.is_not(None))
        .order_by(Experiment.resolved_at.desc(), Experiment.id.desc())
        .limit(limit)
    )
    return _with_pod_names(session, statement)


def open_for_user(session: Session, team_id: str, user_id: str) -> tuple[list[ExperimentView], int]:
    """(the open experiments to list, how many are open in all)."""
    member = find_member(session, team_id, user_id)
    if member is None:
        return [], 0
    shown = open_experiments(session, member.id, limit=experiments_ui.LIST_LIMIT)
    return shown, count_open(session, member.id)


# --------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Resolution:
    """What a button did, for the answer shown in place of the buttons."""

    experiment: ExperimentView
    choice: str
    changed: bool
    next_session_pod: str | None = None


def _own_experiment(
    session: Session, team_id: str, user_id: str, experiment_id: int
) -> tuple[Member, Experiment]:
    member = find_member(session, team_id, user_id)
    experiment = session.get(Experiment, experiment_id)
    if experiment is None or experiment.team_id != team_id:
        raise Refusal("I can't find that experiment any more. `/coach experiments` lists yours.")
    if member is None or experiment.member_id != member.id:
        raise Refusal("That experiment belongs to someone else: only its author can update it.")
    return member, experiment


def _pod_name(session: Session, experiment: Experiment) -> str | None:
    if experiment.session_id is None:
        return None
    return session.scalar(
        select(Pod.name)
        .join(PodSession, PodSession.pod_id == Pod.id)
        .where(PodSession.id == experiment.session_id)
    )


def next_session_date(
    session: Session, member: Member, experiment: Experiment, now: datetime
) -> tuple[date, str | None]:
    """The member's next session after today (their timezone): in the experiment's
    pod when it is still theirs, else in any of their pods; a week on when none
    is scheduled. Returns (date, pod name or None)."""
    zone = zone_of(member)
    today = local_today(member, now)
    # The first instant of tomorrow, in the member's timezone.
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    pod_id = session.scalar(select(PodSession.pod_id).where(PodSession.id == experiment.session_id))
    candidates = (
        select(PodSession.starts_at, Pod.name, Pod.id)
        .join(Pod, Pod.id == PodSession.pod_id)
        .join(
            PodMembership,
            (PodMembership.pod_id == Pod.id)
            & (PodMembership.member_id == member.id)
            & (PodMembership.left_at.is_(None)),
        )
        .where(
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at >= tomorrow,
            Pod.archived_at.is_(None),
        )
        .order_by(PodSession.starts_at)
    )
    rows = session.execute(candidates.limit(20)).all()
    chosen = next((row for row in rows if row.id == pod_id), None) or (rows[0] if rows else None)
    if chosen is None:
        return max(experiment.due_date, today) + NOT_YET_FALLBACK, None
    return chosen.starts_at.astimezone(zone).date(), chosen.name


def resolve(
    session: Session,
    team_id: str,
    user_id: str,
    experiment_id: int,
    choice: str,
    now: datetime,
) -> Resolution:
    """Apply Tried it / Not yet / Drop. Pressing the same button twice changes
    nothing the second time; a resolved experiment stays as it was."""
    if choice not in CHOICES:
        raise Refusal("I don't know that choice.")
    member, experiment = _own_experiment(session, team_id, user_id, experiment_id)
    lock_member(session, member.id)
    session.refresh(experiment)
    pod_name = _pod_name(session, experiment)
    if experiment.status != ExperimentStatus.OPEN:
        return Resolution(_view(experiment, pod_name), choice, changed=False)
    next_pod: str | None = None
    if choice == TRIED:
        experiment.status = ExperimentStatus.TRIED
        experiment.resolved_at = now
    elif choice == DROP:
        experiment.status = ExperimentStatus.DROPPED
        experiment.resolved_at = now
    else:
        new_due, next_pod = next_session_date(session, member, experiment, now)
        experiment.due_date = new_due
    session.flush()
    return Resolution(_view(experiment, pod_name), choice, changed=True, next_session_pod=next_pod)


def note_target(session: Session, team_id: str, user_id: str, experiment_id: int) -> ExperimentView:
    _, experiment = _own_experiment(session, team_id, user_id, experiment_id)
    return _view(experiment, _pod_name(session, experiment))


@dataclass(frozen=True)
class NoteOutcome:
    errors: dict[str, str]
    experiment: ExperimentView | None = None


def save_note(
    session: Session,
    team_id: str,
    user_id: str,
    experiment_id: int,
    fields: dict[str, Any],
    now: datetime,
) -> NoteOutcome:
    """Keep the outcome note of a tried experiment (an open one is marked tried)."""
    form, errors = parse_outcome_note(fields)
    if form is None:
        return NoteOutcome(errors=errors)
    member, experiment = _own_experiment(session, team_id, user_id, experiment_id)
    lock_member(session, member.id)
    session.refresh(experiment)
    if experiment.status == ExperimentStatus.OPEN:
        experiment.status = ExperimentStatus.TRIED
        experiment.resolved_at = now
    experiment.outcome_note = form.note or None
    session.flush()
    return NoteOutcome(errors={}, experiment=_view(experiment, _pod_name(session, experiment)))


# --------------------------------------------------------------------- nudges


def nudge_instant(due_date: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(due_date, NUDGE_LOCAL_TIME, tzinfo=zone)


def enqueue_due_nudges(session: Session, now: datetime) -> int:
    """Put the nudge DM of every experiment due now in the outbox, once each.

    An experiment is due at 10:00 on its due date in its author's timezone.
    Constant SQL: one SELECT of the candidates (due dates around today in any
    timezone), one multi-row INSERT into the outbox, one UPDATE of nudged_at.
    Paused members are not nudged; an experiment written after its nudge time
    (due today, created this afternoon) is not nudged either.
    """
    earliest = (now - NUDGE_GRACE).date() - timedelta(days=1)
    latest = now.date() + timedelta(days=1)
    rows = session.execute(
        select(
            Experiment.id,
            Experiment.team_id,
            Experiment.text,
            Experiment.due_date,
            Experiment.created_at,
            Member.user_id,
            Member.tz,
            Member.paused_until,
        )
        .join(Member, Member.id == Experiment.member_id)
        .where(
            Experiment.status == ExperimentStatus.OPEN,
            Experiment.nudged_at.is_(None),
            Experiment.due_date >= earliest,
            Experiment.due_date <= latest,
            Member.is_bot.is_(False),
        )
        .order_by(Experiment.id)
    ).all()
    messages: list[reminders.Outgoing] = []
    nudged: list[int] = []
    for row in rows:
        zone = _zone(row.tz)
        moment = nudge_instant(row.due_date, zone)
        if not moment <= now < moment + NUDGE_GRACE:
            continue
        if row.created_at >= moment:
            continue
        if row.paused_until is not None and now.astimezone(zone).date() <= row.paused_until:
            continue
        message = experiments_ui.nudge_message(row.id, row.text)
        messages.append(
            reminders.Outgoing(
                team_id=row.team_id,
                dedupe_key=nudge_key(row.id),
                method=outbox.POST_MESSAGE,
                payload={"channel": row.user_id, **message},
            )
        )
        nudged.append(row.id)
    if not messages:
        return 0
    # One INSERT … ON CONFLICT DO NOTHING for all rows (SQLAlchemy batches it).
    created = reminders.enqueue_all(session, messages, now)
    for start in range(0, len(nudged), UPDATE_CHUNK):
        session.execute(
            update(Experiment)
            .where(
                Experiment.id.in_(nudged[start : start + UPDATE_CHUNK]),
                Experiment.nudged_at.is_(None),
            )
            .values(nudged_at=now)
            .execution_options(synchronize_session=False)
        )
    return created


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
