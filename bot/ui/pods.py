"""Block Kit for pods: the create/edit modal, the pod list and pod messages.

Pure functions: data in, dict out. Times are always shown in the reader's own
timezone, with the zone named, so nobody has to convert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

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
)
from models.forms import (
    FOCUS_KINDS,
    INTERVAL_WEEKS,
    POD_FOCUS_TEXT_MAX,
    POD_MAX_MEMBERS,
    POD_MIN_MEMBERS,
    POD_NAME_MAX,
    POD_SIZE_HINT,
    TIMEZONE_EXAMPLE,
    WEEKDAYS,
)

if TYPE_CHECKING:
    from bot.services.pods import PodInfo, PodListing

POD_FORM_CALLBACK = "pod_form"
POD_JOIN_ACTION = "pod_join"
TIMEZONE_PENDING_BLOCK = "timezone_pending"
FOCUS_LABELS = {"function": "Function", "project": "Project", "goal": "Goal"}
DEFAULT_CADENCE = 2


# --------------------------------------------------------------------------- formatting


def local_time_text(instant: datetime, tz: str) -> str:
    """`Tue 3 Mar, 15:00` in `tz`."""
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def when_text(instant: datetime, tz: str) -> str:
    """`Tue 3 Mar, 15:00 (Europe/Paris)`: an instant in the reader's timezone."""
    return f"{local_time_text(instant, tz)} ({tz})"


def cadence_text(interval_weeks: int, weekday: int, at: time, timezone: str) -> str:
    """`every 2 weeks on Tuesday at 15:00 Europe/Paris`."""
    every = "every week" if interval_weeks == 1 else f"every {interval_weeks} weeks"
    return f"{every} on {WEEKDAYS[weekday]} at {at:%H:%M} {timezone}"


def pod_cadence_text(pod: PodInfo) -> str:
    return cadence_text(pod.interval_weeks, pod.weekday, pod.local_time, pod.timezone)


def focus_line(kind: str, text: str) -> str:
    label = FOCUS_LABELS.get(kind, kind.title())
    return f"{label}: {text}" if text else label


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
    return when_text(pod.next_starts_at, tz)


# --------------------------------------------------------------------------- the modal


@dataclass(frozen=True)
class PodFormValues:
    """What the modal shows on opening (create defaults or the pod being edited)."""

    name: str = ""
    focus_kind: str = "goal"
    focus_text: str = ""
    members: tuple[str, ...] = ()
    cadence: int = DEFAULT_CADENCE
    weekday: int | None = None
    time: time | None = None
    timezone: str | None = None
    channel: str | None = None
    is_group_dm: bool = False


@dataclass(frozen=True)
class PodFormMetadata:
    """Kept in the modal's private_metadata: which pod, and where the command was typed."""

    pod_id: int | None = None
    origin_channel: str = ""

    def dumps(self) -> str:
        return json.dumps({"pod_id": self.pod_id, "channel": self.origin_channel})

    @classmethod
    def loads(cls, raw: str | None) -> PodFormMetadata:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        pod_id = data.get("pod_id") if isinstance(data, dict) else None
        channel = data.get("channel") if isinstance(data, dict) else ""
        return cls(
            pod_id=pod_id if isinstance(pod_id, int) else None,
            origin_channel=channel if isinstance(channel, str) else "",
        )


def _select(action_id: str, options: list[dict[str, Any]], initial: str | None) -> dict:
    return static_select(action_id, options, initial=initial)


def pod_modal(
    values: PodFormValues,
    metadata: PodFormMetadata,
    *,
    timezone_pending: bool = False,
) -> dict[str, Any]:
    """The pod form. Block ids are PodForm's field names (inline errors map 1:1)."""
    editing = metadata.pod_id is not None
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
        when["initial_time"] = f"{values.time:%H:%M}"
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
        timezone_block["block_id"] = TIMEZONE_PENDING_BLOCK
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

    blocks = [
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
                [option(day, str(i)) for i, day in enumerate(WEEKDAYS)],
                None if values.weekday is None else str(values.weekday),
            ),
        ),
        input_block("time", "Time", when),
        timezone_block,
        input_block("channel", "Channel", channel, optional=True, hint=channel_hint),
    ]
    if editing:  # the pod's own themes and prompts, in a modal pushed on top
        blocks.append(playbook_ui.edit_playbook_block(metadata.pod_id))
    return modal(
        callback_id=POD_FORM_CALLBACK,
        title="Edit pod" if editing else "New pod",
        submit="Save" if editing else "Create pod",
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )


def name_taken_text(name: str) -> str:
    return f"There is already a pod called “{name}”. Pick another name."


# --------------------------------------------------------------------------- confirmations


def _message(text: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks) or [section(text)]}


