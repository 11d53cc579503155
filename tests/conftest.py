"""Fixtures: a migrated database (SQLite or TEST_DATABASE_URL), the Slack stand-in,
the bot served over HTTP, and a signed Slack-side client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import Database
from bot.settings import normalize_database_url
from models import Base
from slack_standin.server import SlackStandIn
from slack_standin.signing import SlackClientSim
from tests.support.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeClock,
    RunningBot,
    SettledSlackSide,
    build_test_runtime,
    isolate_from_developer_environment,
)
from tests.test_checkin_support import add_people, build_world

_undo_isolation = None


def pytest_configure(config: pytest.Config) -> None:
    """Before collection: the developer's SLACK_*, DATABASE_URL, LOG_LEVEL... and a
    `.env` in the working directory never reach a test (TEST_DATABASE_URL and CI do)."""
    global _undo_isolation
    _undo_isolation = isolate_from_developer_environment()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _undo_isolation is not None:
        _undo_isolation()


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_dir / 'coachbot-test.db'}"


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database.from_url(_database_url(tmp_path_factory.mktemp("db")))
    if not db.is_reachable():
        # A database asked for and not there fails the run, CI or not: a skipped
        # suite would look like a passing one.
        shown = db.engine.url.render_as_string(hide_password=True)
        pytest.fail(f"TEST_DATABASE_URL {shown} is not reachable", pytrace=False)
    if not db.is_sqlite:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    yield db
    db.engine.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    _empty_all_tables(database)
    yield database


def _empty_all_tables(db: Database) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if db.is_sqlite:
            for table in tables:
                connection.execute(table.delete())
        else:
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn(bot_token=BOT_TOKEN)
    standin.start()
    yield standin
    standin.stop()


@pytest.fixture
def rt(db: Database, slack: SlackStandIn, clock: FakeClock):  # type: ignore[no-untyped-def]
    return build_test_runtime(db, slack.api_url, clock)


@pytest.fixture
def bot(rt) -> Iterator[RunningBot]:  # type: ignore[no-untyped-def]
    running = RunningBot(rt).start()
    yield running
    running.stop()


@pytest.fixture
def signed(bot: RunningBot, slack: SlackStandIn) -> SettledSlackSide:
    """Slack's side: signed requests to the running bot; each call returns once the
    listeners it started have finished."""
    return SettledSlackSide(SlackClientSim(bot.base_url, SIGNING_SECRET, slack), bot)


@pytest.fixture
def no_slack_refusals(slack: SlackStandIn) -> Iterator[None]:
    """After the test: no refused Slack call, no late ack, no bad response_action."""
    yield
    assert slack.problems == []
    assert [(call.method, call.response) for call in slack.failed_calls()] == []


@pytest.fixture
def world(db: Database, slack: SlackStandIn, clock: FakeClock):  # type: ignore[no-untyped-def]
    """A workspace with people and pods ready for the session surfaces."""
    add_people(slack)
    return build_world(db, clock())
