"""Kudos: the value picker, the modal of the App Home's Kudos button, the giver's
confirmation and the recipient's DM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    option,
    plain,
    section,
    static_select,
    text_input,
)
from models.community_views import KudosDraft, KudosGiven
from models.kudos_forms import KUDOS_MAX_RECIPIENTS, KUDOS_TEXT_MAX, PRIVATE_VALUE

BUTTON_VALUE_MAX = 2000
MAX_BUTTONS = 25
SELECT_OPTIONS_MAX = 100


def _mentions(user_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{uid}>" for uid in user_ids)


def value_picker(draft: KudosDraft, values: Sequence[str]) -> dict[str, Any]:
    """Which value is this kudos for? One button per value; each carries the kudos."""
    buttons = []
    for index, value in enumerate(values[:MAX_BUTTONS]):
        carried = draft.model_copy(update={"v": value}).model_dump_json()
        if len(carried) > BUTTON_VALUE_MAX:  # pragma: no cover - the text is capped at 500
            raise ValueError("kudos too long for a button")
        # Action ids are unique within a block: one per value, all matched by the handler.
        buttons.append(button(value, f"{ids.KUDOS_VALUE_ACTION}-{index}", carried))
    privacy = (
        "It stays private: only they will see it."
        if draft.p
        else "It also appears in the weekly digest (add `private` to keep it between you)."
    )
    text = f"Kudos for {_mentions(draft.r)} — which value did they show?"
    return {
        "text": text,
        "blocks": [
            section(f"{text}\n>{escape(draft.t)}"),
            actions(*buttons),
            context(privacy),
        ],
    }


def kudos_modal(values: Sequence[str], private_metadata: str) -> dict[str, Any]:
    """Who, for which of the program's values, what they did, and whether it stays
    private. Block ids are KudosForm's field names (inline errors map 1:1)."""
    recipients = {
        "type": "multi_users_select",
        "action_id": "recipients",
        "placeholder": plain("Pick people"),
        "max_selected_items": KUDOS_MAX_RECIPIENTS,
    }
    private_option = {
        "text": plain("Keep it private"),
        "value": PRIVATE_VALUE,
        "description": plain("Only they will see it; it stays out of the weekly digest."),
    }
    private = {"type": "checkboxes", "action_id": "private", "options": [private_option]}
    return modal(
        callback_id=ids.KUDOS_CALLBACK,
        title="Kudos",
        submit="Send kudos",
        private_metadata=private_metadata,
        blocks=[
            input_block(
                "recipients",
                "Kudos for",
                recipients,
                hint=f"Up to {KUDOS_MAX_RECIPIENTS} people; each gets a DM.",
            ),
            input_block(
                "value",
                "Value they showed",
                static_select(
                    "value",
                    [option(value, value) for value in values[:SELECT_OPTIONS_MAX]],
                    placeholder="Pick a value",
                ),
            ),
            input_block(
                "text",
                "What they did",
                text_input(
                    "text",
                    multiline=True,
                    max_length=KUDOS_TEXT_MAX,
                    placeholder="Like: you asked the question nobody dared to ask",
                ),
            ),
            input_block("private", "Privacy", private, optional=True),
            context("Public kudos appear in the weekly digest with your names."),
        ],
    )


def sent_message(given: KudosGiven) -> dict[str, Any]:
    where = (
        "Kept private: it won't appear in the digest."
        if given.is_private
        else "It will appear in this week's digest."
    )
    text = f"Kudos for *{escape(given.value)}* sent to {_mentions(given.receiver_user_ids)}."
    return {"text": text, "blocks": [section(text), context(where)]}


def received_dm(given: KudosGiven, recipient_user_id: str) -> dict[str, Any]:
    text = f":tada: <@{given.giver_user_id}> gave you kudos for *{escape(given.value)}*"
    quote = escape(" ".join(given.text.split()))
    others = [uid for uid in given.receiver_user_ids if uid != recipient_user_id]
    together = f"Together with {_mentions(others)}. " if others else ""
    where = (
        "Just between you two."
        if given.is_private
        else "It will be in this week's community digest."
    )
    return {
        "text": f"{text}: {quote}",
        "blocks": [section(f"{text}\n>{quote}"), context(f"{together}{where}")],
    }
