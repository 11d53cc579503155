"""Check-in through the signed HTTP endpoint and the Slack stand-in: the modal,
its pod picker and scenario prompts, saving and editing, inline errors, the
"Set my intent" and "We met" buttons, and the 3-second trigger window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.scheduler import run_once
from models import PodSession, SessionStatus
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    CAROL,
    DAN,
    OUTSIDER,
    POD_CHANNEL,
    add_people,
    build_world,
    button_texts,
    checkin_values,
    checkins,
    experiments,
    input_labels,
    last_ephemeral,
    modal_on_screen,
)

pytestmark = pytest.mark.usefixtures("no_slack_refusals")


def open_checkin(signed, slack, user_id=ALICE):
    response = signed.command(user_id, "checkin")
    assert response.status == 200 and not response.problems
    return modal_on_screen(slack, user_id)


def test_checkin_modal_has_the_three_pillars_for_my_next_session(signed, slack, world):
    view = open_checkin(signed, slack)
    assert view["title"]["text"] == "Check in"
    assert input_labels(view) == [
        "Scenario (optional)",
        "Intent",
        "Exploration",
        "Experiment",
        "Experiment due date",
        "Sharing",
        "Extra care",
    ]
    text = visible_text(view)
    assert "Growth" in text and "Tue 3 Mar, 15:00 (your time)" in text
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["intent"]["optional"] is False
    assert blocks["intent"]["element"]["max_length"] == 300
    assert blocks["exploration"]["element"]["max_length"] == 1500
    assert blocks["experiment"]["element"]["max_length"] == 300
    # Default due date: the pod's session after this one, in my timezone.
    assert blocks["due_date"]["element"]["initial_date"] == "2026-03-10"
    # Sharing is on by default.
    assert blocks["share"]["element"]["initial_options"][0]["value"] == "share"


def test_times_and_due_date_follow_my_own_timezone(signed, slack, world):
    view = open_checkin(signed, slack, CAROL)  # Asia/Tokyo: 15:00 London is 00:00 next day
    assert "Wed 4 Mar, 00:00 (your time)" in visible_text(view)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["due_date"]["element"]["initial_date"] == "2026-03-11"


def test_submitting_saves_the_checkin_and_its_experiment(signed, slack, world, db):
    view = open_checkin(signed, slack)
    response = signed.view_submission(ALICE, view, checkin_values(due=date(2026, 3, 9)))
    assert not response.problems
    assert slack.open_views(ALICE) == []
    (checkin,) = checkins(db)
    assert checkin.session_id == world.session_id
    assert checkin.intent.startswith("How do I say no")
    assert checkin.share_intent is True
    (experiment,) = experiments(db)
    assert experiment.checkin_id == checkin.id
    assert experiment.due_date == date(2026, 3, 9)
    assert experiment.status == "open"


def test_submitting_again_edits_never_duplicates(signed, slack, world, db):
    signed.view_submission(ALICE, open_checkin(signed, slack), checkin_values())
    view = open_checkin(signed, slack)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["intent"]["element"]["initial_value"].startswith("How do I say no")
    assert "saving updates your check-in" in visible_text(view)
    signed.view_submission(
        ALICE,
        view,
        checkin_values(intent="A sharper question", experiment="A different step", share=False),
    )
    (checkin,) = checkins(db)
    assert checkin.intent == "A sharper question"
    assert checkin.share_intent is False
    (experiment,) = experiments(db)
    assert experiment.text == "A different step"


def test_the_same_view_submitted_twice_is_saved_once(signed, slack, world, db):
    view = open_checkin(signed, slack)
    first = signed.sim.view_submission(ALICE, view, checkin_values())
    assert first.status == 200
    # Slack retried the submission (the modal is closed by now): same payload again.
    again = signed.send(
        first.payload and _form_body(first.payload), "application/x-www-form-urlencoded"
    )
    signed.bot.settle()
    assert again.status == 200
    assert len(checkins(db)) == 1
    assert len(experiments(db)) == 1


def _form_body(payload):
    import json
    from urllib.parse import quote

    return f"payload={quote(json.dumps(payload))}"


def test_removing_the_experiment_removes_the_open_one(signed, slack, world, db):
    signed.view_submission(ALICE, open_checkin(signed, slack), checkin_values())
    signed.view_submission(ALICE, open_checkin(signed, slack), checkin_values(experiment=""))
    assert len(checkins(db)) == 1
    assert experiments(db) == []


@pytest.mark.parametrize(
    ("values", "block", "words"),
    [
        (checkin_values(intent="   "), "intent", "Write your intent"),
        (checkin_values(intent="x" * 301), "intent", "300 characters"),
        (checkin_values(exploration="y" * 1501), "exploration", "1,500 characters"),
        (checkin_values(experiment="z" * 301), "experiment", "300 characters"),
        (checkin_values(due=date(2026, 3, 1)), "due_date", "That date has passed"),
    ],
)
def test_bad_input_gets_an_inline_error_and_nothing_is_written(
    signed, slack, world, db, values, block, words
):
    view = open_checkin(signed, slack)
    signed.view_submission(ALICE, view, values, client_checks=False)
    errors = slack.view_errors(view["id"])
    assert words in errors[block]
    assert modal_on_screen(slack, ALICE)["id"] == view["id"]
    assert checkins(db) == [] and experiments(db) == []


def test_several_problems_are_shown_together(signed, slack, world, db):
    view = open_checkin(signed, slack)
    signed.view_submission(
        ALICE,
        view,
        checkin_values(intent="", experiment="z" * 400, due=date(2025, 1, 1)),
        client_checks=False,
    )
    assert set(slack.view_errors(view["id"])) == {"intent", "experiment", "due_date"}


def test_picking_a_scenario_shows_its_prompts(signed, slack, world, db):
    view = open_checkin(signed, slack)
    signed.block_action(ALICE, "checkin_scenario", view=view, selected="new-initiative")
    updated = modal_on_screen(slack, ALICE)
    assert updated["id"] == view["id"]
    text = visible_text(updated)
    assert "Prompts for launching a new initiative" in text
    assert "What does success look like three months in, in one sentence?" in text
    signed.view_submission(ALICE, updated, {**checkin_values(), "scenario": "new-initiative"})
    (checkin,) = checkins(db)
    assert checkin.scenario_key == "new-initiative"


def test_several_pods_get_a_picker_first(signed, slack, db, clock):
    add_people(slack)
    build_world(db, clock())
    build_world(db, clock(), members=(ALICE, DAN), name="Leaders", weekday=3, channel_id=None)
    view = open_checkin(signed, slack)
    assert view["callback_id"] == "checkin_pick"
    assert "several pods" in visible_text(view)
    options = view["blocks"][0]["accessory"]["options"]
    assert [o["text"]["text"] for o in options] == [
        "Growth · Tue 3 Mar, 15:00",
        "Leaders · Thu 5 Mar, 15:00",
    ]
    signed.block_action(ALICE, "checkin_pick_session", view=view, selected=options[1]["value"])
    form = modal_on_screen(slack, ALICE)
    assert form["id"] == view["id"] and form["callback_id"] == "checkin_submit"
    assert "Leaders" in visible_text(form)
    signed.view_submission(ALICE, form, checkin_values())
    (checkin,) = checkins(db)
    assert checkin.session_id == int(options[1]["value"])


def test_no_pod_means_a_clear_answer(signed, slack, world):
    signed.command(OUTSIDER, "checkin")
    assert slack.open_views(OUTSIDER) == []
    assert "not in a pod yet" in last_ephemeral(slack, OUTSIDER)


def test_arguments_are_refused_with_usage(signed, slack, world):
    signed.command(ALICE, "checkin now please")
    assert "takes no arguments" in last_ephemeral(slack, ALICE)


def test_set_my_intent_from_the_prep_dm_opens_that_sessions_form(signed, slack, world, rt, clock):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (dm,) = [m for m in slack.dms(BOB) if "Set my intent" in button_texts(m)]
    signed.press(BOB, dm, "Set my intent")
    view = modal_on_screen(slack, BOB)
    assert view["callback_id"] == "checkin_submit"
    assert "Growth" in visible_text(view)


def test_a_button_of_a_cancelled_session_gets_a_clear_answer(signed, slack, world, rt, clock, db):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (dm,) = [m for m in slack.dms(BOB) if "Set my intent" in button_texts(m)]
    with db.transaction() as tx:
        pod_session = tx.get(PodSession, world.session_id)
        pod_session.status = SessionStatus.CANCELLED
    signed.press(BOB, dm, "Set my intent")
    assert slack.open_views(BOB) == []
    assert "was cancelled" in last_ephemeral(slack, BOB)


def test_submitting_after_the_session_was_cancelled_saves_nothing(signed, slack, world, db):
    view = open_checkin(signed, slack)
    with db.transaction() as tx:
        tx.get(PodSession, world.session_id).status = SessionStatus.CANCELLED
    signed.view_submission(ALICE, view, checkin_values())
    assert "was cancelled" in slack.view_errors(view["id"])["intent"]
    assert checkins(db) == [] and experiments(db) == []


def test_someone_outside_the_pod_pressing_its_button_is_told_plainly(
    signed, slack, world, rt, clock
):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    signed.press(OUTSIDER, prep, "Set my intent")
    assert slack.open_views(OUTSIDER) == []
    assert "Only members of the pod *Growth*" in last_ephemeral(slack, OUTSIDER)


def test_modal_opens_in_time_even_when_users_info_is_slow(signed, slack, world, db):
    from models import Member

    with db.transaction() as tx:  # a stale profile: the bot will ask Slack again
        for member in tx.scalars(select(Member)):
            member.profile_refreshed_at = None
    slack.set_latency("users.info", 3.5)
    response = signed.command(ALICE, "checkin")
    assert not response.problems
    assert modal_on_screen(slack, ALICE)["callback_id"] == "checkin_submit"
    assert slack.calls_to("views.open")[0].ok
    # The refresh happened after the modal was up.
    (info,) = slack.calls_to("users.info")
    assert info.at > slack.calls_to("views.open")[0].at


def test_we_met_marks_the_session_held_for_pod_members_only(signed, slack, world, rt, clock, db):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    clock.set(world.ends_at)
    signed.press(OUTSIDER, prep, "We met")
    assert "Only members of the pod *Growth*" in last_ephemeral(slack, OUTSIDER)
    with db.transaction() as tx:
        assert tx.get(PodSession, world.session_id).held_at is None
    signed.press(CAROL, prep, "We met")
    assert "marked as held" in last_ephemeral(slack, CAROL)
    with db.transaction() as tx:
        assert tx.get(PodSession, world.session_id).held_at == world.ends_at


def test_we_met_before_the_session_is_refused(signed, slack, world, rt, clock, db):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    signed.press(ALICE, prep, "We met")
    assert "hasn't started yet" in last_ephemeral(slack, ALICE)
    with db.transaction() as tx:
        assert tx.get(PodSession, world.session_id).held_at is None


def test_a_stale_timezone_is_corrected_after_the_modal_is_up(signed, slack, world, db):
    from models import Member

    with db.transaction() as tx:  # we last knew Carol in UTC; Slack says Tokyo
        carol = tx.scalar(select(Member).where(Member.user_id == CAROL))
        carol.tz = "UTC"
        carol.profile_refreshed_at = None
    signed.command(CAROL, "checkin")
    view = modal_on_screen(slack, CAROL)
    assert "Wed 4 Mar, 00:00 (your time)" in visible_text(view)
    assert [call.method for call in slack.calls if call.method.startswith(("views", "users"))] == [
        "views.open",
        "users.info",
        "views.update",
    ]


def test_we_met_on_a_cancelled_session_is_refused(signed, slack, world, rt, clock, db):
    clock.set(world.starts_at - timedelta(hours=24))
    run_once(rt, clock())
    (prep,) = slack.messages_to(POD_CHANNEL)
    with db.transaction() as tx:
        tx.get(PodSession, world.session_id).status = SessionStatus.CANCELLED
    clock.set(world.ends_at)
    signed.press(ALICE, prep, "We met")
    assert "was cancelled" in last_ephemeral(slack, ALICE)
    with db.transaction() as tx:
        assert tx.get(PodSession, world.session_id).held_at is None
