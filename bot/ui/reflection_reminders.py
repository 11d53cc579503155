"""The weekly reflection reminder: its App Home section, the modal that sets it, the
answers, and the DM itself with the member's open experiments and Reflect."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    input_block,
    modal,
    section,
    static_select,
    truncate,
    weekday_options,
)
from bot.ui.dates import WEEKDAY_NAMES, clock_time, short_date
from bot.ui.experiments import quoted
from models.session_views import (
    ReflectionReminder,
    ReflectionReminderDue,
    ReflectionReminderSetting,
)

TITLE = "Reflection reminder"
EXPERIMENT_SHOWN_MAX = 200
WHAT_IT_IS = "One DM a week with your open experiments and a *Reflect* button."


def schedule_text(reminder: ReflectionReminder) -> str:
    """`every *Friday* at *16:30*`."""
    return f"every *{WEEKDAY_NAMES[reminder.weekday]}* at *{clock_time(reminder.at)}*"


def home_section(reminder: ReflectionReminder | None, tz: str) -> list[dict[str, Any]]:
    title = "*Weekly reflection reminder*"
    if reminder is None:
        return [
            section(f"{title}\nOff. {WHAT_IT_IS}", block_id=ids.HOME_REFLECTION_REMINDER_BLOCK),
            actions(button("Set a reminder", ids.REFLECTION_REMINDER_SET_ACTION)),
        ]
    return [
        section(
            f"{title}\nOn: {schedule_text(reminder)} your time ({tz}).",
            block_id=ids.HOME_REFLECTION_REMINDER_BLOCK,
        ),
        actions(
            button("Change", ids.REFLECTION_REMINDER_SET_ACTION),
            button("Stop reminders", ids.REFLECTION_REMINDER_STOP_ACTION),
        ),
    ]


def reminder_modal(setting: ReflectionReminderSetting) -> dict[str, Any]:
    """Day (a static select) and time (a timepicker), on the member's own clock."""
    current = setting.current
    day_options = weekday_options()
    timepicker: dict[str, Any] = {"type": "timepicker", "action_id": "time"}
    if current is not None:
        timepicker["initial_time"] = clock_time(current.at)
    return modal(
        callback_id=ids.REFLECTION_REMINDER_CALLBACK,
        title=TITLE,
        submit="Save",
        close="Cancel",
        blocks=[
            section(f"{WHAT_IT_IS} Off until you set it; stop it any time with one click."),
            input_block(
                "weekday",
                "Day",
                static_select(
                    "weekday",
                    day_options,
                    initial=str(current.weekday) if current is not None else None,
                    placeholder="Pick a day",
                ),
            ),
            input_block("time", "Time", timepicker, hint=f"In your timezone ({setting.tz})."),
        ],
    )


def stopped_message(was_on: bool) -> str:
    if not was_on:
        return "Your weekly reflection reminder is already off."
    return (
        "Done: no more weekly reflection reminders. "
        "You can set one again from your Home tab whenever you like."
    )


def reminder_dm(due: ReflectionReminderDue) -> dict[str, Any]:
    """The weekly DM: the open experiments (text, due date), Reflect, and Stop."""
    blocks: list[dict[str, Any]] = [
        section(
            "*Time to reflect.* What did this week teach you? "
            "Capture *one insight* and *one action* — it takes a minute."
        )
    ]
    if due.experiments:
        lines = [
            f"• {quoted(experiment.text, EXPERIMENT_SHOWN_MAX)} — due "
            f"{short_date(experiment.due_date)}"
            for experiment in due.experiments
        ]
        hidden = due.open_count - len(due.experiments)
        if hidden > 0:
            lines.append(f"_…and {hidden} more: `/coach experiments` lists them all._")
        blocks.append(
            section(
                truncate(f"*Your open experiments* ({due.open_count})\n" + "\n".join(lines), 3000)
            )
        )
    else:
        blocks.append(context("No open experiments right now: pick one at your next check-in."))
    if due.session_id is not None:
        reflect = button("Reflect", ids.REFLECT_OPEN_ACTION, str(due.session_id), style="primary")
    else:
        reflect = button("Reflect", ids.HOME_REFLECT_ACTION, style="primary")
    blocks += [
        actions(reflect, button("Stop reminders", ids.REFLECTION_REMINDER_STOP_ACTION)),
        context("Your weekly reflection reminder, set from your Home tab."),
    ]
    return {"text": "Time to reflect: one insight, one action.", "blocks": blocks}
