"""The reflection modal: one insight, one action, and the opt-in to the digest."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import (
    context,
    escape,
    input_block,
    modal,
    section,
    text_input,
    tick_box,
    truncate,
)
from bot.ui.dates import local_date_time
from models.session_forms import ACTION_MAX, INSIGHT_MAX
from models.session_views import ReflectionDraft

SHARE_VALUE = "share"


def reflection_modal(draft: ReflectionDraft, private_metadata: str) -> dict[str, Any]:
    target = draft.target
    if target is not None:
        when = local_date_time(target.starts_at, draft.member_tz)
        intro = f"After *{escape(target.pod_name)}* · {when} (your time)"
    else:
        intro = "A standalone insight, not tied to a session."
    if draft.is_edit:
        intro += "\n_You reflected on this session already: saving updates it._"
    blocks: list[dict[str, Any]] = [section(intro, block_id=ids.REFLECTION_INTRO_BLOCK)]
    if draft.questions:
        blocks.append(context("_" + " · ".join(draft.questions[:2]) + "_"))
    share_element = tick_box(
        "share",
        "Share anonymously in the weekly digest",
        SHARE_VALUE,
        ticked=draft.share,
        description="Never with your name; only among enough other voices.",
    )
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
        callback_id=ids.REFLECTION_CALLBACK,
        title="Reflect",
        submit="Save",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=blocks,
    )
