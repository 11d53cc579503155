"""Block Kit for a pod's playbook: the button on the pod edit modal, the playbook
modal, and the answers around it. Pure functions: data in, dict out."""

from __future__ import annotations

import json
from typing import Any

from bot.ui.blocks import (
    actions,
    button,
    context,
    input_block,
    modal,
    section,
    text_input,
    truncate,
)
from models.content_forms import (
    MULTILINE_INPUT_MAX,
    PLAYBOOK_MAX_PROMPTS,
    PLAYBOOK_MAX_THEMES,
    PLAYBOOK_PROMPT_MAX,
    PLAYBOOK_THEME_MAX,
)

PLAYBOOK_OPEN_ACTION = "playbook_open"
PLAYBOOK_CALLBACK = "playbook_submit"
PLAYBOOK_BLOCK_ID = "playbook"


def edit_playbook_block(pod_id: int) -> dict[str, Any]:
    """An actions block for the pod edit modal: opens the pod's playbook on top."""
    return actions(
        button("Edit playbook", PLAYBOOK_OPEN_ACTION, str(pod_id)),
        block_id=PLAYBOOK_BLOCK_ID,
    )


def playbook_metadata(pod_id: int) -> str:
    return json.dumps({"pod_id": pod_id})


def pod_id_from_metadata(raw: str | None) -> int | None:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return None
    pod_id = data.get("pod_id") if isinstance(data, dict) else None
    return pod_id if isinstance(pod_id, int) else None


def playbook_modal(
    pod_id: int,
    pod_name: str,
    themes: tuple[str, ...],
    prompts: tuple[str, ...],
    shipped_themes: tuple[str, ...],
) -> dict[str, Any]:
    """Themes and prompts, one per line; empty themes mean the program's rotation."""
    shipped = ", ".join(shipped_themes[:4]) + ("…" if len(shipped_themes) > 4 else "")
    blocks = [
        section(
            f"Make *{pod_name}*'s sessions your own. Your themes replace the program's "
            "rotation for this pod only, in the order you list them; your prompts join "
            "the questions suggested to each session's coach."
        ),
        input_block(
            "themes",
            "Themes, one per line",
            text_input(
                "themes",
                initial="\n".join(themes) or None,
                multiline=True,
                max_length=MULTILINE_INPUT_MAX,
                placeholder="Like: Running better 1:1s",
            ),
            optional=True,
            hint=f"Up to {PLAYBOOK_MAX_THEMES} themes of up to {PLAYBOOK_THEME_MAX} characters. "
            f"Leave empty to follow the program's themes ({shipped}).",
        ),
        input_block(
            "prompts",
            "Your pod's prompts, one per line",
            text_input(
                "prompts",
                initial="\n".join(prompts) or None,
                multiline=True,
                max_length=MULTILINE_INPUT_MAX,
                placeholder="Like: What did you notice about yourself this week?",
            ),
            optional=True,
            hint=f"Up to {PLAYBOOK_MAX_PROMPTS} questions of up to {PLAYBOOK_PROMPT_MAX} "
            "characters. One of them is suggested to the coach each session, in turn.",
        ),
        context("The program's own prompts and themes stay as they are for everyone else."),
    ]
    return modal(
        callback_id=PLAYBOOK_CALLBACK,
        title=truncate("Playbook", 24),
        submit="Save playbook",
        close="Back",
        blocks=blocks,
        private_metadata=playbook_metadata(pod_id),
    )


def refusal_modal(problem: str) -> dict[str, Any]:
    """Pushed instead of the playbook when it cannot be edited."""
    return modal(
        callback_id="playbook_refused",
        title="Playbook",
        submit=None,
        close="Back",
        blocks=[section(problem)],
    )


def saved_message(
    pod_name: str, themes: tuple[str, ...], prompts: tuple[str, ...], next_theme: str | None
) -> dict[str, Any]:
    """DM to whoever saved the playbook."""
    if themes:
        rotation = f"{len(themes)} theme{'s' if len(themes) != 1 else ''} of its own"
    else:
        rotation = "the program's themes"
    own = (
        f"{len(prompts)} prompt{'s' if len(prompts) != 1 else ''} of its own"
        if prompts
        else ("no prompts of its own")
    )
    lines = [f"Saved *{pod_name}*'s playbook: it follows {rotation}, with {own}."]
    if next_theme:
        lines.append(f"Next session's theme: *{next_theme}*.")
    text = " ".join(lines)
    return {
        "text": text,
        "blocks": [
            section(text),
            context(f"Change it any time from `/coach pod edit {pod_name}` → *Edit playbook*."),
        ],
    }
