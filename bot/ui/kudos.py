"""Kudos: the value picker, the giver's confirmation and the recipient's DM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import actions, button, context, escape, section
from models.community_views import KudosDraft, KudosGiven

BUTTON_VALUE_MAX = 2000
MAX_BUTTONS = 25


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
