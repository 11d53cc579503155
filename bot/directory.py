"""Slack's directory, for the rest of the bot: member profiles (names, time
zones, admin flags) kept fresh from users.info, and `SlackWebDirectory`, the
Web API side of pod set-up (bot.services.pod_setup.SlackDirectory).

This is wiring, not a service: the one place outside the sender and the
handlers that calls Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services import leavers, members
from bot.services.pod_setup import ChannelRefused, GroupDmRefused
from bot.ui import pods as pods_ui
from models import Member

log = logging.getLogger(__name__)

PROFILE_FETCH_THREADS = 6


def fetch_profile(client: WebClient, user_id: str) -> members.SlackProfile | None:
    try:
        response = client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
        return None
    return members.SlackProfile.from_users_info(response["user"])


def refresh_members(rt: Runtime, team_id: str, user_ids: list[str]) -> dict[str, Member]:
    """Members for these users, refreshing stale or unknown profiles from Slack.

    Users Slack does not know (and we never met) are left out of the result.
    """
    now = rt.now()
    with rt.db.transaction() as tx:
        known = members.find_many(tx, team_id, user_ids)
    stale = [uid for uid in dict.fromkeys(user_ids) if members.needs_refresh(known.get(uid), now)]
    if not stale:
        return {uid: known[uid] for uid in user_ids if uid in known}
    profiles = SlackWebDirectory(rt.client).fetch_profiles(stale)
    with rt.db.transaction() as tx:
        for profile in profiles:
            leavers.apply_profile(tx, team_id, profile, now)
        found = members.find_many(tx, team_id, user_ids)
        return {uid: found[uid] for uid in user_ids if uid in found}


def refresh_member(rt: Runtime, team_id: str, user_id: str) -> Member | None:
    return refresh_members(rt, team_id, [user_id]).get(user_id)


class SlackWebDirectory:
    """bot.services.pod_setup.SlackDirectory over the Web API."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def fetch_profiles(self, user_ids: Sequence[str]) -> list[members.SlackProfile]:
        """In parallel: a 12-person pod costs one round trip, not twelve."""
        if not user_ids:
            return []
        if len(user_ids) == 1:
            found = [fetch_profile(self.client, user_ids[0])]
        else:
            threads = min(PROFILE_FETCH_THREADS, len(user_ids))
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="users-info") as pool:
                found = list(pool.map(lambda uid: fetch_profile(self.client, uid), user_ids))
        return [profile for profile in found if profile is not None]

    def open_group_dm(self, user_ids: Sequence[str]) -> str:
        try:
            response = self.client.conversations_open(users=",".join(user_ids))
        except SlackApiError as error:
            code = error.response.get("error")
            log.warning("conversations.open for a pod failed: %s", code)
            raise GroupDmRefused(code) from error
        return str(response["channel"]["id"])

    def post_intro(self, channel_id: str, pod_name: str) -> None:
        """Hello in the pod's new channel, which also proves the bot can post there
        before anything is saved."""
        text, blocks = pods_ui.pod_channel_intro(pod_name)
        try:
            self.client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
        except SlackApiError as error:
            code = error.response.get("error")
            log.info("cannot post in the pod channel %s: %s", channel_id, code)
            raise ChannelRefused(code) from error
