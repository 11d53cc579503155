"""The outbox sender against the Slack stand-in: once each, Retry-After honoured,
backoff, permanent failures, leases, chat.update resolution, crashes, chaos,
and two senders sharing one PostgreSQL outbox."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.notify import outbox
from bot.sender import OutboxSender, sending_client
from models import OutboxMessage, OutboxStatus
from slack_standin.server import visible_text
from tests.support.harness import BOT_TOKEN

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
USERS = [f"U{n:03d}" for n in range(12)]


@pytest.fixture
def people(slack):
    for user_id in USERS:
        slack.add_user(user_id, user_id.lower())
    slack.add_channel("CPOD", "pathfinders", members=USERS)
    return USERS


def enqueue_dms(db, users, at=START, prefix="dm") -> None:
    with db.transaction() as tx:
        for user_id in users:
            outbox.post_message(
                tx,
                team_id="T0001",
                dedupe_key=f"{prefix}:{user_id}",
                channel=user_id,
                text=f"Hello {user_id}",
                not_before=at,
            )


def rows(db) -> list[OutboxMessage]:
    with db.transaction() as tx:
        return list(tx.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def received(slack, user_id) -> list[str]:
    return [visible_text(message) for message in slack.dms(user_id)]


def sender(rt, clock, **options) -> OutboxSender:
    return OutboxSender(rt.db, rt.client, clock=clock, **options)


def test_sends_each_due_row_once_and_records_where_it_went(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:3])
    enqueue_dms(rt.db, people[3:4], at=START + timedelta(hours=1), prefix="later")
    clock.set(START)
    assert sender(rt, clock).drain() == "3 sent"
    assert sender(rt, clock).drain() == "nothing to send"
    for user_id in people[:3]:
        assert received(slack, user_id) == [f"Hello {user_id}"]
    assert slack.dms(people[3]) == []
    sent = [row for row in rows(rt.db) if row.status == OutboxStatus.SENT]
    assert len(sent) == 3
    assert all(row.result_channel.startswith("D") and row.result_ts for row in sent)
    assert all(row.sent_at == START for row in sent)


def test_the_client_has_no_sleeping_retry_handlers(rt):
    client = sending_client(rt.client)
    assert client.retry_handlers == []
    assert client.base_url == rt.client.base_url
    assert client.token == BOT_TOKEN


def test_retry_after_is_honoured_per_method_without_counting_an_attempt(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:4])
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    clock.set(START)
    first = sender(rt, clock, max_in_flight=1)
    assert first.drain() == "3 deferred, 1 rate limited"
    calls = slack.calls_to("chat.postMessage")
    assert [call.status for call in calls] == [429]  # the others waited, uncalled
    assert {row.not_before for row in rows(rt.db)} == {START + timedelta(seconds=7)}
    assert all(row.attempts == 0 and row.status == "pending" for row in rows(rt.db))
    clock.advance(seconds=6)
    assert first.drain() == "nothing to send"
    assert len(slack.calls_to("chat.postMessage")) == 1
    clock.advance(seconds=1)
    assert first.drain() == "4 sent"
    assert all(len(slack.dms(user_id)) == 1 for user_id in people[:4])


def test_a_window_is_kept_by_the_sender_even_for_rows_another_process_enqueued(
    rt, clock, slack, people
):
    enqueue_dms(rt.db, people[:1])
    slack.rate_limit("chat.postMessage", times=1, retry_after=5)
    clock.set(START)
    one = sender(rt, clock)
    one.drain()
    clock.advance(seconds=2)
    enqueue_dms(rt.db, people[1:2], at=clock())  # due now, but inside the window
    assert one.drain() == "nothing to send"
    clock.advance(seconds=3)
    assert one.drain() == "2 sent"


def test_server_errors_back_off_exponentially_then_fail(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1])
    slack.server_error("chat.postMessage", times=10)
    clock.set(START)
    worker = sender(rt, clock, max_attempts=4, backoff_base=timedelta(seconds=10))
    waits = []
    for _ in range(4):
        worker.drain()
        (row,) = rows(rt.db)
        if row.status == OutboxStatus.FAILED:
            break
        waits.append(row.not_before - clock())
        clock.set(row.not_before)
    assert waits == [timedelta(seconds=s) for s in (10, 20, 40)]
    (row,) = rows(rt.db)
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 4
    assert "500" in row.error
    assert slack.dms(people[0]) == []


def test_connection_errors_are_retried(db, clock, slack, people):
    unreachable = WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)
    enqueue_dms(db, people[:1])
    clock.set(START)
    assert OutboxSender(db, unreachable, clock=clock).drain() == "1 retry"
    (row,) = rows(db)
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.not_before == START + timedelta(seconds=30)


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "invalid_blocks"])
def test_permanent_errors_fail_at_once_with_the_reason(rt, clock, slack, people, error):
    enqueue_dms(rt.db, people[:1])
    slack.fail("chat.postMessage", error=error)
    clock.set(START)
    assert sender(rt, clock).drain() == "1 failed"
    (row,) = rows(rt.db)
    assert (row.status, row.error) == (OutboxStatus.FAILED, error)


def test_a_real_refusal_from_slack_fails_the_row(rt, clock, slack, people):
    with rt.db.transaction() as tx:
        outbox.post_message(
            tx,
            team_id="T0001",
            dedupe_key="nowhere",
            channel="CNOWHERE",
            text="hi",
            not_before=START,
        )
    clock.set(START)
    sender(rt, clock).drain()
    (row,) = rows(rt.db)
    assert (row.status, row.error) == (OutboxStatus.FAILED, "channel_not_found")


def test_rows_left_claimed_by_a_crashed_sender_are_reclaimed_after_the_lease(
    rt, clock, slack, people
):
    enqueue_dms(rt.db, people[:2])
    with rt.db.transaction() as tx:
        tx.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == f"dm:{people[0]}")
            .values(status="claimed", claimed_by="dead#1", claimed_at=START - timedelta(minutes=6))
        )
        tx.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == f"dm:{people[1]}")
            .values(status="claimed", claimed_by="busy#1", claimed_at=START - timedelta(minutes=1))
        )
    clock.set(START)
    assert sender(rt, clock).drain() == "1 sent"
    assert len(slack.dms(people[0])) == 1
    assert slack.dms(people[1]) == []


class Killed(BaseException):
    """The process died: nothing after this point runs."""


class DyingSender(OutboxSender):
    """Dies before its (n+1)-th Slack call, leaving claimed rows behind."""

    def __init__(self, *args, survive_calls: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls_left = survive_calls
        self.guard = threading.Lock()

    def call(self, method, payload):
        with self.guard:
            if self.calls_left == 0:
                raise Killed()
            self.calls_left -= 1
        return super().call(method, payload)


def test_a_sender_killed_mid_batch_loses_nothing_and_doubles_nothing(rt, clock, slack, people):
    enqueue_dms(rt.db, people)
    clock.set(START)
    dying = DyingSender(rt.db, rt.client, clock=clock, max_in_flight=3, survive_calls=5)
    with pytest.raises(Killed):
        dying.drain()
    statuses = Counter(row.status for row in rows(rt.db))
    assert statuses["sent"] == 5
    assert statuses["claimed"] == len(people) - 5
    # A restarted sender leaves live claims alone, then takes them over after the lease.
    assert sender(rt, clock).drain() == "nothing to send"
    clock.advance(minutes=5, seconds=1)
    assert sender(rt, clock).drain() == f"{len(people) - 5} sent"
    for user_id in people:
        assert received(slack, user_id) == [f"Hello {user_id}"]


def test_an_update_waits_for_its_original_and_only_the_newest_is_sent(rt, clock, slack, people):
    clock.set(START)
    with rt.db.transaction() as tx:
        outbox.post_message(
            tx,
            team_id="T0001",
            dedupe_key="prep:1",
            channel="CPOD",
            text="Version 1",
            not_before=START + timedelta(minutes=1),
        )
        for number in (2, 3):
            outbox.update_message(
                tx,
                team_id="T0001",
                dedupe_key=f"prep:1:refresh:{number}",
                original_key="prep:1",
                text=f"Version {number}",
                not_before=START,
            )
    assert sender(rt, clock).drain() == "1 superseded, 1 waiting"
    assert slack.calls_to("chat.update") == []
    clock.advance(seconds=30)
    assert sender(rt, clock).drain() == "1 waiting"  # the original is not due yet
    clock.advance(seconds=30)
    assert sender(rt, clock).drain() == "2 sent"  # the original, then its update
    (message,) = slack.messages_to("CPOD")
    assert visible_text(message) == "Version 3"
    assert len(slack.calls_to("chat.update")) == 1


def test_an_update_of_a_failed_original_fails(rt, clock, slack, people):
    clock.set(START)
    with rt.db.transaction() as tx:
        outbox.post_message(
            tx,
            team_id="T0001",
            dedupe_key="orig",
            channel="CGONE",
            text="x",
            not_before=START,
        )
        outbox.update_message(
            tx,
            team_id="T0001",
            dedupe_key="orig:refresh:1",
            original_key="orig",
            text="y",
            not_before=START + timedelta(seconds=1),
        )
    sender(rt, clock).drain()
    clock.advance(seconds=1)
    sender(rt, clock).drain()
    errors = {row.dedupe_key: (row.status, row.error) for row in rows(rt.db)}
    assert errors["orig:refresh:1"] == ("failed", "original_failed")


class SteppingClock:
    """Real time that a test can also jump forward. Jumps happen only between
    drains, so a stand-in timestamp (time.monotonic) maps to one reading."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.origin = time.monotonic()
        self.jumps: list[tuple[float, float]] = [(self.origin, 0.0)]

    def __call__(self) -> datetime:
        return self.at(time.monotonic())

    def at(self, monotonic: float) -> datetime:
        offset = max(jump for jump in self.jumps if jump[0] <= monotonic)[1]
        return self.start + timedelta(seconds=monotonic - self.origin + offset)

    def jump(self, seconds: float) -> None:
        self.jumps.append((time.monotonic(), self.jumps[-1][1] + seconds))


