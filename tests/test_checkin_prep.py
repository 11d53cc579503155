"""After a check-in, the prep message and the coach brief show the intents
shared so far: queued as chat.update of the originals, only when they went out,
once per change, and never with an intent its author keeps private."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.scheduler import run_once
from bot.services import prep_updates, reminders
from models import PodSession
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    CAROL,
    POD_CHANNEL,
    add_people,
    build_world,
    checkin_values,
    modal_on_screen,
    outbox_rows,
)

INTENT = "How do I give feedback upward without it landing as a complaint?"


@pytest.fixture
def world(db, slack, clock):
    add_people(slack)
    return build_world(db, clock(), seasoned=True)


pytestmark = pytest.mark.usefixtures("no_slack_refusals")


def check_in(signed, slack, **values):
    signed.command(ALICE, "checkin")
    signed.view_submission(ALICE, modal_on_screen(slack, ALICE), checkin_values(**values))


def refresh_rows(db):
    return [row for row in outbox_rows(db) if prep_updates.REFRESH_MARK in row.dedupe_key]


def test_before_the_prep_reminder_went_out_nothing_is_queued(signed, slack, world, db):
    check_in(signed, slack, intent=INTENT)
    assert refresh_rows(db) == []


def test_a_shared_intent_updates_the_prep_message_and_the_brief(
    signed, slack, world, db, rt, clock
):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    check_in(signed, slack, intent=INTENT)
    keys = sorted(row.dedupe_key for row in refresh_rows(db))
    with db.transaction() as tx:
        pod_session = tx.get(PodSession, world.session_id)
        prep_key, brief_key = reminders.prep_key(pod_session), reminders.brief_key(pod_session)
    assert keys == sorted([f"{prep_key}:refresh:1", f"{brief_key}:refresh:1"])
    assert {row.payload["original_key"] for row in refresh_rows(db)} == {prep_key, brief_key}
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    assert INTENT in visible_text(prep)
    (brief,) = [m for m in slack.dms(CAROL) if "Your coach brief" in visible_text(m)]
    assert INTENT in visible_text(brief)


def test_the_same_check_in_again_queues_no_second_update(signed, slack, world, db, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    check_in(signed, slack, intent=INTENT)
    check_in(signed, slack, intent=INTENT)
    assert len(refresh_rows(db)) == 2  # one for the prep message, one for the brief


def test_un_sharing_takes_the_intent_off_the_prep_message(signed, slack, world, db, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    check_in(signed, slack, intent=INTENT)
    run_once(rt, clock())
    assert INTENT in visible_text(slack.messages_to(POD_CHANNEL)[0])
    check_in(signed, slack, intent=INTENT, share=False)
    run_once(rt, clock())
    assert INTENT not in visible_text(slack.messages_to(POD_CHANNEL)[0])
    (brief,) = [m for m in slack.dms(CAROL) if "Your coach brief" in visible_text(m)]
    assert INTENT not in visible_text(brief)


def test_a_private_intent_queues_nothing_visible(signed, slack, world, db, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    check_in(signed, slack, intent=INTENT, share=False)
    for row in outbox_rows(db):
        assert INTENT not in str(row.payload)


def test_no_refresh_for_a_cancelled_session(db, world, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    with db.transaction() as tx:
        pod_session = tx.get(PodSession, world.session_id)
        pod_session.status = "cancelled"
        assert prep_updates.pending_refresh(tx, pod_session, clock()) is None
