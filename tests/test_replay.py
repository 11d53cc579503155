"""One effect per signed request: a byte-identical replay (same body, timestamp and
signature) inside Slack's five-minute window is acked and does nothing, on every kind of
request; a genuine new request with the same text is handled; a forged one records
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from models import Kudos, RequestReceipt, SlackEventReceipt
from slack_standin.blockcheck import buttons, visible_text
from tests.test_checkin_support import ALICE, modal_on_screen, reflections

ANA, BO = "U0ANA", "U0BO"


@dataclass(frozen=True)
class Sent:
    """One request exactly as it went over the wire."""

    method: str
    path: str
    data: bytes
    headers: dict[str, str]


@pytest.fixture
def wire(signed, monkeypatch):  # type: ignore[no-untyped-def]
    """Every request the signed client sends, kept byte for byte for a replay."""
    sent: list[Sent] = []
    original = signed.sim._request

    def recording(method, path, data, headers):  # type: ignore[no-untyped-def]
        sent.append(Sent(method, path, data, dict(headers)))
        return original(method, path, data, headers)

    monkeypatch.setattr(signed.sim, "_request", recording)
    return sent


def replay(signed, request: Sent):  # type: ignore[no-untyped-def]
    """Sends the very same bytes and headers again, as an attacker who captured them."""
    response = signed.sim._request(request.method, request.path, request.data, request.headers)
    signed.bot.settle()
    return response


def receipts_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(RequestReceipt))


def kudos_rows(db) -> list[Kudos]:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return list(tx.scalars(select(Kudos).order_by(Kudos.id)))


@pytest.fixture
def people(slack):  # type: ignore[no-untyped-def]
    slack.add_user(ANA, "ana", tz="Europe/London")
    slack.add_user(BO, "bo", tz="America/New_York")


# ---------------------------------------------------------------- slash commands


def test_a_replayed_help_command_is_answered_once(signed, slack, db, wire):
    assert signed.command("U0ALICE", "help").status == 200
    (original,) = wire
    calls_before = len(slack.calls)
    again = replay(signed, original)
    assert (again.status, again.body) == (200, "")
    assert len(slack.ephemerals("U0ALICE")) == 1
    assert slack.calls[calls_before:] == []
    assert receipts_count(db) == 1


def test_a_replayed_kudos_command_gives_one_kudos(signed, slack, db, wire, people):
    signed.command(ANA, "kudos <@U0BO|bo> #courage you said no to the deadline")
    (original,) = wire
    assert replay(signed, original).status == 200
    assert len(kudos_rows(db)) == 1
    assert len(slack.ephemerals(ANA)) == 1


def test_the_same_text_with_a_new_timestamp_is_a_new_request(signed, slack, db, wire):
    signed.command("U0ALICE", "help")
    (original,) = wire
    timestamp = int(original.headers["X-Slack-Request-Timestamp"]) + 1
    response = signed.send(original.data.decode(), timestamp=timestamp)
    assert response.status == 200
    assert "/coach checkin" in response.body  # help again, in the ack
    assert receipts_count(db) == 2


def test_concurrent_copies_of_one_request_are_handled_once(signed, slack, db, wire, people):
    from concurrent.futures import ThreadPoolExecutor

    signed.command(ANA, "kudos <@U0BO|bo> #courage first")
    (original,) = wire
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: replay(signed, original).status, range(4)))
    assert statuses == [200] * 4
    assert len(kudos_rows(db)) == 1


# ---------------------------------------------------------------- interactions


def test_a_replayed_view_submission_saves_one_reflection(signed, slack, world, db, wire):
    signed.command(ALICE, "reflect")
    view = modal_on_screen(slack, ALICE)
    wire.clear()
    signed.view_submission(ALICE, view, {"insight": "Ask first.", "action": "Ask.", "share": []})
    (submission,) = wire
    calls_before = len(slack.calls)
    again = replay(signed, submission)
    assert (again.status, again.body) == (200, "")
    assert slack.calls[calls_before:] == []  # not even the Home tab is published again
    (reflection,) = reflections(db)
    assert reflection.insight == "Ask first."
    assert receipts_count(db) == 2


def test_a_replayed_button_press_gives_one_kudos_and_one_answer(signed, slack, db, wire, people):
    signed.command(ANA, "kudos <@U0BO|bo> thanks for the review")
    picker = slack.ephemerals(ANA)[-1]
    assert [text for text, _, _ in buttons(picker)][:1] == ["Curiosity"]
    signed.press(ANA, picker, "Curiosity")
    press = wire[-1]
    answers = [visible_text(m) for m in slack.ephemerals(ANA)]
    assert replay(signed, press).status == 200
    (row,) = kudos_rows(db)
    assert row.value == "Curiosity"
    assert [visible_text(m) for m in slack.ephemerals(ANA)] == answers


# ---------------------------------------------------------------- events and Slack's checks


def test_a_replayed_event_is_dropped_and_slacks_retries_still_dedupe(signed, db, wire):
    event = {"type": "app_home_opened", "user": "U0ALICE", "tab": "messages"}
    signed.event(event, event_id="Ev0001")
    original = wire[-1]
    assert replay(signed, original).status == 200
    retry = signed.event(event, event_id="Ev0001", retry_num=1, timestamp=_later(original))
    assert retry.status == 200
    with db.transaction() as tx:
        events = tx.scalars(select(SlackEventReceipt)).all()
    assert [(r.api_app_id, r.event_id) for r in events] == [("A0001", "Ev0001")]
    assert receipts_count(db) == 2


def test_url_verification_answers_every_time(signed, db, wire):
    first = signed.url_verification("c-1")
    again = replay(signed, wire[-1])
    assert first.status == again.status == 200
    assert first.json() == again.json() == {"challenge": "c-1"}
    assert receipts_count(db) == 0


def test_ssl_check_answers_every_time(signed, db, wire):
    body = "ssl_check=1&token=legacy-verification-token"
    assert signed.send(body).status == 200
    assert replay(signed, wire[-1]).status == 200
    assert receipts_count(db) == 0


@pytest.mark.parametrize(
    "forgery",
    [{"secret": "not-the-signing-secret"}, {"signature": "v0=" + "0" * 64}],
    ids=["wrong-secret", "forged-signature"],
)
def test_a_forged_request_is_refused_and_records_nothing(signed, slack, db, wire, forgery):
    assert signed.command("U0ALICE", "help", **forgery).status == 401
    assert replay(signed, wire[-1]).status == 401
    assert slack.ephemerals("U0ALICE") == []
    assert receipts_count(db) == 0


def test_a_stale_replay_is_refused_by_the_signature_check(signed, slack, db, wire):
    import time

    stale = int(time.time()) - 6 * 60
    assert signed.command("U0ALICE", "help", timestamp=stale).status == 401
    assert receipts_count(db) == 0


# ---------------------------------------------------------------- keeping the table small


def test_receipts_older_than_ten_minutes_are_forgotten(signed, db, clock, wire):
    signed.command("U0ALICE", "help")
    clock.advance(minutes=5)
    signed.command("U0ALICE", "help")
    assert receipts_count(db) == 2
    clock.advance(minutes=6)
    signed.command("U0ALICE", "help")
    with db.transaction() as tx:
        kept = tx.scalars(select(RequestReceipt.received_at).order_by("received_at")).all()
    assert kept == [clock() - timedelta(minutes=6), clock()]


def _later(request: Sent) -> int:
    return int(request.headers["X-Slack-Request-Timestamp"]) + 1


def test_bookkeeping_transactions_skip_the_flush_and_other_work_does_not(signed, db, wire):
    """Event receipts are bookkeeping a crash may lose (a redelivery right after a
    database crash): `transaction(durable=False)` skips the flush on PostgreSQL.
    Everything else stays durable. The request receipt is one autocommit statement."""
    signed.command(ALICE, "help")
    with db.transaction() as tx:
        assert tx.scalar(select(func.count()).select_from(RequestReceipt)) == 1
    with db.transaction(durable=False) as tx:
        relaxed = None if db.is_sqlite else tx.scalar(text("SHOW synchronous_commit"))
    with db.transaction() as tx:
        durable = None if db.is_sqlite else tx.scalar(text("SHOW synchronous_commit"))
    if not db.is_sqlite:
        assert (relaxed, durable) == ("off", "on")
