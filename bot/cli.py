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
from bot.settings import Settings, SettingsError, load_database_settings, load_settings

log = logging.getLogger("coachbot")
WAITRESS_THREADS = 8  # `coachbot run`'s HTTP threads; Bolt's listener pool is sized from it


def settings_or_exit(*, database_only: bool = False) -> Settings:
    try:
        return load_database_settings() if database_only else load_settings()
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
    from bot.program_content.loader import use_prompts_dir

    settings = settings_or_exit()
    use_prompts_dir(settings.COACHBOT_PROMPTS_DIR)  # from the environment or .env
    content_or_exit()
    return settings


def checks_or_exit(rt, *, database: bool = True, slack: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The database is reachable and migrated; Slack answers and accepts the token."""
    from bot.startup import StartupError, check_database, check_slack

    try:
        if database:
            check_database(rt.db)
        if slack:
            check_slack(rt.settings.SLACK_BOT_TOKEN, rt.settings.SLACK_API_URL)
    except StartupError as error:
        print(f"coachbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def https_url(value: str) -> str:
    if not value.startswith("https://") or len(value) <= len("https://"):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an https URL; Slack sends requests only to "
            "https://, e.g. https://coachbot.example.com"
        )
    return value


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
    manifest.add_argument(
        "--url", type=https_url, help="public https base URL for HTTP mode; omit for Socket Mode"
    )
    from bot.seed_cli import add_arguments as add_seed_arguments

    seed = commands.add_parser("seed", help="fill an empty database with a demo program")
    add_seed_arguments(seed)
    from bot.people_cli import add_people_arguments, add_skills_arguments

    add_people_arguments(commands.add_parser("people", help="onboard many people from a CSV file"))
    add_skills_arguments(
        commands.add_parser("skills", help="the skills map: offered and sought, per skill")
    )
    from bot.match_cli import add_arguments as add_match_arguments

    add_match_arguments(commands.add_parser("match", help="propose pods from profiles"))
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
    # `db upgrade` needs only DATABASE_URL (and how to log).
    database_only = args.command == "db"
    settings = settings_or_exit(database_only=True) if database_only else ready_or_exit()
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    if args.command == "web":
        serve_with_gunicorn(settings)
        return

    from bot.runtime import build_runtime

    rt = build_runtime(settings)
    if args.command in ("tick", "digest", "report", "worker", "match"):
        checks_or_exit(rt, slack=args.command == "worker")
    elif args.command == "run":
        checks_or_exit(rt, database=False, slack=True)  # `run` migrates the database itself
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
    elif args.command == "people":
        from bot.people_cli import run_people

        raise SystemExit(run_people(args, rt))
    elif args.command == "skills":
        from bot.people_cli import run_skills

        raise SystemExit(run_skills(args, rt))
    elif args.command == "seed":
        from bot.seed_cli import run as run_seed

        raise SystemExit(run_seed(args, rt))
    elif args.command == "match":
        from bot.match_cli import run as run_match

        raise SystemExit(run_match(args, rt))
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
    """Replaces this process with gunicorn from this interpreter's environment (never
    a `gunicorn` found on PATH), configured by bot/gunicorn_config.py (gunicorn.conf.py):
    the worker and thread counts from the settings, so `.env` counts too."""
    from bot import gunicorn_config as config

    env = dict(os.environ)
    env[config.WORKERS_VARIABLE] = str(config.worker_count(settings.WEB_CONCURRENCY))
    env[config.THREADS_VARIABLE] = str(config.thread_count(settings.GUNICORN_THREADS))
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:bot.gunicorn_config"]
    argv += ["--bind", f"0.0.0.0:{settings.PORT}", "bot.wsgi:application"]
    os.execve(sys.executable, argv, env)


def run_all_in_one(rt) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_bolt_app, create_wsgi_app, freeze_startup_objects, listener_threads
    from bot.scheduler import start_background_scheduler

    rt.db.upgrade()
    scheduler = start_background_scheduler(rt)
    try:
        if rt.settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("Coachbot is running in Socket Mode")
            handler = SocketModeHandler(create_bolt_app(rt), rt.settings.SLACK_APP_TOKEN)
            freeze_startup_objects()
            handler.start()
        else:
            import waitress

            log.info("Coachbot listens on http://0.0.0.0:%s/slack/events", rt.settings.PORT)
            app = create_wsgi_app(rt, listener_threads=listener_threads(WAITRESS_THREADS))
            freeze_startup_objects()
            waitress.serve(app, host="0.0.0.0", port=rt.settings.PORT, threads=WAITRESS_THREADS)
    finally:
        scheduler.shutdown(wait=False)


if __name__ == "__main__":
    main()
