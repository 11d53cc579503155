"""App Home: what it shows, its buttons, its refresh after each of my actions,
and Slack's limits however much history there is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import home as home_service
from bot.ui import home as home_ui
from models import Reflection
from slack_standin.blockcheck import view_problems, visible_text
from tests.test_checkin_support import (
    ALICE,
    BOB,
    OUTSIDER,
    TEAM,
    button_texts,
    checkin_values,
    make_experiment,
    make_member,
    modal_on_screen,
)

pytestmark = pytest.mark.usefixtures("no_slack_refusals")


def add_reflection(db, user_id, insight, action="Act on it", when=None, session_id=None):
    with db.transaction() as tx:
        member = make_member(tx, user_id, when or datetime(2026, 3, 1, tzinfo=UTC))
        tx.add(
            Reflection(
                team_id=TEAM,
                member_id=member.id,
                session_id=session_id,
                insight=insight,
                action=action,
                created_at=when or datetime(2026, 3, 1, tzinfo=UTC),
            )
        )


def open_home(signed, slack, user_id=ALICE):
    response = signed.app_home_opened(user_id)
    assert response.status == 200
    home = slack.home(user_id)
    assert home is not None
    return home


def test_home_shows_my_next_session_experiments_insights_and_pods(signed, slack, world, db):
    make_experiment(db, ALICE, "Ask one more question", date(2026, 3, 5))
    add_reflection(db, ALICE, "Questions beat advice.")
    home = open_home(signed, slack)
    text = visible_text(home)
    assert "Your next session" in text
    assert "*Growth* · Tue 3 Mar, 15:00 (your time)" in text
    if world.coach_user_id:
        assert f"Coach: <@{world.coach_user_id}>" in text
    assert "Theme:" in text
    assert "Your open experiments* (1)" in text and "Ask one more question" in text
    assert "Questions beat advice." in text and "Act on it" in text
    assert "*Your pods*\nGrowth" in text
    assert button_texts(home) == [
        "Check in",
        "Reflect",
        "Kudos",
        "Tried it",
        "Not yet",
        "Drop",
        "Set a reminder",
    ]


def test_times_are_in_my_own_timezone(signed, slack, world):
    text = visible_text(open_home(signed, slack, BOB))  # America/New_York
    assert "Tue 3 Mar, 10:00 (your time)" in text


def test_home_for_someone_in_no_pod(signed, slack, world):
    text = visible_text(open_home(signed, slack, OUTSIDER))
    assert "not in a pod yet" in text
    assert "No open experiments" in text


def test_messages_tab_publishes_nothing(signed, slack, world):
    signed.app_home_opened(ALICE, tab="messages")
    assert slack.home(ALICE) is None


def test_only_my_last_five_insights_and_only_mine(signed, slack, world, db):
    for number in range(8):
        add_reflection(
            db, ALICE, f"Insight number {number}", when=datetime(2026, 2, 1 + number, tzinfo=UTC)
        )
    add_reflection(db, BOB, "Bob's private insight")
    text = visible_text(open_home(signed, slack))
    assert [n for n in range(8) if f"Insight number {n}" in text] == [3, 4, 5, 6, 7]
    assert "Bob's private insight" not in text


def test_kudos_button_opens_the_kudos_form(signed, slack, world):
    signed.press(ALICE, open_home(signed, slack), "Kudos")
    assert modal_on_screen(slack, ALICE)["callback_id"] == "kudos_give"


def test_check_in_button_opens_the_check_in(signed, slack, world):
    signed.press(ALICE, open_home(signed, slack), "Check in")
    assert modal_on_screen(slack, ALICE)["callback_id"] == "checkin_submit"


def test_check_in_button_without_a_pod_explains_in_a_modal(signed, slack, world):
    signed.press(OUTSIDER, open_home(signed, slack, OUTSIDER), "Check in")
    view = modal_on_screen(slack, OUTSIDER)
    assert "not in a pod yet" in visible_text(view)


def test_reflect_button_opens_the_reflection(signed, slack, world):
    signed.press(ALICE, open_home(signed, slack), "Reflect")
    assert modal_on_screen(slack, ALICE)["callback_id"] == "reflection_submit"


def test_home_is_refreshed_after_a_check_in(signed, slack, world):
    open_home(signed, slack)
    signed.command(ALICE, "checkin")
    signed.view_submission(ALICE, modal_on_screen(slack, ALICE), checkin_values())
    text = visible_text(slack.home(ALICE))
    assert "you've checked in" in text
    assert "Decline one request this week" in text  # the new experiment


def test_home_is_refreshed_after_a_reflection(signed, slack, world):
    open_home(signed, slack)
    signed.command(ALICE, "reflect")
    signed.view_submission(
        ALICE, modal_on_screen(slack, ALICE), {"insight": "Fresh insight", "action": "Do it"}
    )
    assert "Fresh insight" in visible_text(slack.home(ALICE))


def test_experiment_buttons_on_home_refresh_it(signed, slack, world, db):
    make_experiment(db, ALICE, "Ask one more question", date(2026, 3, 5))
    home = open_home(signed, slack)
    signed.press(ALICE, home, "Tried it")
    text = visible_text(slack.home(ALICE))
    assert "Your open experiments* (0)" in text
    assert ":white_check_mark: Tried: “Ask one more question”" in text


def test_two_hundred_experiments_and_long_texts_stay_inside_slacks_limits(signed, slack, world, db):
    for number in range(200):
        make_experiment(db, ALICE, f"Experiment {number} " + "long words " * 40, date(2026, 3, 5))
    for number in range(30):
        add_reflection(
            db,
            ALICE,
            "insight " * 400,
            action="action " * 200,
            when=datetime(2026, 2, 1, tzinfo=UTC) + timedelta(hours=number),
        )
    home = open_home(signed, slack)
    assert view_problems(home) == []
    assert len(home["blocks"]) <= 100
    text = visible_text(home)
    assert "(200)" in text and "…and 190 more" in text
    for block in home["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


def test_home_view_builder_is_bounded_even_with_huge_lists():
    data = home_service.HomeData(
        tz="UTC",
        pods=[f"Pod {n} " + "p" * 70 for n in range(500)],
        next_sessions=[
            home_service.NextSession(
                "P" * 80, datetime(2026, 3, 3, tzinfo=UTC), None, "T" * 75, True
            )
            for _ in range(50)
        ],
        open_experiment_count=10_000,
    )
    view = home_ui.home_view(data)
    assert view_problems(view) == []
    assert len(view["blocks"]) <= 100
