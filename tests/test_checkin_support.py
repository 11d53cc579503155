"""Shared set-up for the session-loop tests (check-in, reflection, experiments,
App Home, privacy): people known to Slack and to the bot, a pod with a channel,
its first session scheduled by the real scheduling service. No tests here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.services import sessions as sessions_service
from models import (
    CheckIn,
    Experiment,
    ExperimentStatus,
    Member,
    OutboxMessage,
    Pod,
    PodMembership,
    PodSession,
    Reflection,
)
from slack_standin.blockcheck import buttons, visible_text

TEAM = "T0001"
ALICE, BOB, CAROL, DAN = "U0ALICE", "U0BOB", "U0CAROL", "U0DAN"
OUTSIDER = "U0OUTSIDE"
ADMIN = "U0ADMIN"
POD_CHANNEL = "C0POD"
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)

PEOPLE = {
    ALICE: ("alice", "Europe/London"),
    BOB: ("bob", "America/New_York"),
    CAROL: ("carol", "Asia/Tokyo"),
    DAN: ("dan", "Europe/Berlin"),
    OUTSIDER: ("olivia", "Europe/London"),
    ADMIN: ("adam", "Europe/London"),
}


@dataclass
class World:
    pod_id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    coach_user_id: str | None


def add_people(slack: Any) -> None:
    for user_id, (name, tz) in PEOPLE.items():
        slack.add_user(user_id, name, tz=tz, is_admin=user_id == ADMIN)
    slack.add_channel(POD_CHANNEL, "pod-growth", members=[ALICE, BOB, CAROL])


def make_member(tx: Any, user_id: str, now: datetime, fresh: bool = True) -> Member:
    name, tz = PEOPLE.get(user_id, (user_id.lower(), "UTC"))
    member = tx.scalar(select(Member).where(Member.team_id == TEAM, Member.user_id == user_id))
    if member is None:
        member = Member(
            team_id=TEAM,
            user_id=user_id,
            display_name=name,
            real_name=name.title(),
            tz=tz,
            is_slack_admin=user_id == ADMIN,
            profile_refreshed_at=now if fresh else None,
            created_at=LONG_AGO,
        )
        tx.add(member)
        tx.flush()
    return member


def make_pod(
    tx: Any,
    name: str,
    user_ids: list[str],
    now: datetime,
    *,
    weekday: int = 1,
    at: time = time(15, 0),
    tz: str = "Europe/London",
    channel_id: str | None = POD_CHANNEL,
) -> Pod:
    pod = Pod(
        team_id=TEAM,
        name=name,
        name_key=name.lower(),
        weekday=weekday,
        local_time=at,
        timezone=tz,
        interval_weeks=1,
        duration_minutes=45,
        channel_id=channel_id,
        created_by=user_ids[0],
        created_at=LONG_AGO,
    )
    tx.add(pod)
    tx.flush()
    for user_id in user_ids:
        member = make_member(tx, user_id, now)
        tx.add(PodMembership(team_id=TEAM, pod_id=pod.id, member_id=member.id, joined_at=LONG_AGO))
    tx.flush()
    return pod


def build_world(
    db: Any,
    now: datetime,
    members: tuple[str, ...] = (ALICE, BOB, CAROL),
    name: str = "Growth",
    seasoned: bool = False,
    **pod_options: Any,
) -> World:
    """A pod with its next session scheduled (by the scheduling service). A
    `seasoned` pod has met twice before, so nobody is a newcomer and the next
    session has a coach."""
    with db.transaction() as tx:
        for user_id in (OUTSIDER, ADMIN):
            make_member(tx, user_id, now)
        pod = make_pod(tx, name, list(members), now, **pod_options)
        if seasoned:
            coaches = [make_member(tx, user_id, now).id for user_id in members[:2]]
            for coach_id, days_ago in zip(coaches, (14, 7), strict=True):
                start = datetime(2026, 3, 3, 15, 0, tzinfo=UTC) - timedelta(days=days_ago)
                tx.add(
                    PodSession(
                        team_id=TEAM,
                        pod_id=pod.id,
                        starts_at=start,
                        ends_at=start + timedelta(minutes=45),
                        coach_member_id=coach_id,
                        held_at=start + timedelta(minutes=45),
                        prep_enqueued_at=start - timedelta(hours=24),
                        end_enqueued_at=start + timedelta(minutes=45),
                        created_at=LONG_AGO,
                    )
                )
            tx.flush()
        sessions_service.schedule_upcoming(tx, now, [pod.id])
        pod_session = tx.scalar(
            select(PodSession)
            .where(PodSession.pod_id == pod.id)
            .order_by(PodSession.starts_at.desc())
            .limit(1)
        )
        coach = tx.get(Member, pod_session.coach_member_id or -1)
        return World(
            pod_id=pod.id,
            session_id=pod_session.id,
            starts_at=pod_session.starts_at,
            ends_at=pod_session.ends_at,
            coach_user_id=coach.user_id if coach else None,
        )


def add_session(db: Any, pod_id: int, starts_at: datetime, minutes: int = 45) -> int:
    with db.transaction() as tx:
        row = PodSession(
            team_id=TEAM,
            pod_id=pod_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            created_at=LONG_AGO,
        )
        tx.add(row)
        tx.flush()
        return row.id


# --------------------------------------------------------------------- what a person sees


def modal_on_screen(slack: Any, user_id: str) -> dict[str, Any]:
    views = slack.open_views(user_id)
    assert views, f"no modal open for {user_id}; problems: {slack.problems}"
    return views[-1]


def ephemeral_texts(slack: Any, user_id: str) -> list[str]:
    return [visible_text(message) for message in slack.ephemerals(user_id)]


def last_ephemeral(slack: Any, user_id: str) -> str:
    texts = ephemeral_texts(slack, user_id)
    assert texts, f"no ephemeral for {user_id}"
    return texts[-1]


def button_texts(surface: Any) -> list[str]:
    return [text for text, _, _ in buttons(surface)]


def input_labels(view: dict[str, Any]) -> list[str]:
    return [
        block["label"]["text"] for block in view.get("blocks", []) if block.get("type") == "input"
    ]


def checkin_values(
    intent: str = "How do I say no to scope creep without losing the team's trust?",
    exploration: str = "I assume saying no reads as not being a team player.",
    experiment: str = "Decline one request this week with a clear reason.",
    due: date | None = None,
    share: bool = True,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "intent": intent,
        "exploration": exploration,
        "experiment": experiment,
        "share": ["share"] if share else [],
    }
    if due is not None:
        values["due_date"] = due.isoformat()
    return values


def rows(db: Any, model: Any) -> list[Any]:
    with db.transaction() as tx:
        return list(tx.scalars(select(model).order_by(model.id)))


def checkins(db: Any) -> list[CheckIn]:
    return rows(db, CheckIn)


def experiments(db: Any) -> list[Experiment]:
    return rows(db, Experiment)


def reflections(db: Any) -> list[Reflection]:
    return rows(db, Reflection)


def outbox_rows(db: Any) -> list[OutboxMessage]:
    return rows(db, OutboxMessage)


def make_experiment(
    db: Any,
    user_id: str,
    text: str,
    due: date,
    *,
    session_id: int | None = None,
    created_at: datetime = LONG_AGO,
    status: str = ExperimentStatus.OPEN,
) -> int:
    with db.transaction() as tx:
        member = make_member(tx, user_id, created_at)
        experiment = Experiment(
            team_id=TEAM,
            member_id=member.id,
            session_id=session_id,
            text=text,
            due_date=due,
            status=status,
            created_at=created_at,
        )
        tx.add(experiment)
        tx.flush()
        return experiment.id
