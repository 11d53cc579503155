"""The /coach usage text: every subcommand with one line, and the one "did you
mean" hint for a name or a command that was not quite right."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.ui.blocks import context, divider, escape, header, section


@dataclass(frozen=True)
class Usage:
    usage: str
    summary: str


SUBCOMMAND_USAGE: dict[str, list[Usage]] = {
    "help": [Usage("/coach help", "What you can do with Coachbot")],
    "pod": [
        Usage("/coach pod create", "Start a pod: name, focus, members, cadence, time, channel"),
        Usage("/coach pod edit NAME", "Change a pod's details or its playbook"),
        Usage("/coach pod list", "All pods with focus, cadence, next session and size"),
        Usage("/coach pod join NAME", "Join a pod"),
        Usage("/coach pod leave NAME", "Leave a pod"),
        Usage("/coach pod cancel NAME [YYYY-MM-DD]", "Cancel one session (program admins)"),
    ],
    "next": [Usage("/coach next", "Your next sessions in your timezone: pod, coach, theme")],
    "checkin": [
        Usage("/coach checkin", "Prepare for your next session: intent, exploration, experiment")
    ],
    "reflect": [Usage("/coach reflect", "Capture one insight and one action after a session")],
    "experiments": [
        Usage("/coach experiments", "Your open experiments: tried it, not yet, or drop")
    ],
    "skip": [Usage("/coach skip", "Sit out your next session")],
    "pause": [
        Usage("/coach pause until YYYY-MM-DD", "Take a break from all your pods until a date")
    ],
    "resume": [Usage("/coach resume", "End your pause now")],
    "prompts": [
        Usage("/coach prompts [SCENARIO]", "Coaching prompts, for a scenario if you name one"),
        Usage("/coach prompts add", "Share a question, tactic or reframe with the community"),
    ],
    "kudos": [
        Usage(
            "/coach kudos @someone [@more] TEXT [#value] [private]",
            "Recognise a peer for one of the program's values (in the digest unless private)",
        )
    ],
    "stats": [
        Usage(
            "/coach stats",
            "Learning velocity: yours, your pods' and the program's",
        )
    ],
    "growth": [
        Usage(
            "/coach growth [QUARTER]",
            "Your own growth summary for a quarter: a DM and a Markdown file for your review",
        )
    ],
    "calendar": [
        Usage(
            "/coach calendar",
            "Your private calendar feed of your sessions (Google, Outlook), and Rotate link",
        )
    ],
    "profile": [
        Usage(
            "/coach profile",
            "Your profile for matching: team, level, skills, when you can meet, opt in to a pod",
        )
    ],
    "welcome": [Usage("/coach welcome", "The welcome packet and ground rules again")],
    "admin": [
        Usage(
            "/coach admin",
            "Program settings, Propose pods, skills map, digest and review (program admins)",
        )
    ],
    "my-data": [
        Usage("/coach my-data export", "A copy of everything stored about you, as a file"),
        Usage("/coach my-data delete", "Delete everything stored about you (asks first)"),
    ],
}


def usage_lines(subcommand: str | None = None) -> list[str]:
    groups = [SUBCOMMAND_USAGE[subcommand]] if subcommand else SUBCOMMAND_USAGE.values()
    return [f"`{item.usage}` — {item.summary}" for group in groups for item in group]


def help_message() -> dict[str, Any]:
    lines = usage_lines()
    half = (len(lines) + 1) // 2
    return {
        "text": "Coachbot commands:\n" + "\n".join(lines),
        "blocks": [
            header("Coachbot — peer coaching, one step away"),
            section(
                "Small pods of peers meet on a steady rhythm. Each session has three "
                "pillars: *intent*, *exploration* and *experiment*."
            ),
            divider(),
            section("\n".join(lines[:half])),
            section("\n".join(lines[half:])),
            context("What you write belongs to you: admins see counts, never your words."),
        ],
    }


def did_you_mean(suggestions: Sequence[str], *, commands: bool = False) -> str:
    """`Did you mean *Night Owls* or *Early Birds*?` (names escaped), with `commands`
    `Did you mean `/coach pod join`?`; "" without suggestions."""
    if not suggestions:
        return ""
    names = [f"`{name}`" if commands else f"*{escape(name)}*" for name in suggestions]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
    return f"Did you mean {listed}?"


def _unknown(what: str, command: str | None) -> str:
    hint = did_you_mean([command] if command else [], commands=True)
    return f"{what} {hint}" if hint else what


def unknown_command_message(word: str, suggestion: str | None) -> dict[str, Any]:
    """`/coach WORD` that is no subcommand: the closest one's usage, or all of it."""
    problem = _unknown(f"Unknown command `{escape(word)}`.", suggestion and f"/coach {suggestion}")
    lines = usage_lines(suggestion) if suggestion else usage_lines()
    text = f"{problem}\n" + "\n".join(lines)
    return {"text": text, "blocks": [section(text)]}


def unknown_verb_message(subcommand: str, verb: str, suggestion: str | None) -> dict[str, Any]:
    """`/coach pod VERB` that is no verb of the subcommand, with its usage."""
    command = suggestion and f"/coach {subcommand} {suggestion}"
    problem = f"Unknown {subcommand} command `{escape(verb)}`."
    return usage_message(subcommand, _unknown(problem, command))


def usage_message(subcommand: str, problem: str) -> dict[str, Any]:
    text = f"{problem}\nUsage:\n" + "\n".join(usage_lines(subcommand))
    return {"text": text, "blocks": [section(text)]}


FORM_NOT_OPENED = "Slack didn't let me open the form in time. Please run the command again."
"""When views.open failed (the command's trigger expired): typing it again works."""
