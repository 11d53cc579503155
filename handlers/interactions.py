"""Helpers the interactive surfaces share: who sent a payload, how to answer them
privately on the surface they used, reading a modal's state, opening a modal
within the trigger window."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory
from bot.runtime import Runtime
from bot.services.checkins import find_member
from bot.ui.checkin import info_modal

logger = logging.getLogger(__name__)

Answer = Callable[[str], None]


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id") or user or "")


def team_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or "")


def first_action(body: dict[str, Any]) -> dict[str, Any]:
    found = body.get("actions") or [{}]
    return found[0] if isinstance(found[0], dict) else {}


def int_value(raw: Any) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


def view_fields(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: value} from a modal's state: text, date, chosen option value,
    or the list of ticked checkbox values."""
    values = (view.get("state") or {}).get("values") or {}
    fields: dict[str, Any] = {}
    for block_id, elements in values.items():
        if not isinstance(elements, dict) or not elements:
            continue
        element = next(iter(elements.values())) or {}
        kind = element.get("type")
        if kind == "datepicker":
            fields[block_id] = element.get("selected_date")
        elif kind == "checkboxes":
            fields[block_id] = [o.get("value") for o in element.get("selected_options") or []]
        elif kind in ("static_select", "radio_buttons"):
            fields[block_id] = (element.get("selected_option") or {}).get("value")
        else:
            fields[block_id] = element.get("value")
    return fields


def open_modal(client: WebClient, trigger_id: str | None, view: dict[str, Any]) -> dict | None:
    """views.open; None when Slack refused (expired trigger and the like)."""
    if not trigger_id:
        return None
    try:
        return client.views_open(trigger_id=trigger_id, view=view)["view"]
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        return None


def update_modal(client: WebClient, view: dict[str, Any], new_view: dict[str, Any]) -> bool:
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=new_view)
        return True
    except SlackApiError as error:
        logger.info("views.update failed: %s", error.response.get("error"))
        return False


def answerer(
    body: dict[str, Any], client: WebClient, respond: Any, title: str = "Coachbot"
) -> Answer:
    """How to tell the person something privately on the surface they used:
    an ephemeral reply through the response_url for messages, a small modal for
    the App Home (it has no response_url), a DM as the last resort."""

    def answer(text: str) -> None:
        if body.get("response_url") and respond is not None:
            try:
                respond(text=text, response_type="ephemeral", replace_original=False)
                return
            except Exception:
                logger.warning("response_url answer failed", exc_info=True)
        if open_modal(client, body.get("trigger_id"), info_modal(title, text)) is not None:
            return
        user_id = user_of(body)
        channel = (
            (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None
        )
        try:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            else:
                client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as error:
            logger.warning("could not answer %s: %s", user_id, error.response.get("error"))

    return answer


def refresh_profile_quietly(rt: Runtime, team_id: str, user_id: str) -> None:
    """Refresh a known member's profile (timezone, names) from users.info when
    stale. Called only after any modal is open: users.info can be slow."""
    try:
        with rt.db.transaction() as session:
            known = find_member(session, team_id, user_id) is not None
        if known:
            directory.refresh_member(rt, team_id, user_id)
    except Exception:
        logger.warning("profile refresh for %s failed", user_id, exc_info=True)


def pressed_id(body: dict[str, Any], answer: Answer, where_to_go: str = "") -> int | None:
    """The id a button carries as its value; a button that no longer carries a
    usable one gets a plain answer (and None)."""
    value = int_value(first_action(body).get("value"))
    if value is None:
        answer(f"That button is out of date. {where_to_go}".strip())
    return value
