"""Experiments: `/coach experiments`, Tried it / Not yet / Drop wherever they
appear, the outcome note, and the one nudge on the due date at 10:00 in the
member's own timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from bot.notify import experiments as experiments_notify
from bot.notify import outbox
from bot.services import experiments as experiments_service
from bot.ui import experiments as experiments_ui
from models import Experiment, Member, OutboxMessage
from slack_standin.blockcheck import message_block_problems, visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    CAROL,
    TEAM,
    add_people,
    add_session,
    button_texts,
    last_ephemeral,
    make_experiment,
    make_member,
    modal_on_screen,
    outbox_rows,
)

pytestmark = pytest.mark.usefixtures("no_slack_refusals")


def status_of(db, experiment_id):
    with db.transaction() as tx:
        return tx.get(Experiment, experiment_id)


# --------------------------------------------------------------------- /coach experiments


def test_list_shows_my_open_experiments_with_their_buttons(signed, slack, world, db):
    first = make_experiment(db, ALICE, "Ask one more question", date(2026, 3, 5))
    make_experiment(db, ALICE, "Already done", date(2026, 3, 4), status="tried")
    make_experiment(db, BOB, "Bob's private step", date(2026, 3, 4))
    signed.command(ALICE, "experiments")
    shown = slack.ephemerals(ALICE)[-1]
    text = visible_text(shown)
    assert "Your open experiments (1)" in text
    assert "Ask one more question" in text and "Due Thu 5 Mar" in text
    assert "Already done" not in text and "Bob's private step" not in text
    assert button_texts(shown) == ["Tried it", "Not yet", "Drop"]
    assert shown["blocks"][-1]["elements"][0]["value"] == str(first)


def test_no_open_experiments_gets_a_friendly_answer(signed, slack, world):
    signed.command(ALICE, "experiments")
    assert "no open experiments" in last_ephemeral(slack, ALICE)


def test_tried_it_on_the_list_records_it_and_offers_a_note(signed, slack, world, db, clock):
    experiment_id = make_experiment(db, ALICE, "Ask one more question", date(2026, 3, 5))
    make_experiment(db, ALICE, "Another step", date(2026, 3, 6))
    signed.command(ALICE, "experiments")
    listing = slack.ephemerals(ALICE)[-1]
    signed.press(ALICE, listing, "Tried it", value=str(experiment_id))
    saved = status_of(db, experiment_id)
    assert saved.status == "tried" and saved.resolved_at == clock()
    replaced = slack.ephemerals(ALICE)[-1]
    assert replaced["ts"] == listing["ts"]  # the list was replaced in place
    text = visible_text(replaced)
    assert "Tried it" in text and "Your open experiments (1)" in text
    assert "Ask one more question" not in text
    assert slack.home(ALICE) is not None  # App Home refreshed


def test_tried_it_then_add_a_note(signed, slack, world, db):
    experiment_id = make_experiment(db, ALICE, "Ask one more question", date(2026, 3, 5))
    dm = _nudge_like_dm(slack, experiment_id)
    signed.press(ALICE, dm, "Tried it")
    updated = slack.dms(ALICE)[-1]
    assert ":white_check_mark: *Tried it.*" in visible_text(updated)
    assert button_texts(updated) == ["Add a note"]
    signed.press(ALICE, updated, "Add a note")
    view = modal_on_screen(slack, ALICE)
    assert view["title"]["text"] == "How did it go?"
    signed.view_submission(ALICE, view, {"note": "They said yes to half of it."})
    assert status_of(db, experiment_id).outcome_note == "They said yes to half of it."


def test_an_overlong_note_is_an_inline_error(signed, slack, world, db):
    experiment_id = make_experiment(db, ALICE, "Step", date(2026, 3, 5))
    signed.press(ALICE, _nudge_like_dm(slack, experiment_id), "Tried it")
    signed.press(ALICE, slack.dms(ALICE)[-1], "Add a note")
    view = modal_on_screen(slack, ALICE)
    signed.view_submission(ALICE, view, {"note": "n" * 1001}, client_checks=False)
    assert "1,000 characters" in slack.view_errors(view["id"])["note"]
    assert status_of(db, experiment_id).outcome_note is None


def _nudge_like_dm(slack, experiment_id, text="Ask one more question"):
    message = experiments_ui.nudge_message(experiment_id, text)
    slack_client_post(slack, ALICE, message)
    return slack.dms(ALICE)[-1]


def slack_client_post(slack, user_id, message):
    from slack_sdk import WebClient

    WebClient(token="xoxb-test", base_url=slack.api_url).chat_postMessage(
        channel=user_id, **message
    )


def test_not_yet_moves_the_due_date_to_my_next_session(signed, slack, world, db):
    experiment_id = make_experiment(
        db, ALICE, "Step", date(2026, 3, 3), session_id=world.session_id
    )
    later = add_session(db, world.pod_id, datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    assert later
    dm = _nudge_like_dm(slack, experiment_id)
    signed.press(ALICE, dm, "Not yet")
    saved = status_of(db, experiment_id)
    assert saved.status == "open"
    # The Growth session on Tue 3 Mar is after today (Mon 2 Mar): that is the next one.
    assert saved.due_date == date(2026, 3, 3)
    text = visible_text(slack.dms(ALICE)[-1])
    assert "Not yet" in text and "Moved to Tue 3 Mar" in text and "*Growth*" in text
    assert button_texts(slack.dms(ALICE)[-1]) == ["Tried it", "Drop"]


def test_not_yet_on_the_session_day_moves_to_the_following_session(signed, slack, world, db, clock):
    experiment_id = make_experiment(
        db, ALICE, "Step", date(2026, 3, 3), session_id=world.session_id
    )
    add_session(db, world.pod_id, datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    signed.press(ALICE, _nudge_like_dm(slack, experiment_id), "Not yet")
    assert status_of(db, experiment_id).due_date == date(2026, 3, 10)


def test_not_yet_in_my_own_timezone(signed, slack, world, db, clock):
    # Carol is in Tokyo: at 20:00 UTC on Mon 2 Mar it is already Tue 3 Mar there,
    # so the 3 Mar session (Wed 4 Mar 00:00 her time) is still ahead of her "today".
    experiment_id = make_experiment(
        db, CAROL, "Step", date(2026, 3, 3), session_id=world.session_id
    )
    clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    with db.transaction() as tx:
        carol = tx.scalar(select(Member).where(Member.user_id == CAROL))
        experiment = tx.get(Experiment, experiment_id)
        day, pod = experiments_service.next_session_date(tx, carol, experiment, clock())
    assert (day, pod) == (date(2026, 3, 4), "Growth")


def test_drop(signed, slack, world, db):
    experiment_id = make_experiment(db, ALICE, "Step", date(2026, 3, 5))
    signed.press(ALICE, _nudge_like_dm(slack, experiment_id), "Drop")
    assert status_of(db, experiment_id).status == "dropped"
    assert "Dropped" in visible_text(slack.dms(ALICE)[-1])
    assert button_texts(slack.dms(ALICE)[-1]) == []


def test_pressing_twice_changes_nothing_the_second_time(signed, slack, world, db, clock):
    experiment_id = make_experiment(db, ALICE, "Step", date(2026, 3, 5))
    dm = _nudge_like_dm(slack, experiment_id)
    signed.press(ALICE, dm, "Tried it")
    first = status_of(db, experiment_id).resolved_at
    clock.advance(minutes=5)
    # A second click that was already on its way before the message changed.
    signed.block_action(ALICE, "experiment_drop", value=str(experiment_id))
    saved = status_of(db, experiment_id)
    assert (saved.status, saved.resolved_at) == ("tried", first)
    assert "marked this experiment as tried already" in last_ephemeral(slack, ALICE)


def test_someone_elses_experiment_is_refused(signed, slack, world, db):
    experiment_id = make_experiment(db, ALICE, "Alice's step", date(2026, 3, 5))
    signed.block_action(BOB, "experiment_tried", value=str(experiment_id))
    assert status_of(db, experiment_id).status == "open"
    assert "belongs to someone else" in last_ephemeral(slack, BOB)


def test_a_very_long_list_stays_inside_a_message(signed, slack, world, db):
    for number in range(200):
        make_experiment(db, ALICE, f"Step {number} " + "x" * 290, date(2026, 3, 5))
    signed.command(ALICE, "experiments")
    shown = slack.ephemerals(ALICE)[-1]
    assert message_block_problems(shown["blocks"]) == []
    assert len(shown["blocks"]) <= 50
    assert "Your open experiments (200)" in visible_text(shown)
    assert "Showing the 15 due soonest of 200" in visible_text(shown)


# --------------------------------------------------------------------- nudges


def due_nudges(db, now):
    with db.transaction() as tx:
        return experiments_notify.enqueue_due_nudges(tx, now)


def nudge_rows(db):
    return [row for row in outbox_rows(db) if row.dedupe_key.startswith("nudge:")]


def test_nudge_goes_out_at_ten_in_the_members_timezone_once(db, slack, clock):
    add_people(slack)
    with db.transaction() as tx:
        make_member(tx, BOB, clock())  # America/New_York
    experiment_id = make_experiment(db, BOB, "Ask for feedback", date(2026, 3, 5))
    ten_in_new_york = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # EST = UTC-5
    assert due_nudges(db, ten_in_new_york - timedelta(minutes=1)) == 0
    assert due_nudges(db, ten_in_new_york) == 1
    assert due_nudges(db, ten_in_new_york + timedelta(minutes=1)) == 0
    assert due_nudges(db, ten_in_new_york + timedelta(hours=5)) == 0
    (row,) = nudge_rows(db)
    assert row.dedupe_key == f"nudge:{experiment_id}"
    assert row.method == outbox.POST_MESSAGE
    assert row.payload["channel"] == BOB
    assert "Ask for feedback" in visible_text(row.payload)
    assert [text for text, *_ in _buttons(row.payload)] == ["Tried it", "Not yet", "Drop"]
    assert status_of(db, experiment_id).nudged_at == ten_in_new_york


def _buttons(payload):
    from slack_standin.blockcheck import buttons

    return buttons(payload)


def test_timezones_ahead_of_utc_are_nudged_on_their_own_date(db, slack, clock):
    with db.transaction() as tx:
        make_member(tx, CAROL, clock())  # Asia/Tokyo, UTC+9
    make_experiment(db, CAROL, "Step", date(2026, 3, 5))
    assert due_nudges(db, datetime(2026, 3, 5, 0, 59, tzinfo=UTC)) == 0
    assert due_nudges(db, datetime(2026, 3, 5, 1, 0, tzinfo=UTC)) == 1


def test_no_nudge_for_resolved_paused_or_freshly_written_experiments(db, clock):
    with db.transaction() as tx:
        make_member(tx, ALICE, clock())
        paused = make_member(tx, BOB, clock())
        paused.paused_until = date(2026, 3, 20)
    make_experiment(db, ALICE, "Tried already", date(2026, 3, 5), status="tried")
    make_experiment(db, BOB, "Paused person", date(2026, 3, 5))
    make_experiment(
        db,
        ALICE,
        "Written at noon, due today",
        date(2026, 3, 5),
        created_at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
    )
    assert due_nudges(db, datetime(2026, 3, 5, 16, 0, tzinfo=UTC)) == 0
    assert nudge_rows(db) == []


def test_a_nudge_delayed_by_an_outage_still_goes_then_never_late_days_after(db, clock):
    with db.transaction() as tx:
        make_member(tx, ALICE, clock())
    make_experiment(db, ALICE, "Late but same day", date(2026, 3, 5))
    make_experiment(db, ALICE, "Long gone", date(2026, 2, 20))
    assert due_nudges(db, datetime(2026, 3, 5, 18, 0, tzinfo=UTC)) == 1


def test_not_yet_after_the_nudge_never_brings_a_second_nudge(signed, slack, world, db, clock):
    experiment_id = make_experiment(
        db, ALICE, "Step", date(2026, 3, 5), session_id=world.session_id
    )
    assert due_nudges(db, datetime(2026, 3, 5, 10, 0, tzinfo=UTC)) == 1
    clock.set(datetime(2026, 3, 5, 10, 5, tzinfo=UTC))
    signed.block_action(ALICE, "experiment_not_yet", value=str(experiment_id))
    new_due = status_of(db, experiment_id).due_date
    assert new_due > date(2026, 3, 5)
    at_new_due = datetime.combine(new_due, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    assert due_nudges(db, at_new_due) == 0
    assert len(nudge_rows(db)) == 1


def test_nudges_use_a_constant_number_of_statements(db, clock):
    def statements_for(count: int, day: date) -> int:
        for number in range(count):
            make_experiment(db, ALICE, f"Step {number}", day)
        seen: list[str] = []

        def count_statement(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            created = due_nudges(
                db, datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", count_statement)
        assert created == count
        return len(
            [
                s
                for s in seen
                if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
            ]
        )

    with db.transaction() as tx:
        make_member(tx, ALICE, clock())
    few = statements_for(3, date(2026, 3, 5))
    many = statements_for(60, date(2026, 3, 6))
    assert few == many <= 3


def test_nudge_rows_are_valid_slack_messages(db, clock):
    with db.transaction() as tx:
        make_member(tx, ALICE, clock())
    make_experiment(db, ALICE, "x" * 5000, date(2026, 3, 5))
    due_nudges(db, datetime(2026, 3, 5, 10, 0, tzinfo=UTC))
    (row,) = nudge_rows(db)
    assert message_block_problems(row.payload["blocks"]) == []
    assert len(row.payload["text"]) < 1000


def test_team_is_kept_on_the_outbox_row(db, clock):
    with db.transaction() as tx:
        make_member(tx, ALICE, clock())
    make_experiment(db, ALICE, "Step", date(2026, 3, 5))
    due_nudges(db, datetime(2026, 3, 5, 10, 0, tzinfo=UTC))
    with db.transaction() as tx:
        (row,) = tx.scalars(select(OutboxMessage))
        assert row.team_id == TEAM


def test_tried_it_in_the_end_of_session_dm_keeps_the_reflect_button(
    signed, slack, world, db, rt, clock
):
    from bot.scheduler import run_once

    experiment_id = make_experiment(db, ALICE, "Ask one more question", date(2026, 3, 3))
    clock.set(world.ends_at + timedelta(minutes=1))
    run_once(rt, clock())
    (end_dm,) = [m for m in slack.dms(ALICE) if "Reflect" in button_texts(m)]
    # The session pulse follows (1–5, and the pod question after a first session).
    pulse = ["1", "2", "3", "4", "5", "Fine", "I'd like a different pod"]
    assert button_texts(end_dm) == ["Reflect", "Tried it", "Not yet", "Drop", *pulse]
    signed.press(ALICE, end_dm, "Tried it")
    assert status_of(db, experiment_id).status == "tried"
    updated = next(m for m in slack.dms(ALICE) if m["ts"] == end_dm["ts"])
    assert button_texts(updated) == ["Reflect", "Add a note", *pulse]
    assert "Tried it." in visible_text(updated)
