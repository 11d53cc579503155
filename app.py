"""`slack run` starts this file (the Slack CLI's start hook for Bolt for Python runs
``app.py``): Coachbot in Socket Mode, with the tokens the CLI hands over.

The Slack CLI sets SLACK_APP_TOKEN (``xapp-…``) and SLACK_BOT_TOKEN (``xoxb-…``) for
the app it installed from ``manifest.json``; Socket Mode requests are not signed, so a
signing secret is only needed when you run the bot over HTTP. Everything else
(DATABASE_URL, COACHBOT_ADMINS, …) comes from the environment or ``.env`` as usual.
Outside the Slack CLI, use ``make run``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SOCKET_MODE_SIGNING_SECRET = "unused-in-socket-mode"


def main() -> None:
    if not os.environ.get("SLACK_APP_TOKEN"):
        print(
            "app.py is what `slack run` starts (Socket Mode): SLACK_APP_TOKEN is not set. "
            "Run `slack run`, or `make run` for the bot over HTTP or the sandbox.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    if not os.environ.get("SLACK_SIGNING_SECRET") and not _in_dotenv("SLACK_SIGNING_SECRET"):
        os.environ["SLACK_SIGNING_SECRET"] = SOCKET_MODE_SIGNING_SECRET
    from bot.cli import main as coachbot

    coachbot(["run"])


def _in_dotenv(name: str) -> bool:
    from dotenv import dotenv_values

    dotenv = Path(".env")
    return dotenv.is_file() and bool(dotenv_values(dotenv).get(name))


if __name__ == "__main__":
    main()
