"""The weekly digest (DESIGN §4): which workspaces are due, what their digest says,
and the claim that makes it exactly one per workspace per week.

A week's digest is due once the program's weekday and local time (in the program's
timezone) have passed in that week (Monday to Sunday, local). It covers the seven
days before that instant, so consecutive digests tile time. Claiming inserts the
digests row (unique per team and week) with ON CONFLICT DO NOTHING: whichever
worker or retry gets there second finds it taken and does nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.services import anonymity, program
from bot.services.cadence import zone_named
from bot.services.refusals import Refusal
from bot.services.sessions import held_clause
from bot.services.themes import CUSTOM_PREFIX, theme_title
from models import (
    Digest,
    Experiment,
    ExperimentStatus,
    Kudos,
    Member,
    Pod,
    PodSession,
    ProgramSettings,
    Reflection,
    SessionStatus,
)
from models.community_views import (
    DigestDue,
    DigestFacts,
    KudosLine,
    LearningGroup,
    PodStreak,
    WaitingLearning,
    WeekCounts,
)

WEEK = timedelta(days=7)
GENERAL_GROUP = "More learnings"
MAX_KUDOS_SHOWN = 20
MAX_STREAK_LOOKBACK = 52


class NoProgram(Refusal):
    """Nothing to show: the workspace has no program yet."""


# --------------------------------------------------------------------------- when


def week_start_of(settings: ProgramSettings, now: datetime) -> date:
    """The Monday of `now`'s week on the program's calendar."""
    local = now.astimezone(zone_named(settings.digest_timezone)).date()
    return local - timedelta(days=local.weekday())


def due_at(settings: ProgramSettings, week_start: date) -> datetime:
    """The instant the week's digest is due: its weekday and local time."""
    day = week_start + timedelta(days=settings.digest_weekday % 7)
    local = datetime.combine(day, settings.digest_time, tzinfo=zone_named(settings.digest_timezone))
    return local.astimezone(ZoneInfo("UTC"))


def _program_teams(tx: Session) -> list[str]:
    with_settings = select(ProgramSettings.team_id)
    with_pods = select(Pod.team_id).where(Pod.archived_at.is_(None)).distinct()
    return sorted(set(tx.scalars(with_settings)) | set(tx.scalars(with_pods)))


def due_digests(tx: Session, now: datetime) -> list[DigestDue]:
    """Workspaces whose digest for this week is due and has not been claimed."""
    teams = _program_teams(tx)
    if not teams:
        return []
    settings = {s.team_id: s for s in tx.scalars(select(ProgramSettings))}
    due: list[DigestDue] = []
    for team_id in teams:
        team_settings = settings.get(team_id) or program.defaults(team_id)
        week_start = week_start_of(team_settings, now)
        at = due_at(team_settings, week_start)
        if now >= at:
            due.append(DigestDue(team_id, week_start, at, team_settings.digest_channel_id))
    if not due:
        return []
    claimed = set(
        tx.execute(
            select(Digest.team_id, Digest.week_start).where(
                Digest.team_id.in_([d.team_id for d in due]),
                Digest.week_start.in_(sorted({d.week_start for d in due})),
            )
        ).all()
    )
    return [d for d in due if (d.team_id, d.week_start) not in {tuple(c) for c in claimed}]


def already_out(tx: Session, team_id: str, week_start: date) -> bool:
    return (
        tx.scalar(
            select(Digest.id).where(Digest.team_id == team_id, Digest.week_start == week_start)
        )
        is not None
    )


# --------------------------------------------------------------------------- what


def compose(
    tx: Session, team_id: str, week_start: date, now: datetime, *, lock: bool = False
) -> DigestFacts:
    """The digest of one week as of `now` (never past its due instant). Writes nothing;
    `lock` holds the candidate reflections for the caller's transaction."""
    settings = program.get_settings(tx, team_id)
    cutoff = min(now, due_at(settings, week_start))
    start = cutoff - WEEK
    names, pod_names = anonymity.known_names(tx, team_id)
    waiting = anonymity.candidates(tx, team_id, cutoff, lock=lock)
    outcome = anonymity.release(waiting, settings.k_text)
    seed = f"{team_id}:{week_start.isoformat()}"
    learnings = _grouped(anonymity.shuffled(outcome.released, seed), names, pod_names)
    kudos, more_kudos = _public_kudos(tx, team_id, start, cutoff)
    return DigestFacts(
        team_id=team_id,
        week_start=week_start,
        channel_id=settings.digest_channel_id,
        counts=_counts(tx, team_id, start, cutoff),
        learnings=learnings,
        kudos=kudos,
        more_kudos=more_kudos,
        pods=_streaks(tx, team_id, cutoff),
        waiting=outcome.held_count,
        released_ids=tuple(c.reflection_id for c in outcome.released),
    )


