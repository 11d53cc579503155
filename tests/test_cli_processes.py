"""The real entry points as a person starts them: `coachbot run`, `coachbot web`, `db upgrade`."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from slack_standin.server import visible_text
from slack_standin.signing import SlackClientSim
from tests.support.harness import BOT_TOKEN, SIGNING_SECRET

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited early:\n{process.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("never became healthy")


@pytest.fixture
def bot_env(tmp_path, slack):
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'coachbot.db'}",
        "PORT": str(free_port()),
    }


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "coachbot"), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_coachbot_run_migrates_sqlite_and_answers_a_signed_help(bot_env, slack, tmp_path):
    process = start(["run"], bot_env, tmp_path)
    try:
        port = int(bot_env["PORT"])
        wait_until_healthy(port, process)
        assert (tmp_path / "coachbot.db").exists()
        sim = SlackClientSim(f"http://127.0.0.1:{port}", SIGNING_SECRET, slack)
        assert sim.command("U0ALICE", "help").status == 200
        deadline = time.monotonic() + 10
        while not slack.ephemerals("U0ALICE") and time.monotonic() < deadline:
            time.sleep(0.05)
        (reply,) = slack.ephemerals("U0ALICE")
        assert "/coach pod create" in visible_text(reply)
        assert sim.command("U0ALICE", "help", secret="wrong").status == 401
    finally:
        stop(process)


def test_coachbot_web_serves_through_gunicorn(bot_env, tmp_path):
    upgrade = subprocess.run(
        [str(BIN / "coachbot"), "db", "upgrade"],
        env=bot_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert "up to date" in upgrade.stdout
    process = start(["web"], {**bot_env, "WEB_CONCURRENCY": "2"}, tmp_path)
    try:
        wait_until_healthy(int(bot_env["PORT"]), process)
    finally:
        stop(process)


def test_db_upgrade_twice_is_harmless(bot_env, tmp_path):
    for _ in range(2):
        result = subprocess.run(
            [str(BIN / "coachbot"), "db", "upgrade"],
            env=bot_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def test_procfile_names_the_three_processes():
    procfile = (Path(__file__).parent.parent / "Procfile").read_text().splitlines()
    assert procfile == [
        "release: coachbot db upgrade",
        "web: coachbot web",
        "worker: coachbot worker",
    ]


def test_a_broken_content_file_stops_startup_naming_file_line_and_field(bot_env, tmp_path):
    prompts = tmp_path / "prompts"
    shutil.copytree(Path(__file__).parent.parent / "prompts", prompts)
    themes = prompts / "themes.yaml"
    themes.write_text(themes.read_text().replace("- key: prioritisation", "- key: Bad Key!", 1))
    result = subprocess.run(
        [str(BIN / "coachbot"), "run"],
        env={**bot_env, "COACHBOT_PROMPTS_DIR": str(prompts)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("coachbot: prompts/themes.yaml: line ")
    assert "themes[0].key" in line
    assert not (tmp_path / "coachbot.db").exists()
