"""The whole three-pillar loop through the signed HTTP endpoint, the real tick
and outbox sender, and the Slack stand-in:

prep reminder → "Set my intent" in the DM → check-in → prep message shows my
shared intent → session end → end-of-session DM → Reflect → experiment nudge on
its due date at 10:00 my time → "Tried it" → App Home shows it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.scheduler import run_once
from bot.services import sessions
from models import PodSession
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    CAROL,
    POD_CHANNEL,
    add_people,
    build_world,
    button_texts,
    checkin_values,
    experiments,
    modal_on_screen,
    reflections,
)

ALICE_INTENT = "How do I push back on a senior stakeholder without souring things?"
BOB_PRIVATE_INTENT = "Bob's unshared question about his manager"


def dms_with(slack, user_id, button):
    return [m for m in slack.dms(user_id) if button in button_texts(m)]


def test_the_three_pillar_session_end_to_end(signed, slack, db, rt, clock):
    add_people(slack)
    world = build_world(db, clock(), seasoned=True)
    assert world.coach_user_id == CAROL

    # 1. 24 hours before: the prep reminder in the channel and a DM to each member.
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    assert "No intents shared yet" in visible_text(prep)
    (alice_prep_dm,) = dms_with(slack, ALICE, "Set my intent")

    # 2. Alice presses "Set my intent" in her DM and checks in, sharing her intent.
    clock.advance(minutes=30)
    signed.press(ALICE, alice_prep_dm, "Set my intent")
    view = modal_on_screen(slack, ALICE)
    assert view["callback_id"] == "checkin_submit"
    due = {b.get("block_id"): b for b in view["blocks"]}["due_date"]["element"]["initial_date"]
    assert due == "2026-03-10"
    response = signed.view_submission(ALICE, view, checkin_values(intent=ALICE_INTENT))
    assert not response.problems and slack.open_views(ALICE) == []

    # Bob checks in too, without sharing.
    (bob_prep_dm,) = dms_with(slack, BOB, "Set my intent")
    signed.press(BOB, bob_prep_dm, "Set my intent")
    signed.view_submission(
        BOB,
        modal_on_screen(slack, BOB),
        checkin_values(intent=BOB_PRIVATE_INTENT, experiment="", share=False),
    )

    # 3. The next pass of the sender updates the prep message (and the coach brief).
    clock.advance(minutes=1)
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    shown = visible_text(prep)
    assert ALICE_INTENT in shown and f"<@{ALICE}>" in shown
    assert BOB_PRIVATE_INTENT not in shown
    assert "edited" in prep
    (brief,) = [m for m in slack.dms(CAROL) if "Your coach brief" in visible_text(m)]
    assert ALICE_INTENT in visible_text(brief)
    assert BOB_PRIVATE_INTENT not in visible_text(brief)

    # 4. The session ends: the end-of-session DM with Reflect, the open experiment and
    # the session pulse (1–5; no pod question, Alice has met with this pod before).
    clock.set(world.ends_at + timedelta(minutes=1))
    run_once(rt, clock())
    (end_dm,) = dms_with(slack, ALICE, "Reflect")
    pulse = ["1", "2", "3", "4", "5"]
    assert button_texts(end_dm) == ["Reflect", "Tried it", "Not yet", "Drop", *pulse]
    assert "Decline one request this week" in visible_text(end_dm)

    # 5. Alice reflects.
    signed.press(ALICE, end_dm, "Reflect")
    reflect_view = modal_on_screen(slack, ALICE)
    signed.view_submission(
        ALICE,
        reflect_view,
        {"insight": "Naming the trade-off made the no easy to hear.", "action": "Do it again"},
    )
    (reflection,) = reflections(db)
    assert reflection.session_id == world.session_id
    with db.transaction() as tx:
        assert tx.scalar(select(sessions.held_clause()).where(PodSession.id == world.session_id))

    # 6. The experiment's due date (Tue 10 Mar): nothing before 10:00 London, then one nudge.
    clock.set(datetime(2026, 3, 10, 9, 59, tzinfo=UTC))
    run_once(rt, clock())
    assert [m for m in slack.dms(ALICE) if "Today's the day" in visible_text(m)] == []
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    run_once(rt, clock())
    run_once(rt, clock() + timedelta(minutes=1))
    nudges = [m for m in slack.dms(ALICE) if "Today's the day" in visible_text(m)]
    assert len(nudges) == 1
    (nudge,) = nudges
    assert "Decline one request this week" in visible_text(nudge)

    # 7. "Tried it" on the nudge: recorded, the buttons give way to the answer.
    signed.press(ALICE, nudge, "Tried it")
    (experiment,) = experiments(db)
    assert experiment.status == "tried"
    updated = next(m for m in slack.dms(ALICE) if m["ts"] == nudge["ts"])
    assert ":white_check_mark: *Tried it.*" in visible_text(updated)
    assert button_texts(updated) == ["Add a note"]

    # 8. App Home shows it, with the insight, and never Bob's words.
    signed.app_home_opened(ALICE)
    home = visible_text(slack.home(ALICE))
    assert ":white_check_mark: Tried: “Decline one request this week with a clear reason.”" in home
    assert "Naming the trade-off made the no easy to hear." in home
    assert BOB_PRIVATE_INTENT not in home

    # Nothing Slack refused, nothing late.
    assert slack.problems == []
    assert [(c.method, c.response) for c in slack.failed_calls()] == []
    # Carol stayed quiet: she still got her DMs, and saw no one's private words.
    assert dms_with(slack, CAROL, "Reflect")
    assert all(BOB_PRIVATE_INTENT not in visible_text(m) for m in slack.dms(CAROL))
