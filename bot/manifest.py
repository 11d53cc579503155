"""The Slack app manifest: exactly the surfaces and scopes Coachbot uses."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.web import SLACK_EVENTS_PATH

BOT_SCOPES = [
    "commands",  # /coach
    "chat:write",  # reminders, DMs, digests, updates to the prep message
    "chat:write.public",  # post in a pod's public channel without being invited first
    "im:write",  # open a DM with a member
    "mpim:write",  # a group DM for a pod without a channel
    "users:read",  # names and time zones (users.info)
    "files:write",  # the quarterly review chart and a person's growth summary file
    "usergroups:read",  # /coach admin → Import a user group (usergroups.list, .users.list)
    "users:read.email",  # coachbot people import: rows that name a person by e-mail
    # Reading back the bot's own recent messages (conversations.history with message
    # metadata) where a message may have gone out before a crash, so it is never sent
    # twice: pod channels (public, private), group DMs and DMs.
    "channels:history",
    "groups:history",
    "mpim:history",
    "im:history",
]

BOT_EVENTS = ["app_home_opened", "user_change"]  # user_change: people who leave the company
BOT_EVENTS += ["app_uninstalled", "tokens_revoked"]  # stop all work for a workspace

LONG_DESCRIPTION = (
    "Coachbot runs your company's peer coaching program inside Slack. Small pods of peers "
    "meet on a steady cadence; the coach role rotates fairly; newcomers get a seasoned buddy. "
    "Before each session people set one intent, during it they explore, and they leave with "
    "one small experiment. Afterwards everyone captures one insight and one action, and "
    "experiments get a single gentle follow-up. What people write belongs to them: program "
    "leads see learning velocity, never one person's words."
)


def build_manifest(url: str | None = None) -> dict[str, Any]:
    """HTTP mode when `url` (the app's public base URL) is given, else Socket Mode."""
    request_url = url.rstrip("/") + SLACK_EVENTS_PATH if url else None
    command: dict[str, Any] = {
        "command": "/coach",
        "description": "Your peer coaching pods: check in, reflect, see what's next",
        "usage_hint": "help | next | checkin | reflect | pod list",
        "should_escape": True,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": BOT_EVENTS}
    if request_url:
        command["url"] = request_url
        interactivity["request_url"] = request_url
        events["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Coachbot",
            "description": "Peer coaching pods with rhythm: intent, exploration, experiment.",
            "background_color": "#2f4858",
            "long_description": LONG_DESCRIPTION,
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "Coachbot", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "Save as insight",
                    "type": "message",
                    "callback_id": ids.SAVE_AS_INSIGHT_CALLBACK,
                    "description": "Keep this message as one of your private insights",
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }
