"""Block Kit for availability: skip, pause, resume, my next sessions, and a
program admin's session cancellation. Pure functions: data in, dict out."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.ui.blocks import context, header, section
from bot.ui.help import usage_lines
from bot.ui.pods import when_text

if TYPE_CHECKING:
    from bot.services.availability import Cancelled, MyNext, PauseResult, SessionInfo

CANCEL_USAGE = (
    "`/coach pod cancel NAME [YYYY-MM-DD]` — Cancel a pod's next session, "
    "or its session on a date (program admins)"
)
DATE_EXAMPLE = "2026-04-30"


def _message(text: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks) or [section(text)]}


def local_day(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def day_text(day: date) -> str:
    """`Thu 30 Apr 2026`."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _person(user_id: str | None, viewer_id: str | None) -> str:
    if user_id is None:
        return "open seat"
    return "you" if user_id == viewer_id else f"<@{user_id}>"


def session_lines(info: SessionInfo, tz: str, viewer_id: str | None) -> list[str]:
    lines = [f"*{info.pod_name}* — {when_text(info.starts_at, tz)}"]
    coach = _person(info.coach_user_id, viewer_id)
    if info.coach_user_id is None:
        coach = "open seat — nobody is free to coach yet"
    lines.append(f"Coach: {coach}")
    if info.theme:
        lines.append(f"Theme: {info.theme}")
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


def skipped_message(info: SessionInfo, tz: str, viewer_id: str) -> dict[str, Any]:
    text = (
        f"You're skipping *{info.pod_name}* on {when_text(info.starts_at, tz)}. "
        "You won't be coach or buddy for it; see you at the next one."
    )
    coach = _person(info.coach_user_id, viewer_id)
    return _message(
        text,
        section(text),
        context(f"Coach for that session now: {coach}. Changed your mind? Tell your pod."),
    )


def already_skipping_message(info: SessionInfo, tz: str) -> dict[str, Any]:
    return _message(
        f"You're already skipping *{info.pod_name}* on {when_text(info.starts_at, tz)}. "
        "`/coach skip` only skips your very next session; `/coach pause until YYYY-MM-DD` "
        "takes a longer break."
    )


def paused_then_message(info: SessionInfo, tz: str, until: date) -> dict[str, Any]:
    return _message(
        f"You're paused until {day_text(until)}, so you're already out of *{info.pod_name}* "
        f"on {when_text(info.starts_at, tz)}. `/coach resume` ends the pause."
    )


def no_upcoming_message() -> dict[str, Any]:
    return _message("You have no upcoming sessions. `/coach pod list` shows the pods you can join.")


# --------------------------------------------------------------------------- pause / resume


def pause_usage_message(problem: str) -> dict[str, Any]:
    text = f"{problem}\nUsage:\n" + "\n".join(usage_lines("pause"))
    return _message(text)


def bad_date_problem(word: str) -> str:
    return f"“{word}” is not a date I can read. Use YYYY-MM-DD, like {DATE_EXAMPLE}."


def pause_not_in_future_problem(day: date, today: date) -> str:
    return (
        f"{day.isoformat()} is not in the future (today is {today.isoformat()} for you). "
        "Pick a later date."
    )


def pause_too_far_problem(day: date, latest: date) -> str:
    return f"Pauses can last up to a year: pick a date up to {latest.isoformat()}."


def paused_message(result: PauseResult) -> dict[str, Any]:
    text = (
        f"You're paused until {day_text(result.until)} (inclusive). Until then you won't be "
        "matched, reminded, made coach or buddy, or counted as absent."
    )
    return _message(
        text, section(text), context("Back earlier? `/coach resume` ends the pause now.")
    )


def resumed_message() -> dict[str, Any]:
    return _message(
        "Welcome back! Your pause is over and you're in your pods' sessions again. "
        "`/coach next` shows what's coming."
    )


def not_paused_message() -> dict[str, Any]:
    return _message(
        "You're not paused, so there is nothing to resume. "
        "To take a break: `/coach pause until YYYY-MM-DD`."
    )


# --------------------------------------------------------------------------- next


def my_next_message(mine: MyNext) -> dict[str, Any]:
    if not mine.sessions:
        text = "You have no upcoming sessions. Find a pod to join with `/coach pod list`."
        if mine.paused_until:
            text = f"You're paused until {day_text(mine.paused_until)}. " + text
        return _message(text)
    blocks: list[dict[str, Any]] = [header("Your next sessions")]
    if mine.paused_until:
        blocks.append(
            context(f"You're paused until {day_text(mine.paused_until)}. `/coach resume` ends it.")
        )
    for info in mine.sessions:
        lines = session_lines(info, mine.tz, mine.user_id)
        if info.starts_at <= mine.now:
            lines[0] += " · _happening now_"
        elif info.skipping:
            lines[0] += " · _you're skipping this one_"
        elif mine.paused_until and local_day(info.starts_at, mine.tz) <= mine.paused_until:
            lines[0] += " · _you're paused_"
        blocks.append(section("\n".join(lines), block_id=f"session-{info.id}"))
    blocks.append(context(f"Times are in your timezone, {mine.tz}. Prepare with `/coach checkin`."))
    first = mine.sessions[0]
    text = f"Your next session: {first.pod_name}, {when_text(first.starts_at, mine.tz)}"
    return {"text": text, "blocks": blocks}


# --------------------------------------------------------------------------- cancel


def cancel_usage_message(problem: str) -> dict[str, Any]:
    return _message(f"{problem}\nUsage:\n{CANCEL_USAGE}")


def cancel_not_admin_message() -> dict[str, Any]:
    return _message(
        "Only program admins can cancel a pod's session. "
        "To sit out your own next session, use `/coach skip`."
    )


def cancelled_message(result: Cancelled, tz: str) -> dict[str, Any]:
    info = result.cancelled
    lines = [
        f"Cancelled *{info.pod_name}* on {when_text(info.starts_at, tz)}. "
        "Its members are being told."
    ]
    if result.following is not None:
        lines.append(f"Next session: {when_text(result.following.starts_at, tz)}.")
    return _message("\n".join(lines))


def no_session_to_cancel_message(
    pod_name: str, on: date | None, upcoming: list[SessionInfo], tz: str
) -> dict[str, Any]:
    if on is None:
        problem = f"*{pod_name}* has no upcoming session to cancel."
    else:
        problem = f"*{pod_name}* has no session on {day_text(on)} to cancel."
        if upcoming:
            dates = ", ".join(
                f"`{info.starts_at.astimezone(ZoneInfo(info.pod_timezone)).date().isoformat()}`"
                for info in upcoming
            )
            problem += f" Its upcoming sessions (dates in {upcoming[0].pod_timezone}): {dates}."
    return cancel_usage_message(problem)
