"""`/coach stats`: learning velocity as numbers, for me, my pods and (admins) the
program. Never a name next to an action: only counts, rates and trends."""

from __future__ import annotations

from typing import Any

from bot.ui import pulse as pulse_ui
from bot.ui.blocks import context, divider, escape, header, mrkdwn, section, truncate
from bot.ui.dates import short_date_with_year
from models.velocity_views import (
    DOWN,
    FLAT,
    UP,
    PeriodVelocity,
    ProgramVelocity,
    ScopeVelocity,
    StatsView,
)

ARROWS = {UP: "↑", DOWN: "↓", FLAT: "→"}
MAX_POD_SECTIONS = 10
MAX_GROUP_SECTIONS = 20
FIELD_MAX = 2000
NO_NUMBER = "–"


def _percent(rate: float | None) -> str:
    return NO_NUMBER if rate is None else f"{round(rate * 100)}%"


def _of(part: int, whole: int) -> str:
    return NO_NUMBER if not whole else f"{part} of {whole}"


def _days(value: float | None) -> str:
    if value is None:
        return NO_NUMBER
    shown = f"{value:.1f}".removesuffix(".0")
    return f"{shown} day" if shown == "1" else f"{shown} days"


METRIC_LINES: tuple[tuple[str, str, Any], ...] = (
    ("sessions_held", "Sessions held", lambda v: str(v.sessions_held)),
    ("attendance", "Attendance", lambda v: _percent(v.attendance)),
    ("insights", "Insights captured", lambda v: str(v.insights)),
    ("actions", "Actions committed", lambda v: str(v.actions)),
    ("tried_of_due", "Experiments tried ÷ due", lambda v: _of(v.due_tried, v.due)),
    ("median_days_to_tried", "Median time to “tried”", lambda v: _days(v.median_days_to_tried)),
)


def _figure(period: PeriodVelocity, metric: str, show: Any) -> str:
    arrow = ARROWS.get(period.trends.get(metric, ""), "")
    value = show(period.current)
    return f"{value} {arrow}".strip()


def metric_fields(scope: ScopeVelocity) -> list[dict[str, Any]]:
    """One field per metric: the last 4 and 12 weeks, each with its trend."""
    return [
        mrkdwn(
            truncate(
                f"*{title}*\n4 wks: {_figure(scope.last_4, metric, show)}"
                f" · 12 wks: {_figure(scope.last_12, metric, show)}",
                FIELD_MAX,
            )
        )
        for metric, title, show in METRIC_LINES
    ]


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def scope_section(scope: ScopeVelocity) -> dict[str, Any]:
    if scope.kind == "me":
        title = "*You*"
    elif scope.kind == "program":
        title = f"*The program* · {_people(scope.people)} in pods"
    elif scope.kind == "other":
        title = f"*Other pods, merged* · {_people(scope.people)}"
    else:
        title = f"*{escape(scope.label)}* · {_people(scope.people)}"
    block = section(title)
    block["fields"] = metric_fields(scope)
    if scope.pulse is not None:
        figures = pulse_ui.summary_text(scope.pulse, own=scope.kind == "me")
        block["fields"].append(mrkdwn(f"*Session pulse*\n12 wks: {figures}"))
    return block


def pulse_note(view: StatsView) -> dict[str, Any] | None:
    scopes = [view.me, *view.pods, view.program.total if view.program else None]
    pulses = [scope.pulse for scope in scopes if scope is not None and scope.pulse is not None]
    if not pulses:
        return None
    return context(
        "Session pulse: how useful sessions were, 1 to 5, from the question after each "
        f"session. Shown for a pod or the program once at least {pulses[0].k_count} "
        "people answered."
    )


def _program_blocks(program: ProgramVelocity) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [divider()]
    if program.total is None:
        blocks.append(section(f"*The program*\n{escape(program.withheld or '')}"))
        return blocks
    blocks.append(scope_section(program.total))
    shown = program.groups[:MAX_GROUP_SECTIONS]
    blocks.extend(scope_section(group) for group in shown)
    hidden = len(program.groups) - len(shown)
    if hidden:
        blocks.append(context(f"…and {hidden} more pods, counted in the program's numbers."))
    notes = [f"Pods with fewer than {program.k_count} people are merged so that no one stands out."]
    if program.leaders is not None:
        leaders = program.leaders
        notes.append(
            f"Leaders: {leaders.in_pods} in pods; {_at_least(leaders.held_sessions, program)}"
            " in pods that held sessions this quarter."
        )
    elif program.leaders_withheld:
        notes.append(f"Leader counts appear once at least {program.k_count} leaders are in pods.")
    blocks.append(context(" ".join(notes)))
    return blocks


def _at_least(count: int, program: ProgramVelocity) -> str:
    """A small non-zero count is shown as "fewer than K"."""
    if 0 < count < program.k_count:
        return f"fewer than {program.k_count}"
    return str(count)


def stats_message(view: StatsView) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        header("Learning velocity"),
        context(
            "Full weeks, Monday to Sunday (UTC), up to "
            f"{short_date_with_year(view.through)}. Arrows compare with the weeks before: "
            "↑ up, ↓ down, → flat. Numbers only: never who did what."
        ),
    ]
    if view.me is None:
        blocks.append(
            section("You have no numbers yet: join a pod with `/coach pod join NAME` to start.")
        )
    else:
        blocks.append(scope_section(view.me))
        shown = view.pods[:MAX_POD_SECTIONS]
        blocks.extend(scope_section(pod) for pod in shown)
        if len(view.pods) > len(shown):
            blocks.append(context(f"…and {len(view.pods) - len(shown)} more of your pods."))
        if not view.pods:
            blocks.append(context("You are in no pod right now: `/coach pod list` shows them."))
    if view.program is not None:
        blocks.extend(_program_blocks(view.program))
    if note := pulse_note(view):
        blocks.append(note)
    return {"text": _fallback(view), "blocks": blocks}


def _fallback(view: StatsView) -> str:
    if view.me is None:
        return "Learning velocity: you have no numbers yet."
    now = view.me.last_4.current
    return (
        f"Learning velocity, last 4 weeks: {now.sessions_held} sessions held, "
        f"{now.insights} insights, {now.actions} actions committed."
    )
