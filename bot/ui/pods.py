"""Block Kit for pods: the create/edit modal, the pod list and pod messages.

Pure functions: data in, dict out. Times are always shown in the reader's own
timezone, with the zone named, so nobody has to convert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

from bot import ids
from bot.ui import answers
from bot.ui import playbook as playbook_ui
from bot.ui.blocks import (
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
from bot.ui.dates import WEEKDAY_NAMES, clock_time, local_date_time_with_zone
from models.forms import (
    CELEBRATE_VALUE,
    FOCUS_KINDS,
    INTERVAL_WEEKS,
    POD_FOCUS_TEXT_MAX,
    POD_MAX_MEMBERS,
    POD_MIN_MEMBERS,
    POD_NAME_MAX,
    POD_SIZE_HINT,
    TIMEZONE_EXAMPLE,
)
from models.pod_views import PodFormValues, PodInfo, PodListing

FOCUS_LABELS = {"function": "Function", "project": "Project", "goal": "Goal"}


# --------------------------------------------------------------------------- formatting


def cadence_text(interval_weeks: int, weekday: int, at: time, timezone: str) -> str:
    """`every 2 weeks on Tuesday at 15:00 Europe/Paris`."""
    every = "every week" if interval_weeks == 1 else f"every {interval_weeks} weeks"
    return f"{every} on {WEEKDAY_NAMES[weekday]} at {clock_time(at)} {timezone}"


def pod_cadence_text(pod: PodInfo) -> str:
    return cadence_text(pod.interval_weeks, pod.weekday, pod.local_time, pod.timezone)


def focus_line(kind: str, text: str) -> str:
    """`Function: Leading without authority`, the person's words escaped."""
    label = FOCUS_LABELS.get(kind, kind.title())
    return f"{label}: {escape(text)}" if text else label


def size_text(size: int) -> str:
    return "1 member" if size == 1 else f"{size} members"


def mentions(user_ids: Iterable[str]) -> str:
    return ", ".join(f"<@{uid}>" for uid in user_ids) or "nobody yet"


def where_text(pod: PodInfo) -> str:
    if not pod.channel_id:
        return "by DM"
    if pod.is_group_dm:
        return "in the pod's group DM"
    return f"in <#{pod.channel_id}>"


def next_session_text(pod: PodInfo, tz: str) -> str:
    if pod.next_starts_at is None:
        return "not scheduled yet"
    return local_date_time_with_zone(pod.next_starts_at, tz)


# --------------------------------------------------------------------------- the modal


def _select(action_id: str, options: list[dict[str, Any]], initial: str | None) -> dict:
    return static_select(action_id, options, initial=initial)