def preview(tx: Session, team_id: str, now: datetime) -> DigestFacts:
    """This week's digest as it would read now; nothing is written."""
    if tx.get(ProgramSettings, team_id) is None and not _has_pods(tx, team_id):
        raise NoProgram(
            "There is no program here yet: create a pod or save the settings in /coach admin first."
        )
    settings = program.get_settings(tx, team_id)
    return compose(tx, team_id, week_start_of(settings, now), now)


def _has_pods(tx: Session, team_id: str) -> bool:
    return tx.scalar(select(Pod.id).where(Pod.team_id == team_id).limit(1)) is not None


def _grouped(
    released: Iterable[anonymity.Candidate], names: list[str], pod_names: list[str]
) -> tuple[LearningGroup, ...]:
    """Under the shipped theme of the learning's session, when the theme's learnings
    come from more than one pod and author (so a theme never points at one pod);
    the rest in a general group."""
    by_theme: dict[str, list[anonymity.Candidate]] = defaultdict(list)
    for candidate in released:
        key = candidate.theme_key
        shared_theme = key is not None and not key.startswith(CUSTOM_PREFIX)
        by_theme[key if shared_theme else ""].append(candidate)
    general = by_theme.pop("", [])
    groups: list[LearningGroup] = []
    for key in sorted(by_theme, key=theme_title):
        items = by_theme[key]
        pods = {c.pod_id for c in items}
        authors = {c.member_id for c in items}
        if len(pods) < 2 or len(authors) < 2:
            general.extend(items)
            continue
        groups.append(LearningGroup(theme_title(key), _texts(items, names, pod_names)))
    if general:
        groups.append(LearningGroup(GENERAL_GROUP, _texts(general, names, pod_names)))
    return tuple(groups)


def _texts(
    items: Iterable[anonymity.Candidate], names: list[str], pod_names: list[str]
) -> tuple[str, ...]:
    scrubbed = (anonymity.scrub(c.insight, names, pod_names) for c in items)
    return tuple(text for text in scrubbed if text)


def _counts(tx: Session, team_id: str, start: datetime, end: datetime) -> WeekCounts:
    def count(statement) -> int:  # type: ignore[no-untyped-def]
        return int(tx.scalar(statement) or 0)

    held = count(
        select(func.count(PodSession.id)).where(
            PodSession.team_id == team_id,
            PodSession.starts_at >= start,
            PodSession.starts_at < end,
            PodSession.status == SessionStatus.SCHEDULED,
            held_clause(),
        )
    )
    in_week = (Reflection.team_id == team_id, Reflection.created_at >= start)
    insights = count(select(func.count(Reflection.id)).where(*in_week, Reflection.created_at < end))
    reflection_actions = count(
        select(func.count(Reflection.id)).where(
            *in_week, Reflection.created_at < end, Reflection.action != ""
        )
    )
    experiments_committed = count(
        select(func.count(Experiment.id)).where(
            Experiment.team_id == team_id,
            Experiment.created_at >= start,
            Experiment.created_at < end,
        )
    )
    tried = count(
        select(func.count(Experiment.id)).where(
            Experiment.team_id == team_id,
            Experiment.resolved_at >= start,
            Experiment.resolved_at < end,
            Experiment.status == ExperimentStatus.TRIED,
        )
    )
    kudos = count(
        select(func.count(Kudos.id)).where(
            Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end
        )
    )
    return WeekCounts(
        sessions_held=held,
        insights=insights,
        actions=reflection_actions + experiments_committed,
        experiments_tried=tried,
        kudos=kudos,
    )


def _public_kudos(
    tx: Session, team_id: str, start: datetime, end: datetime
) -> tuple[tuple[KudosLine, ...], int]:
    rows = tx.execute(
        select(Kudos.id, Kudos.batch_key, Kudos.value, Kudos.text, Kudos.giver_member_id)
        .add_columns(Kudos.receiver_member_id)
        .where(
            Kudos.team_id == team_id,
            Kudos.created_at >= start,
            Kudos.created_at < end,
            Kudos.is_private.is_(False),
        )
        .order_by(Kudos.created_at, Kudos.id)
    ).all()
    if not rows:
        return (), 0
    people_ids = {r.giver_member_id for r in rows} | {r.receiver_member_id for r in rows}
    people = {m.id: m.name for m in tx.scalars(select(Member).where(Member.id.in_(people_ids)))}
    batches: dict[str, list] = {}
    for row in rows:
        batches.setdefault(row.batch_key or f"id:{row.id}", []).append(row)
    lines = [
        KudosLine(
            giver=people.get(batch[0].giver_member_id, "someone"),
            receivers=tuple(people.get(r.receiver_member_id, "someone") for r in batch),
            value=batch[0].value,
            text=batch[0].text,
        )
        for batch in batches.values()
    ]
    return tuple(lines[:MAX_KUDOS_SHOWN]), max(0, len(lines) - MAX_KUDOS_SHOWN)


