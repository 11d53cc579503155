"""The session pulse in words: the questions in the end-of-session DM, the answers
that take their place, the re-pairing request to the program admins, and the
aggregate figures for `/coach stats` and the quarterly review. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import actions, button, context, escape, section
from models.pulse_views import (
    FINE,
    HIGHEST_SCORE,
    LOWEST_SCORE,
    PodFitAnswer,
    RepairingRequest,
    ScoreAnswer,
)
from models.velocity_views import PulseSummary

Blocks = list[dict[str, Any]]

USEFULNESS_QUESTION = "*How useful was today's session?*"
POD_FIT_QUESTION = "*How is this pod working for you?*"
FINE_TEXT = "Fine"
DIFFERENT_TEXT = "I'd like a different pod"
CLOSED = "Thanks — this session's pulse has closed, so this answer isn't counted."
WHAT_HAPPENS_NEXT = (
    "You asked for a different pod. A program admin will reach out to find you a better fit; "
    "nothing changes until then."
)
NO_ADMIN = (
    "You asked for a different pod, but no program admin is set up yet to pass it to: "
    "please tell whoever runs the program. Nothing changes until then."
)
NOT_ENOUGH = "not enough answers yet"

USEFULNESS_BLOCKS = (ids.PULSE_SCORE_BLOCK, ids.PULSE_SCORE_BUTTONS_BLOCK)
POD_FIT_BLOCKS = (ids.PULSE_POD_FIT_BLOCK, ids.PULSE_POD_FIT_BUTTONS_BLOCK)


# --------------------------------------------------------------------------- button values


def score_value(session_id: int, score: int) -> str:
    return f"{session_id}:{score}"


def parse_score_value(raw: str | None) -> tuple[int, int] | None:
    """(session id, score) from a score button's value; None when unreadable."""
    session, _, score = (raw or "").partition(":")
    if not (session.isdigit() and score.isdigit()):
        return None
    return int(session), int(score)


# --------------------------------------------------------------------------- the questions


def question_blocks(session_id: int, *, ask_pod_fit: bool) -> Blocks:
    """The pulse of the end-of-session DM: usefulness, and the pod question after
    the member's first session in the pod."""
    blocks = usefulness_blocks(session_id)
    if ask_pod_fit:
        blocks += pod_fit_blocks(session_id)
    return blocks


def usefulness_blocks(session_id: int, chosen: int | None = None) -> Blocks:
    if chosen is None:
        note = "_Optional — 1 not much, 5 very._"
    else:
        rated = f"Thanks — you rated it {chosen}/{HIGHEST_SCORE}."
        note = f"{rated} Press another number to change it."
    score_buttons = []
    for score in range(LOWEST_SCORE, HIGHEST_SCORE + 1):
        style = "primary" if score == chosen else None
        action_id = ids.PULSE_SCORE_ACTIONS[score - LOWEST_SCORE]
        score_buttons.append(
            button(str(score), action_id, score_value(session_id, score), style=style)
        )
    return [
        section(f"{USEFULNESS_QUESTION}\n{note}", block_id=ids.PULSE_SCORE_BLOCK),
        actions(*score_buttons, block_id=ids.PULSE_SCORE_BUTTONS_BLOCK),
    ]


def pod_fit_blocks(session_id: int, answered_fine: bool = False) -> Blocks:
    value = str(session_id)
    different = button(DIFFERENT_TEXT, ids.PULSE_POD_DIFFERENT_ACTION, value)
    if answered_fine:
        text = f"{POD_FIT_QUESTION}\nThanks — glad it works for you."
        choices = actions(different, block_id=ids.PULSE_POD_FIT_BUTTONS_BLOCK)
    else:
        text = POD_FIT_QUESTION
        fine = button(FINE_TEXT, ids.PULSE_POD_FINE_ACTION, value)
        choices = actions(fine, different, block_id=ids.PULSE_POD_FIT_BUTTONS_BLOCK)
    return [section(text, block_id=ids.PULSE_POD_FIT_BLOCK), choices]


# --------------------------------------------------------------------------- the answers


def score_reply(answer: ScoreAnswer) -> str:
    if not answer.recorded:
        return CLOSED
    return f"Thanks — you rated it {answer.score}/{HIGHEST_SCORE}."


def pod_fit_reply(answer: PodFitAnswer) -> str:
    if answer.request is not None:
        return WHAT_HAPPENS_NEXT if answer.request.admin_user_ids else NO_ADMIN
    if not answer.recorded:
        return CLOSED
    return "Thanks — glad it works for you."


def after_score(blocks: Sequence[dict[str, Any]], answer: ScoreAnswer) -> Blocks | None:
    """The DM's blocks with the usefulness question answered; None when the DM
    carries no such question."""
    if answer.recorded:
        new = usefulness_blocks(answer.session_id, chosen=answer.score)
    else:
        new = [section(f"{USEFULNESS_QUESTION}\n{CLOSED}", block_id=ids.PULSE_SCORE_BLOCK)]
    return swap(blocks, USEFULNESS_BLOCKS, new)


def after_pod_fit(blocks: Sequence[dict[str, Any]], answer: PodFitAnswer) -> Blocks | None:
    if answer.fit == FINE and answer.recorded:
        new = pod_fit_blocks(answer.session_id, answered_fine=True)
    else:
        reply = pod_fit_reply(answer)
        new = [section(f"{POD_FIT_QUESTION}\n{reply}", block_id=ids.PULSE_POD_FIT_BLOCK)]
    return swap(blocks, POD_FIT_BLOCKS, new)


def swap(
    blocks: Sequence[dict[str, Any]], block_ids: Sequence[str], new_blocks: Blocks
) -> Blocks | None:
    """`blocks` with those of `block_ids` replaced by `new_blocks` (where the first
    of them was); None when none of them is there."""
    out: Blocks = []
    found = False
    for block in blocks:
        if block.get("block_id") in block_ids:
            if not found:
                out.extend(new_blocks)
                found = True
            continue
        out.append(block)
    return out if found else None


# --------------------------------------------------------------------------- the admins


def repairing_request_dm(request: RepairingRequest) -> dict[str, Any]:
    """To each program admin: who asked to move and from which pod, never why."""
    who, pod = f"<@{request.user_id}>", escape(request.pod_name)
    return {
        "text": f"A member of a pod would like a different pod: {who} in {pod}.",
        "blocks": [
            section(
                "*A member of a pod would like a different pod*\n"
                f"{who} asked to move from *{pod}*. Please reach out to them to find "
                "a better fit; nothing changes until then."
            ),
            context(
                "They pressed “I'd like a different pod” after a session; no reason is "
                "asked. `/coach pod edit NAME` changes a pod's members."
            ),
        ],
    }


# --------------------------------------------------------------------------- aggregates


def average_text(average: float) -> str:
    return f"{average:.1f}".removesuffix(".0")


def _answers(count: int) -> str:
    return "1 answer" if count == 1 else f"{count} answers"


def _requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count} requests"


def summary_text(summary: PulseSummary, *, own: bool = False) -> str:
    """Figures such as "4.3 of 5 · 9 answers", or why there are none."""
    if not summary.enough:
        return NOT_ENOUGH
    if summary.average is None:
        figures = "no answers yet" if own else "no scores yet"
    else:
        average = average_text(summary.average)
        figures = f"{average} of {HIGHEST_SCORE} · {_answers(summary.answers)}"
        if own:
            figures = f"your average {figures}"
    if summary.different_pod is not None:
        figures += f" · {_requests(summary.different_pod)} for a different pod"
    return figures