def pod_modal(
    values: PodFormValues,
    *,
    pod_id: int | None = None,
    private_metadata: str = "",
    timezone_pending: bool = False,
    problems: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The pod form. Block ids are PodForm's field names (inline errors map 1:1).
    `problems` ({field: text}) are shown under their inputs: the form again after
    checks that ran once the submission was acknowledged."""
    editing = pod_id is not None
    members: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "members",
        "placeholder": plain("Pick the people in this pod"),
        "max_selected_items": POD_MAX_MEMBERS,
    }
    if values.members:
        members["initial_users"] = list(values.members)
    when: dict[str, Any] = {"type": "timepicker", "action_id": "time"}
    if values.time is not None:
        when["initial_time"] = clock_time(values.time)
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "channel",
        "placeholder": plain("Pick a channel"),
        "filter": {
            "include": ["public", "private"],
            "exclude_bot_users": True,
            "exclude_external_shared_channels": True,
        },
    }
    if values.channel:
        channel["initial_conversation"] = values.channel
    channel_hint = (
        "Where reminders go. Leave empty and I'll start a group DM with the members "
        "(up to 8 people). For a private channel, invite me first."
    )
    if values.is_group_dm:
        channel_hint = "Now: the members' group DM. " + channel_hint

    if timezone_pending:
        timezone_block = context("Looking up your timezone…")
        timezone_block["block_id"] = ids.TIMEZONE_PENDING_BLOCK
    else:
        timezone_block = input_block(
            "timezone",
            "Timezone",
            text_input(
                "timezone",
                initial=values.timezone,
                max_length=64,
                placeholder=TIMEZONE_EXAMPLE,
            ),
            hint=f"The pod's timezone, like {TIMEZONE_EXAMPLE}. 15:00 stays 15:00 "
            "when daylight saving changes; everyone sees times in their own zone.",
        )

    inputs = [
        input_block(
            "name",
            "Name",
            text_input(
                "name",
                initial=values.name,
                max_length=POD_NAME_MAX,
                placeholder="Like New managers circle",
            ),
            hint="Unique in this workspace; people join with `/coach pod join NAME`.",
        ),
        input_block(
            "focus_kind",
            "Focus",
            _select(
                "focus_kind",
                [option(FOCUS_LABELS[kind], kind) for kind in FOCUS_KINDS],
                values.focus_kind,
            ),
        ),
        input_block(
            "focus_text",
            "Focus in one line",
            text_input(
                "focus_text",
                initial=values.focus_text,
                max_length=POD_FOCUS_TEXT_MAX,
                placeholder="Like Leading without authority",
            ),
            optional=True,
        ),
        input_block(
            "members",
            "Members",
            members,
            hint=f"{POD_MIN_MEMBERS}–{POD_MAX_MEMBERS} people; {POD_SIZE_HINT}. The pod is "
            "exactly who you pick here: add yourself if you will take part.",
        ),
        input_block(
            "cadence",
            "Meets",
            _select(
                "cadence",
                [
                    option("Every week" if w == 1 else f"Every {w} weeks", str(w))
                    for w in INTERVAL_WEEKS
                ],
                str(values.cadence),
            ),
        ),
        input_block(
            "weekday",
            "Day",
            _select(
                "weekday",
                weekday_options(),
                None if values.weekday is None else str(values.weekday),
            ),
        ),
        input_block("time", "Time", when),
        timezone_block,
        input_block("channel", "Channel", channel, optional=True, hint=channel_hint),
        _celebrate(values.celebrate),
    ]
    blocks = _with_problems(inputs, problems or {})
    if editing:  # the pod's own themes and prompts, in a modal pushed on top
        blocks.append(playbook_ui.edit_playbook_block(pod_id))
    return modal(
        callback_id=ids.POD_FORM_CALLBACK,
        title="Edit pod" if editing else "New pod",
        submit="Save" if editing else "Create pod",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _celebrate(on: bool) -> dict[str, Any]:
    element = tick_box(
        "celebrate",
        "Celebrate this pod by name in the weekly digest",
        CELEBRATE_VALUE,
        ticked=on,
        description="Streaks of sessions held only, never anyone's words.",
    )
    return input_block("celebrate", "Digest", element, optional=True)


def _with_problems(
    inputs: list[dict[str, Any]], problems: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each problem right under its input (one without an input goes first)."""
    if not problems:
        return list(inputs)
    placed = {block.get("block_id") for block in inputs}
    blocks = [_problem(field, text) for field, text in problems.items() if field not in placed]
    for block in inputs:
        blocks.append(block)
        field = block.get("block_id")
        if field in problems:
            blocks.append(_problem(str(field), problems[field]))
    return blocks


def _problem(field: str, text: str) -> dict[str, Any]:
    block = context(f":warning: {escape(text)}")
    block["block_id"] = f"{field}_problem"
    return block


def pod_working_modal(*, editing: bool) -> dict[str, Any]:
    """Between the ack of the pod form and its outcome."""
    return answers.working_modal(
        "Edit pod" if editing else "New pod",
        "Checking the members and the channel with Slack, then saving the pod…",
    )


# --------------------------------------------------------------------------- confirmations


def _message(text: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks) or [section(text)]}


def pod_saved_message(
    pod: PodInfo, viewer_tz: str, *, created: bool, rescheduled: bool = False
) -> dict[str, Any]:
    """To the person who submitted the modal."""
    name = escape(pod.name)
    verb = "is set up" if created else "is updated"
    first = "First session" if created else "Next session"
    lines = [
        f"*{name}* {verb}: {focus_line(pod.focus_kind, pod.focus_text)}.",
        f"Meets {pod_cadence_text(pod)}, {where_text(pod)}.",
        f"{first}: {next_session_text(pod, viewer_tz)}.",
        f"Members ({pod.size}): {mentions(pod.member_user_ids)}",
    ]
    if rescheduled:
        lines.append("Upcoming sessions moved to the new time.")
    text = "\n".join(lines)
    return _message(
        text,
        section(text),
        context(f"I've told the people you added. Change anything with `/coach pod edit {name}`."),
    )


