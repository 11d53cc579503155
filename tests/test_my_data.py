"""`/coach my-data export | delete` through the signed endpoint and the Slack stand-in:
the person's own data as a JSON file in their DM, and deleting it after a
confirmation, while their pod, its rotation and everyone else's data go on."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import ids
from bot.sender import OutboxSender
from models import (
    CalendarFeed,
    CheckIn,
    Experiment,
    ExperimentStatus,
    Kudos,
    Member,
    PodMembership,
    PodSession,
    Pulse,
    Reflection,
)
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    CAROL,
    DAN,
    TEAM,
    add_people,
    last_ephemeral,
    make_member,
    make_pod,
)

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

ALICE_INTENT = "How do I say no to the VP without burning the bridge?"
ALICE_EXPLORATION = "Maybe my fear is about being seen as lazy"
ALICE_INSIGHT = "Naming the trade-off made the no land softly"
ALICE_ACTION = "Open planning with the trade-offs"
ALICE_EXPERIMENT = "Decline one request with a reason"
ALICE_OUTCOME = "They thanked me for being clear"
ALICE_GAVE = "Bob unblocked the release at midnight & stayed calm"
BOB_GAVE = "Alice ran the retro like a pro"
BOB_INTENT = "Bob wants to delegate the on-call rota"
BOB_INSIGHT = "Bob learned that silence hides disagreement"
FEED_TOKEN = "secret-feed-token-of-alice"


def at(month: int, day: int, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def pod_world(db, slack, clock):
    """Alice, Bob and Carol in "Growth"; Alice coaches the next session and has written
    something everywhere; Bob has words of his own; Dan is a stranger to the bot."""
    add_people(slack)
    clock.set(NOW)
    with db.transaction() as tx:
        alice, bob = make_member(tx, ALICE, NOW), make_member(tx, BOB, NOW)
        carol = make_member(tx, CAROL, NOW)
        alice.reflection_reminder_weekday = 4
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], NOW)
        held = PodSession(
            team_id=TEAM,
            pod_id=pod.id,
            starts_at=at(11, 17),
            ends_at=at(11, 17) + timedelta(minutes=45),
            coach_member_id=bob.id,
            held_at=at(11, 17, 16),
        )
        upcoming = PodSession(
            team_id=TEAM,
            pod_id=pod.id,
            starts_at=at(11, 24),
            ends_at=at(11, 24) + timedelta(minutes=45),
            coach_member_id=alice.id,
        )
        tx.add_all([held, upcoming])
        tx.flush()
        tx.add_all(
            [
                CheckIn(team_id=TEAM, session_id=held.id, member_id=alice.id,
                        intent=ALICE_INTENT, exploration=ALICE_EXPLORATION),
                CheckIn(team_id=TEAM, session_id=held.id, member_id=bob.id, intent=BOB_INTENT),
                Reflection(team_id=TEAM, member_id=alice.id, session_id=held.id,
                           insight=ALICE_INSIGHT, action=ALICE_ACTION, share_in_digest=True),
                Reflection(team_id=TEAM, member_id=bob.id, session_id=held.id,
                           insight=BOB_INSIGHT, action="Ask more"),
                Experiment(team_id=TEAM, member_id=alice.id, session_id=held.id,
                           text=ALICE_EXPERIMENT, due_date=date(2026, 11, 19),
                           status=ExperimentStatus.TRIED, outcome_note=ALICE_OUTCOME),
                Experiment(team_id=TEAM, member_id=bob.id, text="Bob's own experiment",
                           due_date=date(2026, 11, 25)),
                Pulse(team_id=TEAM, session_id=held.id, member_id=alice.id, usefulness=4),
                Pulse(team_id=TEAM, session_id=held.id, member_id=bob.id, usefulness=2),
                Kudos(team_id=TEAM, giver_member_id=alice.id, receiver_member_id=bob.id,
                      value="Courage", text=ALICE_GAVE),
                Kudos(team_id=TEAM, giver_member_id=bob.id, receiver_member_id=alice.id,
                      value="Curiosity", text=BOB_GAVE),
                Kudos(team_id=TEAM, giver_member_id=bob.id, receiver_member_id=carol.id,
                      value="Courage", text="Carol kept us honest"),
                CalendarFeed(team_id=TEAM, member_id=alice.id, token=FEED_TOKEN),
            ]
        )  # fmt: skip


def the_export(slack, user_id: str) -> tuple[dict, dict]:
    (message,) = [m for m in slack.dms(user_id) if m.get("files")]
    (shared,) = message["files"]
    uploaded = slack.uploaded_file(shared["id"])
    return uploaded, json.loads(uploaded["content"].decode("utf-8"))


def count(db, model, **where) -> int:
    with db.transaction() as tx:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(tx.scalar(query) or 0)


def member_id(db, user_id: str) -> int | None:
    with db.transaction() as tx:
        return tx.scalar(select(Member.id).where(Member.team_id == TEAM, Member.user_id == user_id))


def delete_my_data(signed, slack, user_id: str) -> None:
    signed.command(user_id, "my-data delete")
    view = slack.open_views(user_id)[-1]
    assert view["callback_id"] == ids.MY_DATA_DELETE_CALLBACK
    response = signed.view_submission(user_id, view, values={ids.MY_DATA_CONFIRM_BLOCK: ["yes"]})
    assert response.status == 200 and not response.problems


def deliver(rt, clock) -> None:
    OutboxSender(rt.db, rt.client, clock=clock).drain()


# --------------------------------------------------------------------------- export


def test_the_export_is_a_json_file_of_my_own_data_in_my_dm(
    pod_world, signed, slack, no_slack_refusals
):
    response = signed.command(ALICE, "my-data export")
    assert response.status == 200
    assert last_ephemeral(slack, ALICE) == "A copy of your data is in your DMs."

    uploaded, data = the_export(slack, ALICE)
    assert uploaded["filename"] == "coachbot-my-data.json"
    assert uploaded["channel"] == slack.im_channel(ALICE)
    assert data["profile"]["slack_user_id"] == ALICE
    assert data["profile"]["display_name"] == "alice"
    assert data["profile"]["timezone"] == "Europe/London"
    assert data["reflection_reminder"]["weekday"] == 4
    assert [m["pod"] for m in data["memberships"]] == ["Growth"]
    (checkin,) = data["checkins"]
    assert checkin["intent"] == ALICE_INTENT and checkin["exploration"] == ALICE_EXPLORATION
    assert checkin["session"] == {"pod": "Growth", "starts_at": "2026-11-17T15:00:00+00:00"}
    (experiment,) = data["experiments"]
    assert experiment["text"] == ALICE_EXPERIMENT and experiment["outcome"] == ALICE_OUTCOME
    assert experiment["status"] == "tried" and experiment["due_date"] == "2026-11-19"
    (reflection,) = data["reflections"]
    assert reflection["insight"] == ALICE_INSIGHT and reflection["shared_in_digest"] is True
    assert data["kudos_given"] == [
        {**data["kudos_given"][0], "to": "bob", "value": "Courage", "text": ALICE_GAVE}
    ]
    assert [(k["from"], k["text"]) for k in data["kudos_received"]] == [("bob", BOB_GAVE)]
    assert [p["usefulness"] for p in data["pulses"]] == [4]
    assert data["calendar_feed"] is not None
    assert [s["session"]["starts_at"] for s in data["coached_sessions"]] == [
        "2026-11-24T15:00:00+00:00"
    ]

    content = uploaded["content"].decode("utf-8")
    assert FEED_TOKEN not in content
    for words in (BOB_INTENT, BOB_INSIGHT, "Bob's own experiment", "Carol kept us honest"):
        assert words not in content
    assert slack.dms(BOB) == []


def test_someone_the_bot_never_met_gets_no_file(pod_world, signed, slack, no_slack_refusals):
    signed.command(DAN, "my-data export")
    assert last_ephemeral(slack, DAN) == "Coachbot stores nothing about you."
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_when_slack_refuses_the_upload_the_person_is_told(pod_world, signed, slack):
    slack.fail("files.completeUploadExternal", "internal_error")
    signed.command(ALICE, "my-data export")
    assert "didn't let me send your data" in last_ephemeral(slack, ALICE)


# --------------------------------------------------------------------------- delete


def test_delete_asks_first_and_needs_the_tick(pod_world, db, signed, slack, no_slack_refusals):
    signed.command(ALICE, "my-data delete")
    (view,) = slack.open_views(ALICE)
    text = visible_text(view)
    assert "can't be undone" in text and "What stays" in text
    response = signed.view_submission(ALICE, view, values={}, client_checks=False)
    assert response.status == 200
    assert response.json()["errors"] == {ids.MY_DATA_CONFIRM_BLOCK: "Tick the box to confirm."}
    assert member_id(db, ALICE) is not None
    assert count(db, CheckIn) == 2 and count(db, PodMembership, left_at=None) == 3


def test_delete_removes_my_data_and_the_pod_goes_on(
    pod_world, db, rt, clock, signed, slack, no_slack_refusals
):
    alice_id = member_id(db, ALICE)
    delete_my_data(signed, slack, ALICE)

    assert member_id(db, ALICE) is None
    for model in (CheckIn, Reflection, Experiment, Pulse, CalendarFeed):
        assert count(db, model, member_id=alice_id) == 0
    assert count(db, Kudos, receiver_member_id=alice_id) == 0
    assert count(db, PodMembership, member_id=alice_id, left_at=None) == 0
    with db.transaction() as tx:
        placeholder = tx.get(Member, alice_id)
        assert placeholder is not None
        assert placeholder.user_id != ALICE and placeholder.display_name == "someone"
        assert placeholder.real_name == "" and placeholder.tz == "UTC"
        assert placeholder.reflection_reminder_weekday is None
        assert placeholder.deactivated_at is not None
        (given,) = tx.scalars(select(Kudos).where(Kudos.giver_member_id == alice_id))
        assert given.text == ALICE_GAVE  # stays with Bob, from "someone"
        upcoming = tx.scalar(select(PodSession).where(PodSession.held_at.is_(None)))
        assert upcoming.coach_member_id not in (None, alice_id)
        bob_id = tx.scalar(select(Member.id).where(Member.user_id == BOB))

    # Bob's and Carol's data is untouched.
    assert count(db, CheckIn, member_id=bob_id) == 1
    assert count(db, Reflection, member_id=bob_id) == 1
    assert count(db, Experiment, member_id=bob_id) == 1
    assert count(db, Pulse, member_id=bob_id) == 1
    assert count(db, Kudos) == 2
    assert count(db, PodMembership, left_at=None) == 2

    deliver(rt, clock)
    (dm,) = slack.dms(ALICE)
    assert "Your Coachbot data is deleted" in visible_text(dm)

    signed.command(ALICE, "my-data export")
    assert last_ephemeral(slack, ALICE) == "Coachbot stores nothing about you."


def test_a_second_delete_is_harmless(pod_world, db, rt, clock, signed, slack, no_slack_refusals):
    delete_my_data(signed, slack, ALICE)
    clock.advance(minutes=1)
    delete_my_data(signed, slack, ALICE)
    deliver(rt, clock)
    texts = [visible_text(m) for m in slack.dms(ALICE)]
    # Both DMs go out in one sender pass, which sends in parallel: order is not fixed.
    assert len(texts) == 2
    assert sum("nothing to delete" in text for text in texts) == 1
    assert sum("Your Coachbot data is deleted" in text for text in texts) == 1
    assert count(db, Kudos) == 2
    assert count(db, PodMembership, left_at=None) == 2


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("text", ["my-data", "my-data exprot", "my-data export <@U0BOB|bob>"])
def test_a_bad_subcommand_gets_the_usage(pod_world, signed, slack, no_slack_refusals, text):
    signed.command(ALICE, text)
    answer = last_ephemeral(slack, ALICE)
    assert "/coach my-data export" in answer and "/coach my-data delete" in answer
    assert "not available yet" not in answer
    assert slack.dms(ALICE) == [] and slack.open_views(ALICE) == []
