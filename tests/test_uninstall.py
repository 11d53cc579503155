"""A workspace that removes the app (app_uninstalled, or tokens_revoked naming the bot's
token) gets nothing more: its pending messages fail with the reason "app_uninstalled" in
the uninstall's own transaction, the tick skips its pods, and the sender sends nothing.
The first person to use the app again (a command, a button, the App Home) resumes it;
what fell due meanwhile is not sent late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.sender import OutboxSender
from bot.tick import tick
from models import OutboxMessage, OutboxStatus, Workspace
from tests.test_checkin_support import ALICE, BOB, CAROL, TEAM, outbox_rows

OTHER_TEAM = "T0OTHER"


def pending_row(db, team_id: str, key: str, to: str = ALICE) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        tx.add(
            OutboxMessage(
                team_id=team_id,
                dedupe_key=key,
                method="chat.postMessage",
                payload={"channel": to, "text": f"hello from {key}"},
            )
        )


def statuses(db) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {row.dedupe_key: (row.status, row.error) for row in outbox_rows(db)}


def workspace(db, team_id: str = TEAM) -> Workspace | None:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return tx.scalar(select(Workspace).where(Workspace.team_id == team_id))


def deliver(rt, clock) -> None:  # type: ignore[no-untyped-def]
    OutboxSender(rt.db, rt.client, clock=clock).drain()


def at_prep_time(world, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(world.starts_at - timedelta(hours=23))


def uninstall(signed, kind: str = "app_uninstalled", **options):  # type: ignore[no-untyped-def]
    event = {"type": kind}
    if kind == "tokens_revoked":
        event["tokens"] = {"oauth": [], "bot": ["U0BOT"]}
    response = signed.event(event, **options)
    assert response.status == 200
    return response


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
def test_an_uninstall_fails_the_teams_pending_messages_and_no_others(
    signed, slack, rt, clock, world, kind
):
    pending_row(rt.db, TEAM, "ours")
    pending_row(rt.db, OTHER_TEAM, "theirs")
    uninstall(signed, kind)
    assert statuses(rt.db) == {
        "ours": (OutboxStatus.FAILED, "app_uninstalled"),
        "theirs": (OutboxStatus.PENDING, None),
    }
    recorded = workspace(rt.db)
    assert recorded is not None and recorded.uninstalled_at == clock()
    assert recorded.uninstall_reason == kind
    deliver(rt, clock)
    sent = [call.params.get("text") for call in slack.calls_to("chat.postMessage")]
    assert "hello from ours" not in sent
    assert statuses(rt.db)["ours"] == (OutboxStatus.FAILED, "app_uninstalled")


def test_the_tick_skips_an_uninstalled_team_and_nothing_is_sent(signed, slack, rt, clock, world):
    uninstall(signed)
    at_prep_time(world, clock)
    tick(rt.db, clock())
    assert [row for row in outbox_rows(rt.db) if row.status != OutboxStatus.FAILED] == []
    deliver(rt, clock)
    for person in (ALICE, BOB, CAROL):
        assert slack.dms(person) == []
    assert slack.calls_to("chat.postMessage") == []


def test_revoking_only_user_tokens_changes_nothing(signed, slack, rt, clock, world):
    pending_row(rt.db, TEAM, "ours")
    signed.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0ALICE"], "bot": []}})
    assert workspace(rt.db) is None
    assert statuses(rt.db) == {"ours": (OutboxStatus.PENDING, None)}


def test_a_retried_uninstall_event_is_recorded_once(signed, slack, rt, clock, world):
    uninstall(signed, event_id="EvGONE")
    first = workspace(rt.db)
    clock.advance(minutes=5)
    uninstall(signed, event_id="EvGONE", retry_num=1)
    again = workspace(rt.db)
    assert first is not None and again is not None
    assert again.uninstalled_at == first.uninstalled_at == again.updated_at


def test_other_events_do_not_resume_but_a_persons_command_does(signed, slack, rt, clock, world):
    uninstall(signed)
    user = {**slack.user(ALICE), "team_id": TEAM}
    signed.event({"type": "user_change", "user": user})
    assert workspace(rt.db).uninstalled_at is not None
    clock.advance(days=1)
    signed.command(ALICE, "help")
    resumed = workspace(rt.db)
    assert resumed.uninstalled_at is None and resumed.reinstalled_at == clock()


@pytest.mark.parametrize("how", ["command", "app_home_opened"])
def test_after_a_reinstall_the_next_tick_sends_again(signed, slack, rt, clock, world, how):
    uninstall(signed)
    if how == "command":
        signed.command(BOB, "help")
    else:
        signed.app_home_opened(BOB)
    assert workspace(rt.db).uninstalled_at is None
    at_prep_time(world, clock)
    assert tick(rt.db, clock()) > 0
    deliver(rt, clock)
    assert slack.dms(ALICE) and slack.dms(BOB) and slack.dms(CAROL)


def test_rows_failed_at_uninstall_stay_failed_but_what_is_still_due_goes_out(
    signed, slack, rt, clock, world
):
    pending_row(rt.db, TEAM, "ours", to=BOB)
    uninstall(signed)
    at_prep_time(world, clock)
    tick(rt.db, clock())  # skipped: nothing enqueued, nothing marked
    signed.command(ALICE, "help")  # back
    clock.advance(minutes=5)
    tick(rt.db, clock())
    deliver(rt, clock)
    assert statuses(rt.db)["ours"] == (OutboxStatus.FAILED, "app_uninstalled")
    texts = [call.params.get("text") for call in slack.calls_to("chat.postMessage")]
    assert "hello from ours" not in texts
    assert len(slack.dms(BOB)) >= 1  # the prep reminder, still before the session
