"""Block Kit for the rituals: the admins' rituals modal, the showcase and office
hours posts in the digest channel, the sign-up answers. Pure functions."""

from __future__ import annotations

from datetime import date, time
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
    option,
    plain,
    section,
    static_select,
    text_input,
    tick_box,
    weekday_options,
)
from bot.ui.dates import WEEKDAY_NAMES, clock_time, short_date
from models.settings_forms import LAST_WEEK, RITUAL_TEXT_MAX, RitualValues

WEEK_LABELS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", LAST_WEEK: "Last"}
ON = "on"


def _week_value(week_of_month: int | None) -> str:
    return "last" if week_of_month in (None, LAST_WEEK) else str(week_of_month)


def _on_off(block_id: str, label: str, on: bool) -> dict[str, Any]:
    element = tick_box(block_id, label, ON, ticked=on)
    return input_block(block_id, "Post it", element, optional=True)


def _weekday(block_id: str, weekday: int) -> dict[str, Any]:
    days = weekday_options()
    return input_block(block_id, "Day", static_select(block_id, days, initial=str(weekday)))


def _time(block_id: str, at: time) -> dict[str, Any]:
    element = {"type": "timepicker", "action_id": block_id, "initial_time": clock_time(at)}
    return input_block(block_id, "Time", element)


def _text(block_id: str, text: str, placeholder: str) -> dict[str, Any]:
    element = text_input(
        block_id,
        initial=text,
        multiline=True,
        max_length=RITUAL_TEXT_MAX,
        placeholder=placeholder,
    )
    return input_block(
        block_id,
        "Text",
        element,
        optional=True,
        hint="Shown with the post. Slack formatting works.",
    )


def rituals_modal(
    showcase: RitualValues, office_hours: RitualValues, timezone: str, channel_id: str | None
) -> dict[str, Any]:
    weeks = [option(label, _week_value(week)) for week, label in WEEK_LABELS.items()]
    host: dict[str, Any] = {
        "type": "users_select",
        "action_id": "office_host",
        "placeholder": plain("Who hosts"),
    }
    if office_hours.host_user_id:
        host["initial_user"] = office_hours.host_user_id
    where = (
        f"Posted in <#{channel_id}>" if channel_id else "Posted in the digest channel (none yet)"
    )
    blocks = [
        context(f"{where}, at these times in the program's timezone ({escape(timezone)})."),
        header("Monthly showcase"),
        section("Pods present what they learned and what they try next; people sign up."),
        _on_off("showcase_on", "Post the monthly showcase", showcase.on),
        input_block(
            "showcase_week",
            "Week of the month",
            static_select(
                "showcase_week",
                weeks,
                initial=_week_value(showcase.week_of_month),
            ),
        ),
        _weekday("showcase_weekday", showcase.weekday),
        _time("showcase_time", showcase.local_time),
        _text("showcase_text", showcase.text, "Like: 10 minutes a pod, bring one chart"),
        header("Weekly office hours"),
        _on_off("office_on", "Post weekly office hours", office_hours.on),
        _weekday("office_weekday", office_hours.weekday),
        _time("office_time", office_hours.local_time),
        input_block("office_host", "Host", host, optional=True),
        _text("office_text", office_hours.text, "Like: drop in with any coaching question"),
    ]
    return modal(callback_id=ids.RITUALS_CALLBACK, title="Rituals", submit="Save", blocks=blocks)


def _week_name(week_of_month: int | None) -> str:
    return "last" if week_of_month in (None, LAST_WEEK) else WEEK_LABELS[week_of_month]


def showcase_schedule(values: RitualValues) -> str:
    return (
        f"the {_week_name(values.week_of_month)} {WEEKDAY_NAMES[values.weekday]} of each month "
        f"at {clock_time(values.local_time)}"
    )


def office_hours_schedule(values: RitualValues) -> str:
    host = f" with <@{values.host_user_id}>" if values.host_user_id else ""
    return f"every {WEEKDAY_NAMES[values.weekday]} at {clock_time(values.local_time)}{host}"


def saved_message(
    showcase: RitualValues, office_hours: RitualValues, timezone: str, channel_id: str | None
) -> dict[str, Any]:
    showcase_line = showcase_schedule(showcase) if showcase.on else "off"
    office_line = office_hours_schedule(office_hours) if office_hours.on else "off"
    text = (
        f"Rituals saved ({escape(timezone)} time). Monthly showcase: {showcase_line}. "
        f"Office hours: {office_line}."
    )
    if channel_id:
        text += f" They are posted in <#{channel_id}>."
    elif showcase.on or office_hours.on:
        text += (
            " They are posted in the digest channel, which is not set yet: choose it in "
            "`/coach admin`."
        )
    return {"text": text, "blocks": [section(text)]}


# --------------------------------------------------------------------------- posts


def showcase_message(day: date, at: time, timezone: str, text: str) -> dict[str, Any]:
    fallback = f"Monthly showcase, {short_date(day)}: sign up to present what your pod learned."
    blocks = [
        header("Monthly showcase"),
        section(
            "Pods present what they learned and what they try next. Want to share yours? "
            "Sign up and the program team will find you a slot."
        ),
    ]
    if text.strip():
        blocks.append(section(escape(text.strip())))
    blocks += [
        actions(
            button("Sign me up", ids.SHOWCASE_SIGN_UP_ACTION, day.isoformat(), style="primary")
        ),
        context(f"{short_date(day)}, {clock_time(at)} ({escape(timezone)})"),
    ]
    return {"text": fallback, "blocks": blocks}


def office_hours_message(host_user_id: str | None, at: time, timezone: str, text: str) -> dict:
    host = f" with <@{host_user_id}>" if host_user_id else ""
    fallback = f"Office hours{host} today at {clock_time(at)} ({timezone})."
    blocks = [
        header("Office hours"),
        section(
            f"Office hours today{host}, {clock_time(at)} ({escape(timezone)}). Bring a "
            "coaching question, a stuck experiment or an idea for your pod."
        ),
    ]
    if text.strip():
        blocks.append(section(escape(text.strip())))
    return {"text": fallback, "blocks": blocks}


def signed_up_answer(day: date, *, again: bool) -> dict[str, Any]:
    if again:
        text = f"You're already signed up for the showcase on {short_date(day)}."
    else:
        text = (
            f"You're signed up to present at the showcase on {short_date(day)}. The program "
            "admins know and will be in touch about your slot."
        )
    return {"text": text, "blocks": [section(text)]}


def sign_up_dm(user_id: str, day: date) -> dict[str, Any]:
    text = f"<@{user_id}> signed up to present at the monthly showcase on {short_date(day)}."
    return {"text": text, "blocks": [section(text)]}
