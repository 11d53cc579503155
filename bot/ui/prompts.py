"""Block Kit for the prompt library: scenario list and prompts, pillar questions,
primers, the first-session script, the contribution modal and its review DMs.

Pure functions: data in, dict out. What people contributed is shown as written
(escaped) and never with who wrote it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    divider,
    escape,
    header,
    input_block,
    modal,
    option,
    plain,
    section,
    text_input,
)
from bot.ui.dates import each_readers_date
from bot.ui.help import usage_lines
from bot.ui.welcome import text_sections
from models.content_views import TacticInfo
from models.library_forms import PILLAR_TAG, SCENARIO_TAG, TACTIC_KINDS, TACTIC_TEXT_MAX
from models.program_content import (
    PILLARS,
    Content,
    FirstSessionScript,
    Pillar,
    Primer,
    Scenario,
)

PILLAR_NAMES = {"intent": "Intent", "exploration": "Exploration", "experiment": "Experiment"}
KIND_HINTS = {
    "question": "A question a coach can ask as written",
    "tactic": "A way of running a moment of the session",
    "reframe": "Another way of looking at a common situation",
}
MORE_LINES = (
    "`/coach prompts intent` (or `exploration`, `experiment`) — the question bank for one pillar",
    "`/coach prompts primers` — short guides for coaches: listening, questions, reframing",
    "`/coach prompts first session` — a script for a pod's first session",
    "`/coach prompts add` — share a question, tactic or reframe with the community",
)

Message = dict[str, Any]


def _flat(text: str) -> str:
    return " ".join(text.split())


def tag_label(tactic: TacticInfo) -> str:
    """Where a contribution fits: `the Intent pillar`, `“Giving hard feedback”`."""
    if tactic.pillar:
        return f"the {PILLAR_NAMES.get(tactic.pillar, tactic.pillar)} pillar"
    if tactic.scenario_key:
        return f"“{tactic.scenario_name}”" if tactic.scenario_name else tactic.scenario_key
    return "no tag"


def where_shown(pillar: str | None, scenario_key: str | None) -> str:
    return f"`/coach prompts {pillar or scenario_key}`"


# --------------------------------------------------------------------------- listings


def _usage_context() -> dict[str, Any]:
    return context("Usage: " + " · ".join(line.split(" — ")[0] for line in usage_lines("prompts")))


def scenario_list_message(content: Content) -> Message:
    """`/coach prompts`: every scenario with its summary, and what else there is."""
    lines = [f"• *{s.name}* — {_flat(s.summary)}" for s in content.scenarios]
    blocks = [
        header("Coaching prompts"),
        section(
            "Pick a situation and I'll show questions a peer coach can ask, by pillar. "
            "Type its name loosely: `/coach prompts hard feedback` works."
        ),
        *text_sections("\n".join(lines)),
        divider(),
        section("*Also*\n" + "\n".join(MORE_LINES)),
        _usage_context(),
    ]
    return {"text": f"Coaching prompts for {len(content.scenarios)} scenarios", "blocks": blocks}


def community_lines(tactics: Sequence[TacticInfo]) -> list[str]:
    return [
        f"• _{TACTIC_KINDS.get(t.kind, t.kind.title())}_: {escape(_flat(t.text))}" for t in tactics
    ]


def _community_blocks(tactics: Sequence[TacticInfo]) -> list[dict[str, Any]]:
    if not tactics:
        return []
    return text_sections("\n".join(["*From the community*", *community_lines(tactics)]))


def scenario_message(
    content: Content, scenario: Scenario, community: Sequence[TacticInfo]
) -> Message:
    """`/coach prompts SCENARIO`: its prompts by pillar, then the community's."""
    blocks: list[dict[str, Any]] = [header(scenario.name), section(_flat(scenario.summary))]
    for pillar in PILLARS:
        explainer = content.welcome.pillar(pillar)
        prompts = "\n".join(f"• {p}" for p in scenario.prompts.for_pillar(pillar))
        blocks.append(section(f"*{explainer.name}* · _{explainer.question}_\n{prompts}"))
    if scenario.coach_note:
        blocks.append(context(f"*For the coach:* {_flat(scenario.coach_note)}"))
    blocks += _community_blocks(community)
    blocks.append(
        context(
            "Got a question that works? Share it with `/coach prompts add`. "
            "Every scenario: `/coach prompts`."
        )
    )
    return {"text": f"Coaching prompts: {scenario.name}", "blocks": blocks}


def pillar_message(content: Content, pillar: Pillar, community: Sequence[TacticInfo]) -> Message:
    """`/coach prompts intent`: the question bank for one pillar, then the community's."""
    explainer = content.welcome.pillar(pillar)
    questions = [f"• {q.text}" for q in content.questions.for_pillar(pillar)]
    blocks: list[dict[str, Any]] = [
        header(f"{explainer.name} questions"),
        section(f"_{explainer.question}_\n{_flat(explainer.description)}"),
        *text_sections("\n".join(questions)),
        *_community_blocks(community),
        context(
            "Questions for a situation: `/coach prompts SCENARIO`. "
            "Share your own: `/coach prompts add`."
        ),
    ]
    return {"text": f"{explainer.name} questions", "blocks": blocks}


def primers_message(primers: Sequence[Primer]) -> Message:
    """`/coach prompts primers`: each primer's summary and tips."""
    blocks: list[dict[str, Any]] = [header("Primers for coaches")]
    for primer in primers:
        tips = "\n".join(f"• {tip}" for tip in primer.tips)
        blocks.append(section(f"*{primer.title}*\n{_flat(primer.summary)}\n{tips}"))
        blocks.append(context(f"_In practice:_ {_flat(primer.example.takeaway)}"))
    blocks.append(context("Prompts for a situation: `/coach prompts SCENARIO`."))
    return {"text": "Primers for coaches", "blocks": blocks}


