"""The welcome packet and the ground rules consent, through the signed endpoint,
the outbox sender and the Slack stand-in: sent on a person's first pod join only,
agreed once, shown again with /coach welcome, reminded once in the first prep DM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.program_content import get_content
from bot.scheduler import run_once
from models import Member
from slack_standin.server import buttons, visible_text
from tests.test_pods import create_pod

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN"
AGREE = "I agree to the ground rules"
PACKET_TITLE = get_content().welcome.title
REMINDER = "One small thing before your first session"


@pytest.fixture
def people(slack):
    zones = {
        ALICE: "Europe/Paris",
        BOB: "Europe/London",
        CAROL: "America/New_York",
        DAVE: "America/New_York",
        ERIN: "Asia/Tokyo",
    }
    for user_id, tz in zones.items():
        slack.add_user(user_id, user_id[3:].lower(), tz=tz)
    return slack


def welcome_dms(slack, user_id):
    return [m for m in slack.dms(user_id) if PACKET_TITLE in visible_text(m)]


def the_welcome_dm(slack, user_id):
    found = welcome_dms(slack, user_id)
    assert len(found) == 1, f"{user_id} got {len(found)} welcome packets"
    return found[0]


def member(db, user_id) -> Member:
    with db.transaction() as tx:
        row = tx.scalar(select(Member).where(Member.user_id == user_id))
        assert row is not None
        tx.expunge(row)
        return row


def test_the_first_pod_join_sends_the_welcome_packet_once(signed, slack, people, rt, clock, db):
    create_pod(signed, slack, ALICE)  # Alice, Bob and Carol
    run_once(rt, clock())
    packet = get_content().welcome
    rules = get_content().ground_rules
    for user_id in (ALICE, BOB, CAROL):
        dm = the_welcome_dm(slack, user_id)
        shown = visible_text(dm)
        assert " ".join(packet.purpose.split())[:80] in shown
        for heading in ("How it works", "The three pillars", "Your words stay yours"):
            assert heading in shown
        for pillar in packet.pillars:
            assert pillar.question in shown
        for promise in packet.privacy:
            assert promise.title in shown
        assert "First steps" in shown
        assert rules.title in shown and rules.rules[0].title in shown
        assert get_content().values.title in shown
        assert buttons(dm) == [(AGREE, "ground_rules_agree", "agree")]
        assert len(dm["blocks"]) <= 50
        assert member(db, user_id).welcomed_at == clock()

    # Bob joins a second pod, Erin her first: only Erin is welcomed.
    create_pod(signed, slack, DAVE, name="Night Owls", members=[DAVE, BOB])
    signed.command(ERIN, "pod join Platform Leads")
    run_once(rt, clock())
    for user_id in (ALICE, BOB, CAROL, DAVE, ERIN):
        the_welcome_dm(slack, user_id)

    # Leaving and joining again is not a first join either.
    signed.command(ERIN, "pod leave Platform Leads")
    signed.command(ERIN, "pod join Platform Leads")
    run_once(rt, clock())
    the_welcome_dm(slack, ERIN)
    assert slack.problems == []


def test_agreeing_is_recorded_once_with_its_time(signed, slack, people, rt, clock, db):
    create_pod(signed, slack, ALICE)
    run_once(rt, clock())
    agreed_at = clock()

    response = signed.press(BOB, the_welcome_dm(slack, BOB), AGREE)
    assert response.status == 200 and not response.problems
    dm = the_welcome_dm(slack, BOB)
    shown = visible_text(dm)
    assert buttons(dm) == []
    assert "Thank you, you're all set" in shown
    assert "You agreed to the ground rules on Mon 2 Mar 2026" in shown
    assert get_content().ground_rules.rules[0].title in shown  # the packet is still there
    assert member(db, BOB).ground_rules_agreed_at == agreed_at

    # The same button pressed again later (another copy, another device).
    clock.advance(days=3)
    signed.block_action(BOB, "ground_rules_agree", value="agree")
    answer = visible_text(slack.ephemerals(BOB)[-1])
    assert "You already agreed to the ground rules on Mon 2 Mar 2026" in answer
    assert member(db, BOB).ground_rules_agreed_at == agreed_at
    assert member(db, ALICE).ground_rules_agreed_at is None
    assert slack.problems == []


def test_coach_welcome_shows_the_packet_with_the_button_until_agreed(
    signed, slack, people, db, clock
):
    signed.command(DAVE, "welcome")
    shown = slack.ephemerals(DAVE)[-1]
    assert PACKET_TITLE in visible_text(shown)
    assert buttons(shown) == [(AGREE, "ground_rules_agree", "agree")]

    clock.set(datetime(2026, 3, 4, 3, 0, tzinfo=UTC))  # Tue 3 Mar in New York
    signed.press(DAVE, shown, AGREE)
    replaced = slack.ephemerals(DAVE)[-1]
    assert buttons(replaced) == []
    assert "You agreed to the ground rules on Tue 3 Mar 2026" in visible_text(replaced)
    assert member(db, DAVE).ground_rules_agreed_at == clock()

    signed.command(DAVE, "welcome")
    again = slack.ephemerals(DAVE)[-1]
    assert buttons(again) == []
    assert "You agreed to the ground rules on Tue 3 Mar 2026" in visible_text(again)
    assert "Thank you, you're all set" not in visible_text(again)
    assert slack.problems == []


def prep_dms(slack, user_id):
    return [m for m in slack.dms(user_id) if "Set my intent" in visible_text(m)]


def test_only_the_first_prep_dm_reminds_those_who_have_not_agreed(
    signed, slack, people, rt, clock, db
):
    slack.add_channel("C0PODS", "pods", members=[ALICE, BOB, CAROL])
    create_pod(signed, slack, ALICE, channel="C0PODS", cadence="1")
    run_once(rt, clock())
    signed.press(BOB, the_welcome_dm(slack, BOB), AGREE)

    first_start = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # Tue 15:00 in Paris
    for start in (first_start, first_start + timedelta(weeks=1)):
        clock.set(start - timedelta(hours=24))
        run_once(rt, clock())
        clock.set(start + timedelta(hours=1))
        run_once(rt, clock())  # the session ends; the next one is scheduled

    for user_id in (ALICE, CAROL):
        first, second = prep_dms(slack, user_id)
        assert REMINDER in visible_text(first)
        assert "/coach welcome" in visible_text(first)
        assert REMINDER not in visible_text(second)
    first, second = prep_dms(slack, BOB)
    assert REMINDER not in visible_text(first) and REMINDER not in visible_text(second)
    assert slack.problems == []


def test_bots_and_members_already_welcomed_get_no_packet(db, clock):
    from bot.notify.welcome import enqueue_welcome_packet

    with db.transaction() as tx:
        robot = Member(team_id="T0001", user_id="U0ROBOT", is_bot=True, created_at=clock())
        seen = Member(team_id="T0001", user_id="U0SEEN", welcomed_at=clock(), created_at=clock())
        tx.add_all([robot, seen])
        tx.flush()
        assert enqueue_welcome_packet(tx, robot, clock()) is False
        assert enqueue_welcome_packet(tx, seen, clock()) is False
        assert robot.welcomed_at is None
