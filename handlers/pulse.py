"""The session pulse buttons of the end-of-session DM: a usefulness score (1–5),
"Fine" and "I'd like a different pod". The answer takes the question's place in
the DM; where there is no DM to change, it comes as an ephemeral."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.notify import pulse as pulse_notify
from bot.runtime import Runtime
from bot.services import pulse
from bot.services.refusals import Refusal
from bot.ui import pulse as pulse_ui
from handlers.toolkit import (
    Answer,
    answerer,
    pressed_action,
    pressed_id,
    pressed_value,
    refuse,
    sender_of,
)
from models import PodFit

logger = logging.getLogger(__name__)

TITLE = "Session pulse"
OUT_OF_DATE = "That button is out of date."
FIT_BY_ACTION = {
    ids.PULSE_POD_FINE_ACTION: PodFit.FINE,
    ids.PULSE_POD_DIFFERENT_ACTION: PodFit.DIFFERENT,
}

Swap = Callable[[Sequence[dict[str, Any]]], list[dict[str, Any]] | None]


def _show(body: dict[str, Any], respond: Respond, answer: Answer, swap: Swap, reply: str) -> None:
    """Put the answer in the question's place on the DM, or say it privately."""
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    container = body.get("container") or {}
    if message is not None and body.get("response_url") and not container.get("is_ephemeral"):
        blocks = swap(message.get("blocks") or [])
        if blocks is not None:
            try:
                respond(replace_original=True, text=message.get("text") or reply, blocks=blocks)
                return
            except Exception:
                logger.warning("could not update the pulse question", exc_info=True)
    answer(reply)


def register(app: App, rt: Runtime) -> None:
    def score(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, TITLE)
        parsed = pulse_ui.parse_score_value(pressed_value(body))
        if parsed is None:
            answer(OUT_OF_DATE)
            return
        session_id, value = parsed
        sender = sender_of(body)
        try:
            with rt.db.transaction() as tx:
                scored = pulse.record_score(
                    tx, sender.team_id, sender.user_id, session_id, value, rt.now()
                )
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        _show(
            body,
            respond,
            answer,
            lambda blocks: pulse_ui.after_score(blocks, scored),
            pulse_ui.score_reply(scored),
        )

    for action_id in ids.PULSE_SCORE_ACTIONS:
        app.action(action_id)(score)

    def pod_fit(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        fit = FIT_BY_ACTION[pressed_action(body).get("action_id", "")]
        answer = answerer(body, client, respond, TITLE)
        session_id = pressed_id(body, answer)
        if session_id is None:
            return
        sender = sender_of(body)
        now = rt.now()
        try:
            with rt.db.transaction() as tx:
                fitted = pulse.record_pod_fit(
                    tx,
                    sender.team_id,
                    sender.user_id,
                    session_id,
                    fit,
                    now,
                    rt.settings.admin_user_ids,
                )
                if fitted.request is not None:
                    pulse_notify.enqueue_repairing_request(tx, fitted.request, now)
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        _show(
            body,
            respond,
            answer,
            lambda blocks: pulse_ui.after_pod_fit(blocks, fitted),
            pulse_ui.pod_fit_reply(fitted),
        )

    for action_id in FIT_BY_ACTION:
        app.action(action_id)(pod_fit)
