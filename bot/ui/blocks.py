"""Small pure helpers for Block Kit dicts, kept inside Slack's limits."""

from __future__ import annotations

from typing import Any

from bot.ui.dates import WEEKDAY_NAMES

SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
CONTEXT_TEXT_LIMIT = 3000
MODAL_TITLE_LIMIT = 24


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """People's text shown as written in mrkdwn: no accidental mentions, links or @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int | None = None) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) if limit else text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_LIMIT)}


def section(text: str, *, block_id: str | None = None, accessory: dict | None = None) -> dict:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(truncate(text, CONTEXT_TEXT_LIMIT))]}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str | None = None, *, style: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_LIMIT),
        "action_id": action_id,
    }
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}


def weekday_options() -> list[dict[str, Any]]:
    """Monday … Sunday, valued 0 … 6 (Python's weekday numbers)."""
    return [option(day, str(number)) for number, day in enumerate(WEEKDAY_NAMES)]


def tick_box(
    action_id: str, label: str, value: str, *, ticked: bool, description: str | None = None
) -> dict[str, Any]:
    """A checkboxes element with one option, ticked or not."""
    choice = option(label, value)
    if description:
        choice["description"] = plain(description)
    element: dict[str, Any] = {"type": "checkboxes", "action_id": action_id, "options": [choice]}
    if ticked:
        element["initial_options"] = [choice]
    return element


def static_select(
    action_id: str,
    options: list[dict[str, Any]],
    *,
    initial: str | None = None,
    placeholder: str = "Choose",
) -> dict[str, Any]:
    """A static select; `initial` (an option's value) is preselected when offered."""
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, 150),
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[dict[str, Any]],
    submit: str | None = "Save",
    close: str = "Cancel",
    private_metadata: str = "",
    external_id: str | None = None,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_LIMIT),
        "close": plain(close, MODAL_TITLE_LIMIT),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit, MODAL_TITLE_LIMIT)
    if external_id:
        view["external_id"] = external_id
    return view


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    action_id: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element