LATENCY_SECONDS = 0.03
IN_FLIGHT_GRACE = timedelta(seconds=0.1)
"""A call already on its way when the 429 came back cannot be recalled: calls are
judged by when they reached the stand-in (`started_at`), with this much grace for
one the sender had begun before it read the 429."""


def test_chaos_every_message_once_and_no_call_inside_a_retry_after_window(rt, slack, people):
    enqueue_dms(rt.db, people, prefix="a")
    enqueue_dms(rt.db, people, prefix="b")
    clock = SteppingClock(START)
    slack.chaos(seed=20260302, p429=0.2, p5xx=0.2, methods=["chat.postMessage"], retry_after=1)
    slack.set_latency("chat.postMessage", LATENCY_SECONDS)
    worker = OutboxSender(
        rt.db, rt.client, clock=clock, max_in_flight=4, backoff_base=timedelta(seconds=2)
    )
    for _ in range(200):
        worker.drain()
        waiting = [row for row in rows(rt.db) if row.status == OutboxStatus.PENDING]
        if not waiting:
            break
        wait = (min(row.not_before for row in waiting) - clock()).total_seconds()
        clock.jump(max(wait, 0) + 0.01)
    assert {row.status for row in rows(rt.db)} == {OutboxStatus.SENT}
    for user_id in people:
        assert sorted(received(slack, user_id)) == [f"Hello {user_id}"] * 2

    calls = slack.calls_to("chat.postMessage")
    granted = [(clock.at(call.at), call) for call in calls if call.status == 429]
    assert granted, "the seed should produce some 429s"
    assert any(call.status == 500 for call in calls)
    for granted_at, refusal in granted:
        window_end = granted_at + timedelta(seconds=1)
        inside = [
            call
            for call in calls
            if granted_at + IN_FLIGHT_GRACE < clock.at(call.started_at) < window_end
            and call is not refusal
        ]
        assert inside == [], f"called inside the Retry-After window granted at {granted_at}"


