"""Withdrawing a shared learning before the digest goes out, from the App Home:
the section lists only my own shared learnings still waiting, Withdraw takes one
out for good, and a button naming someone else's reflection changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import ids
from bot.scheduler import run_once
from bot.ui import home as home_ui
from models import Reflection
from models.community_views import WaitingLearning
from models.session_views import HomeData
from slack_standin.blockcheck import view_problems, visible_text
from tests.test_digest import CHANNEL, FRIDAY_9, WEDNESDAY, people, settings, share

pytestmark = pytest.mark.usefixtures("no_slack_refusals")

ME = "U00PERSON"


@pytest.fixture
def shared(rt, slack, clock):  # type: ignore[no-untyped-def]
    """Five authors shared a learning this week (I shared two); I also kept one
    private, and one of mine went out in an earlier digest."""
    slack.add_channel(CHANNEL, "coaching-digest")
    ids_by_text: dict[str, int] = {}
    with rt.db.transaction() as tx:
        settings(tx)
        authors = people(tx, 5)
        for member in authors:
            slack.add_user(member.user_id, member.display_name, tz="UTC")
        me, others = authors[0], authors[1:]
        for text in ("MINE-KEEP asking twice works", "MINE-WITHDRAW silence is an answer"):
            ids_by_text[text] = share(tx, me, text).id
        private = share(tx, me, "MINE-PRIVATE never shared", share_in_digest=False)
        ids_by_text["MINE-PRIVATE"] = private.id
        for index, member in enumerate(others):
            row = share(tx, member, f"THEIRS-{index} small steps beat big plans")
            ids_by_text[f"THEIRS-{index}"] = row.id
    clock.set(WEDNESDAY + timedelta(hours=1))
    return ids_by_text


def open_home(signed, slack, user_id=ME):  # type: ignore[no-untyped-def]
    assert signed.app_home_opened(user_id).status == 200
    home = slack.home(user_id)
    assert home is not None
    return home


def waiting(home) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """{Withdraw button value: the learning's text} in the waiting section."""
    return {
        block["accessory"]["value"]: block["text"]["text"]
        for block in home["blocks"]
        if (block.get("accessory") or {}).get("action_id") == ids.LEARNING_WITHDRAW_ACTION
    }


def reflection(db, reflection_id: int) -> Reflection:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        row = tx.scalar(select(Reflection).where(Reflection.id == reflection_id))
        tx.expunge(row)
        return row


def test_home_lists_only_my_shared_learnings_waiting_for_the_digest(signed, slack, shared):
    home = open_home(signed, slack)
    assert "Waiting for the weekly digest" in visible_text(home)
    shown = waiting(home)
    assert sorted(shown) == sorted(
        str(shared[t])
        for t in ("MINE-KEEP asking twice works", "MINE-WITHDRAW silence is an answer")
    )
    assert all("MINE-" in text for text in shown.values())
    assert not any("THEIRS" in text or "PRIVATE" in text for text in shown.values())


def test_withdraw_removes_it_from_home_and_from_the_next_digest(rt, signed, slack, clock, shared):
    withdrawn = shared["MINE-WITHDRAW silence is an answer"]
    home = open_home(signed, slack)
    signed.press(ME, home, "Withdraw", value=str(withdrawn))

    (answer,) = slack.open_views(ME)
    assert "Withdrawn: that learning won't appear in the digest" in visible_text(answer)
    shown = waiting(slack.home(ME))
    assert str(withdrawn) not in shown
    assert len(shown) == 1 and "MINE-KEEP" in next(iter(shown.values()))
    assert reflection(rt.db, withdrawn).withdrawn_at is not None

    clock.set(FRIDAY_9)
    run_once(rt)
    (posted,) = slack.messages_to(CHANNEL)
    text = visible_text(posted)
    assert "MINE-KEEP asking twice works" in text  # still five authors: released
    assert "silence is an answer" not in text
    assert reflection(rt.db, withdrawn).digest_id is None

    clock.set(FRIDAY_9 + timedelta(weeks=1))
    run_once(rt)
    assert all("silence is an answer" not in visible_text(m) for m in slack.messages_to(CHANNEL))
    assert waiting(open_home(signed, slack)) == {}  # what went out no longer waits


def test_a_second_press_says_it_is_gone_already(signed, slack, shared):
    withdrawn = shared["MINE-WITHDRAW silence is an answer"]
    home = open_home(signed, slack)
    signed.press(ME, home, "Withdraw", value=str(withdrawn))
    signed.block_action(ME, ids.LEARNING_WITHDRAW_ACTION, value=str(withdrawn), view=home)
    assert "not waiting for the digest any more" in visible_text(slack.open_views(ME)[-1])


def test_a_crafted_button_naming_someone_elses_learning_is_refused(rt, signed, slack, shared):
    theirs = shared["THEIRS-0"]
    home = open_home(signed, slack)
    before = waiting(home)
    signed.block_action(ME, ids.LEARNING_WITHDRAW_ACTION, value=str(theirs), view=home)
    assert "not waiting for the digest any more" in visible_text(slack.open_views(ME)[-1])
    assert reflection(rt.db, theirs).withdrawn_at is None
    assert waiting(slack.home(ME)) == before
    for tampered in ("", "not-a-number"):
        signed.block_action(ME, ids.LEARNING_WITHDRAW_ACTION, value=tampered, view=home)
        assert "out of date" in visible_text(slack.open_views(ME)[-1])
    with rt.db.transaction() as tx:
        assert tx.scalar(select(Reflection.id).where(Reflection.withdrawn_at.is_not(None))) is None


def test_a_long_waiting_list_stays_inside_the_home_limits():
    items = [
        WaitingLearning(n, "word " * 2000, datetime(2026, 3, 1, tzinfo=UTC)) for n in range(500)
    ]
    view = home_ui.home_view(
        HomeData(tz="UTC", pods=["Pod"], open_experiment_count=10_000, waiting_learnings=items)
    )
    assert view_problems(view) == []
    assert len(view["blocks"]) <= 100
    assert "…and 490 more waiting." in visible_text(view)
