"""tick(now): scheduled session messages, delivered through the real sender to the
Slack stand-in and read as a person sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import cli
from bot.sender import OutboxSender
from bot.services import sessions as svc
from bot.tick import tick
from models import (
    CheckIn,
    Experiment,
    Member,
    OutboxMessage,
    Pod,
    PodSession,
    ProgramSettings,
    SessionSkip,
)
from models.base import utcnow
from slack_standin.server import buttons, visible_text
from tests.conftest import _empty_all_tables
from tests.support.harness import BOT_TOKEN, SIGNING_SECRET
from tests.test_sessions import StatementCounter, seasoned_pod
from tests.test_sessions_factory import TEAM, join, make_member

MONDAY_9 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SESSION_START = datetime(2026, 3, 3, 15, tzinfo=UTC)  # Tuesday 15:00 London (GMT)
PREP_TIME = SESSION_START - timedelta(hours=24)
SESSION_END = SESSION_START + timedelta(minutes=45)


@pytest.fixture
def pod_in_slack(db, slack):
    """Pathfinders: U1 (London), U2 (New York), U3 (Paris), in channel CPOD."""
    zones = {"U1": "Europe/London", "U2": "America/New_York", "U3": "Europe/Paris"}
    for user_id, tz in zones.items():
        slack.add_user(user_id, user_id.lower(), tz=tz)
    slack.add_channel("CPOD", "pathfinders", members=list(zones))
    with db.transaction() as tx:
        pod, people = seasoned_pod(tx)
        for member in people:
            member.tz = zones[member.user_id]
        svc.schedule_upcoming(tx, MONDAY_9)
        upcoming = svc.next_session_for_pod(tx, pod.id, MONDAY_9)
        return {
            "pod_id": pod.id,
            "session_id": upcoming.id,
            "coach": next(m.user_id for m in people if m.id == upcoming.coach_member_id),
            "ids": {m.user_id: m.id for m in people},
        }


def deliver(rt, clock) -> str:
    return OutboxSender(rt.db, rt.client, clock=clock).drain()


def test_nothing_is_due_a_day_and_more_before(db, pod_in_slack):
    assert tick(db, MONDAY_9) == 0
    assert tick(db, PREP_TIME - timedelta(minutes=1)) == 0


def test_prep_reminder_in_the_channel_and_each_members_timezone(rt, clock, slack, pod_in_slack):
    session_id = pod_in_slack["session_id"]
    coach = pod_in_slack["coach"]
    clock.set(PREP_TIME)
    assert tick(rt.db, PREP_TIME) == 5  # channel, three DMs, coach brief
    deliver(rt, clock)

    (channel_message,) = slack.messages_to("CPOD")
    seen = visible_text(channel_message)
    assert "Tue 3 Mar, 15:00 (Europe/London)" in seen
    assert f"<@{coach}>" in seen
    assert "No intents shared yet" in seen
    assert ("We met", "session_we_met", str(session_id)) in buttons(channel_message)
    assert ("Set my intent", "checkin_open", str(session_id)) in buttons(channel_message)

    expected_times = {
        "U1": "Tue 3 Mar, 15:00 (Europe/London)",
        "U2": "Tue 3 Mar, 10:00 (America/New_York)",
        "U3": "Tue 3 Mar, 16:00 (Europe/Paris)",
    }
    for user_id, when in expected_times.items():
        dms = slack.dms(user_id)
        prep = dms[0]
        assert when in visible_text(prep)
        assert buttons(prep) == [("Set my intent", "checkin_open", str(session_id))]
        if user_id == coach:
            assert "Your role:* coach" in visible_text(prep)
            assert len(dms) == 2
            assert "Your coach brief" in visible_text(dms[1])
            assert "Questions you could ask" in visible_text(dms[1])
        else:
            assert "Your role:* participant" in visible_text(prep)
            assert len(dms) == 1


def test_tick_twice_or_earlier_after_later_enqueues_nothing_again(db, pod_in_slack):
    assert tick(db, PREP_TIME + timedelta(minutes=5)) == 5
    assert tick(db, PREP_TIME + timedelta(minutes=5)) == 0
    assert tick(db, PREP_TIME) == 0
    assert tick(db, SESSION_END) == 3
    assert tick(db, SESSION_END - timedelta(minutes=1)) == 0
    assert tick(db, PREP_TIME) == 0
    with db.transaction() as tx:
        keys = tx.scalars(select(OutboxMessage.dedupe_key)).all()
    assert len(keys) == len(set(keys)) == 8


def test_shared_intents_newcomers_and_buddies_appear_in_the_reminder(
    rt, clock, slack, pod_in_slack
):
    ids = pod_in_slack["ids"]
    session_id = pod_in_slack["session_id"]
    slack.add_user("U4", "newbie", tz="Asia/Kolkata")
    with rt.db.transaction() as tx:
        newcomer = make_member(tx, "U4", tz="Asia/Kolkata")
        pod_session = tx.get(PodSession, session_id)

        join(tx, tx.get(Pod, pod_in_slack["pod_id"]), newcomer, MONDAY_9)
        svc.reassign_roles(tx, pod_session, MONDAY_9)
        tx.add_all(
            [
                CheckIn(team_id=TEAM, session_id=session_id, member_id=ids["U1"], intent="Say no"),
                CheckIn(
                    team_id=TEAM,
                    session_id=session_id,
                    member_id=ids["U2"],
                    intent="Secret",
                    share_intent=False,
                ),
                CheckIn(
                    team_id=TEAM,
                    session_id=session_id,
                    member_id=ids["U3"],
                    intent="<!channel> delegate more",
                ),
            ]
        )
    clock.set(PREP_TIME)
    tick(rt.db, PREP_TIME)
    deliver(rt, clock)
    seen = visible_text(slack.messages_to("CPOD")[0])
    assert "<@U1>: Say no" in seen
    assert "Secret" not in seen
    assert "&lt;!channel&gt; delegate more" in seen  # shown, never pinging the channel
    assert "<@U4>" in seen and "buddy <@" in seen
    newcomer_dm = visible_text(slack.dms("U4")[0])
    assert "Tue 3 Mar, 20:30 (Asia/Kolkata)" in newcomer_dm
    assert "newcomer" in newcomer_dm and "Your buddy is <@" in newcomer_dm


def test_a_long_list_of_intents_stays_inside_slack_limits(rt, clock, slack, pod_in_slack):
    session_id = pod_in_slack["session_id"]
    with rt.db.transaction() as tx:
        pod = tx.get(Pod, pod_in_slack["pod_id"])
        for number in range(40):
            user_id = f"UX{number:02d}"
            slack.add_user(user_id, f"x{number}")
            member = make_member(tx, user_id)
            join(tx, pod, member, MONDAY_9 - timedelta(days=90))
            tx.add(
                CheckIn(
                    team_id=TEAM, session_id=session_id, member_id=member.id, intent="long " * 400
                )
            )
    clock.set(PREP_TIME)
    tick(rt.db, PREP_TIME)
    deliver(rt, clock)
    with rt.db.transaction() as tx:
        failed = tx.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all()
    assert failed == []
    seen = visible_text(slack.messages_to("CPOD")[0])
    assert "more._" in seen


def test_end_of_session_dm_with_reflect_and_the_open_experiment(rt, clock, slack, pod_in_slack):
    ids = pod_in_slack["ids"]
    session_id = pod_in_slack["session_id"]
    with rt.db.transaction() as tx:
        older = Experiment(
            team_id=TEAM, member_id=ids["U1"], text="Ask one question", due_date=date(2026, 3, 1)
        )
        latest = Experiment(
            team_id=TEAM, member_id=ids["U1"], text="Block focus time", due_date=date(2026, 3, 9)
        )
        tx.add_all([older, latest])
        tx.flush()
        latest_id = latest.id
    clock.set(SESSION_END)
    assert tick(rt.db, SESSION_END) == 3  # prep was missed (already started): end DMs only
    deliver(rt, clock)
    (u1_dm,) = slack.dms("U1")
    assert "How was *Pathfinders*?" in visible_text(u1_dm)
    assert "Block focus time" in visible_text(u1_dm)
    # The session pulse (1–5, and the pod question after a first session) comes last.
    scores = [str(score) for score in range(1, 6)]
    assert buttons(u1_dm)[:4] == [
        ("Reflect", "reflect_open", str(session_id)),
        ("Tried it", "experiment_tried", str(latest_id)),
        ("Not yet", "experiment_not_yet", str(latest_id)),
        ("Drop", "experiment_drop", str(latest_id)),
    ]
    assert [text for text, _, _ in buttons(u1_dm)[4:9]] == scores
    (u2_dm,) = slack.dms("U2")
    assert buttons(u2_dm)[:1] == [("Reflect", "reflect_open", str(session_id))]
    assert [text for text, _, _ in buttons(u2_dm)[1:6]] == scores


def test_messages_whose_moment_passed_long_ago_are_not_sent_late(db, pod_in_slack):
    """Down from Monday morning to Wednesday evening: no prep (the session
    started), no end DM (more than 24 h late); the next session is scheduled."""
    wednesday_evening = SESSION_END + timedelta(hours=24, minutes=1)
    assert tick(db, wednesday_evening) == 0
    with db.transaction() as tx:
        upcoming = svc.next_session_for_pod(tx, pod_in_slack["pod_id"], wednesday_evening)
        assert upcoming.starts_at == SESSION_START + timedelta(weeks=1)


def test_paused_and_skipping_members_get_no_dm(db, pod_in_slack):
    ids = pod_in_slack["ids"]
    with db.transaction() as tx:
        tx.get(Member, ids["U2"]).paused_until = date(2026, 3, 10)
        tx.add(
            SessionSkip(
                team_id="T0001",
                session_id=pod_in_slack["session_id"],
                member_id=ids["U3"],
                created_at=MONDAY_9,
            )
        )
        svc.reassign_roles(tx, tx.get(PodSession, pod_in_slack["session_id"]), MONDAY_9)
    tick(db, PREP_TIME)
    with db.transaction() as tx:
        dm_targets = {
            m.payload["channel"]
            for m in tx.scalars(select(OutboxMessage))
            if m.dedupe_key.count(":") == 2
        }
    assert dm_targets == {"U1"}


def test_cancelled_sessions_get_nothing(db, pod_in_slack):
    with db.transaction() as tx:
        pod_session = tx.get(PodSession, pod_in_slack["session_id"])
        svc.cancel_session(tx, pod_session, MONDAY_9, None)
    assert tick(db, PREP_TIME) == 0
    assert tick(db, SESSION_END) == 0


def test_custom_prep_lead_time(db, pod_in_slack):
    with db.transaction() as tx:
        tx.add(ProgramSettings(team_id=TEAM, prep_lead_hours=2))
    assert tick(db, PREP_TIME) == 0
    assert tick(db, SESSION_START - timedelta(hours=2)) == 5


def test_a_moved_session_gets_its_reminders_again(rt, clock, slack, pod_in_slack):
    clock.set(PREP_TIME)
    tick(rt.db, PREP_TIME)
    deliver(rt, clock)
    with rt.db.transaction() as tx:
        pod = tx.get(Pod, pod_in_slack["pod_id"])
        pod.weekday = 2  # Wednesdays
        svc.reschedule_pod(tx, pod, PREP_TIME)
    assert tick(rt.db, PREP_TIME + timedelta(hours=1)) == 0
    wednesday_prep = PREP_TIME + timedelta(days=1)
    clock.set(wednesday_prep)
    assert tick(rt.db, wednesday_prep) == 5
    deliver(rt, clock)
    latest = visible_text(slack.messages_to("CPOD")[-1])
    assert "Wed 4 Mar, 15:00 (Europe/London)" in latest


def test_tick_statements_do_not_grow_with_pods(db, monkeypatch):
    def statements_for(pods: int, at: datetime) -> int:
        with StatementCounter(db.engine, monkeypatch) as counter:
            tick(db, at)
        return counter.count

    def make(pods: int, tag: str) -> None:
        with db.transaction() as tx:
            for number in range(pods):
                seasoned_pod(tx, f"{tag}{number}", tuple(f"{tag}{number}M{m}" for m in range(4)))

    results = {}
    for pods in (1, 30):
        _empty_all_tables(db)
        make(pods, f"P{pods}x")
        results[pods] = [
            statements_for(pods, MONDAY_9),  # schedules the sessions
            statements_for(pods, MONDAY_9 + timedelta(hours=1)),  # nothing due
            statements_for(pods, PREP_TIME),  # prep for every pod
            statements_for(pods, SESSION_END),  # end DMs and the next sessions
        ]
    assert results[1] == results[30]


def use_cli_against(monkeypatch, tmp_path, slack, db) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
    }.items():
        monkeypatch.setenv(name, value)


def test_coachbot_tick_at_runs_tick_and_sends(
    rt, slack, pod_in_slack, monkeypatch, tmp_path, capsys
):
    use_cli_against(monkeypatch, tmp_path, slack, rt.db)
    cli.main(["tick", "--at", PREP_TIME.isoformat()])
    assert "5 enqueued" in capsys.readouterr().out
    assert len(slack.messages_to("CPOD")) == 1
    assert "Set my intent" in visible_text(slack.dms("U1")[0])


def test_coachbot_tick_at_an_instant_ahead_of_the_real_clock_sends_what_is_due_then(
    db, slack, monkeypatch, tmp_path, capsys
):
    for user_id in ("U1", "U2", "U3"):
        slack.add_user(user_id, user_id.lower())
    slack.add_channel("CPOD", "pathfinders", members=["U1", "U2", "U3"])
    next_year = utcnow() + timedelta(days=400)
    with db.transaction() as tx:
        pod, _people = seasoned_pod(tx)
        svc.schedule_upcoming(tx, next_year)
        prep_at = svc.next_session_for_pod(tx, pod.id, next_year).starts_at - timedelta(hours=24)
    use_cli_against(monkeypatch, tmp_path, slack, db)
    cli.main(["tick", "--at", prep_at.isoformat()])
    assert "5 enqueued" in capsys.readouterr().out
    assert len(slack.messages_to("CPOD")) == 1
    assert "Set my intent" in visible_text(slack.dms("U1")[0])
