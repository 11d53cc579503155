"""An outbox that stays fast: the code looks rows up by structured, indexed
columns (kind, recipient, subject, original_key), every outbox query of a tick,
the sender and a check-in uses an index over a year of history (PostgreSQL
EXPLAIN), and sent rows and receipts are purged after the retention window."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, text

from bot.notify import outbox
from bot.scheduler import run_once
from bot.services import receipts
from bot.tick import purge
from models import OutboxMessage, OutboxStatus, RequestReceipt, SlackEventReceipt
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ALICE,
    POD_CHANNEL,
    add_people,
    build_world,
    checkin_values,
    modal_on_screen,
)

INTENT = "Say no to a meeting without sounding like I don't care"


def stored(db) -> dict[str, OutboxMessage]:
    with db.transaction() as tx:
        return {row.dedupe_key: row for row in tx.scalars(select(OutboxMessage))}


# ---------------------------------------------------------------------- the columns


def test_columns_are_derived_from_key_and_payload():
    assert outbox.outbox_columns(
        "prep:12@20260302T0900Z:U1", "chat.postMessage", {"channel": "U1", "text": "x"}
    ) == {"kind": "prep", "recipient": "U1", "subject": "12@20260302T0900Z", "original_key": None}
    assert outbox.outbox_columns(
        "prep:12@20260302T0900Z:refresh:2",
        "chat.update",
        {"original_key": "prep:12@20260302T0900Z", "text": "x"},
    ) == {
        "kind": "prep",
        "recipient": None,
        "subject": "12@20260302T0900Z",
        "original_key": "prep:12@20260302T0900Z",
    }
    assert outbox.outbox_columns("nudge", "chat.postMessage", {"channel": "C1"}, kind="x") == {
        "kind": "x",
        "recipient": "C1",
        "subject": None,
        "original_key": None,
    }


def test_every_way_of_enqueuing_fills_the_columns(db, clock):
    now = clock()
    with db.transaction() as tx:
        outbox.post_message(
            tx, team_id="T1", dedupe_key="tactic-review:7:U9", channel="U9", text="Review",
            not_before=now,
        )  # fmt: skip
        outbox.update_message(
            tx, team_id="T1", dedupe_key="tactic-review:7:U9:outcome",
            original_key="tactic-review:7:U9", text="Approved", not_before=now,
        )  # fmt: skip
        outbox.enqueue_all(
            tx,
            [
                outbox.Outgoing("T1", "end:5:U2", outbox.POST_MESSAGE, {"channel": "U2"}),
                outbox.Outgoing(
                    "T1", "custom", outbox.POST_MESSAGE, {"channel": "C3"}, {"subject": "s"}
                ),
            ],
            now,
        )
    rows = stored(db)

    def columns(key: str) -> tuple[Any, ...]:
        row = rows[key]
        return (row.kind, row.recipient, row.subject, row.original_key)

    assert columns("tactic-review:7:U9") == ("tactic-review", "U9", "7", None)
    assert columns("tactic-review:7:U9:outcome") == (
        "tactic-review",
        None,
        "7",
        "tactic-review:7:U9",
    )
    assert columns("end:5:U2") == ("end", "U2", "5", None)
    assert columns("custom") == ("custom", "C3", "s", None)


# ---------------------------------------------------------------------- retention


def sent_row(
    key: str, sent_days_ago: float, now, channel: str = "U1", team_id: str = "T1", **extra
) -> dict:
    sent_at = now - timedelta(days=sent_days_ago)
    payload = {"channel": channel, "text": "x"}
    return {
        "team_id": team_id,
        "dedupe_key": key,
        "method": outbox.POST_MESSAGE,
        "payload": payload,
        "status": OutboxStatus.SENT,
        "not_before": sent_at,
        "attempts": 1,
        "created_at": sent_at,
        "sent_at": sent_at,
        **outbox.outbox_columns(key, outbox.POST_MESSAGE, payload),
        **extra,
    }


def test_sent_rows_and_receipts_past_the_retention_window_are_purged(db, clock):
    now = clock()
    rows = [
        sent_row("end:1:U1", 45, now),
        sent_row("digest:T1:2026-01-05", 31, now, channel="CDIGEST"),
        sent_row("end:2:U1", 29, now),  # inside the window
        sent_row("prep:1@20260101T0900Z:U1", 60, now),  # U1's first prep DM: consent
        sent_row("prep:2@20260108T0900Z:U1", 50, now),
        sent_row("welcome:T1:U1", 90, now),  # "once ever": kept
        sent_row("end:3:U1", 40, now, status=OutboxStatus.FAILED),  # failures stay
        sent_row("end:4:U1", 40, now, status=OutboxStatus.PENDING, sent_at=None),
    ]
    with db.transaction() as tx:
        tx.execute(insert(OutboxMessage), rows)
        tx.add(SlackEventReceipt(api_app_id="A1", event_id="Ev1", received_at=now - timedelta(31)))
        tx.add(SlackEventReceipt(api_app_id="A1", event_id="Ev2", received_at=now))
        tx.add(RequestReceipt(signature="v0=old", received_at=now - timedelta(days=31)))
        tx.add(RequestReceipt(signature="v0=new", received_at=now))
    assert purge(db, now, retention_days=30) == 5
    assert sorted(stored(db)) == [
        "end:2:U1",
        "end:3:U1",
        "end:4:U1",
        "prep:1@20260101T0900Z:U1",
        "welcome:T1:U1",
    ]
    with db.transaction() as tx:
        assert tx.scalars(select(SlackEventReceipt.event_id)).all() == ["Ev2"]
        assert tx.scalars(select(RequestReceipt.signature)).all() == ["v0=new"]
        # A redelivery of a purged event would be new again: 30 days is far past Slack's retries.
        assert receipts.record_event(tx, "A1", "Ev2", now) is False


def test_the_purge_works_in_batches(db, clock, monkeypatch):
    now = clock()
    with db.transaction() as tx:
        tx.execute(insert(OutboxMessage), [sent_row(f"end:{n}:U1", 40, now) for n in range(25)])
    monkeypatch.setattr("bot.tick.PURGE_BATCH", 10)
    with captured(db) as seen:
        assert purge(db, now, retention_days=30) == 25
    statements = [statement for statement, _ in seen]
    deletes = [s for s in statements if s.startswith("DELETE FROM outbox_messages")]
    assert len(deletes) == 3  # 10 + 10 + 5


def test_the_scheduled_pass_purges_with_the_configured_window(rt, clock):
    now = clock()
    with rt.db.transaction() as tx:
        tx.execute(insert(OutboxMessage), [sent_row("end:1:U1", 10, now)])
    run_once(rt, now)
    assert "end:1:U1" in stored(rt.db)  # default 30 days
    rt.settings.RETENTION_DAYS = 7
    run_once(rt, now)
    assert stored(rt.db) == {}


# ---------------------------------------------------------------------- indexes (PostgreSQL)


@contextmanager
def captured(db) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement run on the engine, with its driver parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def seed_a_year_of_history(db, now, users: list[str]) -> int:
    """A 50-pod program's year: prep (channel, DMs, brief, refreshes) and end DMs."""
    rng = random.Random(2026)
    rows = []
    for week in range(52):
        for pod in range(50):
            session = week * 50 + pod
            at = now - timedelta(days=365 - 7 * week)
            stamp = at.strftime("%Y%m%dT%H%MZ")
            people = [f"UPOD{pod:02d}{n}" for n in range(4)] + rng.sample(users, 1)
            keys = [(f"prep:{session}@{stamp}", f"CPOD{pod:02d}")]
            keys += [(f"prep:{session}@{stamp}:{u}", u) for u in people]
            keys += [(f"brief:{session}@{stamp}", people[0])]
            keys += [(f"end:{session}:{u}", u) for u in people]
            for key, channel in keys:
                row = sent_row(key, (now - at).days, now, channel=channel, team_id="T0001")
                row["sent_at"] = at
                rows.append(row)
            original = f"prep:{session}@{stamp}"
            payload = {"original_key": original, "text": "x"}
            rows.append(
                {
                    **sent_row(f"{original}:refresh:1", 0, now, team_id="T0001"),
                    "method": outbox.UPDATE_MESSAGE,
                    "payload": payload,
                    "sent_at": at,
                    **outbox.outbox_columns(
                        f"{original}:refresh:1", outbox.UPDATE_MESSAGE, payload
                    ),
                }
            )
    with db.transaction() as tx:
        for start in range(0, len(rows), 5000):
            tx.execute(insert(OutboxMessage), rows[start : start + 5000])
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE outbox_messages"))
    return len(rows)


