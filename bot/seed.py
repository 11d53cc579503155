"""Demo data: a program with people, pods and weeks of history, as the bot itself would
have written it (`coachbot seed --demo`, the sandbox and the benchmarks).

Everything is a function of the arguments and `rng_seed`: the same call on an empty
database writes the same rows. Rows go in with bulk Core INSERTs and ids chosen here
(no round trip per row), parents before children; on PostgreSQL the id sequences are
moved past them at the end.

What is written mirrors the services that write it in production:
- members (eight timezones, names, a few leaders and admins), welcomed and agreed to
  the ground rules when they first joined; some with a weekly reflection reminder;
- pods on every weekday and working hour, in their members' main timezone, each with
  periods of membership (`joined_at`; some people moved pod, so a `left_at`);
- each pod's sessions at its cadence (`bot.services.cadence`) from its creation up to
  its next one, the shipped themes in rotation, a coach in rotation, a few cancelled
  or skipped; past sessions held ("We met", check-ins, reflections), their prep and
  end messages marked enqueued, the next one scheduled as the scheduler would;
- check-ins with experiments (tried, dropped or open, nudged when due), reflections
  (some shared and carried by the weekly digests once K_text authors wrote), pulses,
  kudos by the program's values, digests;
- the outbox rows all that produced, sent.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Date, Enum, Table, Time, func, select, text
from sqlalchemy.engine import Connection

from bot.db import Database
from bot.notify.outbox import POST_MESSAGE, outbox_columns
from bot.program_content import get_content
from bot.services.cadence import (
    Cadence,
    first_session_start,
    following_day,
    local_date,
    occurrence,
    zone_named,
)
from bot.services.digest import due_at, week_start_of
from bot.services.experiments import nudge_instant, nudge_key
from bot.services.reminders import brief_key, cancel_key, end_key, prep_dm_key, prep_key
from bot.services.rotation import NEWCOMER_SESSIONS
from models import (
    Base,
    CheckIn,
    Digest,
    Experiment,
    ExperimentStatus,
    Kudos,
    Member,
    OutboxMessage,
    OutboxStatus,
    Pod,
    PodFit,
    PodMembership,
    PodSession,
    ProgramSettings,
    Pulse,
    Reflection,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)
from models.base import UTCDateTime
from models.profile import MemberProfile, ProgramLevel, ProgramSkill
from models.program import DEFAULT_K_COUNT, DEFAULT_K_TEXT, DEFAULT_PREP_LEAD_HOURS


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TIMEZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
)
# How many of every hundred people live in each zone (same order).
TIMEZONE_WEIGHTS = (14, 20, 8, 18, 16, 10, 8, 6)
TEAMS = (
    "Engineering",
    "Product",
    "Design",
    "Sales",
    "Customer Success",
    "Marketing",
    "Operations",
    "Finance",
    "People",
    "Data",
)
LEVELS = ("Associate", "Senior", "Staff", "Lead", "Manager", "Senior Manager", "Director")
LEADER_LEVELS = frozenset({"Lead", "Manager", "Senior Manager", "Director"})
LEVEL_WEIGHTS = (18, 26, 12, 14, 18, 8, 4)
FIRST_NAMES = _words(
    "Ada Aisha Akira Alejandro Amara Ana Anders Ángel Anika Arjun Ayesha Beatriz Ben "
    "Bilal Camila Carlos Chen Chiara Chloe Dana Daniel Deepa Diego Dmitri Elena Eli Emeka "
    "Emma Fatima Felipe Freya Gabriel Grace Hana Hamid Hugo Ines Ingrid Isaac Ivan Jamal "
    "Jana Javier Jin Joao Jonas Julia Kai Karin Kenji Kofi Lara Laila Leon Lina Lucas "
    "Maya Mateo Mei Mila Nadia Naveen Nia Noah Nora Olga Omar Oscar Paolo Priya Quinn "
    "Rafael Ravi Rosa Ruth Sami Sara Sean Sofia Sven Tariq Tomas Uma Valentina Vikram "
    "Wei Yara Yusuf Zara Zoe"
)
LAST_NAMES = _words(
    "Abe Adeyemi Alvarez Andersen Bakker Banerjee Becker Bianchi Brown Castillo Chen "
    "Costa Cruz Das Dubois Eriksson Fernandes Fischer Fujita Garcia Gonzalez Gupta Haddad "
    "Hansen Hernandez Hoffmann Ibrahim Ito Jansen Johansson Kapoor Kaur Kim Kowalski Kumar "
    "Larsen Lee Lim Lopez Martin Meyer Moreau Müller Murphy Nakamura Navarro Nguyen "
    "Nielsen Novak Okafor Okoye Oliveira Ortiz Park Patel Pereira Petrov Popescu Qureshi "
    "Ramos Rao Reyes Rossi Sato Schmidt Silva Singh Smith Suzuki Tan Taylor Thomas "
    "Tanaka Torres Valdez Wagner Walsh Wang Weber Wilson Wong Yamamoto Yilmaz Zhang"
)
POD_ADJECTIVES = _words(
    "Amber Azure Bold Brave Bright Calm Clear Cobalt Coral Crimson Curious Daring Deep "
    "Eager Emerald Golden Granite Hidden Indigo Ivory Jade Keen Lively Lunar Maple "
    "Mighty Misty Nimble Northern Onyx Quiet Rapid Ruby Sage Silver Solar Steady Swift "
    "Tidal Velvet"
)
POD_NOUNS = _words(
    "Badgers Beacons Birches Bridges Canyons Cedars Comets Compass Cranes Deltas Embers "
    "Falcons Ferns Fjords Foxes Glaciers Harbors Hawks Herons Horizons Islands Kestrels "
    "Lanterns Larks Meadows Mesas Orbits Otters Owls Pines Prairies Quarries Ravens "
    "Ridges Rivers Sparrows Summits Tides Trails Willows"
)
INTENTS = (
    "Get unstuck on prioritising the roadmap with two teams pulling different ways",
    "Prepare a hard feedback conversation with a peer",
    "Find a way to say no to a last-minute request without burning the bridge",
    "Decide whether to delegate the quarterly planning this time",
    "Make my work more visible to leadership without bragging",
    "Handle a disagreement about scope with another team",
    "Recover my focus after a week of back-to-back meetings",
    "Plan how to introduce a process change the team is wary of",
    "Build trust with a new manager",
    "Run a better weekly sync: shorter and with decisions",
    "Coach a junior colleague who keeps missing deadlines",
    "Make a decision I've been putting off for a month",
    "Ask for the stretch project I want",
    "Set boundaries around after-hours messages",
)
EXPLORATIONS = (
    "Context: two stakeholders, one deadline.",
    "I tried once and it went sideways.",
    "Mostly I want to hear how others handled it.",
    "",
    "Not sure whether I'm the right person to raise it.",
)
EXPERIMENTS = (
    "Block two focus mornings on my calendar",
    "Ask my manager for feedback in our next 1:1",
    "Write a one-page decision memo before the meeting",
    "Say no to one request this week, with a reason",
    "Share a weekly update in the team channel",
    "Hand over the planning doc to a teammate",
    "End each meeting with a named owner for every action",
    "Have the conversation by Thursday",
    "Pair with the new joiner for an hour",
    "Turn off notifications after 18:00",
)
OUTCOMES = (
    "Worked better than expected.",
    "Half worked: the first day was hard.",
    "People noticed; I'll keep it.",
    "Harder than I thought, but useful.",
    None,
)
INSIGHTS = (
    "Saying the trade-off out loud made the decision easier for everyone",
    "Asking what success looks like first saves a lot of rework",
    "I avoid hard conversations by over-preparing for them",
    "Short written updates get more attention than long meetings",
    "Delegating the outcome, not the task, gave my teammate real ownership",
    "People agree faster when they can see the options side by side",
    "My energy drops after three meetings in a row; I need gaps",
    "A clear no is kinder than a vague maybe",
    "Naming the tension early keeps it from growing",
    "Feedback lands better when I ask permission first",
    "Visibility is about sharing progress, not about self-promotion",
    "Trust grows when I follow through on small promises",
    "Most urgent requests can wait a day without harm",
    "Listening until the end before answering changes the whole conversation",
    "Writing the decision down exposed that we disagreed on the goal",
)
ACTIONS = (
    "Share the trade-offs in writing before Monday's meeting",
    "Ask one open question before giving my view",
    "Schedule the conversation this week",
    "Keep Friday afternoons free of meetings",
    "Send a short progress note every Thursday",
    "Let my teammate present the plan",
    "Write down the decision and who owns it",
    "Check in with my manager about priorities",
)
KUDOS_TEXTS = (
    "for stepping in on the launch checklist when it got hectic",
    "for the honest feedback in our session — it helped",
    "for making the retro feel safe to speak up in",
    "for sharing your notes with everyone",
    "for pairing with me on the tricky migration",
    "for saying no to scope creep so the team could ship",
    "for coaching our session so well this week",
    "for the clear write-up of the decision",
)
SKILLS = (
    "Coaching",
    "Delegation",
    "Facilitation",
    "Feedback",
    "Hiring",
    "Negotiation",
    "Planning",
    "Prioritisation",
    "Public speaking",
    "Stakeholder management",
    "Strategy",
    "Writing",
)
CANCEL_REASONS = ("Team offsite", "Public holiday", "Too many of us away this week", None)

PREP_LEAD = timedelta(hours=DEFAULT_PREP_LEAD_HOURS)
DIGEST_WEEKDAY = 4
DIGEST_TIME = time(9, 0)
DIGEST_TIMEZONE = "Europe/London"
FIRST_LOCAL_HOUR, LAST_LOCAL_HOUR = 8, 17
BATCH = 5000
REFLECTION_REMINDER_SHARE = 0.25

ProgressFactory = Callable[[int], "Progress"]


class SeedRefused(ValueError):
    """The database (or the team in it) already has data, or an argument is out of range."""


@dataclass(frozen=True)
class SeedPerson:
    user_id: str
    real_name: str
    display_name: str
    tz: str
    title: str
    team: str
    is_leader: bool
    is_admin: bool


@dataclass(frozen=True)
class SeedPod:
    name: str
    channel_id: str
    timezone: str
    weekday: int
    local_time: time
    user_ids: tuple[str, ...]
    """The pod's members now, in joining order."""


