"""Block Kit for availability: skip, pause, resume, my next sessions, and a
program admin's session cancellation. Pure functions: data in, dict out."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.ui.blocks import context, escape, header, section
from bot.ui.dates import local_date, local_date_time_with_zone, short_date_with_year
from bot.ui.help import usage_message
from models.pod_views import Cancelled, MyNext, PauseResult
from models.session_views import NO_THEME_TITLE, SessionView

DATE_EXAMPLE = "2026-04-30"


def _message(text: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks) or [section(text)]}


def _person(user_id: str | None, viewer_id: str | None) -> str:
    if user_id is None:
        return "open seat"
    return "you" if user_id == viewer_id else f"<@{user_id}>"


def session_lines(info: SessionView, tz: str, viewer_id: str | None) -> list[str]:
    when = local_date_time_with_zone(info.starts_at, tz)
    lines = [f"*{escape(info.pod_name)}* — {when}"]
    coach = _person(info.coach_user_id, viewer_id)
    if info.coach_user_id is None:
        coach = "open seat — nobody is free to coach yet"
    lines.append(f"Coach: {coach}")
    lines.append(f"Theme: {escape(info.theme_title or NO_THEME_TITLE)}")
    paired = [(newcomer, buddy) for newcomer, buddy in info.buddies if buddy is not None]
    if paired:
        pairs = ", ".join(
            f"{_person(newcomer, viewer_id)} with {_person(buddy, viewer_id)}"
            for newcomer, buddy in paired
        )
        lines.append(f"Buddies: {pairs}")
    new = [newcomer for newcomer, buddy in info.buddies if buddy is None]
    if new:
        lines.append(f"New to the pod: {', '.join(_person(n, viewer_id) for n in new)}")
    return lines


# --------------------------------------------------------------------------- skip


def skipped_message(info: SessionView, tz: str, viewer_id: str) -> dict[str, Any]:
    text = (
        f"You're skipping *{escape(info.pod_name)}* on "
        f"{local_date_time_with_zone(info.starts_at, tz)}. "
        "You won't be coach or buddy for it; see you at the next one."
    )
    coach = _person(info.coach_user_id, viewer_id)
    return _message(
        text,
        section(text),
        context(f"Coach for that session now: {coach}. Changed your mind? Tell your pod."),
    )


def already_skipping_message(info: SessionView, tz: str) -> dict[str, Any]:
    return _message(
        f"You're already skipping *{escape(info.pod_name)}* on "
        f"{local_date_time_with_zone(info.starts_at, tz)}. "
        "`/coach skip` only skips your very next session; `/coach pause until YYYY-MM-DD` "
        "takes a longer break."
    )


def paused_then_message(info: SessionView, tz: str, until: date) -> dict[str, Any]:
    return _message(
        f"You're paused until {short_date_with_year(until)}, so you're already out of "
        f"*{escape(info.pod_name)}* on {local_date_time_with_zone(info.starts_at, tz)}. "
        "`/coach resume` ends the pause."
    )


# --------------------------------------------------------------------------- pause / resume


def bad_date_problem(word: str) -> str:
    return f"“{escape(word)}” is not a date I can read. Use YYYY-MM-DD, like {DATE_EXAMPLE}."


def paused_message(result: PauseResult) -> dict[str, Any]:
    text = (
        f"You're paused until {short_date_with_year(result.until)} (inclusive). Until then "
        "you won't be matched, reminded, made coach or buddy, or counted as absent."
    )
    return _message(
        text, section(text), context("Back earlier? `/coach resume` ends the pause now.")
    )


def resumed_message() -> dict[str, Any]:
    return _message(
        "Welcome back! Your pause is over and you're in your pods' sessions again. "
        "`/coach next` shows what's coming."
    )


# --------------------------------------------------------------------------- next


def my_next_message(mine: MyNext) -> dict[str, Any]:
    if not mine.sessions:
        text = "You have no upcoming sessions. Find a pod to join with `/coach pod list`."
        if mine.paused_until:
            text = f"You're paused until {short_date_with_year(mine.paused_until)}. " + text
        return _message(text)
    blocks: list[dict[str, Any]] = [header("Your next sessions")]
    if mine.paused_until:
        until = short_date_with_year(mine.paused_until)
        blocks.append(context(f"You're paused until {until}. `/coach resume` ends it."))
    for info in mine.sessions:
        lines = session_lines(info, mine.tz, mine.user_id)
        if info.starts_at <= mine.now:
            lines[0] += " · _happening now_"
        elif info.skipping:
            lines[0] += " · _you're skipping this one_"
        elif mine.paused_until and local_date(info.starts_at, mine.tz) <= mine.paused_until:
            lines[0] += " · _you're paused_"
        blocks.append(section("\n".join(lines), block_id=f"session-{info.session_id}"))
    blocks.append(context(f"Times are in your timezone, {mine.tz}. Prepare with `/coach checkin`."))
    first = mine.sessions[0]
    when = local_date_time_with_zone(first.starts_at, mine.tz)
    text = f"Your next session: {escape(first.pod_name)}, {when}"
    return {"text": text, "blocks": blocks}


# --------------------------------------------------------------------------- cancel


def cancel_not_admin_message() -> dict[str, Any]:
    return _message(
        "Only program admins can cancel a pod's session. "
        "To sit out your own next session, use `/coach skip`."
    )


def cancelled_message(result: Cancelled, tz: str) -> dict[str, Any]:
    info = result.cancelled
    lines = [
        f"Cancelled *{escape(info.pod_name)}* on {local_date_time_with_zone(info.starts_at, tz)}. "
        "Its members are being told."
    ]
    if result.following is not None:
        lines.append(f"Next session: {local_date_time_with_zone(result.following.starts_at, tz)}.")
    return _message("\n".join(lines))


def no_session_to_cancel_message(
    pod_name: str, on: date | None, upcoming: list[SessionView]
) -> dict[str, Any]:
    """Dates on the pod's own calendar, as the command takes them."""
    name = escape(pod_name)
    if on is None:
        problem = f"*{name}* has no upcoming session to cancel."
    else:
        problem = f"*{name}* has no session on {short_date_with_year(on)} to cancel."
        if upcoming:
            dates = ", ".join(
                f"`{local_date(info.starts_at, info.pod_timezone).isoformat()}`"
                for info in upcoming
            )
            problem += f" Its upcoming sessions (dates in {upcoming[0].pod_timezone}): {dates}."
    return usage_message("pod", problem)
