"""Learning velocity (DESIGN §4): per week, sessions held, attendance, insights
captured, actions committed, experiments tried ÷ due and the median days from
commitment to "tried"; for me, for each of my pods and, for admins, the program.

Weeks are ISO weeks, Monday 00:00 to Monday 00:00 in UTC. A row belongs to the week
its instant falls in:
- a session: its start (sessions not ended yet, and cancelled ones, don't count);
  held as DESIGN says (`sessions.held_clause`); expected are the pod's members at
  its start who did not skip it and were not paused, attended those who checked
  in or reflected for it;
- an insight: the reflection's creation; an action committed: a reflection with
  an action, or an experiment committed (created) in a check-in;
- tried ÷ due: experiments whose due date fell in the week, and how many of those
  were tried; days to "tried": per experiment marked tried in the week, from its
  creation to then.

Each read is bounded by the weeks asked for (reflections and sessions by their
indexed instants, experiments by due date, creation or resolution), never the
whole history; who came to or skipped the sessions is read joined to them in SQL,
never by sending their ids back, so the statements stay the same size however many
sessions the weeks hold. Numbers only: nothing returned names or points to one person; a
program group smaller than K_count people is merged with others.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.orm import Session

from bot.services import program, pulse
from bot.services.sessions import held_clause
from models import (
    CheckIn,
    Experiment,
    ExperimentStatus,
    Member,
    Pod,
    PodMembership,
    PodSession,
    Reflection,
    SessionSkip,
    SessionStatus,
)
from models.velocity_views import (
    DOWN,
    FLAT,
    METRICS,
    UP,
    LeaderCounts,
    PeriodVelocity,
    ProgramVelocity,
    PulseSummary,
    ScopeVelocity,
    StatsView,
    Velocity,
    WeekVelocity,
)

WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)
SHORT, LONG = 4, 12
# Rates closer than this to the previous period read as flat.
RATE_TOLERANCE = 0.02
# Ids per IN (…), far below SQLite's and PostgreSQL's parameter limits.
CHUNK = 5000
FOREVER = datetime.max.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- weeks


@dataclass(frozen=True)
class Span:
    """[start, end) in UTC; `label` is the first day it counts."""

    start: datetime
    end: datetime

    @property
    def label(self) -> date:
        return self.start.date()


def at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def full_weeks_before(now: datetime, count: int) -> list[Span]:
    """The `count` full ISO weeks (UTC) before the one `now` is in, oldest first."""
    this_monday = at_midnight(monday_of(now.astimezone(UTC).date()))
    return [
        Span(this_monday - WEEK * back, this_monday - WEEK * (back - 1))
        for back in range(count, 0, -1)
    ]


def weeks_between(start: date, end: date) -> list[Span]:
    """ISO weeks (UTC) covering [start, end), clipped to it."""
    spans: list[Span] = []
    cursor = at_midnight(start)
    stop = at_midnight(end)
    while cursor < stop:
        week_end = min(at_midnight(monday_of(cursor.date())) + WEEK, stop)
        spans.append(Span(cursor, week_end))
        cursor = week_end
    return spans


# --------------------------------------------------------------------------- raw rows


@dataclass(frozen=True)
class _SessionRow:
    """One ended session with its seats counted: how many members were expected at it
    and how many came, and whether the Raw's own member (`Raw.me`) was expected and came."""

    pod_id: int
    starts_at: datetime
    held: bool
    expected: int
    attended: int
    me_expected: bool = False
    me_attended: bool = False


@dataclass
class Raw:
    """Rows of one time range, read once and then counted per scope in Python:
    sessions with their seats already counted, the rest one row per fact."""

    start: datetime
    end: datetime
    ended_by: datetime
    me: int | None = None
    """The member whose own seat at each session was read (for the "me" scope)."""
    sessions: list[_SessionRow] = field(default_factory=list)
    reflections: list[tuple[int, datetime, bool]] = field(default_factory=list)
    """(member_id, created_at, has an action)"""
    committed: list[tuple[int, datetime]] = field(default_factory=list)
    """(member_id, created_at) of experiments."""
    due: list[tuple[int, datetime, bool]] = field(default_factory=list)
    """(member_id, midnight UTC starting the due date, tried)"""
    tried: list[tuple[int, datetime, datetime]] = field(default_factory=list)
    """(member_id, resolved_at, created_at)"""


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for index in range(0, len(ids), CHUNK):
        yield list(ids[index : index + CHUNK])


