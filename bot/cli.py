"""`coachbot` — run the bot, the worker, migrations, a tick, or print the manifest."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.logs import LOG_FORMATS, configure_logging, parse_level
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("coachbot")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"coachbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def content_or_exit() -> None:
    """Loads and validates prompts/ once, so a broken file stops start-up plainly."""
    from bot.program_content import ContentError, get_content

    try:
        get_content()
    except ContentError as error:
        print(f"coachbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def ready_or_exit() -> Settings:
    settings = settings_or_exit()
    content_or_exit()
    return settings


def parse_instant(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO-8601 instant, e.g. 2026-11-25T09:00:00+00:00"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coachbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="HTTP (or Socket Mode) and the scheduler in one process")
    commands.add_parser("web", help="HTTP only, served by gunicorn")
    commands.add_parser("worker", help="the scheduler and the outbox sender only")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply pending migrations (idempotent)")
    tick = commands.add_parser("tick", help="find and enqueue due work once, then send it")
    tick.add_argument("--at", type=parse_instant, help="the instant, ISO-8601 (default: now)")
    digest = commands.add_parser("digest", help="this week's digest")
    digest.add_argument(
        "--preview", action="store_true", required=True, help="print it without posting"
    )
    digest.add_argument("--team", help="only this Slack workspace id")
    report = commands.add_parser(
        "report", help="the quarterly review: summary, PNG chart and CSV of a quarter"
    )
    report.add_argument("--quarter", required=True, help="the quarter, e.g. 2026Q4")
    report.add_argument("--team", help="the Slack workspace id (needed with several workspaces)")
    report.add_argument("--out", default=".", help="directory for the PNG and CSV (default: .)")
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", help="public base URL for HTTP mode; omit for Socket Mode")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    # From the environment until the settings (which may come from .env) are read;
    # a malformed value is reported by the settings check, not here.
    configure_logging(*_early_logging(os.environ))
    if args.command == "manifest":
        from bot.manifest import build_manifest

        print(json.dumps(build_manifest(args.url), indent=2))
        return
    settings = settings_or_exit() if args.command == "db" else ready_or_exit()
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    if args.command == "web":
        serve_with_gunicorn(settings)
        return

    from bot.runtime import build_runtime

    rt = build_runtime(settings)
    if args.command == "db":
        rt.db.upgrade()
        print("coachbot: database is up to date")
    elif args.command == "tick":
        from bot.scheduler import run_once

        report = run_once(rt, args.at)
        print(f"coachbot: {report}")
    elif args.command == "digest":
        from bot.digest_cli import run_digest_preview

        raise SystemExit(run_digest_preview(rt, args.team))
    elif args.command == "report":
        from bot.report_cli import run_report

        raise SystemExit(run_report(args, rt))
    elif args.command == "worker":
        from bot.scheduler import run_worker

        run_worker(rt)
    elif args.command == "run":
        run_all_in_one(rt)


def _early_logging(environ: Mapping[str, str]) -> tuple[str, str]:
    level = environ.get("LOG_LEVEL", "INFO")
    fmt = environ.get("LOG_FORMAT", "text").strip().lower()
    try:
        parse_level(level)
    except ValueError:
        level = "INFO"
    return level, fmt if fmt in LOG_FORMATS else "text"


def serve_with_gunicorn(settings: Settings) -> None:
    argv = ["gunicorn", "bot.wsgi:application", "--bind", f"0.0.0.0:{settings.PORT}"]
    os.execvp("gunicorn", argv)


def run_all_in_one(rt) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_bolt_app, create_wsgi_app
    from bot.scheduler import start_background_scheduler

    rt.db.upgrade()
    scheduler = start_background_scheduler(rt)
    try:
        if rt.settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("Coachbot is running in Socket Mode")
            SocketModeHandler(create_bolt_app(rt), rt.settings.SLACK_APP_TOKEN).start()
        else:
            import waitress

            log.info("Coachbot listens on http://0.0.0.0:%s/slack/events", rt.settings.PORT)
            waitress.serve(create_wsgi_app(rt), host="0.0.0.0", port=rt.settings.PORT, threads=8)
    finally:
        scheduler.shutdown(wait=False)


if __name__ == "__main__":
    main()