def pod_saved_modal(
    pod: PodInfo, viewer_tz: str, *, created: bool, rescheduled: bool = False
) -> dict[str, Any]:
    """The pod form's outcome, in place of the form."""
    message = pod_saved_message(pod, viewer_tz, created=created, rescheduled=rescheduled)
    return answers.info_modal("Pod created" if created else "Pod updated", message)


def added_to_pod_message(pod: PodInfo, actor_id: str, tz: str) -> dict[str, Any]:
    """DM to someone put in a pod by someone else."""
    name = escape(pod.name)
    text = (
        f"<@{actor_id}> added you to the coaching pod *{name}* "
        f"({focus_line(pod.focus_kind, pod.focus_text)}).\n"
        f"It meets {pod_cadence_text(pod)}, {where_text(pod)}.\n"
        f"Your first session: {next_session_text(pod, tz)}.\n"
        f"Members: {mentions(pod.member_user_ids)}"
    )
    return _message(
        text,
        section(text),
        context(f"`/coach next` shows your sessions. Not for you? `/coach pod leave {name}`."),
    )


def removed_from_pod_message(pod: PodInfo, actor_id: str) -> dict[str, Any]:
    text = (
        f"<@{actor_id}> took you off the pod *{escape(pod.name)}*. "
        "You won't get its reminders any more. `/coach pod list` shows the other pods."
    )
    return _message(text)


def new_rhythm_message(pod: PodInfo, actor_id: str) -> dict[str, Any]:
    text = (
        f"<@{actor_id}> changed when *{escape(pod.name)}* meets: {pod_cadence_text(pod)}. "
        "`/coach next` shows the next session in your own timezone."
    )
    return _message(text)


def joined_message(pod: PodInfo, tz: str) -> dict[str, Any]:
    text = (
        f"You joined *{escape(pod.name)}* ({focus_line(pod.focus_kind, pod.focus_text)}). "
        f"It meets {pod_cadence_text(pod)}, {where_text(pod)}.\n"
        f"Next session: {next_session_text(pod, tz)}."
    )
    return _message(text)


def left_message(pod: PodInfo) -> dict[str, Any]:
    name = escape(pod.name)
    text = (
        f"You left *{name}*. You won't get its reminders any more; "
        f"rejoin any time with `/coach pod join {name}`."
    )
    return _message(text)


# --------------------------------------------------------------------------- the list


def pod_list_message(listing: PodListing) -> dict[str, Any]:
    """Every pod with focus, cadence, next session (viewer's time) and size; Join buttons."""
    tz = listing.viewer_tz
    if not listing.pods:
        text = "There are no pods yet. Start one with `/coach pod create`."
        return _message(text)
    blocks: list[dict[str, Any]] = [header("Coaching pods")]
    for pod in listing.pods:
        is_member = listing.viewer_user_id in pod.member_user_ids
        status = " · _you're in_" if is_member else ""
        if not is_member and pod.size >= POD_MAX_MEMBERS:
            status = " · _full_"
        lines = [
            f"*{escape(pod.name)}* · {focus_line(pod.focus_kind, pod.focus_text)}{status}",
            f"Meets {pod_cadence_text(pod)} · {size_text(pod.size)}",
            f"Next session: {next_session_text(pod, tz)}",
        ]
        accessory = None
        if not is_member and pod.size < POD_MAX_MEMBERS:
            accessory = button("Join", ids.POD_JOIN_ACTION, str(pod.id), style="primary")
        blocks.append(section("\n".join(lines), block_id=f"pod-{pod.id}", accessory=accessory))
    shown = len(listing.pods)
    if listing.total > shown:
        blocks.append(
            context(
                f"Showing {shown} of {listing.total} pods ({listing.total - shown} more). "
                "Join any pod by name: `/coach pod join NAME`."
            )
        )
    blocks.append(context(f"Times are in your timezone, {tz}."))
    text = f"{listing.total} coaching pod{'s' if listing.total != 1 else ''}"
    return {"text": text, "blocks": blocks}


def pod_channel_intro(pod_name: str) -> tuple[str, list[dict[str, Any]]]:
    name = escape(pod_name)
    text = (
        f":wave: *{name}* meets here. Before each session I post the prep "
        "reminder in this channel; members set their intent in a DM and their words stay "
        "their own."
    )
    return f"{name} meets here.", [section(text)]
