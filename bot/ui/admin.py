"""Block Kit for `/coach admin`: the program settings modal and its answers.
Pure functions: data in, dict out."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import context, input_block, modal, section, text_input
from models.settings_forms import PREP_LEAD_MAX_HOURS, PREP_LEAD_MIN_HOURS, PROGRAM_TEXT_MAX

TEXT_HINT = (
    "Shown in the welcome packet and with `/coach welcome`. Slack formatting works "
    "(*bold*, _italic_). Clear the field to go back to the standard text."
)


def settings_modal(prep_lead_hours: int, values_text: str, ground_rules_text: str) -> dict:
    """Prep reminder lead time, values statement, ground rules. The texts open with
    what applies now (the standard text unless an admin changed it)."""
    lead = {
        "type": "number_input",
        "action_id": "prep_lead_hours",
        "is_decimal_allowed": False,
        "min_value": str(PREP_LEAD_MIN_HOURS),
        "max_value": str(PREP_LEAD_MAX_HOURS),
        "initial_value": str(prep_lead_hours),
    }
    blocks = [
        section("Settings for the whole program. Changes apply from the next message sent."),
        input_block(
            "prep_lead_hours",
            "Prep reminder, hours before a session",
            lead,
            hint=f"From {PREP_LEAD_MIN_HOURS} to {PREP_LEAD_MAX_HOURS} hours (a week). "
            "The reminder, the members' DMs and the coach brief go out then.",
        ),
        input_block(
            "values_text",
            "Values statement",
            text_input(
                "values_text",
                initial=values_text,
                multiline=True,
                max_length=PROGRAM_TEXT_MAX,
            ),
            optional=True,
            hint=TEXT_HINT,
        ),
        input_block(
            "ground_rules_text",
            "Ground rules",
            text_input(
                "ground_rules_text",
                initial=ground_rules_text,
                multiline=True,
                max_length=PROGRAM_TEXT_MAX,
            ),
            optional=True,
            hint=TEXT_HINT + " Everyone agrees to these before their first session.",
        ),
        context("Admins see counts and trends, never what one person wrote."),
    ]
    return modal(
        callback_id=ids.PROGRAM_SETTINGS_CALLBACK,
        title="Program settings",
        submit="Save",
        blocks=blocks,
    )


def not_admin_message() -> dict[str, Any]:
    text = (
        "Only program admins can change the program settings. If something in the "
        "program needs changing, ask one of them. `/coach help` shows what you can do."
    )
    return {"text": text, "blocks": [section(text)]}


def saved_message(prep_lead_hours: int, values_custom: bool, rules_custom: bool) -> dict:
    hours = "1 hour" if prep_lead_hours == 1 else f"{prep_lead_hours} hours"

    def which(custom: bool) -> str:
        return "your own text" if custom else "the standard text"

    text = (
        f"Program settings saved. Prep reminders go out {hours} before each session. "
        f"Values statement: {which(values_custom)}. Ground rules: {which(rules_custom)}."
    )
    return {
        "text": text,
        "blocks": [
            section(text),
            context("`/coach welcome` shows the welcome packet as members see it."),
        ],
    }
