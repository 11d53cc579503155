"""Block Kit for a pod's playbook: the button on the pod edit modal, the playbook
modal, and the answers around it. Pure functions: data in, dict out."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    section,
    text_input,
)
from models.content_views import PlaybookSaved, PlaybookView
from models.library_forms import (
    MULTILINE_INPUT_MAX,
    PLAYBOOK_MAX_PROMPTS,
    PLAYBOOK_MAX_THEMES,
    PLAYBOOK_PROMPT_MAX,
    PLAYBOOK_THEME_MAX,
)


def edit_playbook_block(pod_id: int) -> dict[str, Any]:
    """An actions block for the pod edit modal: opens the pod's playbook on top."""
    return actions(
        button("Edit playbook", ids.PLAYBOOK_OPEN_ACTION, str(pod_id)),
        block_id=ids.PLAYBOOK_BLOCK,
    )


def playbook_modal(book: PlaybookView, private_metadata: str) -> dict[str, Any]:
    """Themes and prompts, one per line; empty themes mean the program's rotation."""
    pod_name, themes, prompts = escape(book.pod_name), book.themes, book.prompts
    shipped_themes = book.shipped_themes
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
        callback_id=ids.PLAYBOOK_CALLBACK,
        title="Playbook",
        submit="Save playbook",
        close="Back",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def refusal_modal(problem: str) -> dict[str, Any]:
    """Pushed instead of the playbook when it cannot be edited."""
    return modal(
        callback_id=ids.PLAYBOOK_REFUSED_CALLBACK,
        title="Playbook",
        submit=None,
        close="Back",
        blocks=[section(escape(problem))],
    )


def saved_message(saved: PlaybookSaved) -> dict[str, Any]:
    """DM to whoever saved the playbook."""
    pod_name, themes, prompts = escape(saved.pod_name), saved.themes, saved.prompts
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
    if saved.next_theme:
        lines.append(f"Next session's theme: *{escape(saved.next_theme)}*.")
    text = " ".join(lines)
    return {
        "text": text,
        "blocks": [
            section(text),
            context(f"Change it any time from `/coach pod edit {pod_name}` → *Edit playbook*."),
        ],
    }
