"""The quarterly review in words: the summary posted with the chart (Slack mrkdwn,
people's text escaped) and printed by `coachbot report` (plain)."""

from __future__ import annotations

from datetime import timedelta

from bot.ui import pulse as pulse_ui
from bot.ui.blocks import escape, truncate
from bot.ui.dates import short_date_with_year
from models.velocity_views import ReviewFacts

MAX_TACTICS = 10
TACTIC_TITLE_MAX = 80


def quarter_span(facts: ReviewFacts) -> str:
    quarter = facts.quarter
    last = quarter.end - timedelta(days=1)
    return f"{short_date_with_year(quarter.start)} – {short_date_with_year(last)}"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


def _title(text: str, for_slack: bool) -> str:
    first = " ".join((text.strip().splitlines() or [""])[0].split())
    short = truncate(first, TACTIC_TITLE_MAX)
    return escape(short) if for_slack else short


def summary_text(facts: ReviewFacts, *, for_slack: bool = True) -> str:
    """The review's numbers as a few lines; `for_slack` bolds the heading and
    escapes people's text."""
    heading = f"Quarterly review — {facts.quarter.label} ({quarter_span(facts)})"
    lines = [f"*{heading}*" if for_slack else heading]
    if facts.withheld is not None:
        lines.append(f"No numbers: {facts.withheld}")
        return "\n".join(lines)
    if not facts.has_data:
        lines.append(
            "No data this quarter: no sessions held, insights, experiments, kudos or new tactics."
        )
        return "\n".join(lines)
    v = facts.velocity
    assert v is not None
    due = f"{v.due_tried} of {v.due}" if v.due else "none due"
    median = f"{v.median_days_to_tried:g} days" if v.median_days_to_tried is not None else "–"
    lines.append(
        f"Learning velocity: {v.sessions_held} sessions held · attendance {_percent(v.attendance)}"
        f" · {v.insights} insights captured · {v.actions} actions committed"
        f" · experiments tried ÷ due: {due} · median time from commitment to “tried”: {median}."
    )
    kudos = ", ".join(f"{value.capitalize()} {count}" for value, count in facts.kudos_by_value)
    lines.append(
        f"Breakthroughs: {facts.experiments_tried} experiments tried; "
        + (f"kudos by value: {kudos}." if kudos else "no kudos given.")
    )
    if facts.new_tactics:
        shown = [f"“{_title(text, for_slack)}”" for text in facts.new_tactics[:MAX_TACTICS]]
        more = len(facts.new_tactics) - len(shown)
        tail = f" and {more} more" if more else ""
        lines.append(
            f"New tactics in the library ({len(facts.new_tactics)}): {', '.join(shown)}{tail}."
        )
    else:
        lines.append("New tactics in the library: none this quarter.")
    if facts.leaders is not None:
        held = facts.leaders.held_sessions
        held_text = f"fewer than {facts.k_count}" if 0 < held < facts.k_count else str(held)
        lines.append(
            f"Leaders: {facts.leaders.in_pods} in pods; {held_text} in pods that held sessions."
        )
    elif facts.leaders_withheld:
        lines.append(f"Leader counts appear once at least {facts.k_count} leaders are in pods.")
    if facts.pulse is not None:
        lines.append(pulse_line(facts))
    lines.append("Weeks run Monday to Sunday in UTC. Counts only: never who did what.")
    return "\n".join(lines)


def pulse_line(facts: ReviewFacts) -> str:
    assert facts.pulse is not None
    figures = pulse_ui.summary_text(facts.pulse)
    if not facts.pulse.enough:
        figures += f" (shown once at least {facts.k_count} people answer)"
    return f"Session pulse (how useful sessions were, 1–5): {figures}."


def chart_title(facts: ReviewFacts) -> str:
    return f"Coachbot — {facts.quarter.label}: sessions held, insights and experiments tried"


def chart_alt_text(facts: ReviewFacts) -> str:
    v = facts.velocity
    if v is None:
        return chart_title(facts)
    return (
        f"Weekly chart for {facts.quarter.label}: {v.sessions_held} sessions held, "
        f"{v.insights} insights and {v.tried} experiments tried over {len(facts.weeks)} weeks."
    )


def posted_answer(facts: ReviewFacts, channel_id: str) -> str:
    return f"Posted the {facts.quarter.label} review to <#{channel_id}>."


def no_digest_channel_answer() -> str:
    return (
        "There is no digest channel yet, so the review has nowhere to go. "
        "Choose one in `/coach admin` and try again."
    )


def nothing_to_post_answer(facts: ReviewFacts) -> str:
    return summary_text(facts) + "\nNothing was posted."


def upload_failed_answer(reason: str) -> str:
    return (
        f"Slack refused the upload ({escape(reason)}). Check that Coachbot is in the digest "
        "channel and try again."
    )