def first_session_message(script: FirstSessionScript) -> Message:
    """`/coach prompts first session`: the timed script for a pod's first session."""
    blocks: list[dict[str, Any]] = [header(script.title), section(_flat(script.intro))]
    for start, step in script.timeline():
        lines = [
            f"*{start}–{start + step.minutes} min · {step.title}* ({step.lead})",
            _flat(step.do),
        ]
        if step.say:
            lines.append(f"> _“{_flat(step.say)}”_")
        blocks.append(section("\n".join(lines)))
    blocks.append(
        context(f"{script.duration_minutes} minutes in all. `/coach welcome` has the ground rules.")
    )
    return {"text": script.title, "blocks": blocks}


# --------------------------------------------------------------------------- contributing


def tactic_modal(content: Content, initial_text: str = "") -> dict[str, Any]:
    """`/coach prompts add [TEXT]`: kind, text, and where it fits (a pillar or a
    scenario)."""
    kinds = {
        "type": "radio_buttons",
        "action_id": "kind",
        "options": [
            {**option(label, kind), "description": plain(KIND_HINTS[kind], 75)}
            for kind, label in TACTIC_KINDS.items()
        ],
    }
    tag = {
        "type": "static_select",
        "action_id": "tag",
        "placeholder": plain("A pillar or a scenario"),
        "option_groups": [
            {
                "label": plain("Session pillar"),
                "options": [
                    option(content.welcome.pillar(p).name, f"{PILLAR_TAG}{p}") for p in PILLARS
                ],
            },
            {
                "label": plain("Scenario"),
                "options": [option(s.name, f"{SCENARIO_TAG}{s.key}") for s in content.scenarios],
            },
        ],
    }
    blocks = [
        section(
            "Share a question, tactic or reframe that helped you. A program admin looks at "
            "it first; once approved it appears beside the prompts, marked "
            "*from the community*."
        ),
        input_block("kind", "What are you sharing?", kinds),
        input_block(
            "text",
            "Your question, tactic or reframe",
            text_input(
                "text",
                initial=initial_text[:TACTIC_TEXT_MAX] or None,
                multiline=True,
                max_length=TACTIC_TEXT_MAX,
                placeholder="Like: What would you try if you knew it couldn't fail?",
            ),
            hint=f"Up to {TACTIC_TEXT_MAX} characters. Leave out names and details of real people.",
        ),
        input_block("tag", "Where does it fit?", tag),
        context("Your name is never shown, not even to the admins who review it."),
    ]
    return modal(
        callback_id=ids.TACTIC_CALLBACK, title="Share a prompt", submit="Share", blocks=blocks
    )


def tactic_thanks_message(tactic: TacticInfo) -> Message:
    text = (
        f"Thank you for sharing! A program admin will look at your "
        f"{TACTIC_KINDS.get(tactic.kind, tactic.kind).lower()} for "
        f"{tag_label(tactic)}. Once approved it appears in "
        f"{where_shown(tactic.pillar, tactic.scenario_key)}, marked “from the community”, "
        "without your name."
    )
    return {
        "text": text,
        "blocks": [section(text), context(f"> {escape(_flat(tactic.text))}")],
    }


def _tactic_summary(tactic: TacticInfo) -> str:
    kind = TACTIC_KINDS.get(tactic.kind, tactic.kind.title())
    return f"*{kind}* for {tag_label(tactic)}:\n> {escape(_flat(tactic.text))}"


def review_request_message(tactic: TacticInfo) -> Message:
    """DM to each program admin: the text (never who wrote it) and the decision."""
    value = str(tactic.id)
    blocks = [
        section("*Someone shared a prompt for the library*\n" + _tactic_summary(tactic)),
        context(
            "Who shared it stays private. Approved prompts appear in "
            f"{where_shown(tactic.pillar, tactic.scenario_key)}, marked “from the community”."
        ),
        actions(
            button("Approve", ids.TACTIC_APPROVE_ACTION, value, style="primary"),
            button("Decline", ids.TACTIC_DECLINE_ACTION, value, style="danger"),
        ),
    ]
    return {"text": "Someone shared a prompt for the library: please review it.", "blocks": blocks}


def review_outcome_message(tactic: TacticInfo, *, already: bool) -> Message:
    """The review DM once decided (for the one who decided, and the other admins)."""
    verb = "approved" if tactic.status == "approved" else "declined"
    who = f"<@{tactic.reviewed_by}>" if tactic.reviewed_by else "an admin"
    when = f" on {each_readers_date(tactic.reviewed_at)}" if tactic.reviewed_at else ""
    if already:
        outcome = f"This was already {verb} by {who}{when}, so nothing changed."
    else:
        outcome = f"{verb.capitalize()} by {who}{when}."
    if tactic.status == "approved":
        outcome += (
            f" It now appears in {where_shown(tactic.pillar, tactic.scenario_key)}, "
            "marked “from the community”."
        )
    icon = ":white_check_mark:" if tactic.status == "approved" else ":no_entry_sign:"
    blocks = [
        section("*A prompt shared for the library*\n" + _tactic_summary(tactic)),
        context(f"{icon} {outcome}"),
    ]
    return {"text": f"Shared prompt {verb}.", "blocks": blocks}


def not_admin_review_message() -> Message:
    text = "Only program admins can approve or decline shared prompts, so nothing changed."
    return {"text": text, "blocks": [section(text)]}
