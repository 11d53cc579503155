"""/coach admin through the signed endpoint: who may open it, the settings modal's
inline errors, and edited texts reaching the welcome packet (cleared → shipped)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.program_content import get_content
from bot.services import program
from models import ProgramSettings
from slack_standin.server import visible_text
from slack_standin.signing import SubmissionBlocked
from tests.support.harness import build_test_runtime

ADMIN, OWNER, ALICE = "U0ADMIN", "U0OWNER", "U0ALICE"
LEAD, VALUES, RULES = (
    "Prep reminder, hours before a session",
    "Values statement",
    "Ground rules",
)
OUR_RULES = "Be kind to each other.\nStart on time, end on time."


@pytest.fixture
def rt(db, slack, clock):
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def people(slack):
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin")
    slack.add_user(OWNER, "owner", is_admin=True)
    slack.add_user(ALICE, "alice", tz="Europe/Paris")
    return slack


def open_settings(signed, slack, user_id=ADMIN):
    response = signed.command(user_id, "admin")
    assert response.status == 200 and not response.problems, response.problems
    (view,) = slack.open_views(user_id)
    return view


def stored(db) -> ProgramSettings | None:
    with db.transaction() as tx:
        row = tx.scalar(select(ProgramSettings))
        if row is not None:
            tx.expunge(row)
        return row


def welcome_text(signed, slack, user_id=ALICE) -> str:
    signed.command(user_id, "welcome")
    return visible_text(slack.ephemerals(user_id)[-1])


def test_someone_who_is_not_an_admin_gets_a_plain_refusal(signed, slack, people):
    response = signed.command(ALICE, "admin")
    assert response.status == 200
    assert slack.open_views(ALICE) == []
    shown = visible_text(slack.ephemerals(ALICE)[-1])
    assert "Only program admins can change the program settings" in shown


def test_admins_from_settings_and_slack_admins_open_the_settings(signed, slack, people):
    for user_id in (ADMIN, OWNER):
        view = open_settings(signed, slack, user_id)
        shown = visible_text(view)
        assert "Program settings" in shown
        assert "24" in shown  # the default lead time
        assert get_content().ground_rules.rules[0].title in shown  # the shipped text
        assert "Clear the field to go back to the standard text" in shown


def test_extra_words_get_the_usage(signed, slack, people):
    signed.command(ADMIN, "admin digest now")
    assert slack.open_views(ADMIN) == []
    shown = visible_text(slack.ephemerals(ADMIN)[-1])
    assert "takes nothing after it" in shown and "/coach admin" in shown


@pytest.mark.parametrize("hours", ["0", "169", "1.5", "soon"])
def test_lead_time_outside_1_to_168_is_an_inline_error(signed, slack, people, db, hours):
    view = open_settings(signed, slack)
    signed.view_submission(ADMIN, view, by_label={LEAD: hours}, client_checks=False)
    errors = slack.view_errors(view["id"])
    assert "from 1 to 168" in errors["prep_lead_hours"]
    assert slack.open_views(ADMIN) != []
    assert stored(db) is None


def test_slack_itself_refuses_an_out_of_range_number(signed, slack, people):
    view = open_settings(signed, slack)
    with pytest.raises(SubmissionBlocked):
        signed.view_submission(ADMIN, view, by_label={LEAD: "500"})


def test_a_text_too_long_is_an_inline_error(signed, slack, people, db):
    view = open_settings(signed, slack)
    signed.view_submission(ADMIN, view, by_label={RULES: "x" * 3001}, client_checks=False)
    assert "3,000 characters or fewer" in slack.view_errors(view["id"])["ground_rules_text"]
    assert stored(db) is None


def test_saving_unchanged_keeps_the_shipped_texts(signed, slack, people, db):
    view = open_settings(signed, slack)
    signed.view_submission(ADMIN, view, by_label={LEAD: "48"})
    assert slack.open_views(ADMIN) == []
    row = stored(db)
    assert row.prep_lead_hours == 48
    assert row.values_text is None and row.ground_rules_text is None
    confirmation = visible_text(slack.dms(ADMIN)[-1])
    assert "Prep reminders go out 48 hours before each session" in confirmation
    assert "Ground rules: the standard text" in confirmation


def test_edited_ground_rules_reach_the_welcome_packet_and_clearing_restores_them(
    signed, slack, people, db
):
    shipped_rule = get_content().ground_rules.rules[1].title
    assert shipped_rule in welcome_text(signed, slack)

    view = open_settings(signed, slack)
    signed.view_submission(
        ADMIN, view, by_label={RULES: OUR_RULES, VALUES: "We are curious and kind."}
    )
    assert slack.open_views(ADMIN) == []
    assert stored(db).ground_rules_text == OUR_RULES
    assert "Ground rules: your own text" in visible_text(slack.dms(ADMIN)[-1])
    shown = welcome_text(signed, slack)
    assert "Be kind to each other." in shown and "We are curious and kind." in shown
    assert shipped_rule not in shown

    view = open_settings(signed, slack)
    assert "Be kind to each other." in visible_text(view)  # the modal opens with it
    signed.view_submission(ADMIN, view, by_label={RULES: ""})
    assert stored(db).ground_rules_text is None
    assert stored(db).values_text == "We are curious and kind."
    shown = welcome_text(signed, slack)
    assert shipped_rule in shown and "Be kind to each other." not in shown


def test_settings_default_without_a_row(db):
    with db.transaction() as tx:
        settings = program.get_settings(tx, "T0001")
        assert settings.prep_lead_hours == 24
        texts = program.texts(settings)
        assert texts.ground_rules_text == program.default_ground_rules_text()
        assert not texts.ground_rules_custom
        assert tx.scalar(select(ProgramSettings)) is None
