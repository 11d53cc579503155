"""The check-in's "sensitive boundary or conflict of interest" tick: the coach's brief
(first sent and refreshed) says only how many asked for extra care, with the ground-rules
reminder; nobody else hears of it, nobody is named, and the flag is gone once the session
has ended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.program_content import get_content
from bot.scheduler import run_once
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    CAROL,
    POD_CHANNEL,
    add_people,
    build_world,
    checkin_values,
    checkins,
    modal_on_screen,
    outbox_rows,
)

pytestmark = pytest.mark.usefixtures("no_slack_refusals")

ALICE_INTENT = "How do I raise a conflict with my skip-level without burning the bridge?"
BOB_INTENT = "How do I coach someone who competes with me for the same role?"
CARE = "asked for extra care"
TICK = "This touches a sensitive boundary or a possible conflict of interest"


@pytest.fixture
def world(db, slack, clock):
    add_people(slack)
    return build_world(db, clock(), seasoned=True)  # Carol coaches


def check_in(signed, slack, user_id, *, sensitive=True, **values):
    signed.command(user_id, "checkin")
    view = modal_on_screen(slack, user_id)
    fields = checkin_values(**values)
    fields["sensitive"] = ["sensitive"] if sensitive else []
    response = signed.view_submission(user_id, view, fields)
    assert not response.problems
    assert slack.open_views(user_id) == []


def brief(slack):
    (message,) = [m for m in slack.dms(CAROL) if "Your coach brief" in visible_text(m)]
    return visible_text(message)


def reminder_opening():
    return " ".join(get_content().ground_rules.sensitive_topics.split())[:60]


def test_the_form_offers_the_tick_and_says_who_learns_what(signed, slack, world):
    signed.command(ALICE, "checkin")
    shown = visible_text(modal_on_screen(slack, ALICE))
    assert TICK in shown
    assert "only learns that someone asked for extra care, never who or what" in shown


def test_the_first_brief_asks_for_care_without_naming_anyone(signed, slack, world, db, rt, clock):
    check_in(signed, slack, ALICE, intent=ALICE_INTENT, share=False)
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())

    text = brief(slack)
    assert f"One member {CARE}" in text
    assert reminder_opening() in " ".join(text.split())
    assert f"<@{ALICE}>" not in text and ALICE_INTENT not in text

    channel = visible_text(slack.messages_to(POD_CHANNEL)[0])
    assert CARE not in channel and "sensitive" not in channel
    for user_id in (ALICE, BOB):
        for message in slack.dms(user_id):
            assert CARE not in visible_text(message)
            assert "sensitive" not in visible_text(message)
    for row in outbox_rows(db):
        if "Your coach brief" not in str(row.payload):
            assert CARE not in str(row.payload)


def test_the_refreshed_brief_counts_and_the_channel_stays_silent(signed, slack, world, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    assert CARE not in brief(slack)

    check_in(signed, slack, ALICE, intent=ALICE_INTENT, share=False)
    run_once(rt, clock())
    assert f"One member {CARE}" in brief(slack)

    check_in(signed, slack, BOB, intent=BOB_INTENT, share=True)
    run_once(rt, clock())
    text = brief(slack)
    assert f"2 members {CARE}" in text
    assert reminder_opening() in " ".join(text.split())
    assert BOB_INTENT in text  # shared, so listed with his name as any shared intent
    assert ALICE_INTENT not in text and f"<@{ALICE}>" not in text

    channel = visible_text(slack.messages_to(POD_CHANNEL)[0])
    assert BOB_INTENT in channel  # the channel was refreshed for Bob's shared intent…
    assert CARE not in channel and "sensitive" not in channel  # …and says nothing of care
    for user_id in (ALICE, BOB):
        assert all(CARE not in visible_text(m) for m in slack.dms(user_id))


def test_untick_takes_the_note_off_and_the_form_remembers_the_tick(signed, slack, world, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    check_in(signed, slack, ALICE, intent=ALICE_INTENT, share=False)
    run_once(rt, clock())
    assert CARE in brief(slack)

    signed.command(ALICE, "checkin")
    view = modal_on_screen(slack, ALICE)
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "sensitive"]
    assert [o["value"] for o in block["element"]["initial_options"]] == ["sensitive"]
    fields = checkin_values(intent=ALICE_INTENT, share=False)
    fields["sensitive"] = []
    signed.view_submission(ALICE, view, fields)
    run_once(rt, clock())
    assert CARE not in brief(slack)


def test_nothing_of_it_outlives_the_session(signed, slack, world, db, rt, clock):
    check_in(signed, slack, ALICE, intent=ALICE_INTENT)
    check_in(signed, slack, BOB, intent=BOB_INTENT, sensitive=False)
    assert [c.sensitive for c in checkins(db)] == [True, False]

    clock.set(world.ends_at - timedelta(minutes=1))
    run_once(rt, clock())
    assert [c.sensitive for c in checkins(db)] == [True, False]  # the session is on

    clock.set(world.ends_at)
    run_once(rt, clock())
    assert [c.sensitive for c in checkins(db)] == [False, False]
    assert [c.intent for c in checkins(db)] == [ALICE_INTENT, BOB_INTENT]  # the rest stays
