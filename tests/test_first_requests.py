"""Several requests at once from people the bot has not met yet: one member row per
person and every request gets its real answer (member rows are upserted, so the
requests don't race on the members table's unique key). Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from bot.ui.answers import SORRY
from models import Member
from slack_standin.server import visible_text
from tests.test_pods import GOOD_FORM, modal_of

NEWCOMER = "U0NEWBIE"
NO_SESSIONS = "You have no upcoming sessions."
STRANGERS = ("U0NEW1", "U0NEW2", "U0NEW3")
USERS_INFO_DELAY = 0.3
"""users.info answers slowly, so every request has read "unknown person" before
any of them writes the member row."""


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Runs the calls in parallel threads, released together."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def member_rows(db, user_id):
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(Member).where(Member.user_id == user_id))


def replies_to(slack, user_id):
    return [visible_text(message) for message in slack.ephemerals(user_id)]


def test_three_next_commands_at_once_from_a_new_person(signed, slack, bot, db):
    slack.add_user(NEWCOMER, "newbie", tz="Asia/Tokyo")
    slack.set_latency("users.info", USERS_INFO_DELAY)

    responses = at_once([lambda: signed.sim.command(NEWCOMER, "next")] * 3)
    bot.settle()

    assert [response.status for response in responses] == [200, 200, 200]
    replies = replies_to(slack, NEWCOMER)
    assert not any(SORRY in reply for reply in replies), replies
    assert len(replies) == 3 and all(NO_SESSIONS in reply for reply in replies), replies
    assert member_rows(db, NEWCOMER) == 1
    with db.transaction() as tx:
        member = tx.scalar(select(Member).where(Member.user_id == NEWCOMER))
        assert member.tz == "Asia/Tokyo" and member.profile_refreshed_at is not None
    assert slack.problems == []


def test_next_at_once_when_slack_cannot_say_who_it_is(signed, slack, bot, db):
    """users.info fails: the member row is made without a profile, once."""
    slack.add_user(NEWCOMER, "newbie", tz="Asia/Tokyo")
    slack.fail("users.info", "fatal_error", times=3)
    slack.set_latency("users.info", USERS_INFO_DELAY)

    responses = at_once([lambda: signed.sim.command(NEWCOMER, "next")] * 3)
    bot.settle()

    assert [response.status for response in responses] == [200, 200, 200]
    replies = replies_to(slack, NEWCOMER)
    assert not any(SORRY in reply for reply in replies), replies
    assert len(replies) == 3 and all(NO_SESSIONS in reply for reply in replies), replies
    assert member_rows(db, NEWCOMER) == 1
    assert slack.problems == []


def test_two_pod_forms_at_once_naming_the_same_new_people(signed, slack, bot, db):
    for number, user_id in enumerate(STRANGERS):
        slack.add_user(user_id, f"stranger{number}", tz="Europe/Paris")
    creators = ("U0MAKER1", "U0MAKER2")
    views = []
    for creator in creators:
        slack.add_user(creator, creator.lower(), tz="Europe/Paris")
        signed.command(creator, "pod create")
        views.append(modal_of(slack, creator))
    slack.set_latency("users.info", USERS_INFO_DELAY)

    def submit(creator: str, view: dict[str, Any], name: str) -> Any:
        form = {**GOOD_FORM, "name": name, "members": [creator, *STRANGERS]}
        return signed.sim.view_submission(creator, view, form)

    responses = at_once(
        [
            lambda: submit(creators[0], views[0], "Night Owls"),
            lambda: submit(creators[1], views[1], "Early Birds"),
        ]
    )
    bot.settle()

    assert [response.status for response in responses] == [200, 200]
    for creator in creators:
        shown = visible_text(modal_of(slack, creator))
        assert "is set up" in shown and SORRY not in shown, shown
    for user_id in (*STRANGERS, *creators):
        assert member_rows(db, user_id) == 1, user_id
    assert slack.problems == []
