"""The weekly reflection reminder: off by default; a member picks a day and a time on
their own wall clock and gets one DM that day with their open experiments.

Due at the chosen local time, at most `LATENESS` late (the bot may have been down),
once per member and local day (the outbox key), never to a paused member nor to
someone in no pod. Candidates are found in SQL by weekday, so a tick reads only the
members whose reminder day is today or tomorrow somewhere on Earth.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.services import members
from bot.services.cadence import zone_named
from bot.services.refusals import FormProblems
from models import (
    Experiment,
    ExperimentStatus,
    Member,
    OutboxMessage,
    Pod,
    PodMembership,
    PodSession,
    SessionStatus,
)
from models.session_forms import parse_reflection_reminder
from models.session_views import (
    ExperimentView,
    ReflectionReminder,
    ReflectionReminderDue,
    ReflectionReminderSetting,
)

LATENESS = timedelta(hours=2)
"""A reminder still goes out this long after its time; later, that week's is dropped."""
EXPERIMENTS_LISTED = 10
LATEST_SESSION_LOOKBACK = timedelta(weeks=8)
"""How far back the Reflect button looks for the member's latest session (cadence ≤ 4 weeks)."""
# Wall clocks run from UTC-12 to UTC+14.
WEST, EAST = timedelta(hours=12), timedelta(hours=14)


def reminder_key(team_id: str, user_id: str, local_day: date) -> str:
    return f"reflection-reminder:{team_id}:{user_id}:{local_day.isoformat()}"


def reminder_of(member: Member | None) -> ReflectionReminder | None:
    if member is None:
        return None
    weekday, at = member.reflection_reminder_weekday, member.reflection_reminder_time
    if weekday is None or at is None:
        return None
    return ReflectionReminder(weekday=weekday, at=at)


def setting(tx: Session, team_id: str, user_id: str) -> ReflectionReminderSetting:
    member = members.find(tx, team_id, user_id)
    return ReflectionReminderSetting(
        tz=(member.tz if member is not None else None) or "UTC", current=reminder_of(member)
    )


def set_reminder(
    tx: Session, team_id: str, user_id: str, fields: dict[str, Any], now: datetime
) -> ReflectionReminder:
    """Turn the reminder on (or move it); FormProblems names a missing day or time."""
    form, errors = parse_reflection_reminder(fields)
    if form is None:
        raise FormProblems(errors)
    member = members.get_or_create(tx, team_id, user_id, now)
    member.reflection_reminder_weekday = form.weekday
    member.reflection_reminder_time = form.time.replace(second=0, microsecond=0)
    return ReflectionReminder(weekday=form.weekday, at=member.reflection_reminder_time)


def stop_reminder(tx: Session, team_id: str, user_id: str) -> bool:
    """Turn the reminder off; False when it was off already."""
    member = members.find(tx, team_id, user_id)
    if member is None or reminder_of(member) is None:
        return False
    member.reflection_reminder_weekday = None
    member.reflection_reminder_time = None
    return True


# --------------------------------------------------------------------- what is due


def find_due(tx: Session, now: datetime) -> list[ReflectionReminderDue]:
    """The reminders owed at `now` and not enqueued yet, with what each DM lists.
    A fixed number of statements whatever the number of members."""
    first, last = (now - LATENESS - WEST).date(), (now + EAST).date()
    days = range((last - first).days + 1)
    weekdays = sorted({(first + timedelta(days=n)).weekday() for n in days})
    in_a_pod = exists().where(
        PodMembership.member_id == Member.id,
        PodMembership.left_at.is_(None),
        PodMembership.pod_id == Pod.id,
        Pod.archived_at.is_(None),
    )
    rows = tx.execute(
        select(
            Member.id,
            Member.team_id,
            Member.user_id,
            Member.tz,
            Member.paused_until,
            Member.reflection_reminder_weekday,
            Member.reflection_reminder_time,
        )
        .where(
            Member.reflection_reminder_weekday.in_(weekdays),
            Member.reflection_reminder_time.is_not(None),
            Member.is_bot.is_(False),
            in_a_pod,
        )
        .order_by(Member.id)
    ).all()
    owed: dict[int, tuple[str, str, date]] = {}
    for row in rows:
        day = _due_day(row.reflection_reminder_weekday, row.reflection_reminder_time, row.tz, now)
        if day is None or (row.paused_until is not None and day <= row.paused_until):
            continue
        owed[row.id] = (row.team_id, row.user_id, day)
    if not owed:
        return []
    keys = {member_id: reminder_key(*facts) for member_id, facts in owed.items()}
    sent = set(
        tx.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    owed = {member_id: facts for member_id, facts in owed.items() if keys[member_id] not in sent}
    if not owed:
        return []
    listed, counts = _open_experiments(tx, sorted(owed))
    latest = _latest_sessions(tx, sorted(owed), now)
    return [
        ReflectionReminderDue(
            team_id=team_id,
            user_id=user_id,
            local_day=day,
            experiments=tuple(listed[member_id]),
            open_count=counts[member_id],
            session_id=latest.get(member_id),
        )
        for member_id, (team_id, user_id, day) in owed.items()
    ]


def _due_day(weekday: int, at: time, tz: str | None, now: datetime) -> date | None:
    """The member's local day whose reminder time fell within the last LATENESS."""
    zone = zone_named(tz)
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        if day.weekday() != weekday:
            continue
        moment = datetime.combine(day, at, tzinfo=zone)
        if moment <= now < moment + LATENESS:
            return day
    return None


def _open_experiments(
    tx: Session, member_ids: list[int]
) -> tuple[dict[int, list[ExperimentView]], dict[int, int]]:
    listed: dict[int, list[ExperimentView]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for experiment in tx.scalars(
        select(Experiment)
        .where(Experiment.member_id.in_(member_ids), Experiment.status == ExperimentStatus.OPEN)
        .order_by(Experiment.due_date, Experiment.id)
    ):
        counts[experiment.member_id] += 1
        if len(listed[experiment.member_id]) < EXPERIMENTS_LISTED:
            listed[experiment.member_id].append(
                ExperimentView(
                    id=experiment.id,
                    text=experiment.text,
                    due_date=experiment.due_date,
                    status=str(experiment.status),
                    outcome_note=None,
                    pod_name=None,
                    resolved_at=None,
                )
            )
    return listed, counts


def _latest_sessions(tx: Session, member_ids: list[int], now: datetime) -> dict[int, int]:
    """Each member's most recent ended session in a pod they are in, for Reflect."""
    latest: dict[int, int] = {}
    for member_id, session_id in tx.execute(
        select(PodMembership.member_id, PodSession.id)
        .join(PodSession, PodSession.pod_id == PodMembership.pod_id)
        .where(
            PodMembership.member_id.in_(member_ids),
            PodMembership.left_at.is_(None),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at <= now,
            PodSession.ends_at > now - LATEST_SESSION_LOOKBACK,
            PodSession.starts_at >= PodMembership.joined_at,
        )
        .order_by(PodSession.ends_at, PodSession.id)
    ):
        latest[member_id] = session_id
    return latest