def read_raw(
    tx: Session,
    team_id: str,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    member_ids: Iterable[int] | None = None,
    pod_ids: Iterable[int] | None = None,
    me: int | None = None,
) -> Raw:
    """Everything velocity counts in [start, end): the team's rows, or only those of
    `member_ids` and the sessions of `pod_ids` when given. Sessions count once they
    have ended (by `now`); `me` is the member a "me" scope will count."""
    raw = Raw(start=start, end=end, ended_by=min(end, now) if now else end, me=me)
    members = sorted(set(member_ids)) if member_ids is not None else None
    pods = sorted(set(pod_ids)) if pod_ids is not None else None
    _read_sessions(tx, team_id, raw, pods)
    groups: list[list[int] | None] = [None] if members is None else list(_chunks(members))
    for group in groups:
        _read_member_rows(tx, team_id, raw, group)
    return raw


def _read_sessions(tx: Session, team_id: str, raw: Raw, pods: list[int] | None) -> None:
    """The ended sessions of the range with their seats counted: members of the pod
    at the start (a membership row covering that instant); of those, who came
    (checked in or reflected for it) and who was expected (came, or neither skipped it
    nor was paused on its day, UTC). Three reads, each bounded by the range's sessions
    (joined in SQL, never a list of their ids sent back), then counted here."""
    if pods is not None and not pods:
        return
    ended = _ended_sessions_where(team_id, raw, pods)
    sessions = tx.execute(
        select(PodSession.id, PodSession.pod_id, PodSession.starts_at, held_clause()).where(*ended)
    ).all()
    if not sessions:
        return
    came, skipped = _seats_taken(tx, ended)
    members_of = _pod_members(tx, team_id, raw, pods)
    for session_id, pod_id, starts_at, held in sessions:
        day = starts_at.date()
        members_then = {
            member_id
            for member_id, joined_at, left_at, _ in members_of.get(pod_id, ())
            if joined_at <= starts_at and (left_at is None or left_at > starts_at)
        }
        paused = {
            member_id
            for member_id, _, _, paused_until in members_of.get(pod_id, ())
            if paused_until is not None and day <= paused_until
        }
        attended = came.get(session_id, set()) & members_then
        expected = (members_then - skipped.get(session_id, set()) - paused) | attended
        raw.sessions.append(
            _SessionRow(
                pod_id,
                starts_at,
                bool(held),
                len(expected),
                len(attended),
                me_expected=raw.me in expected,
                me_attended=raw.me in attended,
            )
        )


def _ended_sessions_where(
    team_id: str, raw: Raw, pods: list[int] | None
) -> list[ColumnElement[bool]]:
    """The sessions velocity counts: not cancelled, started in the range and ended by
    `raw.ended_by` (of `pods` when given)."""
    where = [
        PodSession.team_id == team_id,
        PodSession.status == SessionStatus.SCHEDULED,
        PodSession.starts_at >= raw.start,
        PodSession.starts_at < raw.end,
        PodSession.ends_at <= raw.ended_by,
    ]
    if pods is not None:
        where.append(PodSession.pod_id.in_(pods))
    return where


