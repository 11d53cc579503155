"""Memory benchmark: resident memory (RSS) of `coachbot run`, idle and during a fan-out.

    python -m bench memory                 # 3000 DMs, a temporary SQLite file
    python -m bench memory --messages 500  # a quicker run
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench memory

`coachbot run` (HTTP, scheduler and outbox sender in one process) starts against the
Slack stand-in; its RSS is read from /proc once it is healthy and has idled a few
seconds. Then a few thousand DMs are queued into the outbox at once and the process
sends them; the highest RSS seen while sending (sampled every 50 ms) is the fan-out
figure. Targets: idle under 150 MB, fan-out under 300 MB. The reference, measured in
the same run, is a bare Python process that only imports the libraries Coachbot is
built on. BENCH_DATABASE_URL's database is emptied.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

IDLE_TARGET_MB = 150.0
FANOUT_TARGET_MB = 300.0
IDLE_SECONDS = 5.0
SAMPLE_SECONDS = 0.05
SEND_TIMEOUT_SECONDS = 300.0
TEAM = "T0001"
BOT_TOKEN = "xoxb-bench"
LIBRARIES = (
    "slack_bolt, slack_sdk, sqlalchemy, apscheduler, pydantic, pydantic_settings, alembic, "
    "waitress, yaml"
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def reference_mb() -> float:
    """A bare interpreter that imports the libraries and waits."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import {LIBRARIES}, sys; sys.stdout.write('ready\\n');"
            " sys.stdout.flush(); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        return rss_mb(process.pid)
    finally:
        process.kill()
        process.wait()


def wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: coachbot run exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: coachbot run never became healthy")


def queue_dms(database_url: str, users: list[str]) -> None:
    from bot.db import Database
    from bot.notify.outbox import Outgoing, enqueue_all

    db = Database.from_url(database_url)
    now = datetime.now(UTC)
    messages = [
        Outgoing(
            team_id=TEAM,
            dedupe_key=f"bench-fanout:{user_id}",
            method="chat.postMessage",
            payload={
                "channel": user_id,
                "text": "Your pod meets tomorrow at 15:00.",
                "blocks": [
                    {
                        "type": "section",
                        "text": {"type": "mrkdwn", "text": "*Your pod meets tomorrow* at 15:00."},
                    }
                ],
            },
        )
        for user_id in users
    ]
    with db.transaction() as tx:
        enqueue_all(tx, messages, now)
    db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench memory", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--messages", type=int, default=3000, help="DMs in the fan-out (3000)")
    args = parser.parse_args(argv)

    from bench.ack import free_port, prepare_database
    from slack_standin.server import SlackStandIn

    users = [f"UM{i:05d}" for i in range(args.messages)]
    slack = SlackStandIn(bot_token=BOT_TOKEN, team_id=TEAM).start()
    for user_id in users:
        slack.add_user(user_id, user_id.lower(), tz="UTC")
    reference = reference_mb()
    with tempfile.TemporaryDirectory(prefix="coachbot-bench-memory-") as tmp:
        workdir = Path(tmp)
        database_url = prepare_database(os.environ.get("BENCH_DATABASE_URL"), workdir)
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "bench-signing-secret",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PORT": str(port),
        }
        log = workdir / "run.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                env=env,
                cwd=workdir,
                stdout=sink,
                stderr=sink,
            )
        try:
            wait_healthy(port, process, log)
            time.sleep(IDLE_SECONDS)
            idle = rss_mb(process.pid)
            queue_dms(database_url, users)
            started = time.monotonic()
            peak = idle
            while time.monotonic() - started < SEND_TIMEOUT_SECONDS:
                peak = max(peak, rss_mb(process.pid))
                if len(slack.calls_to("chat.postMessage")) >= len(users):
                    break
                time.sleep(SAMPLE_SECONDS)
            sent = len([c for c in slack.calls_to("chat.postMessage") if c.ok])
            took = time.monotonic() - started
            after = rss_mb(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            slack.stop()
    backend = "SQLite file" if database_url.startswith("sqlite") else "PostgreSQL"
    print(f"memory of `coachbot run` (RSS); {backend}; {os.cpu_count()} cores")
    print(f"reference: Python importing its libraries: {reference:.0f} MB")
    rows = [
        ("idle", idle, IDLE_TARGET_MB),
        (f"fan-out peak ({sent}/{len(users)} DMs sent in {took:.1f} s)", peak, FANOUT_TARGET_MB),
    ]
    met = sent == len(users)
    for name, value, target in rows:
        ok = value < target
        met = met and ok
        print(
            f"  {name:<46} {value:6.0f} MB  target < {target:.0f} MB  "
            f"{value / reference:.2f}x reference  {'ok' if ok else 'MISSED'}"
        )
    print(f"  after the fan-out {after:.0f} MB")
    print("all targets met" if met else "targets MISSED")
