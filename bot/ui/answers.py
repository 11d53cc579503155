"""Short answers to one person: the apology, a refusal with its "did you mean"
and usage, and the small modal that says something where there is no
response_url (the App Home)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import escape, modal, section, truncate
from bot.ui.help import did_you_mean, usage_lines

SORRY = (
    "Sorry, something went wrong on our side and nothing was saved. Please try again in a moment."
)
SECTION_TEXT_MAX = 3000


def refusal_message(
    message: str, *, suggestions: Sequence[str] = (), usage: str | None = None
) -> dict[str, Any]:
    """A refusal in words: the problem (escaped), what the person may have meant,
    and the usage of the subcommand when it helps."""
    lines = [escape(message)]
    hint = did_you_mean(suggestions)
    if hint:
        lines.append(hint)
    if usage:
        lines.append("Usage:")
        lines.extend(usage_lines(usage))
    text = truncate("\n".join(lines), SECTION_TEXT_MAX)
    return {"text": text, "blocks": [section(text)]}


def info_modal(title: str, message: Mapping[str, Any] | str) -> dict[str, Any]:
    """A modal that only says something, with a Close button."""
    if isinstance(message, str):
        blocks = [section(truncate(message, SECTION_TEXT_MAX))]
    else:
        blocks = list(message.get("blocks") or [section(truncate(message["text"], 3000))])
    return modal(
        callback_id=ids.INFO_CALLBACK,
        title=title,
        blocks=blocks,
        submit=None,
        close="Close",
    )


def working_modal(title: str, text: str = "Working on it…") -> dict[str, Any]:
    """What a slow form shows between its ack and its outcome."""
    return modal(
        callback_id=ids.INFO_CALLBACK,
        title=title,
        blocks=[section(text)],
        submit=None,
        close="Close",
    )