def _seats_taken(
    tx: Session, ended: list[ColumnElement[bool]]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """({session: members who checked in or reflected}, {session: members who said
    they would skip}) for the ended sessions, in one statement."""
    ids = select(PodSession.id).where(*ended).cte("ended")
    statement = union_all(
        *(
            select(model.session_id, model.member_id, literal(kind)).join(
                ids, ids.c.id == model.session_id
            )
            for model, kind in ((CheckIn, "came"), (Reflection, "came"), (SessionSkip, "skip"))
        )
    )
    came: dict[int, set[int]] = defaultdict(set)
    skipped: dict[int, set[int]] = defaultdict(set)
    for session_id, member_id, kind in tx.execute(statement).all():
        (came if kind == "came" else skipped)[session_id].add(member_id)
    return came, skipped


def _pod_members(
    tx: Session, team_id: str, raw: Raw, pods: list[int] | None
) -> dict[int, list[tuple[int, datetime, datetime | None, date | None]]]:
    """{pod: [(member, joined, left, paused until)]} for memberships overlapping the
    range."""
    statement = (
        select(
            PodMembership.pod_id,
            PodMembership.member_id,
            PodMembership.joined_at,
            PodMembership.left_at,
            Member.paused_until,
        )
        .join(Member, Member.id == PodMembership.member_id)
        .where(
            PodMembership.team_id == team_id,
            PodMembership.joined_at < raw.end,
            (PodMembership.left_at.is_(None)) | (PodMembership.left_at > raw.start),
        )
    )
    if pods is not None:
        statement = statement.where(PodMembership.pod_id.in_(pods))
    members: dict[int, list[tuple[int, datetime, datetime | None, date | None]]] = defaultdict(list)
    for pod_id, *membership in tx.execute(statement):
        members[pod_id].append(tuple(membership))  # type: ignore[arg-type]
    return members


def _read_member_rows(tx: Session, team_id: str, raw: Raw, members: list[int] | None) -> None:
    def scoped(statement, column):  # type: ignore[no-untyped-def]
        return statement if members is None else statement.where(column.in_(members))

    reflections = scoped(
        select(Reflection.member_id, Reflection.created_at, Reflection.action).where(
            Reflection.team_id == team_id,
            Reflection.created_at >= raw.start,
            Reflection.created_at < raw.end,
        ),
        Reflection.member_id,
    )
    for member_id, created_at, action in tx.execute(reflections):
        raw.reflections.append((member_id, created_at, bool((action or "").strip())))

    committed = scoped(
        select(Experiment.member_id, Experiment.created_at).where(
            Experiment.team_id == team_id,
            Experiment.created_at >= raw.start,
            Experiment.created_at < raw.end,
        ),
        Experiment.member_id,
    )
    raw.committed.extend((member_id, created_at) for member_id, created_at in tx.execute(committed))

    statuses = (ExperimentStatus.OPEN, ExperimentStatus.TRIED, ExperimentStatus.DROPPED)
    due = scoped(
        select(
            Experiment.member_id,
            Experiment.due_date,
            (Experiment.status == ExperimentStatus.TRIED).label("tried"),
        ).where(
            Experiment.team_id == team_id,
            Experiment.status.in_(statuses),
            Experiment.due_date >= raw.start.date(),
            Experiment.due_date < raw.end.date(),
        ),
        Experiment.member_id,
    )
    for member_id, due_date, tried in tx.execute(due):
        raw.due.append((member_id, at_midnight(due_date), bool(tried)))

    tried = scoped(
        select(Experiment.member_id, Experiment.resolved_at, Experiment.created_at).where(
            Experiment.team_id == team_id,
            Experiment.status == ExperimentStatus.TRIED,
            Experiment.resolved_at >= raw.start,
            Experiment.resolved_at < raw.end,
        ),
        Experiment.member_id,
    )
    raw.tried.extend(tuple(row) for row in tx.execute(tried))  # type: ignore[misc]


# --------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    """Whose rows count. `windows` maps a member to the spans their rows count in
    (None: every member of the team, always); `pod_ids` are the pods whose sessions
    count (None: every pod); `only_member` narrows sessions to one person's seat."""

    windows: dict[int, list[tuple[datetime, datetime]]] | None = None
    pod_ids: frozenset[int] | None = None
    only_member: int | None = None

    def counts(self, member_id: int, at: datetime) -> bool:
        if self.windows is None:
            return True
        return any(start <= at < end for start, end in self.windows.get(member_id, ()))


def me_scope(member_id: int) -> Scope:
    always = [(datetime.min.replace(tzinfo=UTC), FOREVER)]
    return Scope(windows={member_id: always}, only_member=member_id)


def pods_scope(memberships: Iterable[tuple[int, int, datetime, datetime | None]]) -> Scope:
    """Members' rows while members of the pods: (pod_id, member_id, joined, left)."""
    windows: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    pod_ids: set[int] = set()
    for pod_id, member_id, joined_at, left_at in memberships:
        windows[member_id].append((joined_at, left_at or FOREVER))
        pod_ids.add(pod_id)
    return Scope(windows=dict(windows), pod_ids=frozenset(pod_ids))


def count_weeks(raw: Raw, spans: Sequence[Span], scope: Scope) -> list[WeekVelocity]:
    """Each span's numbers for the scope."""
    if scope.only_member is not None and scope.only_member != raw.me:
        raise ValueError("a scope of one member counts a Raw read for that member")
    buckets = [_Bucket() for _ in spans]
    week_of = _WeekFinder(spans)
    for row in raw.sessions:
        if scope.pod_ids is not None and row.pod_id not in scope.pod_ids:
            continue
        expected, attended = row.expected, row.attended
        if scope.only_member is not None:
            if not row.me_expected:
                continue
            expected, attended = 1, int(row.me_attended)
        week = week_of(row.starts_at)
        if week is not None:
            bucket = buckets[week]
            bucket.sessions_held += row.held
            bucket.expected += expected
            bucket.attended += attended
    counts = scope.counts
    for member_id, created_at, has_action in raw.reflections:
        week = week_of(created_at)
        if week is not None and counts(member_id, created_at):
            buckets[week].insights += 1
            buckets[week].actions += has_action
    for member_id, created_at in raw.committed:
        week = week_of(created_at)
        if week is not None and counts(member_id, created_at):
            buckets[week].actions += 1
    for member_id, due_at, was_tried in raw.due:
        week = week_of(due_at)
        if week is not None and counts(member_id, due_at):
            buckets[week].due += 1
            buckets[week].due_tried += was_tried
    for member_id, resolved_at, created_at in raw.tried:
        week = week_of(resolved_at)
        if week is not None and counts(member_id, resolved_at):
            buckets[week].tried += 1
            buckets[week].days.append(max(0.0, (resolved_at - created_at) / DAY))
    return [bucket.week(span.label) for bucket, span in zip(buckets, spans, strict=True)]


class _WeekFinder:
    """Which of the spans (sorted, not overlapping) an instant falls in, or None."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.starts = [span.start for span in spans]
        self.ends = [span.end for span in spans]

    def __call__(self, at: datetime) -> int | None:
        index = bisect_right(self.starts, at) - 1
        return index if index >= 0 and at < self.ends[index] else None


@dataclass
class _Bucket:
    sessions_held: int = 0
    attended: int = 0
    expected: int = 0
    insights: int = 0
    actions: int = 0
    due: int = 0
    due_tried: int = 0
    tried: int = 0
    days: list[float] = field(default_factory=list)

    def week(self, start: date) -> WeekVelocity:
        return WeekVelocity(
            start=start,
            sessions_held=self.sessions_held,
            attended=self.attended,
            expected=self.expected,
            insights=self.insights,
            actions=self.actions,
            due=self.due,
            due_tried=self.due_tried,
            tried=self.tried,
            days_to_tried=tuple(self.days),
        )


def summarise(weeks: Sequence[WeekVelocity]) -> Velocity:
    days = [value for week in weeks for value in week.days_to_tried]
    return Velocity(
        weeks=len(weeks),
        sessions_held=sum(week.sessions_held for week in weeks),
        attended=sum(week.attended for week in weeks),
        expected=sum(week.expected for week in weeks),
        insights=sum(week.insights for week in weeks),
        actions=sum(week.actions for week in weeks),
        due=sum(week.due for week in weeks),
        due_tried=sum(week.due_tried for week in weeks),
        tried=sum(week.tried for week in weeks),
        median_days_to_tried=round(statistics.median(days), 1) if days else None,
    )


def _metric(velocity: Velocity, name: str) -> float | None:
    value = getattr(velocity, name)
    return None if value is None else float(value)


def trend(current: float | None, previous: float | None, *, rate: bool = False) -> str | None:
    if current is None or previous is None:
        return None
    tolerance = RATE_TOLERANCE if rate else 0.0
    if abs(current - previous) <= tolerance:
        return FLAT
    return UP if current > previous else DOWN


def period(weeks: Sequence[WeekVelocity], length: int) -> PeriodVelocity:
    """The last `length` of `weeks` against the `length` before them."""
    current = summarise(weeks[-length:])
    previous = summarise(weeks[-2 * length : -length])
    trends: dict[str, str] = {}
    for name in METRICS:
        rate = name in ("attendance", "tried_of_due")
        direction = trend(_metric(current, name), _metric(previous, name), rate=rate)
        if direction is not None:
            trends[name] = direction
    return PeriodVelocity(weeks=length, current=current, previous=previous, trends=trends)


def scope_velocity(
    raw: Raw, spans: Sequence[Span], scope: Scope, *, kind: str, label: str, people: int
) -> ScopeVelocity:
    weeks = count_weeks(raw, spans, scope)
    return ScopeVelocity(
        kind=kind,
        label=label,
        people=people,
        last_4=period(weeks, SHORT),
        last_12=period(weeks, LONG),
    )


class RawIndex:
    """The rows of a Raw by pod (sessions) and by member (the rest), so counting many
    small scopes reads only their own rows, not the whole program's each time."""

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.sessions: dict[int, list[int]] = defaultdict(list)
        self.mine: list[int] = []
        for position, row in enumerate(raw.sessions):
            self.sessions[row.pod_id].append(position)
            if row.me_expected:
                self.mine.append(position)
        self.by_member: dict[str, dict[int, list[int]]] = {}
        for name in ("reflections", "committed", "due", "tried"):
            positions: dict[int, list[int]] = defaultdict(list)
            for position, row in enumerate(getattr(raw, name)):
                positions[row[0]].append(position)
            self.by_member[name] = positions

    def narrowed(self, scope: Scope) -> Raw:
        """The rows `scope` can count, in their original order: its pods' sessions (or,
        for one member, the sessions they were expected at) and its members' rows; the
        whole Raw for a scope of every member."""
        if scope.windows is None:
            return self.raw
        raw = self.raw
        members = scope.windows.keys()
        if scope.pod_ids is not None:
            sessions = [self.sessions.get(p, []) for p in scope.pod_ids]
        elif scope.only_member is not None and scope.only_member == raw.me:
            sessions = [self.mine]
        else:
            sessions = [list(range(len(raw.sessions)))]

        def pick(rows: list, positions: Iterable[list[int]]) -> list:  # type: ignore[type-arg]
            return [rows[p] for p in sorted(p for group in positions for p in group)]

        return Raw(
            start=raw.start,
            end=raw.end,
            ended_by=raw.ended_by,
            me=raw.me,
            sessions=pick(raw.sessions, sessions),
            **{
                name: pick(getattr(raw, name), (self.by_member[name].get(m, []) for m in members))
                for name in ("reflections", "committed", "due", "tried")
            },
        )


# --------------------------------------------------------------------------- the program


@dataclass(frozen=True)
class PodGroup:
    pod_id: int
    name: str
    members: frozenset[int]
    """Active members now."""


def active_pods(tx: Session, team_id: str) -> list[PodGroup]:
    """Pods not archived with their active members (pods with none left out)."""
    members: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for pod_id, name, member_id in tx.execute(
        select(Pod.id, Pod.name, PodMembership.member_id)
        .join(PodMembership, PodMembership.pod_id == Pod.id)
        .where(Pod.team_id == team_id, Pod.archived_at.is_(None), PodMembership.left_at.is_(None))
    ):
        members[pod_id].add(member_id)
        names[pod_id] = name
    return [
        PodGroup(pod_id, names[pod_id], frozenset(ids))
        for pod_id, ids in sorted(members.items(), key=lambda item: names[item[0]].lower())
    ]


def merge_small(groups: Sequence[PodGroup], k_count: int) -> tuple[list[PodGroup], list[PodGroup]]:
    """(named, merged): pods with fewer than K_count people go into one "other pods"
    group; while that group itself is smaller than K_count, the smallest named pod
    joins it, so no group shown (nor the difference to the total) singles anyone out."""
    named = sorted(
        (g for g in groups if len(g.members) >= k_count), key=lambda g: (len(g.members), g.name)
    )
    merged = [g for g in groups if len(g.members) < k_count]

    def merged_people() -> int:
        return len(frozenset().union(*(g.members for g in merged))) if merged else 0

    while merged and merged_people() < k_count and named:
        merged.append(named.pop(0))
    named.sort(key=lambda g: g.name.lower())
    return named, merged


def _memberships(
    tx: Session, pod_ids: Iterable[int], start: datetime, end: datetime
) -> list[tuple[int, int, datetime, datetime | None]]:
    found: list[tuple[int, int, datetime, datetime | None]] = []
    for chunk in _chunks(sorted(set(pod_ids))):
        found.extend(
            tuple(row)  # type: ignore[misc]
            for row in tx.execute(
                select(
                    PodMembership.pod_id,
                    PodMembership.member_id,
                    PodMembership.joined_at,
                    PodMembership.left_at,
                ).where(
                    PodMembership.pod_id.in_(chunk),
                    PodMembership.joined_at < end,
                    (PodMembership.left_at.is_(None)) | (PodMembership.left_at > start),
                )
            )
        )
    return found


def leader_counts(tx: Session, team_id: str, start: datetime, end: datetime) -> LeaderCounts:
    """Leaders in pods now, and leaders whose pod held a session in [start, end)
    while they were in it."""
    in_pods = tx.scalar(
        select(func.count(func.distinct(Member.id)))
        .join(PodMembership, PodMembership.member_id == Member.id)
        .join(Pod, Pod.id == PodMembership.pod_id)
        .where(
            Member.team_id == team_id,
            Member.is_leader.is_(True),
            PodMembership.left_at.is_(None),
            Pod.archived_at.is_(None),
        )
    )
    # Leaders' periods in pods, then their pods' held sessions in the range, matched
    # here: two reads, never every session of the program for every leader.
    periods: dict[int, list[tuple[int, datetime, datetime | None]]] = defaultdict(list)
    for member_id, pod_id, joined_at, left_at in tx.execute(
        select(
            PodMembership.member_id,
            PodMembership.pod_id,
            PodMembership.joined_at,
            PodMembership.left_at,
        )
        .join(Member, Member.id == PodMembership.member_id)
        .where(
            Member.team_id == team_id,
            Member.is_leader.is_(True),
            PodMembership.joined_at < end,
            (PodMembership.left_at.is_(None)) | (PodMembership.left_at > start),
        )
    ):
        periods[pod_id].append((member_id, joined_at, left_at))
    leaders_held: set[int] = set()
    for chunk in _chunks(sorted(periods)):
        for pod_id, starts_at in tx.execute(
            select(PodSession.pod_id, PodSession.starts_at).where(
                PodSession.pod_id.in_(chunk),
                PodSession.status == SessionStatus.SCHEDULED,
                PodSession.starts_at >= start,
                PodSession.starts_at < end,
                held_clause(),
            )
        ):
            leaders_held.update(
                member_id
                for member_id, joined_at, left_at in periods[pod_id]
                if joined_at <= starts_at and (left_at is None or left_at > starts_at)
            )
    held = len(leaders_held)
    return LeaderCounts(in_pods=int(in_pods or 0), held_sessions=int(held or 0))


def k_count_of(tx: Session, team_id: str) -> int:
    return max(1, program.get_settings(tx, team_id).k_count)


def too_few_people(k_count: int) -> str:
    return (
        f"The program shows numbers once at least {k_count} people take part in pods, "
        f"so that no one stands out; it has fewer than {k_count} so far."
    )


def program_velocity(
    tx: Session,
    team_id: str,
    index: RawIndex,
    spans: Sequence[Span],
    k_count: int,
    quarter_start: datetime,
    now: datetime,
) -> ProgramVelocity:
    pods = active_pods(tx, team_id)
    people = len(frozenset().union(*(pod.members for pod in pods))) if pods else 0
    if people < k_count:
        return ProgramVelocity(k_count=k_count, total=None, withheld=too_few_people(k_count))
    raw = index.raw
    total = scope_velocity(raw, spans, Scope(), kind="program", label="The program", people=people)
    named, merged = merge_small(pods, k_count)
    groups: list[ScopeVelocity] = []
    if len(named) + (1 if merged else 0) > 1:
        memberships = _memberships(tx, [pod.pod_id for pod in pods], raw.start, raw.end)
        for group, kind, label in [(g, "pod", g.name) for g in named] + (
            [(None, "other", "Other pods")] if merged else []
        ):
            members_of = [group] if group is not None else merged
            ids = {pod.pod_id for pod in members_of}
            scope = pods_scope(m for m in memberships if m[0] in ids)
            size = len(frozenset().union(*(pod.members for pod in members_of)))
            groups.append(
                scope_velocity(
                    index.narrowed(scope), spans, scope, kind=kind, label=label, people=size
                )
            )
    leaders = leader_counts(tx, team_id, quarter_start, now)
    withheld = leaders.in_pods < k_count
    return ProgramVelocity(
        k_count=k_count,
        total=total,
        groups=tuple(groups),
        leaders=None if withheld else leaders,
        leaders_withheld=withheld,
    )


# --------------------------------------------------------------------------- /coach stats


def stats_for(
    tx: Session, team_id: str, user_id: str, now: datetime, *, include_program: bool
) -> StatsView:
    """What `/coach stats` shows: my numbers, each of my pods' (pods I am in now)
    and, for admins (`include_program`), the program's. The last 12 full weeks are
    compared with the 12 before them, so 24 weeks are read. The session pulse of the
    last 12 weeks goes with each: mine, my pods' and the program's (with its "different
    pod" requests) once K_count people answered."""
    spans = full_weeks_before(now, 2 * LONG)
    start, end = spans[0].start, spans[-1].end
    through = (end - timedelta(days=1)).date()
    member = tx.scalar(select(Member).where(Member.team_id == team_id, Member.user_id == user_id))
    my_pods: list[tuple[int, str]] = []
    if member is not None:
        my_pods = [
            (pod_id, name)
            for pod_id, name in tx.execute(
                select(Pod.id, Pod.name)
                .join(PodMembership, PodMembership.pod_id == Pod.id)
                .where(
                    PodMembership.member_id == member.id,
                    PodMembership.left_at.is_(None),
                    Pod.archived_at.is_(None),
                )
                .order_by(func.lower(Pod.name))
            )
        ]
    k_count = k_count_of(tx, team_id)
    program_view: ProgramVelocity | None = None
    if include_program:
        raw = read_raw(tx, team_id, start, end, now=now, me=member.id if member else None)
        index = RawIndex(raw)
        quarter = quarter_start_of(now)
        program_view = program_velocity(tx, team_id, index, spans, k_count, quarter, now)
    elif member is not None:
        my_history = {
            pod_id
            for (pod_id,) in tx.execute(
                select(PodMembership.pod_id).where(
                    PodMembership.member_id == member.id,
                    PodMembership.joined_at < end,
                    (PodMembership.left_at.is_(None)) | (PodMembership.left_at > start),
                )
            )
        }
        pod_ids = my_history | {pod_id for pod_id, _ in my_pods}
        memberships = _memberships(tx, pod_ids, start, end)
        member_ids = {m[1] for m in memberships} | {member.id}
        raw = read_raw(
            tx,
            team_id,
            start,
            end,
            now=now,
            member_ids=member_ids,
            pod_ids=pod_ids,
            me=member.id,
        )
        index = RawIndex(raw)
    pulse_start = spans[-LONG].start

    def pulse_of(**scope: int) -> PulseSummary:
        return pulse.summary(tx, team_id, pulse_start, end, k_count, **scope)

    if program_view is not None and program_view.total is not None:
        requests = pulse.summary(tx, team_id, pulse_start, end, k_count, with_requests=True)
        program_view = replace(program_view, total=replace(program_view.total, pulse=requests))
    if member is None:
        return StatsView(through=through, me=None, pods=(), program=program_view)
    if include_program:
        memberships = _memberships(tx, [pod_id for pod_id, _ in my_pods], start, end)
    mine = me_scope(member.id)
    me = scope_velocity(index.narrowed(mine), spans, mine, kind="me", label="You", people=1)
    me = replace(me, pulse=pulse_of(member_id=member.id))
    pods: list[ScopeVelocity] = []
    for pod_id, name in my_pods:
        rows = [m for m in memberships if m[0] == pod_id]
        size = len({m[1] for m in rows if m[3] is None})
        scope = pods_scope(rows)
        pod = scope_velocity(
            index.narrowed(scope), spans, scope, kind="pod", label=name, people=size
        )
        pods.append(replace(pod, pulse=pulse_of(pod_id=pod_id)))
    return StatsView(through=through, me=me, pods=tuple(pods), program=program_view)


def quarter_start_of(now: datetime) -> datetime:
    day = now.astimezone(UTC).date()
    return at_midnight(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