def pod_saved_message(
    pod: PodInfo, viewer_tz: str, *, created: bool, rescheduled: bool = False
) -> dict[str, Any]:
    """To the person who submitted the modal."""
    verb = "is set up" if created else "is updated"
    first = "First session" if created else "Next session"
    lines = [
        f"*{pod.name}* {verb}: {focus_line(pod.focus_kind, pod.focus_text)}.",
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
        context(
            f"I've told the people you added. Change anything with `/coach pod edit {pod.name}`."
        ),
    )


def added_to_pod_message(pod: PodInfo, actor_id: str, tz: str) -> dict[str, Any]:
    """DM to someone put in a pod by someone else."""
    text = (
        f"<@{actor_id}> added you to the coaching pod *{pod.name}* "
        f"({focus_line(pod.focus_kind, pod.focus_text)}).\n"
        f"It meets {pod_cadence_text(pod)}, {where_text(pod)}.\n"
        f"Your first session: {next_session_text(pod, tz)}.\n"
        f"Members: {mentions(pod.member_user_ids)}"
    )
    return _message(
        text,
        section(text),
        context(f"`/coach next` shows your sessions. Not for you? `/coach pod leave {pod.name}`."),
    )


def removed_from_pod_message(pod: PodInfo, actor_id: str) -> dict[str, Any]:
    text = (
        f"<@{actor_id}> took you off the pod *{pod.name}*. "
        "You won't get its reminders any more. `/coach pod list` shows the other pods."
    )
    return _message(text)


def new_rhythm_message(pod: PodInfo, actor_id: str) -> dict[str, Any]:
    text = (
        f"<@{actor_id}> changed when *{pod.name}* meets: {pod_cadence_text(pod)}. "
        "`/coach next` shows the next session in your own timezone."
    )
    return _message(text)


def joined_message(pod: PodInfo, tz: str) -> dict[str, Any]:
    text = (
        f"You joined *{pod.name}* ({focus_line(pod.focus_kind, pod.focus_text)}). "
        f"It meets {pod_cadence_text(pod)}, {where_text(pod)}.\n"
        f"Next session: {next_session_text(pod, tz)}."
    )
    return _message(text)


def left_message(pod: PodInfo) -> dict[str, Any]:
    text = (
        f"You left *{pod.name}*. You won't get its reminders any more; "
        f"rejoin any time with `/coach pod join {pod.name}`."
    )
    return _message(text)


def already_member_message(pod_name: str) -> dict[str, Any]:
    return _message(f"You're already in *{pod_name}*. `/coach next` shows your sessions.")


def not_member_message(pod_name: str) -> dict[str, Any]:
    return _message(
        f"You're not in *{pod_name}*, so there is nothing to leave. "
        "`/coach pod list` shows your pods."
    )


def pod_full_message(pod_name: str, limit: int) -> dict[str, Any]:
    return _message(
        f"*{pod_name}* is full ({limit} people at most). "
        "`/coach pod list` shows pods with room, or start one with `/coach pod create`."
    )


def group_dm_full_message(pod_name: str, limit: int) -> dict[str, Any]:
    return _message(
        f"*{pod_name}* talks in a group DM, which holds at most {limit} people. "
        f"Ask a member to move it to a channel (`/coach pod edit {pod_name}`), then join."
    )


def not_allowed_to_edit_message(pod_name: str) -> dict[str, Any]:
    return _message(
        f"Only members of *{pod_name}* and program admins can edit it. "
        f"Join it first with `/coach pod join {pod_name}`."
    )


def unknown_pod_problem(name: str, suggestions: list[str]) -> str:
    """The first line of an unknown-pod answer (the usage follows)."""
    if not name:
        return "That pod no longer exists."
    if suggestions:
        options = ", ".join(f"*{s}*" for s in suggestions)
        return f"There is no pod called “{name}”. Did you mean {options}?"
    return f"There is no pod called “{name}”. `/coach pod list` shows them all."


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
            f"*{pod.name}* · {focus_line(pod.focus_kind, pod.focus_text)}{status}",
            f"Meets {pod_cadence_text(pod)} · {size_text(pod.size)}",
            f"Next session: {next_session_text(pod, tz)}",
        ]
        accessory = None
        if not is_member and pod.size < POD_MAX_MEMBERS:
            accessory = button("Join", POD_JOIN_ACTION, str(pod.id), style="primary")
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
    text = (
        f":wave: *{escape(pod_name)}* meets here. Before each session I post the prep "
        "reminder in this channel; members set their intent in a DM and their words stay "
        "their own."
    )
    return f"{pod_name} meets here.", [section(text)]


def channel_problem_text(error_code: str | None) -> str:
    """Why the bot cannot use the picked channel, and what to do about it."""
    if error_code in ("not_in_channel", "channel_not_found"):
        return (
            "I can't post in that channel yet. Add me with `/invite @Coachbot` in it, "
            "then save again — or leave Channel empty for a group DM."
        )
    if error_code == "is_archived":
        return "That channel is archived. Pick another one, or leave Channel empty for a group DM."
    return (
        f"I couldn't post in that channel ({error_code}). Pick another one, "
        "or leave Channel empty for a group DM."
    )
