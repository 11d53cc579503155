"""Start-up problems an operator can fix are one line each, never a traceback; `.env`
counts for every setting; `db upgrade` needs only DATABASE_URL."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.harness import BOT_TOKEN, SIGNING_SECRET

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def coachbot(*args: str, env: dict[str, str], cwd: Path, timeout: float = 90):
    return subprocess.run(
        [str(BIN / "coachbot"), *args],
        env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def env(tmp_path, slack):
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'coachbot.db'}",
        "PORT": "1",  # nothing may get as far as listening
    }


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_slack_unreachable_at_start_is_one_line(env, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/api/"
    line = one_line(coachbot("run", env={**env, "SLACK_API_URL": url}, cwd=tmp_path))
    assert line.startswith(f"coachbot: cannot reach Slack at {url} (")
    assert "SLACK_API_URL" in line
    assert not (tmp_path / "coachbot.db").exists()


def test_a_token_slack_refuses_is_one_line(env, tmp_path):
    line = one_line(coachbot("run", env={**env, "SLACK_BOT_TOKEN": "xoxb-revoked"}, cwd=tmp_path))
    assert line == (
        "coachbot: Slack refused SLACK_BOT_TOKEN (invalid_auth); "
        "check the token (see README.md, 'Settings')"
    )
    assert "xoxb-revoked" not in line


@pytest.mark.parametrize("command", [["web"], ["worker"], ["tick"]])
def test_an_unmigrated_database_says_to_run_db_upgrade(env, tmp_path, command):
    line = one_line(coachbot(*command, env=env, cwd=tmp_path))
    assert line.startswith("coachbot: the database sqlite:///")
    assert line.endswith("has no tables yet: run `coachbot db upgrade`")


def test_an_unreachable_database_is_one_line(env, tmp_path):
    url = f"postgresql://coachbot:secret@127.0.0.1:{closed_port()}/coachbot"
    line = one_line(coachbot("worker", env={**env, "DATABASE_URL": url}, cwd=tmp_path))
    assert line.startswith("coachbot: cannot reach the database postgresql+psycopg://coachbot:***@")
    assert "secret" not in line
    assert line.endswith("check DATABASE_URL")


@pytest.mark.parametrize("url", ["mysql://u:p@db/coach", "oracle://db/coach"])
def test_an_unsupported_database_url_is_one_line(env, tmp_path, url):
    line = one_line(coachbot("db", "upgrade", env={**env, "DATABASE_URL": url}, cwd=tmp_path))
    scheme = url.split("://")[0]
    assert line.startswith(f"coachbot: DATABASE_URL uses '{scheme}', which Coachbot does not")
    assert "README" in line


def test_db_upgrade_needs_only_the_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'only.db'}"
    result = coachbot("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "coachbot: database is up to date"


def test_log_level_in_any_case_and_libraries_quiet_at_info(tmp_path):
    url = f"sqlite:///{tmp_path / 'levels.db'}"
    quiet = coachbot("db", "upgrade", env={"DATABASE_URL": url, "LOG_LEVEL": "info"}, cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert "alembic" not in quiet.stderr
    assert quiet.stderr.strip() == ""
    url = f"sqlite:///{tmp_path / 'debug.db'}"
    loud = coachbot("db", "upgrade", env={"DATABASE_URL": url, "LOG_LEVEL": "debug"}, cwd=tmp_path)
    assert loud.returncode == 0, loud.stderr
    assert "DEBUG" in loud.stderr
    assert "alembic.runtime.migration: Running upgrade" in loud.stderr


def test_dotenv_is_honoured_for_log_level(env, tmp_path):
    (tmp_path / ".env").write_text("LOG_LEVEL=verbose\n")
    line = one_line(coachbot("run", env=env, cwd=tmp_path))
    assert line == (
        "coachbot: LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (see README.md, 'Settings')"
    )


def test_dotenv_is_honoured_for_the_database_and_slack_settings(env, tmp_path):
    dotenv = {key: env[key] for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")}
    dotenv["DATABASE_URL"] = f"sqlite:///{tmp_path / 'from-dotenv.db'}"
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in dotenv.items()))
    result = coachbot("db", "upgrade", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").exists()


def test_dotenv_is_honoured_for_the_prompts_directory(env, tmp_path):
    import shutil

    prompts = tmp_path / "my-prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    values = prompts / "values.yaml"
    values.write_text("values: [\n")
    (tmp_path / ".env").write_text(f"COACHBOT_PROMPTS_DIR={prompts}\n")
    line = one_line(coachbot("run", env=env, cwd=tmp_path))
    assert line.startswith("coachbot: my-prompts/values.yaml: ")


@pytest.mark.parametrize("url", ["http://coachbot.example.com", "coachbot.example.com", "https://"])
def test_manifest_refuses_a_url_that_is_not_https(tmp_path, url):
    result = coachbot("manifest", "--url", url, env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is not an https URL" in result.stderr.strip().splitlines()[-1]
    assert result.stdout == ""


def test_manifest_takes_an_https_url(tmp_path):
    result = coachbot("manifest", "--url", "https://coachbot.example.com", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "https://coachbot.example.com/slack/events" in result.stdout
