"""The weekly digest message, its admin answers, and the Home section that lists a
person's learnings waiting for it (with Withdraw). Inside Slack's limits: at most
50 blocks a message, 3000 characters a section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import button, context, divider, escape, header, section, truncate
from bot.ui.dates import local_date, short_date, week_of
from models.community_views import DigestFacts, KudosLine, WaitingLearning, WeekCounts

SECTION_MAX = 3000
MAX_BLOCKS = 50
FALLBACK_TEXT_MAX = 3000
WAITING_SHOWN = 10
WAITING_TEXT_MAX = 280


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def counts_line(counts: WeekCounts) -> str:
    parts = [
        _plural(counts.sessions_held, "session held", "sessions held"),
        _plural(counts.insights, "insight captured", "insights captured"),
        _plural(counts.actions, "action committed", "actions committed"),
        _plural(counts.experiments_tried, "experiment tried", "experiments tried"),
        _plural(counts.kudos, "kudos", "kudos"),
    ]
    return " · ".join(parts)


def waiting_line(waiting: int) -> str:
    return f"{_plural(waiting, 'learning', 'learnings')} waiting for more voices"


def _sections(lines: Sequence[str], title: str | None = None) -> list[dict[str, Any]]:
    """The lines as few sections as fit 3000 characters each (a line longer than
    that is cut)."""
    sections: list[dict[str, Any]] = []
    current = f"*{escape(title)}*" if title else ""
    for line in lines:
        line = truncate(line, SECTION_MAX - 2)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > SECTION_MAX:
            sections.append(section(current))
            current = line
        else:
            current = candidate
    if current:
        sections.append(section(current))
    return sections


def _kudos_line(line: KudosLine) -> str:
    receivers = ", ".join(f"*{escape(name)}*" for name in line.receivers)
    return (
        f"• *{escape(line.giver)}* → {receivers} for _{escape(line.value)}_: "
        f"{escape(' '.join(line.text.split()))}"
    )


def digest_message(facts: DigestFacts) -> dict[str, Any]:
    week = week_of(facts.week_start)
    top = [
        header("This week in peer coaching"),
        context(f"What the community learned in {week}. Shared anonymously by their authors."),
        section(f"*{counts_line(facts.counts)}*"),
    ]
    learnings: list[dict[str, Any]] = []
    for group in facts.learnings:
        learnings += _sections([f"• {text}" for text in group.mrkdwn], title=group.title)
    if facts.waiting:
        learnings.append(context(f"{waiting_line(facts.waiting)}."))
    if not facts.learnings and not facts.waiting:
        learnings.append(context("No learnings were shared this week."))
    kudos: list[dict[str, Any]] = []
    if facts.kudos:
        lines = [_kudos_line(line) for line in facts.kudos]
        if facts.more_kudos:
            lines.append(f"…and {_plural(facts.more_kudos, 'more kudos', 'more kudos')}.")
        kudos = [divider(), *_sections(lines, title="Kudos")]
    pods: list[dict[str, Any]] = []
    if facts.pods:
        lines = [
            f"• *{escape(p.name)}*: "
            + _plural(p.sessions_in_a_row, "session", "sessions")
            + " held in a row"
            for p in facts.pods
        ]
        pods = [divider(), *_sections(lines, title="Pods keeping the rhythm")]
    room = MAX_BLOCKS - len(top) - len(kudos) - len(pods) - 1
    if len(learnings) > room:
        learnings = learnings[: room - 1] + [context("More learnings didn't fit this message.")]
    blocks = [*top, divider(), *learnings, *kudos, *pods]
    return {"text": truncate(_fallback(facts), FALLBACK_TEXT_MAX), "blocks": blocks}


def _fallback(facts: DigestFacts) -> str:
    return f"This week in peer coaching ({week_of(facts.week_start)}): {counts_line(facts.counts)}"


def digest_plain_text(facts: DigestFacts) -> str:
    """The digest as lines of text (`coachbot digest --preview`)."""
    lines = [f"This week in peer coaching — {week_of(facts.week_start)}", counts_line(facts.counts)]
    for group in facts.learnings:
        lines += ["", group.title]
        lines += [f"  • {_unescaped(text)}" for text in group.mrkdwn]
    if facts.waiting:
        lines += ["", waiting_line(facts.waiting)]
    if facts.kudos:
        lines += ["", "Kudos"]
        lines += [
            f"  • {k.giver} → {', '.join(k.receivers)} for {k.value}: {k.text}" for k in facts.kudos
        ]
        if facts.more_kudos:
            lines.append(f"  …and {facts.more_kudos} more")
    if facts.pods:
        lines += ["", "Pods keeping the rhythm"]
        lines += [f"  • {p.name}: {p.sessions_in_a_row} in a row" for p in facts.pods]
    return "\n".join(lines)


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --------------------------------------------------------------------------- admin answers


def preview_message(facts: DigestFacts, *, already_out: bool) -> dict[str, Any]:
    """The digest as an admin's preview: nothing is posted."""
    message = digest_message(facts)
    if facts.channel_id:
        where = f"It goes to <#{facts.channel_id}>"
    else:
        where = "There is no digest channel yet: choose one in `/coach admin`"
    note = "This week's digest went out already. " if already_out else ""
    intro = context(f"_Preview — nothing was posted._ {note}{where}.")
    return {"text": "Digest preview: " + message["text"], "blocks": [intro, *message["blocks"]]}


def posted_now_message(channel_id: str) -> dict[str, Any]:
    text = f"This week's digest is on its way to <#{channel_id}>."
    return {"text": text, "blocks": [section(text)]}


def already_posted_message(channel_id: str | None) -> dict[str, Any]:
    where = f" to <#{channel_id}>" if channel_id else ""
    text = f"This week's digest already went out{where}. The next one follows next week."
    return {"text": text, "blocks": [section(text)]}


def no_channel_message() -> dict[str, Any]:
    text = "There is no digest channel yet. Choose one in `/coach admin`, then post."
    return {"text": text, "blocks": [section(text)]}


def channel_needed_dm() -> dict[str, Any]:
    text = (
        "The weekly digest is ready to share what the community learned, but it has no "
        "channel yet. Choose the digest channel in `/coach admin` and it goes out there."
    )
    return {"text": text, "blocks": [section(text)]}


# --------------------------------------------------------------------------- Home


def waiting_learnings_blocks(items: Sequence[WaitingLearning], tz: str | None) -> list[dict]:
    """The Home section of my shared learnings waiting for the digest, each with a
    Withdraw button (none when nothing waits)."""
    if not items:
        return []
    blocks: list[dict[str, Any]] = [
        section(
            "*Waiting for the weekly digest*\n"
            "Shared anonymously, with no name attached. Changed your mind? Withdraw it "
            "before it goes out.",
            block_id=ids.WAITING_LEARNINGS_BLOCK,
        )
    ]
    for item in items[:WAITING_SHOWN]:
        text = escape(truncate(" ".join(item.insight.split()), WAITING_TEXT_MAX))
        day = short_date(local_date(item.created_at, tz))
        blocks.append(
            section(
                f"{text}\n_Shared {day}_",
                accessory=button("Withdraw", ids.LEARNING_WITHDRAW_ACTION, str(item.reflection_id)),
            )
        )
    if len(items) > WAITING_SHOWN:
        blocks.append(context(f"…and {len(items) - WAITING_SHOWN} more waiting."))
    return blocks


def withdrawn_message() -> dict[str, Any]:
    text = "Withdrawn: that learning won't appear in the digest. It stays in your own insights."
    return {"text": text, "blocks": [section(text)]}
