"""`coachbot digest --preview` and `coachbot report --quarter`, run as a person runs them."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database
from tests.support.harness import BOT_TOKEN, SIGNING_SECRET
from tests.test_checkin_support import build_world

BIN = Path(sys.executable).parent


@pytest.fixture
def cli(tmp_path, slack):
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'coachbot.db'}",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "coachbot"), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("db", "upgrade").returncode == 0
    run.database = Database.from_url(env["DATABASE_URL"])  # type: ignore[attr-defined]
    return run


def test_digest_preview_without_a_program_says_so(cli):
    result = cli("digest", "--preview")
    assert result.returncode == 2
    assert "no program is set up" in result.stderr
    assert "Traceback" not in result.stderr


def test_digest_preview_prints_this_weeks_digest_and_posts_nothing(cli, slack):
    build_world(cli.database, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    result = cli("digest", "--preview")
    assert result.returncode == 0, result.stderr
    assert "This week in peer coaching" in result.stdout
    assert "sessions held" in result.stdout
    assert slack.calls_to("chat.postMessage") == []


def test_report_refuses_a_malformed_quarter_with_the_right_format(cli):
    build_world(cli.database, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    result = cli("report", "--quarter", "autumn")
    assert result.returncode == 2
    assert "2026Q4" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_of_an_empty_quarter_says_there_is_no_data(cli, tmp_path):
    build_world(cli.database, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    result = cli("report", "--quarter", "2025Q1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no data" in result.stdout.lower()
    assert not list(tmp_path.glob("*.png"))
