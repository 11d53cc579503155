"""The weekly reflection reminder: off by default, set from App Home (day and time on
the member's own clock), one DM at that time with the open experiments and Reflect,
never early, never twice, never to paused people or people in no pod; one click stops it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, select, update

from bot.notify.reflection_reminders import enqueue_due_reflection_reminders
from bot.scheduler import run_once
from models import Member, PodMembership
from slack_standin.blockcheck import view_problems, visible_text
from tests.test_checkin_support import (
    BOB,
    CAROL,
    TEAM,
    button_texts,
    input_labels,
    make_experiment,
    make_pod,
    modal_on_screen,
)

pytestmark = pytest.mark.usefixtures("no_slack_refusals")

# Carol lives in Asia/Tokyo (UTC+9): her Wednesday 08:00 is Tuesday 23:00 UTC.
WEDNESDAY = "2"
DUE = datetime(2026, 3, 3, 23, 0, tzinfo=UTC)
REMINDER = "Time to reflect"


def open_home(signed, slack, user_id=CAROL):
    signed.app_home_opened(user_id)
    home = slack.home(user_id)
    assert home is not None
    return home


def set_reminder(signed, slack, user_id=CAROL, weekday=WEDNESDAY, at="08:00"):
    signed.press(user_id, open_home(signed, slack, user_id), "Set a reminder")
    view = modal_on_screen(slack, user_id)
    response = signed.view_submission(user_id, view, {"weekday": weekday, "time": at})
    assert not response.problems
    assert slack.open_views(user_id) == []


def reminders_to(slack, user_id=CAROL):
    return [m for m in slack.dms(user_id) if REMINDER in visible_text(m)]


def stored(db, user_id=CAROL):
    with db.transaction() as tx:
        member = tx.scalar(select(Member).where(Member.team_id == TEAM, Member.user_id == user_id))
        return member.reflection_reminder_weekday, member.reflection_reminder_time


def test_off_by_default_and_set_from_home(signed, slack, world, db):
    home = visible_text(open_home(signed, slack))
    assert "Weekly reflection reminder" in home and "Off." in home
    assert stored(db) == (None, None)

    signed.press(CAROL, open_home(signed, slack), "Set a reminder")
    view = modal_on_screen(slack, CAROL)
    assert view_problems(view) == []
    assert input_labels(view) == ["Day", "Time"]
    assert "Asia/Tokyo" in visible_text(view)
    signed.view_submission(CAROL, view, {"weekday": WEDNESDAY, "time": "08:00"})

    assert stored(db) == (2, time(8, 0))
    home = slack.home(CAROL)
    assert "On: every *Wednesday* at *08:00* your time (Asia/Tokyo)." in visible_text(home)
    assert "Stop reminders" in button_texts(home)
    assert "Set a reminder" not in button_texts(home)


def test_the_form_is_prefilled_when_changing(signed, slack, world, db):
    set_reminder(signed, slack, weekday="4", at="16:30")
    signed.press(CAROL, slack.home(CAROL), "Change")
    shown = visible_text(modal_on_screen(slack, CAROL))
    assert "Friday" in shown and "16:30" in shown


def test_missing_day_and_time_are_inline_errors(signed, slack, world, db):
    signed.press(CAROL, open_home(signed, slack), "Set a reminder")
    view = modal_on_screen(slack, CAROL)
    signed.view_submission(CAROL, view, {}, client_checks=False)
    errors = slack.view_errors(view["id"])
    assert "Pick the day" in errors["weekday"]
    assert "Pick the time" in errors["time"]
    assert slack.open_views(CAROL) != []
    assert stored(db) == (None, None)

    signed.view_submission(CAROL, view, {"weekday": WEDNESDAY}, client_checks=False)
    assert set(slack.view_errors(view["id"])) == {"time"}
    assert stored(db) == (None, None)


def test_one_dm_at_my_local_time_with_my_open_experiments(signed, slack, world, db, rt, clock):
    make_experiment(db, CAROL, "Ask before advising, twice a day", date(2026, 3, 10))
    make_experiment(db, BOB, "Bob's own experiment", date(2026, 3, 10))
    set_reminder(signed, slack)

    clock.set(DUE - timedelta(minutes=1))  # Wednesday 07:59 in Tokyo
    run_once(rt, clock())
    assert reminders_to(slack) == []

    for minutes in (0, 1, 30, 119, 150):
        clock.set(DUE + timedelta(minutes=minutes))
        run_once(rt, clock())
    (dm,) = reminders_to(slack)
    text = visible_text(dm)
    assert "“Ask before advising, twice a day” — due Tue 10 Mar" in text
    assert "Bob's own experiment" not in text
    assert button_texts(dm) == ["Reflect", "Stop reminders"]
    assert reminders_to(slack, BOB) == []

    signed.press(CAROL, dm, "Reflect")
    assert modal_on_screen(slack, CAROL)["callback_id"] == "reflection_submit"

    # A week later, the next one.
    clock.set(DUE + timedelta(days=7))
    run_once(rt, clock())
    assert len(reminders_to(slack)) == 2


def test_more_than_two_hours_late_it_waits_for_next_week(signed, slack, world, db, rt, clock):
    set_reminder(signed, slack)
    clock.set(DUE + timedelta(hours=2, minutes=1))
    run_once(rt, clock())
    assert reminders_to(slack) == []


def test_not_on_another_day_nor_in_utc_by_mistake(signed, slack, world, db, rt, clock):
    set_reminder(signed, slack)
    clock.set(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))  # Wednesday 08:00 UTC = 17:00 in Tokyo
    run_once(rt, clock())
    assert reminders_to(slack) == []


def test_stop_with_one_click_from_home(signed, slack, world, db, rt, clock):
    set_reminder(signed, slack)
    signed.press(CAROL, slack.home(CAROL), "Stop reminders")
    assert "no more weekly reflection reminders" in visible_text(modal_on_screen(slack, CAROL))
    assert stored(db) == (None, None)
    home = slack.home(CAROL)
    assert "Off." in visible_text(home) and "Set a reminder" in button_texts(home)

    clock.set(DUE)
    run_once(rt, clock())
    assert reminders_to(slack) == []


def test_stop_from_the_dm(signed, slack, world, db, rt, clock):
    set_reminder(signed, slack)
    clock.set(DUE)
    run_once(rt, clock())
    (dm,) = reminders_to(slack)
    signed.press(CAROL, dm, "Stop reminders")
    assert stored(db) == (None, None)
    assert any("no more weekly reflection" in visible_text(e) for e in slack.ephemerals(CAROL))
    clock.set(DUE + timedelta(days=7))
    run_once(rt, clock())
    assert len(reminders_to(slack)) == 1


def test_never_to_paused_members_nor_people_in_no_pod(signed, slack, world, db, rt, clock):
    set_reminder(signed, slack, CAROL)
    set_reminder(signed, slack, BOB, weekday="1", at="18:00")  # Tue 18:00 New York = 23:00 UTC
    with db.transaction() as tx:
        carol = tx.scalar(select(Member).where(Member.user_id == CAROL))
        carol.paused_until = date(2026, 3, 4)
        bob = tx.scalar(select(Member).where(Member.user_id == BOB))
        tx.execute(
            update(PodMembership)
            .where(PodMembership.member_id == bob.id)
            .values(left_at=datetime(2026, 3, 2, tzinfo=UTC))
        )
    clock.set(DUE)
    run_once(rt, clock())
    assert reminders_to(slack, CAROL) == [] and reminders_to(slack, BOB) == []

    # Once the pause is over, Carol's reminder comes back.
    clock.set(DUE + timedelta(days=7))
    run_once(rt, clock())
    assert len(reminders_to(slack, CAROL)) == 1
    assert reminders_to(slack, BOB) == []


def test_someone_new_sees_their_own_timezone_in_the_form(signed, slack, world, db):
    slack.add_user("U0NINA", "nina", tz="Europe/Paris")
    signed.press("U0NINA", open_home(signed, slack, "U0NINA"), "Set a reminder")
    view = modal_on_screen(slack, "U0NINA")
    assert "Europe/Paris" in visible_text(view)
    signed.view_submission("U0NINA", view, {"weekday": "0", "time": "09:15"})
    assert stored(db, "U0NINA") == (0, time(9, 15))
    assert "every *Monday* at *09:15* your time (Europe/Paris)" in visible_text(
        slack.home("U0NINA")
    )


def test_a_constant_number_of_statements_whatever_the_number_due(db):
    def statements_for(count: int, day: date) -> int:
        at = datetime.combine(day, time(7, 0), tzinfo=UTC)
        with db.transaction() as tx:
            pod = make_pod(tx, f"Pod {day}", [f"U{day:%d}{n:03d}" for n in range(count)], at)
            for member in tx.scalars(select(Member).where(Member.user_id.like(f"U{day:%d}%"))):
                member.reflection_reminder_weekday = day.weekday()
                member.reflection_reminder_time = time(7, 0)
            assert pod.id
        make_experiment(db, f"U{day:%d}000", "One step", day)
        seen: list[str] = []

        def count_statement(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            with db.transaction() as tx:
                assert enqueue_due_reflection_reminders(tx, at + timedelta(minutes=5)) == count
        finally:
            event.remove(db.engine, "before_cursor_execute", count_statement)
        return len(
            [
                s
                for s in seen
                if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
            ]
        )

    assert statements_for(3, date(2026, 3, 5)) == statements_for(40, date(2026, 3, 11)) <= 5
