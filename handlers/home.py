"""App Home: published when a person opens it and after each of their actions;
its quick buttons (Check in, Reflect, Kudos). Also the small helpers the session
surfaces share: who sent a payload, how to answer them privately on the surface
they used, reading a modal's state, opening a modal within the trigger window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory
from bot.runtime import Runtime
from bot.services import home as home_service
from bot.services.checkins import find_member
from bot.ui import home as ui
from bot.ui.checkin import info_modal

logger = logging.getLogger(__name__)

Answer = Callable[[str], None]


# --------------------------------------------------------------------- payload helpers


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


# --------------------------------------------------------------------- App Home


def publish_home(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """Build and publish the person's Home tab; failures are logged, never raised."""
    try:
        with rt.db.transaction() as session:
            data = home_service.home_data(session, team_id, user_id, rt.now())
        client.views_publish(user_id=user_id, view=ui.home_view(data))
    except SlackApiError as error:
        logger.warning("views.publish for %s failed: %s", user_id, error.response.get("error"))
    except Exception:
        logger.exception("could not build the Home tab of %s", user_id)


def register(app: App, rt: Runtime) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user_id = str(event.get("user") or "")
        team_id = str(body.get("team_id") or "")
        if not user_id:
            return
        refresh_profile_quietly(rt, team_id, user_id)
        publish_home(rt, client, team_id, user_id)

    @app.action(ui.HOME_CHECKIN_ACTION)
    def home_checkin(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        from handlers import checkin

        checkin.open_checkin(
            rt,
            client,
            team_id=team_of(body),
            user_id=user_of(body),
            trigger_id=body.get("trigger_id"),
            session_id=None,
            answer=answerer(body, client, None, "Check in"),
        )

    @app.action(ui.HOME_REFLECT_ACTION)
    def home_reflect(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        from handlers import reflection

        reflection.open_reflection(
            rt,
            client,
            team_id=team_of(body),
            user_id=user_of(body),
            trigger_id=body.get("trigger_id"),
            latest=True,
            source="home",
            answer=answerer(body, client, None, "Reflect"),
        )

    @app.action(ui.HOME_KUDOS_ACTION)
    def home_kudos(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, body.get("trigger_id"), ui.kudos_modal())
