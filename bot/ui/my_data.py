"""`/coach my-data`: the exported file, the confirmation before deleting, and the
answers around both."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bot import ids
from bot.ui.blocks import context, input_block, modal, option, section
from models.my_data_views import MyDataDeleted, MyDataExport

FILENAME = "coachbot-my-data.json"
FILE_TITLE = "Your Coachbot data"
MODAL_TITLE = "Delete my data"
CONFIRM_VALUE = "yes"


def export_json(data: MyDataExport) -> str:
    """The file: every part of the export, as written (no Slack escaping)."""
    return json.dumps(asdict(data), ensure_ascii=False, indent=2) + "\n"


def file_comment() -> str:
    return (
        "Everything Coachbot stores about you, as JSON: your profile, pods, check-ins, "
        "experiments, reflections, kudos, pulses and settings."
    )


def exported_answer() -> str:
    return "A copy of your data is in your DMs."


def nothing_stored_answer() -> str:
    return "Coachbot stores nothing about you."


def export_failed_answer() -> str:
    return "Slack didn't let me send your data just now. Please try again in a moment."


def delete_modal() -> dict[str, Any]:
    """What will be deleted, what stays as counts, and a tick box to confirm."""
    choice = option("I understand: delete my data. This can't be undone.", CONFIRM_VALUE)
    element = {"type": "checkboxes", "action_id": ids.MY_DATA_CONFIRM_ACTION, "options": [choice]}
    return modal(
        callback_id=ids.MY_DATA_DELETE_CALLBACK,
        title=MODAL_TITLE,
        submit="Delete",
        blocks=[
            section(
                "*What will be deleted*\nYour check-ins, experiments, reflections, session "
                "pulses, skipped sessions, calendar feed, kudos you received, your profile "
                "(names, timezone, settings) and your pod memberships. Your pods carry on "
                "without you and your upcoming coach or buddy turns go to someone else."
            ),
            section(
                "*What stays*\nKudos you gave stay with the people who received them, from "
                '"someone". Counts already published (the weekly digest, sessions held) stay '
                "as counts; nothing in them points at you."
            ),
            input_block(ids.MY_DATA_CONFIRM_BLOCK, "This can't be undone", element),
            context("Want a copy first? Cancel and use `/coach my-data export`."),
        ],
    )


def confirm_problem() -> str:
    return "Tick the box to confirm."


def deleted_dm(done: MyDataDeleted) -> dict[str, Any]:
    if not done.found_anything:
        text = "Coachbot had nothing stored about you, so there was nothing to delete."
    else:
        text = (
            "Your Coachbot data is deleted: your check-ins, experiments, reflections, "
            "pulses, kudos you received, your profile and your pod memberships. Kudos you "
            'gave stay with their recipients, from "someone". If you use Coachbot again '
            "you start afresh."
        )
    return {"text": text, "blocks": [section(text)]}
