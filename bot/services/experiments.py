"""Experiments: one small testable step from a check-in, followed up once.

A member resolves an experiment with "Tried it" (optionally with a note on how
it went) or "Drop"; "Not yet" moves its due date to their next session. On the
due date, at 10:00 in the member's own timezone, one nudge DM is due (see
`due_nudges`; bot.notify.experiments sends it with the dedupe key `nudge:ID`
and `nudged_at` set), never a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.services import members
from bot.services.cadence import zone_named
from bot.services.members import local_today, lock_member, zone_of
from bot.services.refusals import FormProblems, Refusal
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
from models.session_views import (
    CHOICES,
    DROP,
    EXPERIMENTS_LISTED,
    TRIED,
    ExperimentList,
    ExperimentView,
    Resolution,
)

NUDGE_LOCAL_TIME = time(10, 0)
# A nudge delayed by an outage still goes out within this window; after it, it is
# no longer "on the due date" and is dropped rather than sent days late.
NUDGE_GRACE = timedelta(hours=36)
NOT_YET_FALLBACK = timedelta(weeks=1)
# Ids per UPDATE … IN (…): far below SQLite's and PostgreSQL's parameter limits.
UPDATE_CHUNK = 5000


class ExperimentRefused(Refusal):
    """This experiment can't be changed by this person (gone, someone else's…)."""


def nudge_key(experiment_id: int) -> str:
    return f"nudge:{experiment_id}"


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


def _with_pod_names(tx: Session, statement: Any) -> list[ExperimentView]:
    rows = tx.execute(statement).all()
    return [_view(experiment, pod_name) for experiment, pod_name in rows]


def _listing(member_id: int) -> Any:
    return (
        select(Experiment, Pod.name)
        .outerjoin(PodSession, PodSession.id == Experiment.session_id)
        .outerjoin(Pod, Pod.id == PodSession.pod_id)
        .where(Experiment.member_id == member_id)
    )


def open_experiments(tx: Session, member_id: int, limit: int | None = None) -> list[ExperimentView]:
    """The member's open experiments, soonest due first."""
    statement = (
        _listing(member_id)
        .where(Experiment.status == ExperimentStatus.OPEN)
        .order_by(Experiment.due_date, Experiment.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return _with_pod_names(tx, statement)


def count_open(tx: Session, member_id: int) -> int:
    return int(
        tx.scalar(
            select(func.count(Experiment.id)).where(
                Experiment.member_id == member_id, Experiment.status == ExperimentStatus.OPEN
            )
        )
        or 0
    )


def recently_resolved(tx: Session, member_id: int, limit: int = 3) -> list[ExperimentView]:
    statement = (
        _listing(member_id)
        .where(Experiment.status != ExperimentStatus.OPEN, Experiment.resolved_at.is_not(None))
        .order_by(Experiment.resolved_at.desc(), Experiment.id.desc())
        .limit(limit)
    )
    return _with_pod_names(tx, statement)


def open_for_user(tx: Session, team_id: str, user_id: str) -> ExperimentList:
    """`/coach experiments`: the open experiments to list and how many are open in all."""
    member = members.find(tx, team_id, user_id)
    if member is None:
        return ExperimentList(shown=[], total=0)
    shown = open_experiments(tx, member.id, limit=EXPERIMENTS_LISTED)
    return ExperimentList(shown=shown, total=count_open(tx, member.id))


# --------------------------------------------------------------------- resolving


def _own_experiment(
    tx: Session, team_id: str, user_id: str, experiment_id: int
) -> tuple[Member, Experiment]:
    member = members.find(tx, team_id, user_id)
    experiment = tx.get(Experiment, experiment_id)
    if experiment is None or experiment.team_id != team_id:
        raise ExperimentRefused(
            "I can't find that experiment any more. `/coach experiments` lists yours."
        )
    if member is None or experiment.member_id != member.id:
        raise ExperimentRefused(
            "That experiment belongs to someone else: only its author can update it."
        )
    return member, experiment


def _pod_name(tx: Session, experiment: Experiment) -> str | None:
    if experiment.session_id is None:
        return None
    return tx.scalar(
        select(Pod.name)
        .join(PodSession, PodSession.pod_id == Pod.id)
        .where(PodSession.id == experiment.session_id)
    )


def next_session_date(
    tx: Session, member: Member, experiment: Experiment, now: datetime
) -> tuple[date, str | None]:
    """The member's next session after today (their timezone): in the experiment's
    pod when it is still theirs, else in any of their pods; a week on when none
    is scheduled. Returns (date, pod name or None)."""
    zone = zone_of(member)
    today = local_today(member, now)
    # The first instant of tomorrow, in the member's timezone.
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    pod_id = tx.scalar(select(PodSession.pod_id).where(PodSession.id == experiment.session_id))
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
    rows = tx.execute(candidates.limit(20)).all()
    chosen = next((row for row in rows if row.id == pod_id), None) or (rows[0] if rows else None)
    if chosen is None:
        return max(experiment.due_date, today) + NOT_YET_FALLBACK, None
    return chosen.starts_at.astimezone(zone).date(), chosen.name


def resolve(
    tx: Session,
    team_id: str,
    user_id: str,
    experiment_id: int,
    choice: str,
    now: datetime,
) -> Resolution:
    """Apply Tried it / Not yet / Drop. Pressing the same button twice changes
    nothing the second time; a resolved experiment stays as it was."""
    if choice not in CHOICES:
        raise ExperimentRefused("I don't know that choice.")
    member, experiment = _own_experiment(tx, team_id, user_id, experiment_id)
    lock_member(tx, member.id)
    tx.refresh(experiment)
    pod_name = _pod_name(tx, experiment)
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
        new_due, next_pod = next_session_date(tx, member, experiment, now)
        experiment.due_date = new_due
    tx.flush()
    return Resolution(_view(experiment, pod_name), choice, changed=True, next_session_pod=next_pod)


def note_target(tx: Session, team_id: str, user_id: str, experiment_id: int) -> ExperimentView:
    _, experiment = _own_experiment(tx, team_id, user_id, experiment_id)
    return _view(experiment, _pod_name(tx, experiment))


def save_note(
    tx: Session,
    team_id: str,
    user_id: str,
    experiment_id: int,
    fields: dict[str, Any],
    now: datetime,
) -> ExperimentView:
    """Keep the outcome note of a tried experiment (an open one is marked tried).
    Raises FormProblems for the form's inline errors, ExperimentRefused when it
    is not the person's experiment."""
    form, errors = parse_outcome_note(fields)
    if form is None:
        raise FormProblems(errors)
    try:
        member, experiment = _own_experiment(tx, team_id, user_id, experiment_id)
    except ExperimentRefused as refusal:
        raise ExperimentRefused(f"{refusal.message} Nothing was saved.") from None
    lock_member(tx, member.id)
    tx.refresh(experiment)
    if experiment.status == ExperimentStatus.OPEN:
        experiment.status = ExperimentStatus.TRIED
        experiment.resolved_at = now
    experiment.outcome_note = form.note or None
    tx.flush()
    return _view(experiment, _pod_name(tx, experiment))


# --------------------------------------------------------------------- nudges


def nudge_instant(due_date: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(due_date, NUDGE_LOCAL_TIME, tzinfo=zone)


@dataclass(frozen=True)
class NudgeDue:
    """One experiment whose single follow-up DM is due now."""

    experiment_id: int
    team_id: str
    user_id: str
    text: str


def due_nudges(tx: Session, now: datetime) -> list[NudgeDue]:
    """The experiments whose nudge is due at `now`, never nudged before.

    An experiment is due at 10:00 on its due date in its author's timezone.
    One SELECT of the candidates (due dates around today in any timezone).
    Paused members are not nudged; an experiment written after its nudge time
    (due today, created this afternoon) is not nudged either.
    """
    earliest = (now - NUDGE_GRACE).date() - timedelta(days=1)
    latest = now.date() + timedelta(days=1)
    rows = tx.execute(
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
    due: list[NudgeDue] = []
    for row in rows:
        zone = zone_named(row.tz)
        moment = nudge_instant(row.due_date, zone)
        if not moment <= now < moment + NUDGE_GRACE:
            continue
        if row.created_at >= moment:
            continue
        if row.paused_until is not None and now.astimezone(zone).date() <= row.paused_until:
            continue
        due.append(NudgeDue(row.id, row.team_id, row.user_id, row.text))
    return due


def mark_nudged(tx: Session, experiment_ids: list[int], now: datetime) -> None:
    """Record that these experiments had their one nudge."""
    for start in range(0, len(experiment_ids), UPDATE_CHUNK):
        tx.execute(
            update(Experiment)
            .where(
                Experiment.id.in_(experiment_ids[start : start + UPDATE_CHUNK]),
                Experiment.nudged_at.is_(None),
            )
            .values(nudged_at=now)
            .execution_options(synchronize_session=False)
        )
