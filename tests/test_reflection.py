"""Reflection through the signed endpoint: the end-of-session "Reflect" button,
`/coach reflect`, the "Save as insight" shortcut; editing, inline errors and
the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.scheduler import run_once
from models import PodSession, SessionStatus
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    OUTSIDER,
    POD_CHANNEL,
    button_texts,
    input_labels,
    last_ephemeral,
    modal_on_screen,
    reflections,
)

INSIGHT = "Asking before advising changed the whole conversation."
ACTION = "Open my next one-to-one with a question."


pytestmark = pytest.mark.usefixtures("no_slack_refusals")


def end_of_session_dm(slack, rt, clock, world, user_id=ALICE):
    clock.set(world.ends_at)
    run_once(rt, clock())
    (dm,) = [m for m in slack.dms(user_id) if "Reflect" in button_texts(m)]
    return dm


def values(insight=INSIGHT, action=ACTION, share=False):
    return {"insight": insight, "action": action, "share": ["share"] if share else []}


def test_reflect_button_opens_the_modal_for_that_session(signed, slack, world, rt, clock, db):
    dm = end_of_session_dm(slack, rt, clock, world)
    signed.press(ALICE, dm, "Reflect")
    view = modal_on_screen(slack, ALICE)
    assert view["title"]["text"] == "Reflect"
    assert input_labels(view) == ["Insight", "Action", "Sharing"]
    assert "After *Growth* · Tue 3 Mar, 15:00 (your time)" in visible_text(view)
    share = next(b for b in view["blocks"] if b.get("block_id") == "share")
    assert "initial_options" not in share["element"]  # sharing is off by default
    signed.view_submission(ALICE, view, values())
    (reflection,) = reflections(db)
    assert reflection.session_id == world.session_id
    assert (reflection.insight, reflection.action) == (INSIGHT, ACTION)
    assert reflection.share_in_digest is False
    assert reflection.source == "button"


def test_reflecting_again_for_the_same_session_edits_it(signed, slack, world, rt, clock, db):
    dm = end_of_session_dm(slack, rt, clock, world)
    signed.press(ALICE, dm, "Reflect")
    signed.view_submission(ALICE, modal_on_screen(slack, ALICE), values())
    signed.press(ALICE, dm, "Reflect")
    view = modal_on_screen(slack, ALICE)
    assert INSIGHT in visible_text(view)
    assert "saving updates it" in visible_text(view)
    signed.view_submission(ALICE, view, values(insight="A better insight", share=True))
    (reflection,) = reflections(db)
    assert reflection.insight == "A better insight"
    assert reflection.share_in_digest is True


def test_coach_reflect_is_for_my_most_recent_ended_session(signed, slack, world, clock, db):
    clock.set(world.ends_at + timedelta(hours=2))
    signed.command(BOB, "reflect")
    view = modal_on_screen(slack, BOB)
    assert "After *Growth*" in visible_text(view)
    signed.view_submission(BOB, view, values())
    (reflection,) = reflections(db)
    assert reflection.session_id == world.session_id
    assert reflection.source == "command"


def test_coach_reflect_without_an_ended_session_is_a_standalone_insight(signed, slack, world, db):
    signed.command(ALICE, "reflect")
    view = modal_on_screen(slack, ALICE)
    assert "standalone insight" in visible_text(view)
    signed.view_submission(ALICE, view, values())
    (reflection,) = reflections(db)
    assert reflection.session_id is None


@pytest.mark.parametrize(
    ("given", "block", "words"),
    [
        (values(insight="  "), "insight", "Write one insight"),
        (values(action=""), "action", "Write one action"),
        (values(insight="i" * 2001), "insight", "2,000 characters"),
        (values(action="a" * 1001), "action", "1,000 characters"),
    ],
)
def test_bad_input_is_an_inline_error_and_nothing_is_saved(
    signed, slack, world, db, given, block, words
):
    signed.command(ALICE, "reflect")
    view = modal_on_screen(slack, ALICE)
    signed.view_submission(ALICE, view, given, client_checks=False)
    assert words in slack.view_errors(view["id"])[block]
    assert reflections(db) == []


def test_same_view_submitted_twice_is_one_reflection(signed, slack, world, db):
    signed.command(ALICE, "reflect")
    view = modal_on_screen(slack, ALICE)
    first = signed.sim.view_submission(ALICE, view, values())
    signed.send(_form_body(first.payload), "application/x-www-form-urlencoded")
    signed.bot.settle()
    assert len(reflections(db)) == 1


def _form_body(payload):
    import json
    from urllib.parse import quote

    return f"payload={quote(json.dumps(payload))}"


def test_reflect_button_of_a_cancelled_session_gets_a_clear_answer(
    signed, slack, world, rt, clock, db
):
    dm = end_of_session_dm(slack, rt, clock, world)
    with db.transaction() as tx:
        tx.get(PodSession, world.session_id).status = SessionStatus.CANCELLED
    signed.press(ALICE, dm, "Reflect")
    assert slack.open_views(ALICE) == []
    assert "was cancelled" in last_ephemeral(slack, ALICE)


def test_reflect_button_pressed_by_someone_outside_the_pod(signed, slack, world, rt, clock):
    dm = end_of_session_dm(slack, rt, clock, world)
    # The outsider can't see Alice's DM; a forged press with the same value is refused.
    signed.block_action(
        OUTSIDER, "reflect_open", value=str(world.session_id), channel_id=POD_CHANNEL
    )
    assert slack.open_views(OUTSIDER) == []
    assert "Only members of the pod *Growth*" in last_ephemeral(slack, OUTSIDER)
    assert dm  # Alice's own DM is untouched


def test_save_as_insight_prefills_the_message_text(signed, slack, world, db):
    message = slack.add_message(POD_CHANNEL, BOB, "Silence is a tool: wait three seconds.")
    response = signed.shortcut_message(ALICE, "save_as_insight", message)
    assert not response.problems
    view = modal_on_screen(slack, ALICE)
    insight = next(b for b in view["blocks"] if b.get("block_id") == "insight")
    assert insight["element"]["initial_value"] == "Silence is a tool: wait three seconds."
    signed.view_submission(ALICE, view, {"action": "Pause before answering in standup."})
    (reflection,) = reflections(db)
    assert reflection.session_id is None
    assert reflection.source == "shortcut"
    assert reflection.insight == "Silence is a tool: wait three seconds."


def test_save_as_insight_of_a_very_long_message_is_cut_to_fit(signed, slack, world):
    message = slack.add_message(POD_CHANNEL, BOB, "word " * 1000)
    signed.shortcut_message(ALICE, "save_as_insight", message)
    view = modal_on_screen(slack, ALICE)
    insight = next(b for b in view["blocks"] if b.get("block_id") == "insight")
    assert len(insight["element"]["initial_value"]) <= 2000


def test_save_as_insight_works_for_someone_in_no_pod(signed, slack, world, db):
    message = slack.add_message(POD_CHANNEL, BOB, "Name the trade-off out loud.")
    signed.shortcut_message(OUTSIDER, "save_as_insight", message)
    signed.view_submission(OUTSIDER, modal_on_screen(slack, OUTSIDER), {"action": "Try it."})
    (reflection,) = reflections(db)
    assert reflection.insight == "Name the trade-off out loud."


def test_reflection_modal_opens_in_time_when_users_info_is_slow(signed, slack, world, db):
    from sqlalchemy import update

    from models import Member

    with db.transaction() as tx:
        tx.execute(update(Member).values(profile_refreshed_at=None))
    slack.set_latency("users.info", 3.5)
    message = slack.add_message(POD_CHANNEL, BOB, "Ask, then wait.")
    response = signed.shortcut_message(ALICE, "save_as_insight", message)
    assert not response.problems
    assert modal_on_screen(slack, ALICE)["callback_id"] == "reflection_submit"