def plan_of(db, statement: str, parameters: Any) -> str:
    with db.engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        lines = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars()
        return "\n".join(lines)


EXPECTED_INDEX = {
    # the consent-reminder query (bot/services/welcome.py)
    r"outbox_messages\.recipient IN": "ix_outbox_messages_recipient_kind",
    # the prep-refresh lookup (bot/services/prep_updates.py)
    r"outbox_messages\.original_key = ": "ix_outbox_messages_original_key",
    # the sender's update lookup (bot/sender.py)
    r"outbox_messages\.original_key IN": "ix_outbox_messages_original_key",
    # the claim (due rows in not_before order, read straight off the index)
    r"ORDER BY outbox_messages.not_before\s+LIMIT.*SKIP LOCKED": (
        "ix_outbox_messages_status_not_before"
    ),
    # the retention purge
    r"outbox_messages\.sent_at <": "ix_outbox_messages_sent_at",
}


@pytest.fixture
def busy_world(db, slack, clock):
    add_people(slack)
    return build_world(db, clock(), seasoned=True)


def test_every_outbox_query_of_a_tick_the_sender_and_a_check_in_uses_an_index(
    rt, db, signed, slack, busy_world, clock
):
    if db.is_sqlite:
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    at = busy_world.starts_at - timedelta(hours=24)
    seeded = seed_a_year_of_history(db, at, [ALICE, "U0BOB", "U0CAROL", "U0DAN"])
    clock.set(at)
    rt.settings.RETENTION_DAYS = 400  # the year stays; the purge query still runs
    with captured(db) as tick_and_send:
        run_once(rt, at)  # tick (consent query, prep), purge, sender (claim, sends)
    with captured(db) as check_in:
        signed.command(ALICE, "checkin")
        signed.view_submission(ALICE, modal_on_screen(slack, ALICE), checkin_values(intent=INTENT))
    with captured(db) as updates:
        run_once(rt, at)  # the sender's update lookup, for the refreshed prep message
    (prep,) = slack.messages_to(POD_CHANNEL)
    assert INTENT in visible_text(prep)  # the whole path ran

    phases = {"tick and send": tick_and_send, "check-in": check_in, "updates": updates}
    seen_expected = set()
    checked = 0
    for phase, statements in phases.items():
        for statement, parameters in statements:
            if "outbox_messages" not in statement or statement.startswith("INSERT"):
                continue
            plan = plan_of(db, statement, parameters)
            checked += 1
            assert "Seq Scan on outbox_messages" not in plan, f"{phase}: {statement}\n{plan}"
            for pattern, index in EXPECTED_INDEX.items():
                if re.search(pattern, statement, re.S):
                    seen_expected.add(pattern)
                    assert index in plan, f"{phase}: {statement}\n{plan}"
    assert seen_expected == set(EXPECTED_INDEX), set(EXPECTED_INDEX) - seen_expected
    assert checked >= len(EXPECTED_INDEX)
    with db.transaction() as tx:
        assert tx.scalar(select(func.count()).select_from(OutboxMessage)) > seeded


def test_no_ack_path_reads_outbox_history(db, signed, slack, world, clock):
    """Requests that only read (help, Home, the check-in modal) never touch the outbox;
    the check-in submission's outbox reads are point lookups by key (checked above)."""
    with captured(db) as statements:
        signed.command(ALICE, "help")
        signed.command(ALICE, "checkin")
        signed.app_home_opened(ALICE)
    touching = [s for s, _ in statements if "outbox_messages" in s]
    assert touching == []
