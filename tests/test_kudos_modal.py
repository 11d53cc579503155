"""The App Home's Kudos button through the signed endpoint and the Slack stand-in:
the modal (people, the program's values, the text, "Keep it private"), the kudos
it gives like `/coach kudos` does, and the checks as inline errors that write
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.sender import OutboxSender
from models import Kudos, Member, ProgramSettings
from slack_standin.blockcheck import visible_text

pytestmark = pytest.mark.usefixtures("no_slack_refusals")

TEAM = "T0001"
ANA, BO, CY, ROBOT = "U0ANA", "U0BO", "U0CY", "U0ROBOT"
# A value an admin removed while the form was open.
GONE_VALUE = {"text": {"type": "plain_text", "text": "Braveness"}, "value": "Braveness"}


@pytest.fixture
def people(slack):  # type: ignore[no-untyped-def]
    slack.add_user(ANA, "ana", tz="Europe/London")
    slack.add_user(BO, "bo", tz="America/New_York")
    slack.add_user(CY, "cy", tz="Asia/Tokyo")
    slack.add_user(ROBOT, "robot", is_bot=True)


def open_kudos(signed, slack, user_id=ANA):  # type: ignore[no-untyped-def]
    assert signed.app_home_opened(user_id).status == 200
    signed.press(user_id, slack.home(user_id), "Kudos")
    views = slack.open_views(user_id)
    assert views, f"no modal open; problems: {slack.problems}"
    return views[-1]


def block(view, block_id):  # type: ignore[no-untyped-def]
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def kudos_rows(db) -> list[Kudos]:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return list(tx.scalars(select(Kudos).order_by(Kudos.id)))


def deliver(rt, clock) -> None:  # type: ignore[no-untyped-def]
    OutboxSender(rt.db, rt.client, clock=clock).drain()


def form(**changes):  # type: ignore[no-untyped-def]
    return {"recipients": [BO], "value": "Courage", "text": "you said no to the deadline"} | changes


def test_kudos_button_opens_the_kudos_form(signed, slack, people):
    view = open_kudos(signed, slack)
    assert view["title"]["text"] == "Kudos" and view["submit"]["text"] == "Send kudos"
    assert block(view, "recipients")["element"]["type"] == "multi_users_select"
    values = block(view, "value")["element"]
    assert values["type"] == "static_select"
    assert [o["value"] for o in values["options"]][:4] == [
        "Curiosity",
        "Accountability",
        "Generosity",
        "Courage",
    ]
    text = block(view, "text")["element"]
    assert text["multiline"] is True and text["max_length"] == 500
    private = block(view, "private")
    assert private["optional"] is True
    assert "Keep it private" in visible_text(view)


def test_the_values_are_the_programs_own(signed, slack, rt, clock, people):
    with rt.db.transaction() as tx:
        tx.add(
            ProgramSettings(
                team_id=TEAM, values_text="• *Candour*: say it\n• *Craft*", updated_at=clock()
            )
        )
    options = block(open_kudos(signed, slack), "value")["element"]["options"]
    assert [o["value"] for o in options] == ["Candour", "Craft"]


def test_a_kudos_from_the_form_reaches_everyone_like_the_command(signed, slack, rt, clock, people):
    view = open_kudos(signed, slack)
    response = signed.view_submission(ANA, view, form(recipients=[BO, CY]))
    assert response.status == 200 and not response.problems
    assert slack.view_errors(view["id"]) == {}
    assert slack.open_views(ANA) == []

    rows = kudos_rows(rt.db)
    assert [(r.value, r.is_private) for r in rows] == [("Courage", False), ("Courage", False)]
    assert len({r.batch_key for r in rows}) == 1
    assert rows[0].text == "you said no to the deadline"
    (confirmation,) = slack.dms(ANA)
    assert "Kudos for *Courage* sent to <@U0BO>, <@U0CY>" in visible_text(confirmation)
    assert "appear in this week's digest" in visible_text(confirmation)
    with rt.db.transaction() as tx:  # people the bot had not met are known by name now
        names = dict(tx.execute(select(Member.user_id, Member.real_name)).all())
    assert names[BO] == "Bo" and names[CY] == "Cy"

    deliver(rt, clock)
    for user_id, other in ((BO, CY), (CY, BO)):
        (dm,) = slack.dms(user_id)
        text = visible_text(dm)
        assert "<@U0ANA> gave you kudos for *Courage*" in text
        assert "you said no to the deadline" in text
        assert f"Together with <@{other}>" in text


def test_keep_it_private(signed, slack, rt, clock, people):
    view = open_kudos(signed, slack)
    signed.view_submission(ANA, view, form(private=["private"], value="Generosity"))
    (row,) = kudos_rows(rt.db)
    assert (row.value, row.is_private) == ("Generosity", True)
    assert "Kept private" in visible_text(slack.dms(ANA)[-1])
    deliver(rt, clock)
    assert "Just between you two" in visible_text(slack.dms(BO)[-1])


def make_known_bot(rt, clock) -> None:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as tx:
        tx.add(Member(team_id=TEAM, user_id=ROBOT, is_bot=True, created_at=clock()))


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"recipients": [BO, ANA]}, "recipients", "you can't give yourself one"),
        ({"recipients": [ROBOT]}, "recipients", "is a bot"),
        ({"text": "   "}, "text", "Say what they did"),
        ({"text": "x" * 501}, "text", "more than 500"),
        ({"value": GONE_VALUE}, "value", "Pick one of the program's values"),
    ],
)
def test_what_cannot_be_a_kudos_is_an_inline_error_and_writes_nothing(
    signed, slack, rt, clock, people, changes, field, problem
):
    make_known_bot(rt, clock)
    view = open_kudos(signed, slack)
    # Crafted like a client that skips Slack's own checks (length, option list).
    response = signed.view_submission(ANA, view, form(**changes), client_checks=False)
    assert response.status == 200
    errors = slack.view_errors(view["id"])
    assert set(errors) == {field} and problem in errors[field]
    assert slack.open_views(ANA)  # the form stays open to be fixed
    assert kudos_rows(rt.db) == []
    deliver(rt, clock)
    assert slack.dms(BO) == [] and slack.dms(ROBOT) == [] and slack.dms(ANA) == []


def test_the_daily_limit_is_an_inline_error(signed, slack, rt, clock, people):
    with rt.db.transaction() as tx:
        tx.add(ProgramSettings(team_id=TEAM, kudos_daily_limit=1, updated_at=clock()))
    signed.view_submission(ANA, open_kudos(signed, slack), form())
    view = open_kudos(signed, slack)
    signed.view_submission(ANA, view, form(text="again"))
    assert "daily limit" in slack.view_errors(view["id"])["recipients"]
    assert len(kudos_rows(rt.db)) == 1
