"""The ack reaches Slack the moment a listener acks (bot/ack_runner.py): no polling,
and Bolt's own semantics for listeners that fail or never ack."""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.listener import thread_runner
from slack_sdk.signature import SignatureVerifier

from bot.ack_runner import WakeOnAckListenerRunner, wake_on_ack
from slack_standin.server import visible_text

SECRET = "runner-test-secret"


def signed_request(body: str) -> BoltRequest:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    return BoltRequest(
        body=body,
        headers={
            "content-type": ["application/x-www-form-urlencoded"],
            "x-slack-request-timestamp": [timestamp],
            "x-slack-signature": [signature],
        },
    )


def command(text: str) -> BoltRequest:
    return signed_request(
        urlencode(
            {
                "team_id": "T0001",
                "user_id": "U0ALICE",
                "command": "/try",
                "text": text,
                "response_url": "http://127.0.0.1:9/respond",
                "trigger_id": "1.2.3",
            }
        )
    )


def button() -> BoltRequest:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "U0ALICE"},
        "actions": [{"action_id": "press", "block_id": "b", "value": "v", "type": "button"}],
    }
    return signed_request(urlencode({"payload": json.dumps(payload)}))


@pytest.fixture
def app() -> App:
    def authorize(**_: Any) -> AuthorizeResult:  # no auth.test: nothing leaves the test
        return AuthorizeResult(
            enterprise_id=None, team_id="T0001", bot_token="xoxb-test", bot_user_id="UBOT"
        )

    bolt = App(signing_secret=SECRET, authorize=authorize)
    wake_on_ack(bolt)
    return bolt


@pytest.fixture
def no_polling(monkeypatch):
    """Bolt's runner waits for the ack with time.sleep(0.01) in a loop; ours never does.
    (This replaces time.sleep everywhere for the test: listeners here wait on Events.)"""
    polls: list[float] = []
    monkeypatch.setattr(thread_runner.time, "sleep", lambda seconds: polls.append(seconds))
    yield polls


def test_the_app_gets_the_runner_that_wakes_on_the_ack(app):
    assert isinstance(app.listener_runner, WakeOnAckListenerRunner)


def test_the_answer_goes_back_while_the_listener_is_still_working(app, no_polling):
    release = threading.Event()
    finished = threading.Event()

    @app.command("/try")
    def slow_after_ack(ack, body):
        threading.Event().wait(0.05)  # some work before the ack: Bolt would poll meanwhile
        ack(f"on it: {body['text']}")
        release.wait(10)
        finished.set()

    response = app.dispatch(command("checkin"))
    assert response.status == 200
    assert "on it: checkin" in response.body
    assert not finished.is_set()  # answered before the listener's slow part ended
    release.set()
    assert finished.wait(10)
    assert no_polling == []


def test_a_button_is_acked_without_polling(app, no_polling):
    @app.action("press")
    def pressed(ack):
        threading.Event().wait(0.05)
        ack()

    assert app.dispatch(button()).status == 200
    assert no_polling == []


def test_a_listener_that_fails_before_its_ack_answers_500_and_reports_the_error(app):
    seen: list[str] = []

    @app.error
    def remember(error: Exception) -> None:
        seen.append(str(error))

    @app.command("/try")
    def broken(ack):
        raise RuntimeError("boom before the ack")

    response = app.dispatch(command("x"))
    assert response.status == 500
    assert seen == ["boom before the ack"]


def test_a_listener_that_fails_after_its_ack_keeps_its_answer(app):
    seen: list[str] = []
    done = threading.Event()

    @app.error
    def remember(error: Exception) -> None:
        seen.append(str(error))
        done.set()

    @app.command("/try")
    def acked_then_broken(ack):
        ack("fine so far")
        raise RuntimeError("boom after the ack")

    response = app.dispatch(command("x"))
    assert response.status == 200
    assert "fine so far" in response.body
    assert done.wait(10)
    assert seen == ["boom after the ack"]


def test_a_listener_that_never_acks_is_not_waited_for_until_the_timeout(app, caplog):
    @app.command("/try")
    def forgetful(body: dict[str, Any]) -> None:
        pass

    started = time.monotonic()
    response = app.dispatch(command("x"))
    # Bolt answers 404 for a request no listener acked; it used to wait out all 3 s.
    assert response.status == 404
    assert time.monotonic() - started < 2.5
    assert "did not call ack()" in caplog.text or "ack()" in caplog.text


def test_events_keep_bolts_automatic_ack(app):
    handled = threading.Event()

    @app.event("app_home_opened")
    def opened(event):
        handled.set()

    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0001",
            "event_id": "Ev1",
            "event": {"type": "app_home_opened", "user": "U0ALICE"},
        }
    )
    request = signed_request(body)
    request.headers["content-type"] = ["application/json"]
    assert app.dispatch(request).status == 200
    assert handled.wait(10)


def test_the_production_app_answers_on_the_ack(bot, signed, slack):
    wsgi = bot.server.get_app()
    assert isinstance(wsgi.slack.app.listener_runner, WakeOnAckListenerRunner)
    response = signed.command("U0ALICE", "help")
    assert response.status == 200
    assert "/coach checkin" in visible_text(slack.ephemerals("U0ALICE")[-1])
