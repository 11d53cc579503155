"""/coach kudos through the signed endpoint and the Slack stand-in: a value from the
text or from a button, several recipients, private kudos, the daily limit, and the
usage for everything that can't be a kudos (nothing written)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.sender import OutboxSender
from bot.services import kudos as kudos_service
from bot.services.refusals import Refusal
from handlers import kudos as kudos_handler
from models import Kudos, ProgramSettings
from slack_standin.blockcheck import buttons, visible_text

ANA, BO, CY, ROBOT = "U0ANA", "U0BO", "U0CY", "U0ROBOT"
VALUES = ["Curiosity", "Accountability", "Generosity", "Courage", "Respect"]


@pytest.fixture
def people(slack):
    slack.add_user(ANA, "ana", tz="Europe/London")
    slack.add_user(BO, "bo", tz="America/New_York")
    slack.add_user(CY, "cy", tz="Asia/Tokyo")
    slack.add_user(ROBOT, "robot", is_bot=True)


def kudos_rows(db) -> list[Kudos]:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return list(tx.scalars(select(Kudos).order_by(Kudos.id)))


def last_answer(slack, user_id: str) -> str:  # type: ignore[no-untyped-def]
    answers = slack.ephemerals(user_id)
    assert answers, f"no answer for {user_id}; problems: {slack.problems}"
    return visible_text(answers[-1])


def deliver(rt, clock) -> None:  # type: ignore[no-untyped-def]
    OutboxSender(rt.db, rt.client, clock=clock).drain()


# ---------------------------------------------------------------- giving


def test_kudos_with_a_value_in_the_text_reaches_the_recipient(
    signed, slack, rt, clock, people, no_slack_refusals
):
    signed.command(ANA, "kudos <@U0BO|bo> for COURAGE: you said no to the deadline")
    assert "Kudos for *Courage* sent to <@U0BO>" in last_answer(slack, ANA)
    assert "appear in this week's digest" in last_answer(slack, ANA)
    (row,) = kudos_rows(rt.db)
    assert (row.value, row.is_private) == ("Courage", False)
    assert row.text == "for COURAGE: you said no to the deadline"
    deliver(rt, clock)
    (dm,) = slack.dms(BO)
    text = visible_text(dm)
    assert "<@U0ANA> gave you kudos for *Courage*" in text
    assert "you said no to the deadline" in text
    assert slack.dms(ANA) == []


def test_a_hashtag_value_and_several_recipients_in_private(
    signed, slack, rt, clock, people, no_slack_refusals
):
    signed.command(ANA, "kudos <@U0BO|bo> <@U0CY|cy> #generosity private pairing all week")
    assert "Kept private" in last_answer(slack, ANA)
    rows = kudos_rows(rt.db)
    assert [r.value for r in rows] == ["Generosity", "Generosity"]
    assert len({r.batch_key for r in rows}) == 1 and all(r.is_private for r in rows)
    assert rows[0].text == "pairing all week"
    deliver(rt, clock)
    for user_id, other in ((BO, CY), (CY, BO)):
        (dm,) = slack.dms(user_id)
        assert f"Together with <@{other}>" in visible_text(dm)
        assert "Just between you two" in visible_text(dm)


def test_without_a_value_the_buttons_ask_and_complete_the_kudos(
    signed, slack, rt, clock, people, no_slack_refusals
):
    signed.command(ANA, "kudos <@U0BO|bo> thanks for the <b>review</b> & notes")
    picker = slack.ephemerals(ANA)[-1]
    assert "which value did they show?" in visible_text(picker)
    shown = [text for text, _, _ in buttons(picker)]
    assert shown[:4] == ["Curiosity", "Accountability", "Generosity", "Courage"]
    assert kudos_rows(rt.db) == []
    signed.press(ANA, picker, "Curiosity")
    (row,) = kudos_rows(rt.db)
    assert row.value == "Curiosity" and row.text == "thanks for the <b>review</b> & notes"
    answer = last_answer(slack, ANA)
    assert "Kudos for *Curiosity* sent to <@U0BO>" in answer
    assert buttons(slack.ephemerals(ANA)[-1]) == []
    deliver(rt, clock)
    (dm,) = slack.dms(BO)
    assert "thanks for the &lt;b&gt;review&lt;/b&gt; &amp; notes" in visible_text(dm)


def test_a_second_press_of_the_same_picker_gives_nothing_twice(signed, slack, rt, people):
    signed.command(ANA, "kudos <@U0BO|bo> thanks")
    picker = slack.ephemerals(ANA)[-1]
    (value,) = [v for text, _, v in buttons(picker) if text == "Courage"]
    signed.press(ANA, picker, "Courage")
    signed.block_action(ANA, f"{kudos_handler.ids.KUDOS_VALUE_ACTION}-3", value=value)
    assert len(kudos_rows(rt.db)) == 1
    assert "sent already" in last_answer(slack, ANA)


def test_the_daily_limit_counts_the_givers_day(signed, slack, rt, clock, people):
    with rt.db.transaction() as tx:
        tx.add(ProgramSettings(team_id=slack.team_id, kudos_daily_limit=2, updated_at=clock()))
    signed.command(ANA, "kudos <@U0BO|bo> <@U0CY|cy> #courage one")
    signed.command(ANA, "kudos <@U0BO|bo> #courage two")
    signed.command(ANA, "kudos <@U0BO|bo> #courage three")
    assert "daily limit" in last_answer(slack, ANA)
    assert len(kudos_rows(rt.db)) == 3
    clock.advance(days=1)
    signed.command(ANA, "kudos <@U0BO|bo> #courage tomorrow")
    assert "sent to" in last_answer(slack, ANA)


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kudos", "Mention who the kudos is for"),
        ("kudos thanks for everything #courage", "Mention who the kudos is for"),
        ("kudos <@U0ANA|ana> #courage me myself", "you can't give yourself one"),
        ("kudos <@U0ROBOT|robot> #courage beep", "is a bot"),
        ("kudos <@U0BO|bo> #braveness great", "“braveness” is not one of the program's values"),
        ("kudos <@U0BO|bo> #courage", "Say what they did"),
        ("kudos <@U0BO|bo>", "Say what they did"),
        ("kudos <@U0BO|bo> #courage " + "x" * 501, "more than 500"),
    ],
)
def test_what_cannot_be_a_kudos_gets_the_usage_and_writes_nothing(
    signed, slack, rt, clock, people, text, problem
):
    signed.command(ANA, text)
    answer = last_answer(slack, ANA)
    assert problem in answer
    assert "/coach kudos @someone" in answer
    assert kudos_rows(rt.db) == []
    deliver(rt, clock)
    assert slack.dms(BO) == [] and slack.dms(ROBOT) == []


def test_an_unknown_person_gets_the_usage(signed, slack, rt, people):
    signed.command(ANA, "kudos <@U0NOBODY|ghost> #courage boo")
    assert "can't find everyone you mentioned" in last_answer(slack, ANA)
    assert kudos_rows(rt.db) == []


def test_an_unknown_hashtag_suggests_the_closest_value(signed, slack, people):
    signed.command(ANA, "kudos <@U0BO|bo> #curiosty great questions")
    assert "Did you mean *Curiosity*?" in last_answer(slack, ANA)


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("args", "value", "text", "private"),
    [
        ("<@U1|a> for courage you spoke", "Courage", "for courage you spoke", False),
        ("<@U1|a> #Courage you spoke", "Courage", "you spoke", False),
        ("<@U1> you spoke #COURAGE", "Courage", "you spoke", False),
        ("<@U1|a> private: you spoke", None, "you spoke", True),
        ("<@U1|a> you spoke (private)", None, "you spoke", True),
        ("<@U1|a> courage and curiosity", None, "courage and curiosity", False),
        ("<@U1|a> a private word in the middle", None, "a private word in the middle", False),
        ("<@U1|a> #1 teammate", None, "#1 teammate", False),
    ],
)
def test_parse(args, value, text, private):
    request = kudos_service.parse(args, VALUES)
    assert request.user_ids == ("U1",)
    assert (request.value, request.text, request.is_private) == (value, text, private)


def test_parse_keeps_recipients_once_and_caps_them():
    request = kudos_service.parse("<@U1|a> <@U2|b> <@U1|a> #respect thanks", VALUES)
    assert request.user_ids == ("U1", "U2")
    many = " ".join(f"<@U{n}>" for n in range(11))
    with pytest.raises(Refusal, match="at most 10"):
        kudos_service.parse(f"{many} #respect thanks", VALUES)


def test_custom_values_come_from_the_admins_values_statement(db):
    with db.transaction() as tx:
        tx.add(
            ProgramSettings(
                team_id="T1",
                values_text="Our values:\n• *Candour*: say it\n• *Craft*: do it well",
                updated_at=kudos_service_now(),
            )
        )
    with db.transaction() as tx:
        assert kudos_service.program_values(tx, "T1") == ["Candour", "Craft"]
        assert kudos_service.program_values(tx, "T2")[:4] == VALUES[:4]


def kudos_service_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(0)


def test_typed_angle_brackets_and_ampersands_arrive_as_typed(
    signed, slack, rt, clock, people, no_slack_refusals
):
    # Slack sends a typed `<`, `>` or `&` as an entity; the bot stores what was typed
    # and escapes it once when it posts, so nobody sees `&lt;` and nothing pings.
    signed.command(ANA, "kudos <@U0BO|bo> for courage: R&D said <clear> & <!here> we shipped")
    (row,) = kudos_rows(rt.db)
    assert row.text == "for courage: R&D said <clear> & <!here> we shipped"
    deliver(rt, clock)
    (dm,) = slack.dms(BO)
    text = visible_text(dm)  # mrkdwn as posted: Slack shows each entity as its character
    assert "R&amp;D said &lt;clear&gt; &amp; &lt;!here&gt; we shipped" in text
    assert "&amp;lt;" not in text and "&amp;amp;" not in text  # escaped once, not twice
    assert "<!here>" not in str(dm.get("text")) and "<!here>" not in str(dm.get("blocks"))
