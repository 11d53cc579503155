"""The Slack CLI project shape: `manifest.json` at the root is what `coachbot manifest`
prints (Socket Mode), `.slack/hooks.json` points the CLI at slack-cli-hooks, and
`slack run`'s start hook (``app.py``) starts the bot in Socket Mode."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from bot.manifest import build_manifest
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_manifest_json_is_what_coachbot_manifest_prints_for_socket_mode():
    shipped = json.loads((ROOT / "manifest.json").read_text())
    assert shipped == build_manifest(None), (
        "manifest.json is out of date: regenerate it with "
        "`.venv/bin/coachbot manifest > manifest.json`"
    )
    assert shipped["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in json.dumps(shipped)


def test_hooks_json_asks_slack_cli_hooks_for_the_hooks():
    hooks = json.loads((ROOT / ".slack" / "hooks.json").read_text())
    assert hooks == {"hooks": {"get-hooks": "python3 -m slack_cli_hooks.hooks.get_hooks"}}


def test_what_the_cli_writes_per_developer_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".slack/apps.dev.json" in ignored
    assert ".slack/cache/" in ignored
    assert ".slack/hooks.json" not in ignored


def test_the_hooks_serve_the_shipped_manifest_and_start_app_py():
    pytest.importorskip("slack_cli_hooks", reason="pip install slack-cli-hooks")
    hooks = _hook("get_hooks")
    assert hooks["config"]["sdk-managed-connection-enabled"] is True
    assert "slack_cli_hooks.hooks.start" in hooks["hooks"]["start"]
    assert _hook("get_manifest") == json.loads((ROOT / "manifest.json").read_text())


def _hook(name: str) -> dict:
    answer = subprocess.run(
        [sys.executable, "-m", f"slack_cli_hooks.hooks.{name}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(answer.stdout)


def test_slack_run_without_an_app_token_says_what_app_py_is_for():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    answer = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in answer.stderr
    assert "Traceback" not in answer.stderr


def test_slack_run_starts_the_bot_in_socket_mode(monkeypatch, tmp_path):
    import bot.cli

    started = []
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A1-1-abc")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-cli")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.setattr(bot.cli, "main", lambda argv: started.append(argv))

    runpy.run_path(str(ROOT / "app.py"), run_name="__main__")

    assert started == [["run"]]
    # Socket Mode requests are not signed; the settings still want a value.
    assert os.environ["SLACK_SIGNING_SECRET"]
    settings = load_settings(_env_file=None)
    assert settings.socket_mode and settings.SLACK_BOT_TOKEN == "xoxb-from-the-cli"