def test_two_senders_share_the_outbox_without_doubles(rt, clock, slack, people):
    if rt.db.is_sqlite:
        pytest.skip("SKIP LOCKED sharing needs PostgreSQL; SQLite runs one sender process")
    for batch in range(10):
        enqueue_dms(rt.db, people, prefix=f"m{batch}")
    slack.set_latency("chat.postMessage", 0.002)
    clock.set(START)
    summaries = []

    def run(worker_id: str) -> None:
        worker = OutboxSender(
            rt.db, rt.client, clock=clock, worker_id=worker_id, batch_size=7, max_in_flight=3
        )
        summaries.append(worker.drain())

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {row.status for row in rows(rt.db)} == {OutboxStatus.SENT}
    assert {row.claimed_by.split("#")[0] for row in rows(rt.db)} == {"w0", "w1"}
    assert len(slack.calls_to("chat.postMessage")) == 10 * len(people)
    for user_id in people:
        assert len(slack.dms(user_id)) == 10


class SlowOnOddParts(OutboxSender):
    """Odd parts take longer to reach Slack (a slow connection, a busy thread)."""

    def call(self, method, payload):
        if payload.get("text", "").endswith(("1", "3", "5")):
            time.sleep(0.05)
        return super().call(method, payload)


def test_messages_to_one_person_arrive_in_the_order_they_were_enqueued(rt, clock, slack, people):
    """Calls run in parallel, but one conversation's messages go one after another,
    even when an earlier one is slow: Slack shows them in the order they arrive."""
    with rt.db.transaction() as tx:
        for number in range(1, 7):
            for user_id in people[:3]:
                outbox.post_message(
                    tx, team_id="T0001", dedupe_key=f"n{number}:{user_id}", channel=user_id,
                    text=f"Part {number}", not_before=START,
                )  # fmt: skip
    clock.set(START)
    worker = SlowOnOddParts(rt.db, rt.client, clock=clock, max_in_flight=4, batch_size=5)
    assert worker.drain() == "18 sent"
    for user_id in people[:3]:
        assert received(slack, user_id) == [f"Part {n}" for n in range(1, 7)]
