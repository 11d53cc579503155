"""App Home: published when a person opens it and after each of their actions;
its quick buttons (Check in, Reflect, Kudos)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services import home as home_service
from bot.ui import home as ui
from handlers.interactions import answerer, open_modal, refresh_profile_quietly, team_of, user_of

logger = logging.getLogger(__name__)

Answer = Callable[[str], None]


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
