"""Keeps member profiles (names, time zones, admin flags) fresh from users.info.

This is the one place outside the sender that reads people from Slack; services
only ever see the stored Member rows.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services import members
from models import Member

log = logging.getLogger(__name__)


def fetch_profile(rt: Runtime, user_id: str) -> members.SlackProfile | None:
    try:
        response = rt.client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
        return None
    return members.SlackProfile.from_users_info(response["user"])


def refresh_members(rt: Runtime, team_id: str, user_ids: list[str]) -> dict[str, Member]:
    """Members for these users, refreshing stale or unknown profiles from Slack.

    Users Slack does not know (and we never met) are left out of the result.
    """
    now = rt.now()
    with rt.db.transaction() as session:
        known = members.find_many(session, team_id, user_ids)
    stale = [uid for uid in dict.fromkeys(user_ids) if members.needs_refresh(known.get(uid), now)]
    profiles = {uid: fetch_profile(rt, uid) for uid in stale}
    with rt.db.transaction() as session:
        for profile in profiles.values():
            if profile is not None:
                members.upsert_profile(session, team_id, profile, now)
        found = members.find_many(session, team_id, user_ids)
        return {uid: found[uid] for uid in user_ids if uid in found}


def refresh_member(rt: Runtime, team_id: str, user_id: str) -> Member | None:
    return refresh_members(rt, team_id, [user_id]).get(user_id)


def is_program_admin(rt: Runtime, team_id: str, user_id: str) -> bool:
    return members.is_program_admin(
        refresh_member(rt, team_id, user_id), rt.settings.admin_user_ids
    )