@dataclass(frozen=True)
class SeedSummary:
    team_id: str
    digest_channel_id: str
    people: tuple[SeedPerson, ...]
    pods: tuple[SeedPod, ...]
    counts: dict[str, int] = field(default_factory=dict)
    """Rows written per table."""

    @property
    def admin_user_ids(self) -> tuple[str, ...]:
        return tuple(p.user_id for p in self.people if p.is_admin)


# --------------------------------------------------------------------------- the plan


@dataclass
class _Person:
    id: int
    user_id: str
    real_name: str
    display_name: str
    tz: str
    title: str
    team: str
    is_leader: bool
    is_admin: bool
    created_at: datetime
    level: str = ""
    paused_until: date | None = None


@dataclass
class _Period:
    pod: _PodPlan
    person: _Person
    joined_at: datetime
    left_at: datetime | None = None


@dataclass
class _PodPlan:
    id: int
    name: str
    channel_id: str
    timezone: str
    weekday: int
    local_time: time
    interval_weeks: int
    created_at: datetime
    created_by: str
    focus_kind: str
    focus_text: str
    periods: list[_Period] = field(default_factory=list)

    @property
    def cadence(self) -> Cadence:
        return Cadence(self.interval_weeks, self.weekday, self.local_time, self.timezone)

    def members_at(self, instant: datetime) -> list[_Person]:
        return [
            p.person
            for p in self.periods
            if p.joined_at <= instant and (p.left_at is None or p.left_at > instant)
        ]


@dataclass(frozen=True)
class _Key:
    """What the reminders' key functions read of a session."""

    id: int
    starts_at: datetime


