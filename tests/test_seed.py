"""Demo data (`coachbot seed --demo`): the sizes asked for, the same data for the same
seed, and data the real bot works on — tick, `/coach stats`, App Home and the digest
through the signed endpoint — plus the command line's refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import seed_cli
from bot.seed import INSIGHTS, TIMEZONES, SeedRefused, seed_demo
from bot.tick import tick
from models import (
    CheckIn,
    Digest,
    Experiment,
    Member,
    MemberProfile,
    OutboxMessage,
    Pod,
    PodMembership,
    PodSession,
    Reflection,
    SessionStatus,
)
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import TEAM, last_ephemeral

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # a Monday morning


def demo(db, team_id: str = TEAM, *, pods: int = 3, members: int = 12, weeks: int = 4, seed=0):
    return seed_demo(
        db, team_id=team_id, pods=pods, members=members, weeks=weeks, now=NOW, rng_seed=seed
    )


def count(db, model, *where) -> int:
    with db.transaction() as tx:
        return int(tx.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def people_in_slack(slack, summary) -> None:
    for person in summary.people:
        slack.add_user(
            person.user_id,
            person.display_name,
            real_name=person.real_name,
            tz=person.tz,
            is_admin=person.is_admin,
        )


# --------------------------------------------------------------------------- sizes


def test_a_small_demo_has_the_people_pods_and_weeks_asked_for(db):
    summary = demo(db)
    assert len(summary.people) == 12 and len({p.user_id for p in summary.people}) == 12
    assert {p.tz for p in summary.people} <= set(TIMEZONES)
    assert len(summary.pods) == 3
    assert sorted(u for pod in summary.pods for u in pod.user_ids) == sorted(
        p.user_id for p in summary.people
    )
    assert count(db, Member, Member.team_id == TEAM) == 12
    assert count(db, Pod, Pod.team_id == TEAM) == 3
    assert count(db, PodMembership, PodMembership.left_at.is_(None)) == 12
    # Every pod has its next session scheduled (so tick owes it nothing), and about
    # a session a week behind it.
    with db.transaction() as tx:
        upcoming = tx.scalars(
            select(PodSession.pod_id).where(
                PodSession.status == SessionStatus.SCHEDULED, PodSession.ends_at > NOW
            )
        ).all()
        past = tx.scalar(select(func.count()).where(PodSession.ends_at <= NOW))
    assert sorted(upcoming) == sorted(set(upcoming)) and len(upcoming) == 3
    assert 3 * 3 <= past <= 3 * 5
    assert count(db, CheckIn) > 0 and count(db, Reflection) > 0 and count(db, Experiment) > 0
    assert count(db, Digest) == 4  # one a week, each posted on Friday
    assert summary.counts["members"] == 12
    assert count(db, MemberProfile) == 12  # team and level, for matching
    # The outbox rows carry their structured columns, as the bot writes them.
    assert count(db, OutboxMessage, OutboxMessage.kind == "prep") > 0
    assert count(db, OutboxMessage, OutboxMessage.recipient.is_(None)) == 0
    assert summary.counts["outbox_messages"] == count(db, OutboxMessage)


def test_the_same_seed_gives_the_same_people_and_another_seed_other_people(db):
    first = demo(db, "T0AAA")
    again = demo(db, "T0BBB")
    other = demo(db, "T0CCC", seed=7)
    assert [(p.real_name, p.tz, p.title) for p in first.people] == [
        (p.real_name, p.tz, p.title) for p in again.people
    ]
    assert [(p.name, p.weekday, p.local_time) for p in first.pods] == [
        (p.name, p.weekday, p.local_time) for p in again.pods
    ]
    assert first.counts == again.counts
    assert [p.real_name for p in first.people] != [p.real_name for p in other.people]


def test_a_team_with_people_already_is_never_seeded_twice(db):
    demo(db)
    with pytest.raises(SeedRefused, match="already has members or pods"):
        demo(db)
    assert count(db, Member) == 12


# --------------------------------------------------------------------------- the bot on it


def test_tick_owes_nothing_right_after_seeding_and_sends_the_next_reminders(db):
    demo(db, pods=5, members=20, weeks=3)
    before = count(db, OutboxMessage)
    assert tick(db, NOW) == 0
    with db.transaction() as tx:
        next_start = tx.scalar(
            select(func.min(PodSession.starts_at)).where(
                PodSession.starts_at > NOW, PodSession.prep_enqueued_at.is_(None)
            )
        )
    # The day before the soonest session not reminded yet: its reminders go out, once.
    created = tick(db, next_start - timedelta(hours=23))
    assert created > 0
    assert tick(db, next_start - timedelta(hours=23)) == 0
    with db.transaction() as tx:
        keys = tx.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.id > before)).all()
    assert len(keys) == created and any(key.startswith("prep:") for key in keys)


def test_coach_stats_answers_a_seeded_member_and_the_program_admin(db, signed, slack, clock):
    summary = demo(db, weeks=6)
    people_in_slack(slack, summary)
    clock.set(NOW)
    member = next(p for p in summary.people if not p.is_admin)
    response = signed.command(member.user_id, "stats")
    assert response.status == 200 and not response.problems
    text = last_ephemeral(slack, member.user_id)
    assert "Learning velocity" in text and "You" in text and "Sessions held" in text
    pod = next(p for p in summary.pods if member.user_id in p.user_ids)
    assert pod.name in text
    admin = summary.people[0]
    assert admin.is_admin
    signed.command(admin.user_id, "stats")
    text = last_ephemeral(slack, admin.user_id)
    assert "The program" in text and "12 people in pods" in text
    assert slack.failed_calls() == [] and slack.problems == []


def test_app_home_shows_a_seeded_member_their_next_session_and_pod(db, signed, slack, clock):
    summary = demo(db)
    people_in_slack(slack, summary)
    clock.set(NOW)
    pod = summary.pods[0]
    user_id = pod.user_ids[0]
    response = signed.app_home_opened(user_id)
    assert response.status == 200
    home = slack.home(user_id)
    assert home is not None
    text = visible_text(home)
    assert "Your next session" in text and pod.name in text
    assert slack.failed_calls() == [] and slack.problems == []


def test_the_weekly_digest_carries_the_shared_learnings_of_the_week(db):
    thursday = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    seed_demo(db, team_id=TEAM, pods=6, members=30, weeks=6, now=thursday)
    with db.transaction() as tx:
        carried = tx.scalar(select(func.count()).where(Reflection.digest_id.is_not(None)))
    assert carried > 0  # earlier digests released what people shared
    friday_digest = datetime(2026, 11, 27, 9, 5, tzinfo=UTC)  # Friday 09:00 London
    assert tick(db, friday_digest) > 0
    with db.transaction() as tx:
        payload = tx.scalar(
            select(OutboxMessage.payload).where(
                OutboxMessage.dedupe_key == f"digest:{TEAM}:2026-11-23"
            )
        )
    assert payload is not None
    text = visible_text({"blocks": payload["blocks"]})
    assert any(insight in text for insight in INSIGHTS)
    assert "Pods keeping the rhythm" in text  # the pods that opted in, with their streaks


# --------------------------------------------------------------------------- the command line


def cli(rt, *argv: str) -> int:
    parser = seed_cli.add_arguments(__import__("argparse").ArgumentParser(prog="coachbot seed"))
    return seed_cli.run(parser.parse_args(list(argv)), rt)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "say what to seed: --demo"),
        (("--demo", "--pods", "0"), "--pods must be between 1 and 10,000, not 0"),
        (("--demo", "--pods", "three"), "--pods must be a whole number, not 'three'"),
        (("--demo", "--pods", "3", "--members", "5"), "--members must be at least twice --pods"),
        (("--demo", "--weeks", "-1"), "--weeks must be between 0 and 520, not -1"),
        (("--demo", "--at", "yesterday"), "--at must be an ISO-8601 instant"),
        (("--demo", "--team", "acme"), "--team must be a Slack workspace id"),
    ],
)
def test_the_command_refuses_bad_arguments_in_one_line(rt, db, capsys, argv, message):
    assert cli(rt, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("coachbot seed: ") and message in err
    assert err.count("\n") == 1
    assert count(db, Member) == 0


def test_the_command_seeds_an_empty_database_and_refuses_a_full_one(rt, db, capsys):
    at = "2026-11-30T06:00:00+00:00"
    assert cli(rt, "--demo", "--pods", "2", "--members", "6", "--weeks", "2", "--at", at) == 0
    out = capsys.readouterr().out
    assert "seeded team T0DEMO: 6 people, 2 pods, 2 weeks of history" in out
    assert count(db, Member, Member.team_id == "T0DEMO") == 6

    assert cli(rt, "--demo", "--team", "T0OTHER", "--at", at) == 2
    err = capsys.readouterr().err
    assert err == (
        "coachbot seed: the database already has data; seed an empty database "
        "(or add --force to put the demo team beside it)\n"
    )
    assert cli(rt, "--demo", "--force", "--at", at) == 2
    assert "team T0DEMO already has members or pods" in capsys.readouterr().err
    assert cli(rt, "--demo", "--force", "--team", "T0OTHER", "--at", at) == 0
    assert count(db, Member, Member.team_id == "T0OTHER") == 12


def test_chosen_timezones_are_shared_evenly_and_each_pod_keeps_to_one(db):
    zones = ("America/New_York", "Europe/London", "Asia/Singapore")
    summary = seed_demo(db, team_id=TEAM, pods=3, members=12, weeks=2, now=NOW, timezones=zones)
    assert sorted(p.tz for p in summary.people) == sorted(zones * 4)
    assert sorted(pod.timezone for pod in summary.pods) == sorted(zones)
