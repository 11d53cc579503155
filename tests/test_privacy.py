"""What people write belongs to them (DESIGN §2): a check-in and a reflection are
readable by their author only, and an intent by the author's pod when shared.

The test plays a whole session, then lets everyone else use every surface (App
Home, /coach next, /coach experiments, /coach admin, the prep message and coach
brief, the end-of-session DMs) and reads every Web API call the bot made after
that: none carries another person's words to someone else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.scheduler import run_once
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    OUTSIDER,
    POD_CHANNEL,
    add_people,
    build_world,
    button_texts,
    checkin_values,
    modal_on_screen,
)

ALICE_WORDS = {
    "intent": "ZEBRA-INTENT should I leave my team",
    "exploration": "ZEBRA-EXPLORE my manager scares me",
    "experiment": "ZEBRA-EXPERIMENT talk to HR",
}
ALICE_REFLECTION = {
    "insight": "ZEBRA-INSIGHT I was avoiding it",
    "action": "ZEBRA-ACTION book the meeting",
    "share": ["share"],  # shared to the digest: still never shown with her name or alone
}
BOB_WORDS = {
    "intent": "OTTER-INTENT how to delegate more",
    "exploration": "OTTER-EXPLORE I hoard the fun work",
    "experiment": "OTTER-EXPERIMENT hand over the demo",
}
ALICE_PRIVATE = [
    *ALICE_WORDS.values(),
    ALICE_REFLECTION["insight"],
    ALICE_REFLECTION["action"],
]
BOB_PRIVATE = [BOB_WORDS["exploration"], BOB_WORDS["experiment"]]


def addressed_to(call, user_id, im_channel):
    params = call.params
    return user_id in (params.get("user_id"), params.get("user")) or params.get("channel") in (
        user_id,
        im_channel,
    )


def leaks(slack, calls, secrets, owner):
    """Calls carrying one of `secrets` to anyone but `owner`."""
    im = slack.im_channel(owner)
    found = []
    for call in calls:
        payload = json.dumps(call.params, ensure_ascii=False)
        hits = [secret for secret in secrets if secret in payload]
        if hits and not addressed_to(call, owner, im):
            found.append(
                (call.method, call.params.get("channel") or call.params.get("user_id"), hits)
            )
    return found


def seen_by(slack, user_id):
    """Everything a person has on screen: DMs, ephemerals, Home, open modals."""
    surfaces = [*slack.dms(user_id), *slack.ephemerals(user_id), *slack.open_views(user_id)]
    home = slack.home(user_id)
    if home is not None:
        surfaces.append(home)
    return "\n".join(visible_text(surface) for surface in surfaces)


@pytest.fixture
def played(signed, slack, db, rt, clock):
    """A session played through: Alice keeps her intent private, Bob shares his."""
    add_people(slack)
    world = build_world(db, clock(), seasoned=True)
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    for user_id, words, share in ((ALICE, ALICE_WORDS, False), (BOB, BOB_WORDS, True)):
        (dm,) = [m for m in slack.dms(user_id) if "Set my intent" in button_texts(m)]
        signed.press(user_id, dm, "Set my intent")
        signed.view_submission(
            user_id, modal_on_screen(slack, user_id), checkin_values(**words, share=share)
        )
    clock.advance(minutes=5)
    run_once(rt, clock())
    clock.set(world.ends_at + timedelta(minutes=5))
    run_once(rt, clock())
    (end_dm,) = [m for m in slack.dms(ALICE) if "Reflect" in button_texts(m)]
    signed.press(ALICE, end_dm, "Reflect")
    signed.view_submission(ALICE, modal_on_screen(slack, ALICE), ALICE_REFLECTION)
    signed.app_home_opened(ALICE)
    return world


def test_alice_sees_her_own_words(played, slack):
    mine = seen_by(slack, ALICE)
    for secret in (ALICE_WORDS["experiment"], ALICE_REFLECTION["insight"]):
        assert secret in mine
    # The leak detector does detect: Alice's own messages are "leaks" if read as Bob's.
    assert leaks(slack, slack.calls, ALICE_PRIVATE, BOB) != []


def test_nobody_else_ever_receives_another_persons_words(played, signed, slack, rt, clock):
    mark = len(slack.calls)
    # Everyone else uses every surface they have.
    for user_id in (BOB, CAROL, OUTSIDER, ADMIN):
        signed.app_home_opened(user_id)
        signed.command(user_id, "next")
        signed.command(user_id, "experiments")
        signed.command(user_id, "reflect")
    signed.command(ADMIN, "admin")
    signed.command(ADMIN, "checkin")
    clock.advance(days=1)
    run_once(rt, clock())
    calls = slack.calls
    assert leaks(slack, calls, ALICE_PRIVATE, ALICE) == []
    assert leaks(slack, calls, BOB_PRIVATE, BOB) == []
    after = calls[mark:]
    assert after, "the others' actions made no calls at all"
    for user_id in (BOB, CAROL, OUTSIDER, ADMIN):
        shown = seen_by(slack, user_id)
        for secret in ALICE_PRIVATE:
            assert secret not in shown, (user_id, secret)
    for user_id in (CAROL, OUTSIDER, ADMIN):
        shown = seen_by(slack, user_id)
        for secret in BOB_PRIVATE:
            assert secret not in shown, (user_id, secret)


def test_unshared_intent_never_reaches_the_prep_message_or_the_brief(played, slack):
    channel = "\n".join(visible_text(m) for m in slack.messages_to(POD_CHANNEL))
    assert BOB_WORDS["intent"] in channel  # shared with the pod
    assert ALICE_WORDS["intent"] not in channel
    for call in slack.calls:
        if call.params.get("channel") == POD_CHANNEL:
            assert ALICE_WORDS["intent"] not in json.dumps(call.params)
    assert played.coach_user_id == CAROL
    (brief,) = [m for m in slack.dms(CAROL) if "Your coach brief" in visible_text(m)]
    assert BOB_WORDS["intent"] in visible_text(brief)
    assert ALICE_WORDS["intent"] not in visible_text(brief)


def test_a_shared_intent_stays_inside_the_pod(played, signed, slack):
    for user_id in (OUTSIDER, ADMIN):
        signed.app_home_opened(user_id)
        signed.command(user_id, "next")
        assert BOB_WORDS["intent"] not in seen_by(slack, user_id)


def test_another_members_home_shows_only_their_own_words(played, signed, slack):
    signed.app_home_opened(BOB)
    home = visible_text(slack.home(BOB))
    assert BOB_WORDS["experiment"] in home
    for secret in ALICE_PRIVATE:
        assert secret not in home
    assert BOB_WORDS["intent"] not in visible_text(slack.home(ALICE))
