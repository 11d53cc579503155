"""Block Kit for the skills map (`/coach admin` → Skills map): counts of people offering
and seeking each skill, and the largest gaps. Pure functions: data in, dict out."""

from __future__ import annotations

from typing import Any

from bot.ui.blocks import context, escape, header, section
from models.profile_views import SkillCount, SkillsMap

TITLE = "Skills map"
LINES_A_SECTION = 25
SKILLS_SHOWN = 60


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _line(count: SkillCount) -> str:
    return f"• *{escape(count.skill)}*: {count.offered} offer · {count.sought} seek"


def summary_text(facts: SkillsMap) -> str:
    """One line for a chart's comment or a notification."""
    if not facts.has_data:
        return "Skills map: no skills in any profile yet."
    if facts.gaps:
        widest = facts.gaps[0]
        return (
            f"Skills map of {_people(facts.profiles)}: the largest gap is "
            f"{widest.skill} ({widest.sought} seek it, {widest.offered} offer it)."
        )
    return f"Skills map of {_people(facts.profiles)}: every skill sought is also offered."


def chart_title(facts: SkillsMap) -> str:
    return f"Skills offered and sought ({_people(facts.profiles)})"


def chart_alt_text(facts: SkillsMap) -> str:
    shown = ", ".join(f"{c.skill}: {c.offered} offer, {c.sought} seek" for c in facts.skills[:20])
    return f"Bar chart of people offering and seeking each skill. {shown}"[:1000]


def skills_map_message(facts: SkillsMap, *, chart_posted: bool = False) -> dict[str, Any]:
    """The map as a message: the largest gaps, then every skill with its counts."""
    if not facts.has_data:
        text = (
            "No skills in any profile yet. People add theirs with `/coach profile`; "
            "`coachbot people import FILE` or *Import a user group* onboard many at once."
        )
        return {"text": text, "blocks": [section(text)]}
    blocks: list[dict[str, Any]] = [
        header(TITLE),
        context(
            f"{_people(facts.profiles)} with a profile, {facts.opted_in} in for matching. "
            "Counts only: nobody's name is in the map."
        ),
    ]
    if facts.gaps:
        gap_lines = [
            f"• *{escape(c.skill)}*: {c.sought} seek, {c.offered} offer (gap {c.gap})"
            for c in facts.gaps
        ]
        blocks.append(section("*Largest gaps* (sought more than offered)\n" + "\n".join(gap_lines)))
    else:
        blocks.append(section("*No gaps:* every skill sought is offered by as many people."))
    lines = [_line(c) for c in facts.skills[:SKILLS_SHOWN]]
    for start in range(0, len(lines), LINES_A_SECTION):
        title = "*Every skill* (most sought first)\n" if start == 0 else ""
        blocks.append(section(title + "\n".join(lines[start : start + LINES_A_SECTION])))
    if len(facts.skills) > SKILLS_SHOWN:
        blocks.append(
            context(
                f"And {len(facts.skills) - SKILLS_SHOWN} more: `coachbot skills --csv` "
                "exports them all."
            )
        )
    if chart_posted:
        blocks.append(context("The chart is in your direct messages with me."))
    return {"text": summary_text(facts), "blocks": blocks}
