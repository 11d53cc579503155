"""No doubles across a crash: a sender that dies after Slack accepted its call,
before the row is marked sent, leaves a row the next sender looks up (Slack
message metadata carries the dedupe key) instead of sending again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.notify import outbox
from bot.sender import CALLS_PER_ROW, METADATA_EVENT_TYPE, OutboxSender
from models import OutboxMessage, OutboxStatus
from slack_standin.server import visible_text
from tests.support.harness import BOT_TOKEN
from tests.test_sender import START, Killed, enqueue_dms, received, rows, sender

USERS = ["U100", "U101", "U102"]


@pytest.fixture
def people(slack, clock):
    for user_id in USERS:
        slack.add_user(user_id, user_id.lower())
    slack.add_channel("CPOD", "pathfinders", members=USERS)
    slack.ts_clock = clock  # message ts follow the test's clock, as Slack's follow ours
    clock.set(START)
    return USERS


class DiesAfterSlackAnswers(OutboxSender):
    """Slack accepts the call; the process dies before the row is marked sent."""

    def call(self, method, payload):
        answer = super().call(method, payload)
        if method == outbox.POST_MESSAGE:
            raise Killed()
        return answer


def lookups(slack) -> list[str]:
    return [
        call.method
        for call in slack.calls
        if call.method in ("conversations.open", "conversations.history")
    ]


def test_killed_after_slack_accepted_a_dm_sends_it_exactly_once(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1])
    dying = DiesAfterSlackAnswers(rt.db, rt.client, clock=clock)
    with pytest.raises(Killed):
        dying.drain()
    (row,) = rows(rt.db)
    assert (row.status, row.call_started_at) == (OutboxStatus.CLAIMED, START)
    assert received(slack, people[0]) == [f"Hello {people[0]}"]

    clock.advance(seconds=30)
    assert sender(rt, clock).drain() == "nothing to send"  # the claim is still live
    clock.advance(minutes=5)
    assert sender(rt, clock).drain() == "1 found sent"
    assert received(slack, people[0]) == [f"Hello {people[0]}"]
    assert len(slack.calls_to("chat.postMessage")) == 1
    (row,) = rows(rt.db)
    (message,) = slack.dms(people[0])
    assert row.status == OutboxStatus.SENT
    assert (row.result_channel, row.result_ts) == (slack.im_channel(people[0]), message["ts"])
    # A DM sent to a user id with no recorded answer: the IM id from conversations.open.
    assert lookups(slack) == ["conversations.open", "conversations.history"]


def test_the_im_channel_comes_from_an_earlier_answer_when_there_is_one(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1], prefix="first")
    assert sender(rt, clock).drain() == "1 sent"
    enqueue_dms(rt.db, people[:1], prefix="second")
    with pytest.raises(Killed):
        DiesAfterSlackAnswers(rt.db, rt.client, clock=clock).drain()
    clock.advance(minutes=6)
    assert sender(rt, clock).drain() == "1 found sent"
    assert lookups(slack) == ["conversations.history"]
    assert received(slack, people[0]) == [f"Hello {people[0]}"] * 2


def test_killed_after_slack_accepted_a_channel_post_sends_it_once(rt, clock, slack, people):
    with rt.db.transaction() as tx:
        outbox.post_message(
            tx, team_id="T0001", dedupe_key="prep:1", channel="CPOD", text="See you at 3",
            not_before=START,
        )  # fmt: skip
    with pytest.raises(Killed):
        DiesAfterSlackAnswers(rt.db, rt.client, clock=clock).drain()
    clock.advance(minutes=6)
    assert sender(rt, clock).drain() == "1 found sent"
    assert [visible_text(m) for m in slack.messages_to("CPOD")] == ["See you at 3"]


def test_a_claim_abandoned_after_the_call_started_is_looked_up_not_resent(rt, clock, slack, people):
    """Simulated crash: "call started" recorded, the claim abandoned, and Slack had
    not got the message after all: the lookup finds nothing and it is sent once."""
    enqueue_dms(rt.db, people[:2])
    with rt.db.transaction() as tx:
        tx.execute(
            update(OutboxMessage).values(
                status="claimed", claimed_by="dead#1", claimed_at=START, call_started_at=START
            )
        )
    clock.advance(minutes=6)
    assert sender(rt, clock).drain() == "2 sent"
    for user_id in people[:2]:
        assert received(slack, user_id) == [f"Hello {user_id}"]
    assert lookups(slack).count("conversations.history") == 2


def test_each_message_carries_its_dedupe_key_in_message_metadata(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1])
    sender(rt, clock).drain()
    (message,) = slack.dms(people[0])
    assert message["metadata"] == {
        "event_type": METADATA_EVENT_TYPE,
        "event_payload": {"dedupe_key": f"dm:{people[0]}"},
    }


def test_a_timed_out_call_that_reached_slack_is_not_sent_twice(db, clock, slack, people):
    """The client gives up waiting; Slack posts anyway. The retry looks first."""
    impatient = WebClient(token=BOT_TOKEN, base_url=slack.api_url, timeout=1)
    enqueue_dms(db, people[:1])
    slack.set_latency("chat.postMessage", 1.5)
    worker = OutboxSender(db, impatient, clock=clock, lease=timedelta(minutes=1))
    assert worker.drain() == "1 retry"
    time.sleep(1)  # the stand-in finishes the post it was still working on
    slack.calm()
    clock.advance(seconds=30)
    assert worker.drain() == "1 found sent"
    assert received(slack, people[0]) == [f"Hello {people[0]}"]


def test_a_clear_refusal_clears_the_mark_so_the_next_try_does_not_look(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1])
    slack.rate_limit("chat.postMessage", times=1, retry_after=3)
    assert sender(rt, clock).drain() == "1 rate limited"
    (row,) = rows(rt.db)
    assert row.call_started_at is None
    clock.advance(seconds=3)
    assert sender(rt, clock).drain() == "1 sent"
    assert lookups(slack) == []


def test_a_lookup_refused_for_good_fails_the_row_with_the_reason(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1])
    with rt.db.transaction() as tx:
        tx.execute(
            update(OutboxMessage).values(
                status="claimed", claimed_by="dead#1", claimed_at=START, call_started_at=START
            )
        )
    slack.fail("conversations.history", error="missing_scope")
    clock.advance(minutes=6)
    assert sender(rt, clock).drain() == "1 failed"
    (row,) = rows(rt.db)
    assert row.error == "missing_scope (looking for an earlier attempt: conversations.history)"
    assert slack.dms(people[0]) == []  # never sent blind


def test_the_lease_must_outlast_every_call_a_row_can_make(rt, clock):
    client = WebClient(token=BOT_TOKEN, base_url=rt.client.base_url, timeout=30)
    with pytest.raises(ValueError, match="lease"):
        OutboxSender(rt.db, client, clock=clock, lease=timedelta(seconds=30 * CALLS_PER_ROW))
    assert OutboxSender(rt.db, client, clock=clock).lease > timedelta(seconds=30 * CALLS_PER_ROW)


def test_no_call_starts_when_too_little_of_the_lease_is_left(rt, clock, slack, people):
    """A row that waited in the batch until its claim is nearly over is released,
    not called: a call started then could outlive the lease."""
    enqueue_dms(rt.db, people[:1])
    worker = sender(rt, clock)
    (row,) = worker.claim()
    clock.advance(seconds=(worker.lease - worker.call_budget).total_seconds() + 1)
    assert worker.send([row]) == ["lease_expired"]
    assert slack.calls_to("chat.postMessage") == []
    with rt.db.transaction() as tx:
        status = tx.scalar(select(OutboxMessage.status))
    assert status == OutboxStatus.PENDING
    assert worker.drain() == "1 sent"


# ---------------------------------------------------------------------- several senders


def test_a_retry_after_window_holds_for_every_sender_process(rt, clock, slack, people):
    """Another sender (another process: nothing in memory shared) keeps the window too."""
    enqueue_dms(rt.db, people[:2])
    slack.rate_limit("chat.postMessage", times=1, retry_after=5)
    first = sender(rt, clock, batch_size=1)
    assert first.drain(max_batches=1) == "1 rate limited"
    other = sender(rt, clock)
    assert other.drain() == "nothing to send"
    clock.advance(seconds=4)
    assert other.drain() == "nothing to send"
    assert len(slack.calls_to("chat.postMessage")) == 1
    clock.advance(seconds=1)
    assert other.drain() == "2 sent"


def test_a_claimed_row_waits_for_a_window_another_sender_opened(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:2])
    holder = sender(rt, clock, batch_size=1)
    (held,) = holder.claim()
    slack.rate_limit("chat.postMessage", times=1, retry_after=5)
    assert sender(rt, clock).drain() == "1 rate limited"
    # Claimed before the 429, not called after it: the holder reads the window first.
    assert holder.send([held]) == ["deferred"]
    assert len(slack.calls_to("chat.postMessage")) == 1
    clock.advance(seconds=5)
    assert sender(rt, clock).drain() == "2 sent"


def test_max_claimed_bounds_the_rows_in_flight_across_senders(rt, clock, slack, people):
    for batch in range(3):
        enqueue_dms(rt.db, people, prefix=f"m{batch}")  # 9 messages
    busy = sender(rt, clock, batch_size=2)
    assert len(busy.claim()) == 2  # in flight elsewhere
    bounded = sender(rt, clock, max_claimed=5)
    assert len(bounded.claim()) == 3
    assert bounded.claim() == []


def test_a_sender_at_the_bound_swaps_rows_it_sent_for_as_many_new_ones(rt, clock, slack, people):
    """Rows marked sent in the claim's own transaction make room for as many new
    ones (no count needed); a claim for more is counted against the bound."""
    for batch in range(4):
        enqueue_dms(rt.db, people, prefix=f"m{batch}")  # 12 messages
    busy = sender(rt, clock, batch_size=2)
    assert len(busy.claim()) == 2  # in flight elsewhere
    bounded = sender(rt, clock, max_claimed=5, batch_size=3)
    first = bounded.claim()
    assert len(first) == 3
    assert [bounded.deliver(row) for row in first] == ["sent"] * 3  # recorded at the next claim
    assert len(bounded.claim()) == 3  # the 3 sent, swapped for 3 new
    assert claimed_count(rt.db) == 5
    wider = sender(rt, clock, max_claimed=5, batch_size=4)
    assert wider.claim() == []  # more than it swapped: counted, and the bound is reached
    assert claimed_count(rt.db) == 5


def claimed_count(db) -> int:
    return sum(1 for row in rows(db) if row.status == OutboxStatus.CLAIMED)
