"""`make run`: the real bot when Slack credentials are configured, else the sandbox.

    python -m sandbox.launch            # decides (what `make run` runs)
    python -m sandbox.launch --sandbox  # the sandbox even with credentials
    python -m sandbox                   # the same as --sandbox

Credentials are configured when SLACK_BOT_TOKEN is set in the environment or in .env
(the bot itself then checks the rest and names anything missing). The sandbox keeps
its own SQLite file (default ``coachbot-sandbox.db``), whatever DATABASE_URL says.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_DATABASE = "coachbot-sandbox.db"
DEFAULT_PORT = 3000
CREDENTIAL = "SLACK_BOT_TOKEN"

log = logging.getLogger("coachbot.sandbox")


def credentials_configured(environ: Mapping[str, str], dotenv: Path = Path(".env")) -> bool:
    """SLACK_BOT_TOKEN in the environment or in the .env file (non-empty)."""
    if (environ.get(CREDENTIAL) or "").strip():
        return True
    if dotenv.is_file():
        return bool((dotenv_values(dotenv).get(CREDENTIAL) or "").strip())
    return False


def port_from(environ: Mapping[str, str], dotenv: Path = Path(".env")) -> int:
    raw = environ.get("PORT") or (dotenv_values(dotenv).get("PORT") if dotenv.is_file() else None)
    try:
        port = int(raw or DEFAULT_PORT)
    except ValueError:
        raise SystemExit(f"coachbot sandbox: PORT must be a number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise SystemExit(f"coachbot sandbox: PORT must be 1-65535, not {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.launch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sandbox", action="store_true", help="the sandbox even with credentials")
    parser.add_argument("--empty", action="store_true", help="a new sandbox without demo data")
    parser.add_argument("--reset", action="store_true", help="delete the sandbox's database first")
    parser.add_argument("--db", default=DEFAULT_DATABASE, help="the sandbox's SQLite file")
    parser.add_argument("--port", type=int, help="the page's port (default: $PORT or 3000)")
    return parser


def banner(url: str, database: Path, reason: str) -> str:
    lines = [
        "Coachbot sandbox",
        reason,
        "The real bot (handlers, services, scheduler, outbox) runs against a Slack",
        "stand-in on this machine, on its own SQLite file: " + str(database),
        f"Open {url} to act as any member and move the clock.",
        "With credentials in .env (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET), `make run`",
        "starts the bot in your workspace instead. Ctrl-C stops the sandbox.",
    ]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


def run_bot() -> None:
    from bot.cli import main as coachbot

    coachbot(["run"])


def run_sandbox(args: argparse.Namespace, reason: str) -> None:
    import waitress

    from sandbox.page import DEFAULT_BANNER, FORCED_BANNER
    from sandbox.web import make_app
    from sandbox.world import Sandbox

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    database = Path(args.db).resolve()
    if args.reset:
        for stale in (database, database.with_name(database.name + ".clock.json")):
            stale.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
    if args.empty and database.exists():
        print(
            f"coachbot sandbox: {database} already has a program; add --reset to start empty",
            file=sys.stderr,
        )
        raise SystemExit(2)
    port = args.port or port_from(os.environ)
    url = f"http://localhost:{port}/"
    print("Starting the sandbox…", flush=True)
    sandbox = Sandbox(database, empty=args.empty).start()
    try:
        print(banner(url, database, reason), flush=True)
        page_banner = FORCED_BANNER if args.sandbox else DEFAULT_BANNER
        app = make_app(sandbox, banner=page_banner)
        waitress.serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.sandbox:
        run_sandbox(args, "Started with --sandbox.")
    elif credentials_configured(os.environ):
        run_bot()
    else:
        run_sandbox(args, f"No Slack credentials: {CREDENTIAL} is not set (environment or .env).")


if __name__ == "__main__":
    main()