class Progress:
    """A rich progress bar over rows written, or nothing."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        self.done = 0
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("seeding {task.description:<16}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=total)

    def advance(self, table: str, rows: int) -> None:
        self.done += rows
        if self._bar is not None:
            self._bar.update(self._task, advance=rows, description=table)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, total=self.done, completed=self.done, description="done")
            self._bar.stop()


class _Writer:
    """Writes rows in batches straight to the driver: COPY on PostgreSQL (psycopg),
    executemany elsewhere. Values are converted here as the models' column types
    would (aware instants to naive UTC, enums to their values, JSON to text), which
    is many times faster than binding each value through SQLAlchemy."""

    def __init__(self, connection: Connection, progress: Progress) -> None:
        self.connection = connection
        self.progress = progress
        self.counts: dict[str, int] = defaultdict(int)
        dialect = connection.dialect
        self.sqlite = dialect.name == "sqlite"
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"

    def write(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(table, batch)
                batch = []
        if batch:
            self._flush(table, batch)

    def _flush(self, table: Table, batch: list[dict[str, Any]]) -> None:
        names = list(batch[0])
        pick = itemgetter(*names)
        fixed = tuple(
            (column.name, column.default.arg)
            for column in table.columns
            if column.name not in batch[0]
            and column.default is not None
            and column.default.is_scalar
        )
        names += [name for name, _ in fixed]
        converters = [
            (index, convert)
            for index, name in enumerate(names)
            if (convert := self._converter(table.c[name].type)) is not None
        ]
        tail = [value for _, value in fixed]
        tuples: list[Any] = []
        for row in batch:
            values = [*pick(row), *tail] if len(names) > 1 else [row[names[0]]]
            for index, convert in converters:
                values[index] = convert(values[index])
            tuples.append(values)
        quoted = ", ".join(f'"{name}"' for name in names)
        if self.copy:
            raw = self.connection.connection.dbapi_connection
            assert raw is not None
            statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
                for values in tuples:
                    copy.write_row(values)
        else:
            marks = ", ".join("?" if self.sqlite else "%s" for _ in names)
            self.connection.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})',
                [tuple(t) for t in tuples],
            )
        self.counts[table.name] += len(batch)
        self.progress.advance(table.name, len(batch))

    def _converter(self, column_type: Any) -> Callable[[Any], Any] | None:
        sqlite = self.sqlite
        if isinstance(column_type, UTCDateTime):

            def instant(value: Any) -> Any:
                if value is None:
                    return None
                if value.tzinfo is not UTC:
                    value = value.astimezone(UTC)
                naive = value.replace(tzinfo=None)
                return naive.isoformat(" ", "microseconds") if sqlite else naive

            return instant
        if isinstance(column_type, JSON):
            return lambda value: None if value is None else json.dumps(value)
        if isinstance(column_type, Enum):
            return lambda value: None if value is None else str(value)
        if sqlite and isinstance(column_type, Date):
            return lambda value: None if value is None else value.isoformat()
        if sqlite and isinstance(column_type, Time):
            return lambda value: None if value is None else value.isoformat("microseconds")
        return None


def seed_demo(
    db: Database,
    *,
    team_id: str,
    pods: int,
    members: int,
    weeks: int,
    now: datetime,
    rng_seed: int = 0,
    progress: bool = False,
    timezones: Sequence[str] = (),
) -> SeedSummary:
    """Fills the team with a demo program of `pods` pods, `members` people and `weeks`
    weeks of history up to `now`; people live in `timezones`, shared evenly (default:
    eight zones, weighted as in a global company). Refuses (SeedRefused) a team that has members or
    pods already, or sizes out of range."""
    _check_sizes(pods, members, weeks)
    if now.tzinfo is None:
        raise SeedRefused("now must be an aware instant")
    now = now.astimezone(UTC)
    rng = random.Random(rng_seed)
    with db.engine.begin() as connection:
        if _team_has_data(connection, team_id):
            raise SeedRefused(
                f"team {team_id} already has members or pods; "
                "seed an empty database (or another team)"
            )
        plan = _Plan(connection, team_id, now, rng, pods, members, weeks, tuple(timezones))
        plan.people_and_pods()
        estimate = plan.estimate()
        bar = Progress(estimate, progress)
        try:
            writer = _Writer(connection, bar)
            plan.write(writer)
        finally:
            bar.close()
        if connection.dialect.name == "postgresql":
            _move_sequences(connection)
    _settle(db)
    return plan.summary(dict(writer.counts))


def _settle(db: Database) -> None:
    """After a bulk load on SQLite, fold the write-ahead log into the database file:
    readers would otherwise look every page up in a log of the whole load."""
    if db.is_sqlite:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _check_sizes(pods: int, members: int, weeks: int) -> None:
    if pods < 1:
        raise SeedRefused("pods must be at least 1")
    if members < 2 * pods:
        raise SeedRefused(f"members must be at least twice the pods ({2 * pods} for {pods} pods)")
    if not 0 <= weeks <= 520:
        raise SeedRefused("weeks must be 0 to 520")


def _team_has_data(connection: Connection, team_id: str) -> bool:
    for model in (Member, Pod):
        found = connection.execute(
            select(model.id).where(model.team_id == team_id).limit(1)
        ).first()
        if found is not None:
            return True
    return False


def add_reflection_history(
    db: Database, *, team_id: str, reflections: int, before: datetime, rng_seed: int = 0
) -> int:
    """Older history for a seeded team: `reflections` reflections by its members, one
    a week each going back from `before`, the shared ones carried by weekly digests of
    their time. For measuring that reads stay independent of history. Returns how
    many were written."""
    rng = random.Random(rng_seed)
    before = before.astimezone(UTC)
    with db.engine.begin() as connection:
        member_ids = list(
            connection.execute(
                select(Member.id).where(Member.team_id == team_id).order_by(Member.id)
            ).scalars()
        )
        if not member_ids or reflections <= 0:
            return 0
        ids = _next_ids(connection)
        weeks = -(-reflections // len(member_ids))
        settings = ProgramSettings(
            digest_weekday=DIGEST_WEEKDAY, digest_time=DIGEST_TIME, digest_timezone=DIGEST_TIMEZONE
        )
        first_week = week_start_of(settings, before - timedelta(weeks=weeks + 1))
        taken = set(
            connection.execute(select(Digest.week_start).where(Digest.team_id == team_id)).scalars()
        )
        digest_rows, digest_of_week = [], {}
        for week in range(weeks + 2):
            start = first_week + timedelta(weeks=week)
            at = due_at(settings, start)
            if start in taken or at >= before:
                continue
            digest_of_week[start] = ids["digests"]
            digest_rows.append(
                {
                    "id": ids["digests"],
                    "team_id": team_id,
                    "week_start": start,
                    "channel_id": None,
                    "posted_at": at,
                    "created_at": at,
                }
            )
            ids["digests"] += 1
        writer = _Writer(connection, Progress(0, False))
        writer.write(Digest.__table__, digest_rows)

        def rows() -> Iterator[dict[str, Any]]:
            for index in range(reflections):
                week, member = divmod(index, len(member_ids))
                written = before - timedelta(weeks=week + 1, minutes=rng.randint(0, 7 * 24 * 60))
                shared = rng.random() < 0.45
                digest_week = week_start_of(settings, written)
                if due_at(settings, digest_week) <= written:
                    digest_week += timedelta(weeks=1)
                yield {
                    "id": ids["reflections"] + index,
                    "team_id": team_id,
                    "member_id": member_ids[member],
                    "session_id": None,
                    "insight": rng.choice(INSIGHTS),
                    "action": rng.choice(ACTIONS),
                    "share_in_digest": shared,
                    "source": "command",
                    "digest_id": digest_of_week.get(digest_week) if shared else None,
                    "withdrawn_at": None,
                    "created_at": written,
                }

        writer.write(Reflection.__table__, rows())
        if connection.dialect.name == "postgresql":
            _move_sequences(connection)
    _settle(db)
    return reflections


def database_is_empty(db: Database) -> bool:
    """No member, pod or program settings of any team."""
    with db.engine.connect() as connection:
        for model in (Member, Pod, ProgramSettings):
            if connection.execute(select(func.count()).select_from(model)).scalar():
                return False
    return True


def _next_ids(connection: Connection) -> dict[str, int]:
    starts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            top = connection.execute(select(func.max(table.c.id))).scalar()
            starts[table.name] = int(top or 0) + 1
    return starts


def _move_sequences(connection: Connection) -> None:
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


class _Plan:
    def __init__(
        self,
        connection: Connection,
        team_id: str,
        now: datetime,
        rng: random.Random,
        pods: int,
        members: int,
        weeks: int,
        timezones: tuple[str, ...] = (),
    ) -> None:
        self.connection = connection
        self.timezones = timezones or TIMEZONES
        self.team_id = team_id
        self.now = now
        self.rng = rng
        self.pod_count = pods
        self.member_count = members
        self.weeks = weeks
        self.start = now - timedelta(weeks=weeks)
        self.ids = _next_ids(connection)
        self.people: list[_Person] = []
        self.pods: list[_PodPlan] = []
        self.periods: list[_Period] = []
        self.first_joined: dict[int, datetime] = {}
        content = get_content()
        self.themes = [theme.key for theme in content.themes]
        self.values = [value.name for value in content.values.values]
        self.scenarios = [scenario.key for scenario in content.scenarios]
        self.digest_channel = f"CDIGEST{_slug(team_id)}"[:11]
        self.outbox_seq = 0
        self._outbox_columns = {c.name for c in OutboxMessage.__table__.columns}

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # ----------------------------------------------------------------- people and pods

    def people_and_pods(self) -> None:
        rng = self.rng
        names = _unique_names(rng, self.member_count)
        if self.timezones == TIMEZONES:
            zones = rng.choices(TIMEZONES, weights=TIMEZONE_WEIGHTS, k=self.member_count)
        else:
            zones = [self.timezones[i % len(self.timezones)] for i in range(self.member_count)]
        slug = _slug(self.team_id)
        for index in range(self.member_count):
            first, last = names[index]
            level = rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]
            team = rng.choice(TEAMS)
            created = self.start - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
            self.people.append(
                _Person(
                    id=self._id("members"),
                    user_id=f"U{slug[:3]}{index + 1:06d}",
                    real_name=f"{first} {last}",
                    display_name=f"{first} {last[0]}.",
                    tz=zones[index],
                    title=f"{level} {_role(team)}",
                    level=level,
                    team=team,
                    is_leader=level in LEADER_LEVELS,
                    is_admin=index == 0,
                    created_at=created,
                )
            )
        # Pods form around timezones: people are grouped by zone, then cut into pods.
        in_pods = self.people if self.member_count < 40 else self.people[: -self.member_count // 25]
        ordered = sorted(in_pods, key=lambda p: (self.timezones.index(p.tz), p.id))
        size, extra = divmod(len(ordered), self.pod_count)
        pod_names = _pod_names(rng, self.pod_count)
        cursor = 0
        for index in range(self.pod_count):
            take = size + (1 if index < extra else 0)
            group = ordered[cursor : cursor + take]
            cursor += take
            zone = max(set(p.tz for p in group), key=lambda z: (sum(p.tz == z for p in group), z))
            created = self.start - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 8))
            team = max(TEAMS, key=lambda t: (sum(p.team == t for p in group), t))
            kind = ("function", "goal", "project")[index % 3]
            pod = _PodPlan(
                id=self._id("pods"),
                name=pod_names[index],
                channel_id=f"C{slug[:3]}{index + 1:06d}",
                timezone=zone,
                weekday=index % 5,
                local_time=time(
                    FIRST_LOCAL_HOUR + (index // 5) % (LAST_LOCAL_HOUR - FIRST_LOCAL_HOUR + 1),
                    30 if (index // 50) % 2 else 0,
                ),
                interval_weeks=2 if index % 10 == 9 else 1,
                created_at=created,
                created_by=group[0].user_id,
                focus_kind=kind,
                focus_text={
                    "function": team,
                    "goal": "Grow as a leader",
                    "project": f"{team} planning",
                }[kind],
            )
            self.pods.append(pod)
            for position, person in enumerate(group):
                joined = created + timedelta(minutes=position)
                late = self.member_count >= 20 and rng.random() < 0.15 and self.weeks > 2
                if late and rng.random() < 0.35:  # joined in the last days: a newcomer
                    joined = self.now - timedelta(hours=rng.uniform(12, 240))
                elif late:
                    joined = self.start + (self.now - self.start) * rng.uniform(0.2, 0.95)
                pod.periods.append(_Period(pod, person, joined))
            pod.periods.sort(key=lambda p: p.joined_at)
        # A few people moved pods: their earlier period elsewhere has ended.
        if self.pod_count > 1 and self.member_count >= 40 and self.weeks > 4:
            for pod in self.pods:
                for period in list(pod.periods):
                    if rng.random() >= 0.05 or period.joined_at > self.start + timedelta(weeks=2):
                        continue
                    other = self.pods[(self.pods.index(pod) + 1) % len(self.pods)]
                    moved = self.start + (self.now - self.start) * rng.uniform(0.3, 0.7)
                    other.periods.append(_Period(other, period.person, period.joined_at, moved))
                    period.joined_at = moved
            for pod in self.pods:
                pod.periods.sort(key=lambda p: p.joined_at)
        for person in self.people:
            if self.member_count >= 50 and rng.random() < 0.02:
                person.paused_until = (self.now + timedelta(days=rng.randint(3, 20))).date()
        self.periods = [period for pod in self.pods for period in pod.periods]
        for period in self.periods:
            known = self.first_joined.get(period.person.id)
            if known is None or period.joined_at < known:
                self.first_joined[period.person.id] = period.joined_at

    def estimate(self) -> int:
        """Rows about to be written, roughly (for the progress bar)."""
        sessions = sum(self.weeks // pod.interval_weeks + 1 for pod in self.pods)
        per_session = self.member_count / self.pod_count
        return int(
            self.member_count * 2
            + self.pod_count
            + len(self.periods)
            + sessions * (1 + per_session * 5.2)
            + self.weeks * (2 + self.member_count * 0.15 * 2.2)
        )

    # ----------------------------------------------------------------- writing

    def write(self, writer: _Writer) -> None:
        write = writer.write
        write(ProgramSettings.__table__, [self._settings()])
        write(Member.__table__, (self._member_row(p) for p in self.people))
        write(Pod.__table__, (self._pod_row(p) for p in self.pods))
        self._profiles(write)
        write(
            PodMembership.__table__,
            (
                {
                    "id": self._id("pod_memberships"),
                    "team_id": self.team_id,
                    "pod_id": period.pod.id,
                    "member_id": period.person.id,
                    "joined_at": period.joined_at,
                    "left_at": period.left_at,
                }
                for period in self.periods
            ),
        )
        digests = self._digests()
        write(Digest.__table__, digests)
        history = _History()
        for pod in self.pods:
            self._pod_history(pod, history)
        self._kudos(history)
        self._assign_digests(history, digests)
        write(PodSession.__table__, history.sessions)
        write(SessionSkip.__table__, history.skips)
        write(SessionBuddy.__table__, history.buddies)
        write(CheckIn.__table__, history.checkins)
        write(Experiment.__table__, history.experiments)
        write(Reflection.__table__, history.reflections)
        write(Pulse.__table__, history.pulses)
        write(Kudos.__table__, history.kudos)
        write(OutboxMessage.__table__, self._outbox(history, digests))

    def _settings(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "prep_lead_hours": DEFAULT_PREP_LEAD_HOURS,
            "digest_channel_id": self.digest_channel,
            "digest_weekday": DIGEST_WEEKDAY,
            "digest_time": DIGEST_TIME,
            "digest_timezone": DIGEST_TIMEZONE,
            "k_text": DEFAULT_K_TEXT,
            "k_count": DEFAULT_K_COUNT,
            "values_text": None,
            "ground_rules_text": None,
            "kudos_daily_limit": 5,
            "updated_at": self.start,
        }

    def _member_row(self, person: _Person) -> dict[str, Any]:
        rng = self.rng
        joined = self.first_joined.get(person.id)
        welcomed = joined if joined is not None and joined <= self.now else None
        reminder = welcomed is not None and rng.random() < REFLECTION_REMINDER_SHARE
        return {
            "id": person.id,
            "team_id": self.team_id,
            "user_id": person.user_id,
            "display_name": person.display_name,
            "real_name": person.real_name,
            "tz": person.tz,
            "is_bot": False,
            "is_slack_admin": person.is_admin,
            "is_leader": person.is_leader,
            "paused_until": person.paused_until,
            "welcomed_at": welcomed,
            "ground_rules_agreed_at": welcomed + timedelta(hours=rng.randint(1, 30))
            if welcomed
            else None,
            "profile_refreshed_at": self.now - timedelta(hours=rng.randint(1, 160)),
            "reflection_reminder_weekday": 4 if reminder else None,
            "reflection_reminder_time": time(16, 0) if reminder else None,
            "deactivated_at": None,
            "created_at": person.created_at,
        }

    def _profiles(self, write: Callable[[Table, Iterable[dict[str, Any]]], None]) -> None:
        """The program's levels and skills, and each person's matching profile."""
        rng = self.rng
        write(
            ProgramLevel.__table__,
            (
                {
                    "id": self._id("program_levels"),
                    "team_id": self.team_id,
                    "position": i,
                    "name": n,
                }
                for i, n in enumerate(LEVELS)
            ),
        )
        write(
            ProgramSkill.__table__,
            (
                {"id": self._id("program_skills"), "team_id": self.team_id, "name": n}
                for n in SKILLS
            ),
        )
        columns = {c.name for c in MemberProfile.__table__.columns}
        rows = []
        for person in self.people:
            days = sorted(rng.sample(range(5), k=rng.randint(2, 5)))
            start = rng.choice((8, 9, 10))
            row = {
                "id": self._id("member_profiles"),
                "team_id": self.team_id,
                "member_id": person.id,
                "team_name": person.team,
                "level": person.level,
                "offers": rng.sample(SKILLS, k=2),
                "growth": rng.sample(SKILLS, k=2),
                "weekdays": days,
                "window_start": time(start, 0),
                "window_end": time(start + rng.choice((6, 7, 8)), 0),
                "match_opt_in": person.id not in self.first_joined,
                "avoid_user_ids": [],
                "focus": None,
                "imported_at": None,
                "updated_at": person.created_at,
                "created_at": person.created_at,
            }
            rows.append({k: v for k, v in row.items() if k in columns})
        write(MemberProfile.__table__, rows)

    def _pod_row(self, pod: _PodPlan) -> dict[str, Any]:
        return {
            "id": pod.id,
            "team_id": self.team_id,
            "name": pod.name,
            "name_key": pod.name.casefold(),
            "focus_kind": pod.focus_kind,
            "focus_text": pod.focus_text,
            "interval_weeks": pod.interval_weeks,
            "weekday": pod.weekday,
            "local_time": pod.local_time,
            "timezone": pod.timezone,
            "duration_minutes": 45,
            "channel_id": pod.channel_id,
            "is_group_dm": False,
            "created_by": pod.created_by,
            "archived_at": None,
            "celebrate": pod.id % 4 == 0,
            "created_at": pod.created_at,
        }

    def _digests(self) -> list[dict[str, Any]]:
        settings = ProgramSettings(
            team_id=self.team_id,
            digest_weekday=DIGEST_WEEKDAY,
            digest_time=DIGEST_TIME,
            digest_timezone=DIGEST_TIMEZONE,
        )
        rows: list[dict[str, Any]] = []
        week = week_start_of(settings, self.start)
        if due_at(settings, week) < self.start:
            week += timedelta(weeks=1)
        while (at := due_at(settings, week)) <= self.now:
            rows.append(
                {
                    "id": self._id("digests"),
                    "team_id": self.team_id,
                    "week_start": week,
                    "channel_id": self.digest_channel,
                    "posted_at": at,
                    "created_at": at,
                }
            )
            week += timedelta(weeks=1)
        return rows

    # ----------------------------------------------------------------- sessions

    def _pod_history(self, pod: _PodPlan, history: _History) -> None:
        rng = self.rng
        cadence = pod.cadence
        zone = cadence.zone
        start = first_session_start(cadence, pod.created_at)
        theme = 0
        coach_turn = rng.randrange(8)
        attended: dict[int, int] = defaultdict(int)
        while True:
            end = start + cadence.duration
            session_id = self._id("pod_sessions")
            people = pod.members_at(start)
            cancelled = end <= self.now and bool(people) and rng.random() < 0.04
            row: dict[str, Any] = {
                "id": session_id,
                "team_id": self.team_id,
                "pod_id": pod.id,
                "starts_at": start,
                "ends_at": end,
                "status": SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
                "coach_member_id": None,
                "theme_key": self.themes[theme % len(self.themes)] if self.themes else None,
                "held_at": None,
                "cancelled_at": None,
                "cancel_reason": None,
                "prep_enqueued_at": None,
                "end_enqueued_at": None,
                "calendar_sequence": 0,
                "created_at": max(pod.created_at, start - timedelta(weeks=pod.interval_weeks)),
            }
            history.sessions.append(row)
            key = _Key(session_id, start)
            day = local_date(start, zone)
            if cancelled:
                row["cancelled_at"] = start - timedelta(hours=rng.randint(2, 60))
                row["cancel_reason"] = rng.choice(CANCEL_REASONS)
                row["calendar_sequence"] = 1
                history.messages.append((row["cancelled_at"], cancel_key(key), pod.channel_id))
                if row["cancelled_at"] > start - PREP_LEAD:
                    row["prep_enqueued_at"] = start - PREP_LEAD
            else:
                if self.themes:
                    theme += 1
                skipping = {p.id for p in people if end <= self.now and rng.random() < 0.04} | {
                    p.id for p in people if p.paused_until is not None and day <= p.paused_until
                }
                seats = [p for p in people if p.id not in skipping]
                newcomers = [p for p in seats if self._is_newcomer(pod, p, attended)]
                seasoned = [p for p in seats if p not in newcomers]
                coach = seasoned[coach_turn % len(seasoned)] if seasoned else None
                coach_turn += 1
                row["coach_member_id"] = coach.id if coach else None
                if seasoned:
                    buddy = max(seasoned, key=lambda p: (attended[p.id], -p.id))
                    history.buddies.extend(
                        {
                            "id": self._id("session_buddies"),
                            "team_id": self.team_id,
                            "session_id": session_id,
                            "newcomer_member_id": newcomer.id,
                            "buddy_member_id": buddy.id,
                        }
                        for newcomer in newcomers
                    )
                if end <= self.now:
                    for person in seats:
                        attended[person.id] += 1
                for person_id in sorted(skipping):
                    if person_id in {p.id for p in people if p.paused_until is None}:
                        history.skips.append(
                            {
                                "id": self._id("session_skips"),
                                "team_id": self.team_id,
                                "session_id": session_id,
                                "member_id": person_id,
                                "created_at": start - timedelta(hours=rng.randint(3, 72)),
                            }
                        )
                if start - PREP_LEAD <= self.now:
                    row["prep_enqueued_at"] = start - PREP_LEAD
                    self._prep_messages(pod, key, seats, coach, history)
                if end <= self.now:
                    self._held(pod, row, seats, history)
            if end > self.now and not cancelled:
                return
            start = occurrence(cadence, following_day(cadence, day))

    def _is_newcomer(self, pod: _PodPlan, person: _Person, attended: dict[int, int]) -> bool:
        """As bot.services.rotation: joined an established pod, fewer than two sessions."""
        founding = any(
            p.person is person and p.joined_at <= pod.created_at + timedelta(days=1)
            for p in pod.periods
        )
        return not founding and attended[person.id] < NEWCOMER_SESSIONS

    def _prep_messages(
        self,
        pod: _PodPlan,
        key: _Key,
        seats: list[_Person],
        coach: _Person | None,
        history: _History,
    ) -> None:
        at = key.starts_at - PREP_LEAD
        history.messages.append((at, prep_key(key), pod.channel_id))  # type: ignore[arg-type]
        for person in seats:
            history.messages.append((at, prep_dm_key(key, person.user_id), person.user_id))  # type: ignore[arg-type]
        if coach is not None:
            history.messages.append((at, brief_key(key), coach.user_id))  # type: ignore[arg-type]

    def _held(
        self, pod: _PodPlan, row: dict[str, Any], seats: list[_Person], history: _History
    ) -> None:
        rng = self.rng
        start, end, session_id = row["starts_at"], row["ends_at"], row["id"]
        key = _Key(session_id, start)
        if end > self.now - timedelta(hours=24) or rng.random() < 0.97:
            row["end_enqueued_at"] = end
            for person in seats:
                history.messages.append((end, end_key(key, person.user_id), person.user_id))  # type: ignore[arg-type]
        if not seats or rng.random() < 0.07:
            return  # nobody came this time
        if rng.random() < 0.85:
            row["held_at"] = start + timedelta(minutes=rng.randint(5, 44))
        next_day = (start + timedelta(weeks=pod.interval_weeks)).date()
        for person in seats:
            if rng.random() > 0.85:
                continue
            if rng.random() < 0.7:
                self._checkin(person, session_id, start, next_day, history)
            written = end + timedelta(minutes=rng.randint(5, 60 * 36))
            if written < self.now and rng.random() < 0.62:
                self._reflection(person, session_id, written, history)
            answered = end + timedelta(minutes=rng.randint(2, 60 * 20))
            if answered < self.now and rng.random() < 0.55:
                fit = rng.random()
                history.pulses.append(
                    {
                        "id": self._id("pulses"),
                        "team_id": self.team_id,
                        "session_id": session_id,
                        "member_id": person.id,
                        "usefulness": rng.choices((2, 3, 4, 5), weights=(5, 20, 45, 30))[0],
                        "pod_fit": PodFit.FINE
                        if fit < 0.93
                        else (PodFit.DIFFERENT if fit < 0.97 else None),
                        "created_at": answered,
                        "updated_at": answered,
                    }
                )

    def _checkin(
        self,
        person: _Person,
        session_id: int,
        start: datetime,
        next_day: date,
        history: _History,
    ) -> None:
        rng = self.rng
        written = start - timedelta(minutes=rng.randint(30, 60 * 30))
        checkin_id = self._id("checkins")
        history.checkins.append(
            {
                "id": checkin_id,
                "team_id": self.team_id,
                "session_id": session_id,
                "member_id": person.id,
                "intent": rng.choice(INTENTS),
                "exploration": rng.choice(EXPLORATIONS),
                "share_intent": rng.random() < 0.8,
                "scenario_key": rng.choice(self.scenarios)
                if self.scenarios and rng.random() < 0.3
                else None,
                "sensitive": False,
                "created_at": written,
                "updated_at": written,
            }
        )
        if rng.random() >= 0.45:
            return
        experiment_id = self._id("experiments")
        zone = zone_named(person.tz)
        nudge_at = nudge_instant(next_day, zone)
        status, resolved, note, nudged = ExperimentStatus.OPEN, None, None, None
        if nudge_at <= self.now:
            nudged = nudge_at
            history.messages.append((nudge_at, nudge_key(experiment_id), person.user_id))
            roll = rng.random()
            resolved_at = nudge_at + timedelta(hours=rng.randint(1, 80))
            if roll < 0.8 and resolved_at < self.now:
                tried = roll < 0.62
                status = ExperimentStatus.TRIED if tried else ExperimentStatus.DROPPED
                resolved = resolved_at
                note = rng.choice(OUTCOMES) if tried else None
        history.experiments.append(
            {
                "id": experiment_id,
                "team_id": self.team_id,
                "member_id": person.id,
                "session_id": session_id,
                "checkin_id": checkin_id,
                "text": rng.choice(EXPERIMENTS),
                "due_date": next_day,
                "status": status,
                "outcome_note": note,
                "nudged_at": nudged,
                "resolved_at": resolved,
                "created_at": written,
            }
        )

    def _reflection(
        self, person: _Person, session_id: int | None, written: datetime, history: _History
    ) -> None:
        rng = self.rng
        shared = rng.random() < 0.45
        history.reflections.append(
            {
                "id": self._id("reflections"),
                "team_id": self.team_id,
                "member_id": person.id,
                "session_id": session_id,
                "insight": rng.choice(INSIGHTS),
                "action": rng.choice(ACTIONS),
                "share_in_digest": shared,
                "source": rng.choices(("button", "command", "home"), weights=(60, 25, 15))[0],
                "digest_id": None,
                "withdrawn_at": written + timedelta(hours=2)
                if shared and rng.random() < 0.02
                else None,
                "created_at": written,
            }
        )

    # ----------------------------------------------------------------- kudos, digests

    def _kudos(self, history: _History) -> None:
        rng = self.rng
        if not self.values or self.weeks == 0:
            return
        by_pod_now = {pod.id: [p.person for p in pod.periods] for pod in self.pods}
        per_week = max(1, round(self.member_count * 0.15))
        for week in range(self.weeks):
            for _ in range(per_week):
                pod = rng.choice(self.pods)
                people = by_pod_now[pod.id]
                if len(people) < 2:
                    continue
                giver = rng.choice(people)
                others = [p for p in people if p is not giver]
                receivers = rng.sample(others, k=min(len(others), 2 if rng.random() < 0.1 else 1))
                given = self.start + timedelta(weeks=week, minutes=rng.randint(0, 7 * 24 * 60))
                if given >= self.now:
                    continue
                batch = f"{rng.getrandbits(128):032x}"
                value, words = rng.choice(self.values), rng.choice(KUDOS_TEXTS)
                private = rng.random() < 0.1
                for receiver in receivers:
                    history.kudos.append(
                        {
                            "id": self._id("kudos"),
                            "team_id": self.team_id,
                            "giver_member_id": giver.id,
                            "receiver_member_id": receiver.id,
                            "value": value,
                            "text": words,
                            "is_private": private,
                            "batch_key": batch,
                            "created_at": given,
                        }
                    )
                    history.messages.append(
                        (
                            given,
                            f"kudos:{self.team_id}:{batch}:{receiver.user_id}",
                            receiver.user_id,
                        )
                    )

    def _assign_digests(self, history: _History, digests: list[dict[str, Any]]) -> None:
        """Each digest releases the shared reflections written before it (within the
        hold-over limit) once K_text distinct people wrote them, as anonymity.release."""
        from bot.services.anonymity import HOLD_OVER_LIMIT

        shared = sorted(
            (r for r in history.reflections if r["share_in_digest"] and not r["withdrawn_at"]),
            key=lambda r: (r["created_at"], r["id"]),
        )
        waiting: list[dict[str, Any]] = []
        cursor = 0
        for digest in digests:
            cutoff = digest["posted_at"]
            while cursor < len(shared) and shared[cursor]["created_at"] < cutoff:
                waiting.append(shared[cursor])
                cursor += 1
            waiting = [r for r in waiting if r["created_at"] >= cutoff - HOLD_OVER_LIMIT]
            if len({r["member_id"] for r in waiting}) >= DEFAULT_K_TEXT:
                for reflection in waiting:
                    reflection["digest_id"] = digest["id"]
                waiting = []

    # ----------------------------------------------------------------- outbox

    def _outbox(self, history: _History, digests: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        from bot.notify.digest import digest_key
        from bot.notify.welcome import welcome_key

        for person in self.people:
            joined = self.first_joined.get(person.id)
            if joined is not None and joined <= self.now:
                history.messages.append(
                    (joined, welcome_key(self.team_id, person.user_id), person.user_id)
                )
        for digest in digests:
            history.messages.append(
                (
                    digest["posted_at"],
                    digest_key(self.team_id, digest["week_start"]),
                    self.digest_channel,
                )
            )
        history.messages.sort(key=lambda m: (m[0], m[1]))
        for at, key, channel in history.messages:
            yield self._outbox_row(at, key, channel)

    def _outbox_row(self, at: datetime, key: str, channel: str) -> dict[str, Any]:
        self.outbox_seq += 1
        payload = {"channel": channel, "text": _summary_text(key)}
        sent = at + timedelta(seconds=1 + self.outbox_seq % 5)
        row: dict[str, Any] = {
            "id": self._id("outbox_messages"),
            "team_id": self.team_id,
            "dedupe_key": key,
            "method": POST_MESSAGE,
            "payload": payload,
            "status": OutboxStatus.SENT,
            "not_before": at,
            "attempts": 1,
            "claimed_at": at,
            "claimed_by": "seed",
            "sent_at": sent,
            "error": None,
            "result_channel": channel if channel.startswith("C") else f"D{channel[1:]}",
            "result_ts": f"{int(sent.timestamp())}.{self.outbox_seq % 1_000_000:06d}",
            "created_at": at,
        }
        derived = outbox_columns(key, POST_MESSAGE, payload)
        row.update({k: v for k, v in derived.items() if k in self._outbox_columns})
        return row

    # ----------------------------------------------------------------- summary

    def summary(self, counts: dict[str, int]) -> SeedSummary:
        people = tuple(
            SeedPerson(
                user_id=p.user_id,
                real_name=p.real_name,
                display_name=p.display_name,
                tz=p.tz,
                title=p.title,
                team=p.team,
                is_leader=p.is_leader,
                is_admin=p.is_admin,
            )
            for p in self.people
        )
        pods = tuple(
            SeedPod(
                name=pod.name,
                channel_id=pod.channel_id,
                timezone=pod.timezone,
                weekday=pod.weekday,
                local_time=pod.local_time,
                user_ids=tuple(p.person.user_id for p in pod.periods if p.left_at is None),
            )
            for pod in self.pods
        )
        return SeedSummary(
            team_id=self.team_id,
            digest_channel_id=self.digest_channel,
            people=people,
            pods=pods,
            counts=counts,
        )


@dataclass
class _History:
    sessions: list[dict[str, Any]] = field(default_factory=list)
    skips: list[dict[str, Any]] = field(default_factory=list)
    buddies: list[dict[str, Any]] = field(default_factory=list)
    checkins: list[dict[str, Any]] = field(default_factory=list)
    experiments: list[dict[str, Any]] = field(default_factory=list)
    reflections: list[dict[str, Any]] = field(default_factory=list)
    pulses: list[dict[str, Any]] = field(default_factory=list)
    kudos: list[dict[str, Any]] = field(default_factory=list)
    messages: list[tuple[datetime, str, str]] = field(default_factory=list)
    """(when, dedupe key, channel or user id) of every message sent."""


# --------------------------------------------------------------------------- helpers


def _slug(team_id: str) -> str:
    cleaned = "".join(ch for ch in team_id.upper() if ch.isalnum())
    return (cleaned[1:] if cleaned.startswith("T") else cleaned) or "X"


def _role(team: str) -> str:
    return {
        "Engineering": "Engineer",
        "Product": "Product Manager",
        "Design": "Designer",
        "Sales": "Account Executive",
        "Customer Success": "Customer Success Manager",
        "Marketing": "Marketer",
        "Operations": "Operations Specialist",
        "Finance": "Analyst",
        "People": "People Partner",
        "Data": "Data Scientist",
    }[team]


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    if count <= len(pairs):
        return pairs[:count]
    names = list(pairs)
    while len(names) < count:  # more people than pairs: middle initials
        first, last = pairs[len(names) % len(pairs)]
        initial = chr(ord("A") + (len(names) // len(pairs) - 1) % 26)
        names.append((f"{first} {initial}.", last))
    return names


def _pod_names(rng: random.Random, count: int) -> list[str]:
    pairs = [f"{a} {n}" for a in POD_ADJECTIVES for n in POD_NOUNS]
    rng.shuffle(pairs)
    return [
        pairs[i % len(pairs)] + ("" if i < len(pairs) else f" {i // len(pairs) + 1}")
        for i in range(count)
    ]


def _summary_text(key: str) -> str:
    kind = key.split(":", 1)[0]
    return {
        "prep": "Your pod meets soon: check in before the session.",
        "brief": "You coach the next session: here is your brief.",
        "end": "How did it go? Capture a reflection.",
        "nudge": "Did you try your experiment?",
        "kudos": "You received kudos!",
        "digest": "This week's learning digest",
        "welcome": "Welcome to the coaching program!",
        "cancel": "This session is cancelled.",
    }.get(kind, "Coachbot")