def _streaks(tx: Session, team_id: str, cutoff: datetime) -> tuple[PodStreak, ...]:
    pods = list(
        tx.scalars(
            select(Pod)
            .where(Pod.team_id == team_id, Pod.celebrate.is_(True), Pod.archived_at.is_(None))
            .order_by(Pod.name)
        )
    )
    if not pods:
        return ()
    # One read for every pod that opted in, bounded by the longest look-back: never a
    # pass over every session of the program per pod.
    since = cutoff - WEEK * MAX_STREAK_LOOKBACK * max(pod.interval_weeks for pod in pods)
    recent: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    for pod_id, starts_at, held in tx.execute(
        select(PodSession.pod_id, PodSession.starts_at, held_clause()).where(
            PodSession.pod_id.in_([pod.id for pod in pods]),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at >= since,
            PodSession.starts_at < cutoff,
        )
    ):
        recent[pod_id].append((starts_at, bool(held)))
    streaks: list[PodStreak] = []
    for pod in pods:
        held_flags = [
            held for _, held in sorted(recent[pod.id], reverse=True)[:MAX_STREAK_LOOKBACK]
        ]
        in_a_row = 0
        for held in held_flags:
            if not held:
                break
            in_a_row += 1
        if in_a_row:
            streaks.append(PodStreak(pod.name, in_a_row))
    return tuple(streaks)


# --------------------------------------------------------------------------- claim


def take(tx: Session, team_id: str, week_start: date, now: datetime) -> DigestFacts | None:
    """Takes the week's digest for this worker, in the caller's transaction: claims the
    digests row, composes the digest and marks the released reflections with it. None
    when another worker (or an earlier tick, or "Post now") has it already."""
    settings = program.get_settings(tx, team_id)
    values = {
        "team_id": team_id,
        "week_start": week_start,
        "channel_id": settings.digest_channel_id,
        "posted_at": now,
        "created_at": now,
    }
    dialect = tx.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(Digest).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(Digest).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        statement = insert(Digest).values(values)
    digest_id = tx.execute(statement.returning(Digest.id)).scalar()
    if digest_id is None:
        return None
    facts = compose(tx, team_id, week_start, now, lock=True)
    if facts.released_ids:
        tx.execute(
            update(Reflection)
            .where(Reflection.id.in_(facts.released_ids))
            .values(digest_id=digest_id)
        )
    return facts


# --------------------------------------------------------------------------- withdraw


class NotYours(Refusal):
    """A learning that is not the person's own, or no longer waiting."""


def _waiting_mine(team_id: str, user_id: str):  # type: ignore[no-untyped-def]
    return (
        select(Reflection)
        .join(Member, Member.id == Reflection.member_id)
        .where(
            Reflection.team_id == team_id,
            Member.team_id == team_id,
            Member.user_id == user_id,
            Reflection.share_in_digest.is_(True),
            Reflection.withdrawn_at.is_(None),
            Reflection.digest_id.is_(None),
        )
    )


def waiting_learnings(tx: Session, team_id: str, user_id: str) -> list[WaitingLearning]:
    """My shared learnings no digest has carried yet (newest first)."""
    rows = tx.scalars(
        _waiting_mine(team_id, user_id).order_by(Reflection.created_at.desc(), Reflection.id.desc())
    )
    return [WaitingLearning(r.id, r.insight, r.created_at) for r in rows]


def withdraw(tx: Session, team_id: str, user_id: str, reflection_id: int, now: datetime) -> None:
    """Takes my learning out of the digest before it goes out; it never appears."""
    reflection = tx.scalar(
        _waiting_mine(team_id, user_id).where(Reflection.id == reflection_id).with_for_update()
    )
    if reflection is None:
        raise NotYours(
            "That learning is not waiting for the digest any more "
            "(it went out, or it was withdrawn already)."
        )
    reflection.withdrawn_at = now
