"""Block Kit for `/coach admin`: the program settings modal, its buttons' answers
and the confirmation. Pure functions: data in, dict out."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    header,
    input_block,
    modal,
    plain,
    section,
    static_select,
    text_input,
    weekday_options,
)
from bot.ui.dates import WEEKDAY_NAMES, clock_time
from models.forms import TIMEZONE_EXAMPLE
from models.settings_forms import (
    K_COUNT_MAX,
    K_COUNT_MIN,
    K_TEXT_MAX,
    K_TEXT_MIN,
    KUDOS_LIMIT_MAX,
    KUDOS_LIMIT_MIN,
    PREP_LEAD_MAX_HOURS,
    PREP_LEAD_MIN_HOURS,
    PROGRAM_TEXT_MAX,
    ProgramSettingsValues,
)

TEXT_HINT = (
    "Shown in the welcome packet and with `/coach welcome`. Slack formatting works "
    "(*bold*, _italic_). Clear the field to go back to the standard text."
)
K_TEXT_HINT = (
    "Anonymity for words: a week's shared learnings reach the digest only when at "
    "least this many different people shared one (one person sharing five counts "
    "once). Until then they wait for more voices. Never below "
    f"{K_TEXT_MIN}; 5 is a good start."
)
K_COUNT_HINT = (
    "Anonymity for numbers: in program stats any group smaller than this many people "
    f"is merged with others, so nobody stands out. At least {K_COUNT_MIN}."
)


def _number(action_id: str, value: int, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "min_value": str(low),
        "max_value": str(high),
        "initial_value": str(value),
    }


def _buttons() -> dict[str, Any]:
    return actions(
        button("Preview digest", ids.DIGEST_PREVIEW_ACTION),
        button("Post digest now", ids.DIGEST_POST_NOW_ACTION),
        button("Quarterly review", ids.REVIEW_POST_ACTION),
        button("Rituals", ids.RITUALS_OPEN_ACTION),
        button("Skills map", ids.SKILLS_MAP_ACTION),
        button("Levels and skills", ids.PROGRAM_LISTS_OPEN_ACTION),
        button("Import a user group", ids.USERGROUP_IMPORT_OPEN_ACTION),
        button("Propose pods", ids.MATCH_PROPOSE_ACTION),
        button("Matching settings", ids.MATCH_SETTINGS_OPEN_ACTION),
        block_id=ids.ADMIN_ACTIONS_BLOCK,
    )


def _digest_inputs(values: ProgramSettingsValues) -> list[dict[str, Any]]:
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "digest_channel",
        "placeholder": plain("Pick a public channel"),
        "filter": {
            "include": ["public"],
            "exclude_bot_users": True,
            "exclude_external_shared_channels": True,
        },
    }
    if values.digest_channel:
        channel["initial_conversation"] = values.digest_channel
    weekday = static_select(
        "digest_weekday",
        weekday_options(),
        initial=str(values.digest_weekday),
    )
    at = {
        "type": "timepicker",
        "action_id": "digest_time",
        "initial_time": clock_time(values.digest_time),
    }
    leaders: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "leaders",
        "placeholder": plain("Pick the program's leaders"),
    }
    if values.leaders:
        leaders["initial_users"] = list(values.leaders)
    return [
        header("Weekly digest"),
        input_block(
            "digest_channel",
            "Digest channel",
            channel,
            optional=True,
            hint="A public channel for the weekly digest, the showcase and office hours. "
            "Invite me to it so I can post there.",
        ),
        input_block("digest_weekday", "Digest day", weekday),
        input_block("digest_time", "Digest time", at),
        input_block(
            "digest_timezone",
            "Program timezone",
            text_input(
                "digest_timezone",
                initial=values.digest_timezone,
                max_length=64,
                placeholder=TIMEZONE_EXAMPLE,
            ),
            hint=f"Like {TIMEZONE_EXAMPLE}. The digest, the showcase and office hours "
            "follow this clock.",
        ),
        header("Privacy and kudos"),
        input_block(
            "k_text",
            "Voices needed before learnings are shown",
            _number("k_text", values.k_text, K_TEXT_MIN, K_TEXT_MAX),
            hint=K_TEXT_HINT,
        ),
        input_block(
            "k_count",
            "Smallest group shown in numbers",
            _number("k_count", values.k_count, K_COUNT_MIN, K_COUNT_MAX),
            hint=K_COUNT_HINT,
        ),
        input_block(
            "kudos_daily_limit",
            "Kudos a person can give a day",
            _number(
                "kudos_daily_limit", values.kudos_daily_limit, KUDOS_LIMIT_MIN, KUDOS_LIMIT_MAX
            ),
            hint=f"From {KUDOS_LIMIT_MIN} to {KUDOS_LIMIT_MAX}.",
        ),
        input_block(
            "leaders",
            "Leaders",
            leaders,
            optional=True,
            hint="Leaders take part like anyone; program stats count how many are in pods "
            "and held sessions (numbers only).",
        ),
    ]


def settings_modal(values: ProgramSettingsValues) -> dict:
    """The program's settings, opening with what applies now (the standard texts
    unless an admin changed them), with the digest, review and rituals buttons on top."""
    blocks = [
        section("Settings for the whole program. Changes apply from the next message sent."),
        _buttons(),
        input_block(
            "prep_lead_hours",
            "Prep reminder, hours before a session",
            _number(
                "prep_lead_hours", values.prep_lead_hours, PREP_LEAD_MIN_HOURS, PREP_LEAD_MAX_HOURS
            ),
            hint=f"From {PREP_LEAD_MIN_HOURS} to {PREP_LEAD_MAX_HOURS} hours (a week). "
            "The reminder, the members' DMs and the coach brief go out then.",
        ),
        input_block(
            "values_text",
            "Values statement",
            text_input(
                "values_text",
                initial=values.values_text,
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
                initial=values.ground_rules_text,
                multiline=True,
                max_length=PROGRAM_TEXT_MAX,
            ),
            optional=True,
            hint=TEXT_HINT + " Everyone agrees to these before their first session.",
        ),
        *_digest_inputs(values),
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


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def saved_message(
    values: ProgramSettingsValues, *, values_custom: bool, rules_custom: bool
) -> dict[str, Any]:
    hours = _plural(values.prep_lead_hours, "hour", "hours")

    def which(custom: bool) -> str:
        return "your own text" if custom else "the standard text"

    when = (
        f"{WEEKDAY_NAMES[values.digest_weekday]}s at {clock_time(values.digest_time)} "
        f"({values.digest_timezone})"
    )
    where = (
        f"goes to <#{values.digest_channel}> on {when}"
        if values.digest_channel
        else f"goes out on {when} once you choose its channel"
    )
    text = (
        f"Program settings saved. Prep reminders go out {hours} before each session. "
        f"Values statement: {which(values_custom)}. Ground rules: {which(rules_custom)}.\n"
        f"The weekly digest {where}. Learnings are shown from {values.k_text} voices, "
        f"numbers from groups of {values.k_count}; each person can give "
        f"{_plural(values.kudos_daily_limit, 'kudos', 'kudos')} a day. "
        f"Leaders: {len(values.leaders)}."
    )
    return {
        "text": text,
        "blocks": [
            section(text),
            context("`/coach welcome` shows the welcome packet as members see it."),
        ],
    }


# --------------------------------------------------------------------------- buttons' answers


def not_admin_answer() -> dict[str, Any]:
    text = "Only program admins can do this. `/coach help` shows what you can do."
    return {"text": text, "blocks": [section(text)]}
