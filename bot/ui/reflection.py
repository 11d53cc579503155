"""The reflection modal: one insight, one action, and the opt-in to the digest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ui.blocks import context, escape, input_block, modal, plain, section, text_input, truncate
from bot.ui.checkin import local_when, metadata
from models.session_forms import ACTION_MAX, INSIGHT_MAX

OPEN_ACTION = "reflect_open"
CALLBACK = "reflection_submit"
SHARE_VALUE = "share"


def reflection_modal(draft: Any, tz: str | None, questions: Sequence[str] = ()) -> dict[str, Any]:
    target = draft.target
    if target is not None:
        intro = (
            f"After *{escape(target.pod_name)}* · {local_when(target.starts_at, tz)} (your time)"
        )
    else:
        intro = "A standalone insight, not tied to a session."
    if draft.is_edit:
        intro += "\n_You reflected on this session already: saving updates it._"
    blocks: list[dict[str, Any]] = [section(intro, block_id="intro")]
    if questions:
        blocks.append(context("_" + " · ".join(questions[:2]) + "_"))
    share_option = {
        "text": plain("Share anonymously in the weekly digest"),
        "value": SHARE_VALUE,
        "description": plain("Never with your name; only among enough other voices."),
    }
    share_element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": "share",
        "options": [share_option],
    }
    if draft.share:
        share_element["initial_options"] = [share_option]
    blocks += [
        input_block(
            "insight",
            "Insight",
            text_input(
                "insight",
                initial=truncate(draft.insight, INSIGHT_MAX) if draft.insight else None,
                multiline=True,
                max_length=INSIGHT_MAX,
                placeholder="What did you learn or see differently?",
            ),
        ),
        input_block(
            "action",
            "Action",
            text_input(
                "action",
                initial=draft.action or None,
                multiline=True,
                max_length=ACTION_MAX,
                placeholder="One thing you will do because of it",
            ),
        ),
        input_block("share", "Sharing", share_element, optional=True),
        context("Only you can read your reflection unless you choose to share it anonymously."),
    ]
    return modal(
        callback_id=CALLBACK,
        title="Reflect",
        submit="Save",
        close="Cancel",
        private_metadata=metadata(s=target.session_id if target else None, src=draft.source),
        blocks=blocks,
    )
