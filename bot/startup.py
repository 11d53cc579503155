"""Start-up checks: each problem an operator can fix becomes one line (`StartupError`),
never a traceback — Slack unreachable or refusing the token, the database unreachable
or not migrated."""

from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.db import Database, alembic_config

SLACK_CHECK_TIMEOUT_SECONDS = 10


class StartupError(Exception):
    """Something stops start-up; str() is one line for the operator."""


def _one_line(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or getattr(error, "orig", None) or error
    text = " ".join(str(reason).split())
    return text[:200] or type(error).__name__


def check_database(db: Database) -> None:
    """The database answers and every migration has been applied."""
    shown = db.engine.url.render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:
        raise StartupError(
            f"cannot reach the database {shown} ({_one_line(error)}); check DATABASE_URL"
        ) from None
    expected = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if current != expected:
        state = "has no tables yet" if not current else "is not at the latest migration"
        raise StartupError(f"the database {shown} {state}: run `coachbot db upgrade`")


def check_slack(token: str, api_url: str) -> None:
    """`auth.test` with the bot token: Slack answers and accepts the token. No retries,
    so a wrong URL or a network problem is reported within the timeout."""
    quiet = logging.getLogger("coachbot.startup.slack")
    quiet.propagate = False  # the failure is reported once, below
    quiet.addHandler(logging.NullHandler())
    client = WebClient(
        token=token,
        base_url=api_url,
        timeout=SLACK_CHECK_TIMEOUT_SECONDS,
        logger=quiet,
        retry_handlers=[],
    )
    try:
        client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({code or error.response.status_code}); "
            "check the token (see README.md, 'Settings')"
        ) from None
    except Exception as error:
        raise StartupError(
            f"cannot reach Slack at {api_url} ({_one_line(error)}); "
            "check the network or SLACK_API_URL"
        ) from None
