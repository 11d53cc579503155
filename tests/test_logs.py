"""Logs: one line per request and per sent message, each request's id on what it logs,
`LOG_FORMAT=json` lines that parse, and nothing a person typed, no token and no secret
at INFO."""

from __future__ import annotations

import contextvars
import io
import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.logs import (
    JsonFormatter,
    RequestContextExecutor,
    TextFormatter,
    configure_logging,
    install_request_ids,
    request_id_var,
)
from bot.sender import OutboxSender
from tests.support.harness import BOT_TOKEN, SIGNING_SECRET

ANA, BO = "U0ANA", "U0BO"
SECRET_WORDS = "my-secret-words about the reorg"


class Capture(logging.Handler):
    """Every record at INFO and above, as the json formatter writes it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[dict]:
        return [json.loads(self.format(record)) for record in self.records]

    def requests(self) -> list[dict]:
        return [line for line in self.lines() if line["logger"] == "coachbot.http"]

    def messages(self) -> list[dict]:
        return [line for line in self.lines() if "outbox_id" in line]


@pytest.fixture
def logs() -> Iterator[Capture]:
    install_request_ids()
    root = logging.getLogger()
    capture = Capture()
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(capture)
    yield capture
    root.removeHandler(capture)
    root.setLevel(level)


@pytest.fixture
def people(slack):
    slack.add_user(ANA, "ana", tz="Europe/London")
    slack.add_user(BO, "bo", tz="America/New_York")


def test_a_signed_command_logs_one_json_line_with_its_request_id(signed, logs):
    response = signed.command(ANA, "help")
    assert response.status == 200
    (line,) = logs.requests()
    assert line["level"] == "INFO"
    assert line["http_method"] == "POST"
    assert line["path"] == "/slack/events"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], int)
    assert (line["slack_kind"], line["slack_name"]) == ("command", "/coach")
    assert line["message"].endswith(" command /coach")
    assert line["request_id"] == response.headers["x-request-id"]
    assert len(line["request_id"]) >= 8
    assert "help" not in line["message"]
    assert "time" in line


def test_every_request_gets_its_own_id_and_an_incoming_one_is_kept(signed, logs):
    first = signed.command(ANA, "help")
    second = signed.command(ANA, "help", extra_headers={"X-Request-Id": "lb-1234"})
    forged = signed.command(ANA, "help", extra_headers={"X-Request-Id": "bad id; INFO fake"})
    ids = [line["request_id"] for line in logs.requests()]
    assert ids[0] == first.headers["x-request-id"]
    assert ids[1] == second.headers["x-request-id"] == "lb-1234"
    assert ids[2] == forged.headers["x-request-id"] != "bad id; INFO fake"
    assert len(set(ids)) == 3


def test_a_refused_request_is_logged_with_its_status(signed, logs):
    signed.command(ANA, "help", secret="not-the-secret")
    (line,) = logs.requests()
    assert line["status"] == 401


def test_secret_words_never_reach_a_log_line_at_info(
    signed, slack, rt, clock, people, logs, no_slack_refusals
):
    signed.command(ANA, f"kudos <@U0BO|bo> for COURAGE: {SECRET_WORDS}")
    OutboxSender(rt.db, rt.client, clock=clock).drain()
    (dm,) = slack.dms(BO)
    assert "my-secret-words" in json.dumps(dm)  # the words did travel
    assert logs.requests() and logs.messages()
    written = "\n".join(logs.format(record) for record in logs.records)
    for forbidden in ("my-secret-words", "reorg", BOT_TOKEN, SIGNING_SECRET, "response_url"):
        assert forbidden not in written
    assert "hooks" not in written  # the response URL


def test_a_sent_message_logs_one_line_without_its_text(
    signed, slack, rt, clock, people, logs, no_slack_refusals
):
    signed.command(ANA, f"kudos <@U0BO|bo> for COURAGE: {SECRET_WORDS}")
    logs.records.clear()
    OutboxSender(rt.db, rt.client, clock=clock).drain()
    (line,) = logs.messages()
    assert line["method"] == "chat.postMessage"
    assert line["key_kind"] == "kudos"
    assert line["outcome"] == "sent"
    assert line["attempts"] == 1
    assert isinstance(line["outbox_id"], int)
    assert "COURAGE" not in json.dumps(line) and "Courage" not in json.dumps(line)


def test_the_text_format_adds_the_request_id_when_there_is_one():
    install_request_ids()
    formatter = TextFormatter()
    outside = logging.getLogger("coachbot.test").makeRecord(
        "coachbot.test", logging.INFO, __file__, 1, "hello %s", ("there",), None
    )
    token = request_id_var.set("abc123")
    try:
        inside = logging.getLogger("coachbot.test").makeRecord(
            "coachbot.test", logging.INFO, __file__, 1, "hello", (), None
        )
    finally:
        request_id_var.reset(token)
    assert formatter.format(outside).endswith("INFO coachbot.test: hello there")
    assert formatter.format(inside).endswith("INFO coachbot.test: hello [request abc123]")


def test_json_lines_carry_exceptions_and_extras_on_one_line():
    formatter = JsonFormatter()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.getLogger("x").makeRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "failed",
            (),
            __import__("sys").exc_info(),
            extra={"pod_id": 7},
        )
    line = formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["pod_id"] == 7
    assert "RuntimeError: boom" in parsed["exception"]
    assert "request_id" not in parsed


def test_listener_threads_can_carry_the_request_id():
    executor = RequestContextExecutor(ThreadPoolExecutor(max_workers=1))
    token = request_id_var.set("req-1")
    try:
        seen = executor.submit(request_id_var.get).result()
    finally:
        request_id_var.reset(token)
        executor.shutdown()
    assert seen == "req-1"
    assert contextvars.copy_context().get(request_id_var) is None


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in ("alembic", "apscheduler")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def test_configure_logging_levels_and_quiet_libraries(restore_logging):
    configure_logging("debug", "json")
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("alembic").level == logging.DEBUG
    configure_logging("INFO", "text")
    assert logging.getLogger().level == logging.INFO
    assert logging.getLogger("alembic").level == logging.WARNING
    assert logging.getLogger("apscheduler").level == logging.WARNING
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler.formatter, TextFormatter)
    with pytest.raises(ValueError):
        configure_logging("INFO", "xml")


def test_json_output_is_one_object_a_line(restore_logging):
    configure_logging("INFO", "json")
    (handler,) = logging.getLogger().handlers
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("coachbot.test").info("one\ntwo")
    logging.getLogger("alembic.runtime").info("not shown at INFO")
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "one\ntwo"
