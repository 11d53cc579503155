"""Experiments: the nudge DM, the `/coach experiments` list, the answer that
replaces the buttons once one was pressed, and the outcome-note modal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    escape,
    header,
    input_block,
    modal,
    section,
    text_input,
    truncate,
)
from bot.ui.dates import short_date
from models.session_forms import OUTCOME_NOTE_MAX
from models.session_views import (
    DROP,
    EXPERIMENT_DROPPED,
    EXPERIMENT_TRIED,
    TRIED,
    ExperimentList,
    ExperimentView,
    Resolution,
)

TEXT_SHOWN_MAX = 500


def actions_block_id(experiment_id: int) -> str:
    return f"experiment:{experiment_id}"


def experiment_actions(experiment_id: int, *, with_not_yet: bool = True) -> dict[str, Any]:
    """Tried it / Not yet / Drop for one experiment (value: the experiment id)."""
    value = str(experiment_id)
    elements = [button("Tried it", ids.EXPERIMENT_TRIED_ACTION, value, style="primary")]
    if with_not_yet:
        elements.append(button("Not yet", ids.EXPERIMENT_NOT_YET_ACTION, value))
    elements.append(button("Drop", ids.EXPERIMENT_DROP_ACTION, value))
    return actions(*elements, block_id=actions_block_id(experiment_id))


def shown(text: str, limit: int) -> str:
    """One line of a person's text, cut to `limit`, escaped for mrkdwn."""
    return escape(truncate(" ".join(text.split()), limit))


def quoted(text: str, limit: int = TEXT_SHOWN_MAX) -> str:
    return f"“{shown(text, limit)}”"


def nudge_message(experiment_id: int, text: str) -> dict[str, Any]:
    """The one follow-up DM, on the due date."""
    return {
        "text": f"Today's the day for your experiment: {truncate(text, 200)}",
        "blocks": [
            section(
                f"*Today's the day for your experiment* :seedling:\n{quoted(text)}\n"
                "How did it go? No pressure: “Not yet” moves it to your next session.",
                block_id=f"{ids.EXPERIMENT_TEXT_BLOCK}:{experiment_id}",
            ),
            experiment_actions(experiment_id),
        ],
    }


def experiment_line(experiment: ExperimentView) -> str:
    where = f" · from {escape(experiment.pod_name)}" if experiment.pod_name else ""
    return f"{quoted(experiment.text, 280)}\n_Due {short_date(experiment.due_date)}{where}_"


def list_message(listing: ExperimentList, notice: str | None = None) -> dict[str, Any]:
    """`/coach experiments`: my open experiments with their buttons."""
    shown, total = listing.shown, listing.total
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice, block_id=ids.EXPERIMENTS_NOTICE_BLOCK))
    if total == 0:
        blocks.append(
            section(
                "You have no open experiments. Your next check-in (`/coach checkin`) is a "
                "good moment to pick one small step to try.",
                block_id=ids.EXPERIMENTS_EMPTY_BLOCK,
            )
        )
        return {"text": "You have no open experiments.", "blocks": blocks}
    blocks.append(header(f"Your open experiments ({total})"))
    for experiment in shown:
        blocks.append(
            section(
                experiment_line(experiment), block_id=f"{ids.EXPERIMENT_TEXT_BLOCK}:{experiment.id}"
            )
        )
        blocks.append(experiment_actions(experiment.id))
    if total > len(shown):
        blocks.append(
            context(
                f"Showing the {len(shown)} due soonest of {total}. "
                "Resolve some and run `/coach experiments` again to see the rest."
            )
        )
    return {"text": f"Your open experiments ({total})", "blocks": blocks}


def resolution_text(resolution: Resolution) -> str:
    experiment = resolution.experiment
    if not resolution.changed:
        already = {
            EXPERIMENT_TRIED: "You marked this experiment as tried already.",
            EXPERIMENT_DROPPED: "You dropped this experiment already.",
        }
        return already.get(experiment.status, "Nothing changed.")
    if resolution.choice == TRIED:
        return ":white_check_mark: *Tried it.* Nice work: trying is how you learn."
    if resolution.choice == DROP:
        return ":wastebasket: *Dropped.* Letting go of an experiment is fine."
    where = (
        f" (your next *{resolution.next_session_pod}* session)"
        if resolution.next_session_pod
        else ""
    )
    return f":hourglass_flowing_sand: *Not yet.* Moved to {short_date(experiment.due_date)}{where}."


def resolution_blocks(resolution: Resolution) -> list[dict[str, Any]]:
    """What replaces the three buttons once one was pressed."""
    experiment = resolution.experiment
    block_id = actions_block_id(experiment.id)
    text = resolution_text(resolution)
    if experiment.status == EXPERIMENT_TRIED:
        label = "Edit the note" if experiment.outcome_note else "Add a note"
        return [
            section(
                text
                + (
                    "\n_Note: " + shown(experiment.outcome_note, 500) + "_"
                    if experiment.outcome_note
                    else ""
                ),
                block_id=block_id,
                accessory=button(label, ids.EXPERIMENT_ADD_NOTE_ACTION, str(experiment.id)),
            )
        ]
    if experiment.is_open:
        return [
            section(text, block_id=f"{block_id}:status"),
            experiment_actions(experiment.id, with_not_yet=False),
        ]
    return [section(text, block_id=block_id)]


def replace_in_message(
    blocks: Sequence[dict[str, Any]], pressed_block_id: str | None, new_blocks: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The message's blocks with the pressed buttons' block swapped for `new_blocks`
    (and a previous status line for the same experiment dropped); None when the
    block is not found."""
    if not pressed_block_id:
        return None
    new_ids = {b.get("block_id") for b in new_blocks}
    out: list[dict[str, Any]] = []
    found = False
    for block in blocks:
        block_id = block.get("block_id")
        if block_id == pressed_block_id:
            out.extend(new_blocks)
            found = True
        elif block_id in new_ids or block_id == f"{pressed_block_id}:status":
            continue
        else:
            out.append(block)
    return out if found else None


def note_modal(experiment: ExperimentView, private_metadata: str) -> dict[str, Any]:
    return modal(
        callback_id=ids.EXPERIMENT_NOTE_CALLBACK,
        title="How did it go?",
        submit="Save",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=[
            section(
                f"*Your experiment*\n{quoted(experiment.text)}",
                block_id=ids.EXPERIMENT_NOTE_TEXT_BLOCK,
            ),
            input_block(
                "note",
                "Outcome note",
                text_input(
                    "note",
                    initial=experiment.outcome_note or None,
                    multiline=True,
                    max_length=OUTCOME_NOTE_MAX,
                    placeholder="What happened? What would you do differently?",
                ),
                optional=True,
                hint="Only you can read this note.",
            ),
        ],
    )
