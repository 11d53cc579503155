"""A person's growth summary: the short DM (counts and a few highlights), the
Markdown file to bring to a review, and the answers around them. Pure: facts in,
text and Block Kit out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from bot.ui.blocks import context, escape, header, section, truncate
from bot.ui.dates import local_date_with_year, short_date_with_year
from models.growth_views import GrowthExperiment, GrowthSummary

HIGHLIGHT_MAX = 280
SECTION_MAX = 3000
HIGHLIGHTS_EACH = 2


def filename(summary: GrowthSummary) -> str:
    """`growth-2026-Q4.md`."""
    return f"growth-{summary.quarter.year}-Q{summary.quarter.number}.md"


def file_title(summary: GrowthSummary) -> str:
    return f"Growth summary — {summary.quarter.label}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _period(summary: GrowthSummary) -> str:
    first = short_date_with_year(summary.quarter.start)
    last = short_date_with_year(summary.quarter.end - timedelta(days=1))
    span = f"{first} – {last}"
    if summary.until is not None:
        return f"{span}, so far (up to {local_date_with_year(summary.until, summary.tz)})"
    return span


def _experiment_state(experiment: GrowthExperiment, tz: str) -> str:
    if experiment.status == "tried" and experiment.resolved_at is not None:
        return f"tried on {local_date_with_year(experiment.resolved_at, tz)}"
    if experiment.status == "dropped":
        return "dropped"
    return f"open, due {short_date_with_year(experiment.due_date)}"


# --------------------------------------------------------------------- answers


def delivered_answer(summary: GrowthSummary) -> str:
    return f"Your growth summary for {summary.quarter.label} is in your DMs."


def empty_answer(summary: GrowthSummary) -> str:
    label = summary.quarter.label
    if summary.not_started:
        return f"{label} hasn't started yet, so there is nothing to summarise."
    when = "so far" if summary.until is not None else "in that quarter"
    return (
        f"There is nothing of yours in {label} {when}: no check-ins, experiments, insights, "
        "kudos or sessions held. Your summary fills up as you take part."
    )


def delivery_failed_answer() -> str:
    return (
        "Sorry, Slack didn't let me send your growth summary to your DMs. "
        "Please try again in a moment."
    )


# --------------------------------------------------------------------- the DM


def _glance(summary: GrowthSummary) -> list[tuple[str, str]]:
    return [
        ("Sessions", f"{summary.sessions_attended} attended, {summary.sessions_coached} coached"),
        ("Intents worked on", str(len(summary.intents))),
        (
            "Experiments",
            f"{summary.experiments_committed} committed, {summary.experiments_tried} tried",
        ),
        ("Insights captured", str(len(summary.insights))),
        ("Kudos received", str(len(summary.kudos))),
    ]


def _quote(text: str) -> str:
    return escape(truncate(_one_line(text), HIGHLIGHT_MAX))


def _highlights(summary: GrowthSummary) -> list[str]:
    lines: list[str] = []
    for insight in summary.insights[-HIGHLIGHTS_EACH:]:
        lines.append(f":bulb: {_quote(insight.insight)}")
    tried = [e for e in summary.experiments if e.tried_in_quarter]
    for experiment in tried[-HIGHLIGHTS_EACH:]:
        lines.append(f":white_check_mark: Tried: {_quote(experiment.text)}")
    for kudos in summary.kudos[-HIGHLIGHTS_EACH:]:
        lines.append(
            f":tada: *{escape(kudos.value)}* from {escape(kudos.giver_name)}: {_quote(kudos.text)}"
        )
    return lines


def summary_dm(summary: GrowthSummary) -> dict[str, Any]:
    """The DM: the quarter at a glance and a few of the person's own highlights; the
    whole of it is in the file that follows."""
    title = f"Your growth — {summary.quarter.label}"
    blocks: list[dict[str, Any]] = [
        header(title),
        context(_period(summary)),
        section("\n".join(f"*{label}:* {value}" for label, value in _glance(summary))),
    ]
    highlights = _highlights(summary)
    if highlights:
        blocks.append(section(truncate("*Highlights*\n" + "\n".join(highlights), SECTION_MAX)))
    blocks.append(
        context(
            "The full summary is in the Markdown file below, ready for a review. "
            "It is yours alone: nobody else can ask for it."
        )
    )
    return {"text": title, "blocks": blocks}


def file_comment(summary: GrowthSummary) -> str:
    return f"Your growth summary for {summary.quarter.label}, as a Markdown file."


# --------------------------------------------------------------------- the file


def _part(title: str, items: Iterable[str], nothing: str) -> list[str]:
    lines = list(items)
    return [f"## {title}", "", *(lines or [f"_{nothing}_"]), ""]


def growth_markdown(summary: GrowthSummary) -> str:
    """The whole quarter in Markdown, in the person's own words and timezone."""
    tz = summary.tz
    intents = (
        f"- **{local_date_with_year(i.session_starts_at, tz)}** · {_one_line(i.pod_name)} — "
        f"{_one_line(i.text)}"
        for i in summary.intents
    )
    experiments = []
    for e in summary.experiments:
        line = (
            f"- {_one_line(e.text)} — {_experiment_state(e, tz)} "
            f"(committed {local_date_with_year(e.committed_at, tz)})"
        )
        if e.outcome_note:
            line += f"\n  - Outcome: {_one_line(e.outcome_note)}"
        experiments.append(line)
    insights = (
        f"- **{local_date_with_year(i.written_at, tz)}** — {_one_line(i.insight)}\n"
        f"  - Action: {_one_line(i.action)}"
        for i in summary.insights
    )
    kudos = (
        f"- **{_one_line(k.value)}** from {_one_line(k.giver_name)} "
        f"({local_date_with_year(k.given_at, tz)}{', private' if k.is_private else ''}): "
        f"{_one_line(k.text)}"
        for k in summary.kudos
    )
    sessions = (
        f"- {local_date_with_year(s.starts_at, tz)} · {_one_line(s.pod_name)} — "
        + ", ".join(role for role, on in (("attended", s.attended), ("coached", s.coached)) if on)
        for s in summary.sessions
    )
    lines = [
        f"# Growth summary — {summary.quarter.label}",
        "",
        f"{_one_line(summary.display_name)} · {_period(summary)}",
        "",
        "## At a glance",
        "",
        *(f"- **{label}:** {value}" for label, value in _glance(summary)),
        "",
        *_part("Intents I worked on", intents, "No check-ins this quarter."),
        *_part("Experiments", experiments, "No experiments this quarter."),
        *_part("Insights and actions", insights, "No reflections this quarter."),
        *_part("Kudos received", kudos, "No kudos this quarter."),
        *_part("Sessions", sessions, "No sessions held this quarter."),
    ]
    return "\n".join(lines).rstrip() + "\n"
