"""One place for failures a listener did not expect: log, and tell the person plainly."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.runtime import Runtime
from handlers.toolkit import SORRY, payload_shape_problem

logger = logging.getLogger(__name__)


def register(app: App, rt: Runtime) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse | None:
        if payload_shape_problem(body) is not None:
            # Bolt's own middleware failed on a payload Slack would never send.
            logger.warning("malformed payload refused: %s", error)
            return BoltResponse(status=400, body="")
        logger.exception("listener failed: %s", error, exc_info=error)
        if body.get("response_url") or body.get("response_urls"):
            try:
                respond(text=SORRY, response_type="ephemeral", replace_original=False)
            except Exception:
                logger.warning("could not tell the user about the failure", exc_info=True)
        return None
