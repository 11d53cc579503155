import json
import subprocess
import sys

from bot.manifest import BOT_SCOPES, build_manifest


def test_http_manifest_points_every_surface_at_the_events_url():
    manifest = build_manifest("https://coach.example.com/")
    url = "https://coach.example.com/slack/events"
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/coach"
    assert command["should_escape"] is True
    assert command["url"] == url
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "user_change",
        "app_uninstalled",
        "tokens_revoked",
    ]
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    shortcut = manifest["features"]["shortcuts"][0]
    assert (shortcut["type"], shortcut["name"]) == ("message", "Save as insight")


def test_scopes_are_only_what_the_bot_uses():
    assert manifest_scopes() == sorted(BOT_SCOPES)
    # E-mail only to find people an admin imports by e-mail (bot/services/people_import.py).
    assert "users:read.email" in BOT_SCOPES
    # History only to look for the bot's own message after a crash (bot/sender.py),
    # for each kind of conversation the outbox posts to; no event reads messages.
    history = [scope for scope in BOT_SCOPES if scope.endswith(":history")]
    assert sorted(history) == [
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
    ]
    assert not any(
        event.startswith("message")
        for event in build_manifest()["settings"]["event_subscriptions"]["bot_events"]
    )


def manifest_scopes():
    return sorted(build_manifest()["oauth_config"]["scopes"]["bot"])


def test_manifest_respects_the_schema_limits():
    manifest = build_manifest("https://x.example")
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert len(manifest["features"]["bot_user"]["display_name"]) <= 80


def test_socket_mode_manifest_has_no_urls():
    manifest = build_manifest()
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["interactivity"]


def test_cli_prints_json_without_credentials(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest", "--url", "https://c.example"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["display_information"]["name"] == "Coachbot"
