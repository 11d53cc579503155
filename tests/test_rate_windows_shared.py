"""A Retry-After window one sender process learns of holds for every sender at once:
each sender reads the method's window from the database right before each call, so
no call starts once the window is there. Calls already on their way when Slack
answered the 429 cannot be recalled; the stand-in tells those apart."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sender import OutboxSender
from models import OutboxStatus
from tests.support.harness import BOT_TOKEN
from tests.test_sender import START, USERS, enqueue_dms, rows, sender


@pytest.fixture
def people(slack):  # type: ignore[no-untyped-def]
    for user_id in USERS:
        slack.add_user(user_id, user_id.lower())
    return USERS


class RefusedMeanwhile(OutboxSender):
    """While this sender's first call is on its way, `meanwhile` runs: another
    process (another sender, nothing in memory shared) is refused with a 429."""

    def __init__(self, *args, meanwhile, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.meanwhile = meanwhile

    def call(self, method, payload):  # type: ignore[no-untyped-def]
        answer = super().call(method, payload)
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return answer


def test_a_window_another_process_opens_mid_batch_stops_the_next_call_at_once(
    rt, clock, slack, people
):
    enqueue_dms(rt.db, people[:4])
    clock.set(START)

    def other_process_is_refused() -> None:
        slack.rate_limit("chat.postMessage", times=1, retry_after=5)
        assert sender(rt, clock, batch_size=1).drain() == "1 rate limited"

    holder = RefusedMeanwhile(
        rt.db, rt.client, clock=clock, max_in_flight=1, batch_size=3,
        meanwhile=other_process_is_refused,
    )  # fmt: skip
    batch = holder.claim()
    assert len(batch) == 3
    # Its first call went out before the 429; the next two wait, uncalled.
    assert holder.send(batch) == ["sent", "deferred", "deferred"]
    assert [call.status for call in slack.calls_to("chat.postMessage")] == [200, 429]
    assert slack.calls_inside_retry_after() == []
    waiting = [row for row in rows(rt.db) if row.status == OutboxStatus.PENDING]
    assert {row.not_before for row in waiting} == {START + timedelta(seconds=5)}
    clock.advance(seconds=5)
    assert sender(rt, clock).drain() == "3 sent"


def test_the_stand_in_counts_calls_that_arrive_inside_a_window_it_granted(rt, slack, people):
    """The benchmark's measure: a call that arrives after a 429 was answered and
    before its Retry-After ran out, unless it came within the grace."""
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    refused = _post(client, people[0])
    inside = _post(client, people[1])
    assert (refused, inside) == (429, 200)
    (late,) = slack.calls_inside_retry_after()
    assert late.params["channel"] == people[1]
    assert slack.calls_inside_retry_after(grace=1.0) == []
    assert slack.calls_to("chat.postMessage")[0].retry_after == 1


def _post(client: WebClient, channel: str) -> int:
    try:
        answer = client.api_call("chat.postMessage", json={"channel": channel, "text": "hi"})
    except SlackApiError as error:  # the 429
        return int(error.response.status_code)
    return int(answer.status_code)


GRACE_SECONDS = 0.1
"""For a 429 to reach its sender, its window the database, and for a call another
sender had checked the window for just before to arrive (as tests/test_sender.py)."""


def test_senders_sharing_the_database_start_no_call_inside_a_window(rt, slack, people):
    """Two senders (separate memory, as two processes) send 48 DMs on the real clock
    while Slack answers one call in five with 429 and Retry-After 1."""
    for prefix in ("a", "b", "c", "d"):
        enqueue_dms(rt.db, people, at=datetime.now(UTC) - timedelta(seconds=1), prefix=prefix)
    slack.chaos(seed=17, p429=0.2, p5xx=0.0, methods=["chat.postMessage"], retry_after=1)
    slack.set_latency("chat.postMessage", 0.02)

    def run(worker_id: str) -> None:
        worker = OutboxSender(
            rt.db, rt.client, clock=lambda: datetime.now(UTC), worker_id=worker_id,
            max_in_flight=3, batch_size=3,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            worker.drain()
            if all(row.status == OutboxStatus.SENT for row in rows(rt.db)):
                return
            time.sleep(0.02)

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert {row.status for row in rows(rt.db)} == {OutboxStatus.SENT}
    calls = slack.calls_to("chat.postMessage")
    assert any(call.status == 429 for call in calls), "the seed should produce some 429s"
    assert slack.calls_inside_retry_after(grace=GRACE_SECONDS) == []
    for user_id in people:
        assert len(slack.dms(user_id)) == 4


def test_a_shorter_window_written_later_never_shortens_a_longer_one(rt, clock, slack, people):
    enqueue_dms(rt.db, people[:1])
    clock.set(START)
    sender(rt, clock)._open_window("chat.postMessage", START + timedelta(seconds=5))
    sender(rt, clock)._open_window("chat.postMessage", START + timedelta(seconds=2))
    clock.advance(seconds=3)
    assert sender(rt, clock).drain() == "nothing to send"
    clock.advance(seconds=2)
    assert sender(rt, clock).drain() == "1 sent"
