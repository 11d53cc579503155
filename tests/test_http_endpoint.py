"""The signed HTTP endpoint: signature checks, the /coach router, health, event retries."""

import time

import pytest
from sqlalchemy import func, select

from bot.ui.help import SUBCOMMAND_USAGE
from models import SlackEventReceipt
from slack_standin.server import visible_text
from tests.support.harness import RunningBot, build_test_runtime


def replies_to(slack, user_id):
    return [visible_text(reply) for reply in slack.ephemerals(user_id)]


def test_help_lists_every_subcommand_of_the_design(signed, slack):
    response = signed.command("U0ALICE", "help")
    assert response.status == 200
    (reply,) = replies_to(slack, "U0ALICE")
    for group in SUBCOMMAND_USAGE.values():
        for usage in group:
            assert usage.usage in reply
    for word in ["pod create", "checkin", "reflect", "experiments", "kudos", "my-data", "admin"]:
        assert f"/coach {word}" in reply
    assert "(not available yet)" not in reply
    assert "values (in the digest unless private)" in reply
    assert "`/coach checkin` — Prepare for your next session" in reply


def test_bare_command_shows_help(signed, slack):
    signed.command("U0ALICE", "")
    (reply,) = replies_to(slack, "U0ALICE")
    assert "/coach pod create" in reply
    assert "/coach reflect" in reply


def test_unknown_subcommand_names_it_and_suggests_the_closest(signed, slack):
    signed.command("U0ALICE", "stast please")
    (reply,) = replies_to(slack, "U0ALICE")
    assert "Unknown command `stast`" in reply
    assert "Did you mean `/coach stats`?" in reply
    assert "/coach stats" in reply


def test_unknown_subcommand_without_a_close_match_gets_the_full_usage(signed, slack):
    signed.command("U0ALICE", "xyzzy")
    (reply,) = replies_to(slack, "U0ALICE")
    assert "Unknown command `xyzzy`" in reply
    assert "Did you mean" not in reply
    assert "/coach help" in reply


def test_every_subcommand_in_the_usage_has_a_handler(signed, slack):
    for name in SUBCOMMAND_USAGE:
        signed.command("U0ALICE", f"{name} --nonsense-argument")
    replies = replies_to(slack, "U0ALICE")
    assert len(replies) >= len(SUBCOMMAND_USAGE) // 2  # most refuse the argument plainly
    for reply in replies:
        assert "Unknown command" not in reply and "not available yet" not in reply


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "not-the-signing-secret"},
        {"signature": "v0=" + "0" * 64},
        {"timestamp_offset": -6 * 60},
        {"timestamp_offset": +6 * 60},
    ],
    ids=["wrong-secret", "forged-signature", "stale-timestamp", "future-timestamp"],
)
def test_bad_signatures_get_401_and_change_nothing(signed, slack, db, forgery):
    if "timestamp_offset" in forgery:
        forgery = {"timestamp": int(time.time()) + forgery["timestamp_offset"]}
    calls_before = len(slack.calls)
    response = signed.command("U0ALICE", "help", **forgery)
    assert response.status == 401
    assert slack.ephemerals("U0ALICE") == []
    assert len(slack.calls) == calls_before
    event = signed.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}, **forgery)
    assert event.status == 401
    with db.transaction() as tx:
        assert tx.scalar(select(func.count()).select_from(SlackEventReceipt)) == 0


def test_a_timestamp_within_five_minutes_is_accepted(signed, slack):
    response = signed.command("U0ALICE", "help", timestamp=int(time.time()) - 4 * 60)
    assert response.status == 200
    assert len(slack.ephemerals("U0ALICE")) == 1


def test_command_is_acked_quickly_even_when_slack_is_slow(signed, slack):
    slack.set_latency("users.info", 2.0)
    response = signed.command("U0ALICE", "help")
    assert response.status == 200
    assert response.elapsed < 2.0
    assert response.problems == []


def test_event_redeliveries_are_handled_once(signed, db):
    event = {"type": "app_home_opened", "user": "U0ALICE", "tab": "messages"}
    first = signed.event(event, event_id="Ev0001")
    retry = signed.event(event, event_id="Ev0001", retry_num=1)
    assert (first.status, retry.status) == (200, 200)
    with db.transaction() as tx:
        receipts = tx.scalars(select(SlackEventReceipt)).all()
    assert [(r.api_app_id, r.event_id) for r in receipts] == [("A0001", "Ev0001")]


def test_healthz_reports_the_database(signed):
    response = signed.get("/healthz")
    assert response.status == 200
    assert response.json() == {"status": "ok", "database": True}


def test_healthz_is_503_when_the_database_is_unreachable(slack, clock):
    from bot.db import Database

    unreachable = Database.from_url("postgresql://nobody@127.0.0.1:1/none")
    bot = RunningBot(build_test_runtime(unreachable, slack.api_url, clock)).start()
    try:
        from slack_standin.signing import SlackClientSim
        from tests.support.harness import SIGNING_SECRET

        response = SlackClientSim(bot.base_url, SIGNING_SECRET, slack).get("/healthz")
        assert response.status == 503
        assert response.json() == {"status": "unavailable", "database": False}
    finally:
        bot.stop()


def test_an_unexpected_failure_gets_a_plain_apology_not_silence(signed, slack, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.ui.help.help_message", broken)
    response = signed.command("U0ALICE", "help")
    assert response.status == 200
    (reply,) = replies_to(slack, "U0ALICE")
    assert "something went wrong on our side and nothing was saved" in reply
    assert "boom" not in reply and "Traceback" not in reply
