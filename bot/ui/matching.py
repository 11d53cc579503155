"""Block Kit for matching: the proposed pods (with a Create button each and Create
all), what an unplaced person is told, the reshuffle offer and notice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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
    section,
    tick_box,
    truncate,
)
from bot.ui.dates import WEEKDAY_NAMES, clock_time, local_date_time_with_zone
from models.matching_forms import (
    BY_FOCUS_VALUE,
    CADENCE_MAX,
    RESHUFFLE_MAX,
    RESHUFFLE_MIN,
    SIZE_MAX,
    SIZE_MIN,
    SPREAD_MAX,
    MatchingSettingsValues,
)
from models.matching_views import (
    AcceptOutcome,
    ProposedPodView,
    ReshuffleNotice,
    ReshuffleOffer,
    RunView,
    UnplacedView,
)

PODS_SHOWN = 12
"""Pods shown with their own button (a message holds 50 blocks); Create all takes all."""
UNPLACED_SHOWN = 15
SECTION_MAX = 2900
STATUS_WORDS = {
    "accepted": "created",
    "creating": "being created…",
    "stale": "can no longer be created as proposed",
}


def _names(names: Sequence[str]) -> str:
    shown = [escape(n) for n in names]
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _pod_block(pod: ProposedPodView, reshuffle: bool = False) -> dict[str, Any]:
    rhythm = f"{WEEKDAY_NAMES[pod.weekday]}s {clock_time(pod.local_time)} {pod.timezone}"
    text = (
        f"*Pod {pod.position}* · {len(pod.names)} people · score {pod.score:g}\n"
        f"{_names(pod.names)}\n"
        f"_{escape(pod.reasons)}_\n"
        f"Meets {escape(rhythm)} ({escape(pod.slot_text)})"
    )
    if reshuffle:
        text = f"*{escape(pod.reasons)}*\nMeets {escape(rhythm)}, as before"
    if pod.status == "pending":
        label = "Apply" if reshuffle else "Create this pod"
        accessory = button(label, ids.MATCH_ACCEPT_ACTION, str(pod.proposal_id))
        return section(truncate(text, SECTION_MAX), accessory=accessory)
    status = STATUS_WORDS.get(pod.status, pod.status)
    if reshuffle and pod.status == "accepted":
        status = "applied"
    elif pod.status == "accepted" and pod.pod_name:
        status = f"created as *{escape(pod.pod_name)}*"
    return section(truncate(f"{text}\n:white_check_mark: {status}", SECTION_MAX))


def proposal_message(run: RunView) -> dict[str, Any]:
    if run.kind == "reshuffle":
        return reshuffle_message(run)
    placed = sum(len(p.names) for p in run.pods)
    summary = (
        f"{len(run.pods)} pod{'' if len(run.pods) == 1 else 's'} for {placed} of "
        f"{run.people} people ready to be matched"
        f"{f'; {len(run.unplaced)} not placed' if run.unplaced else ''}."
    )
    blocks: list[dict[str, Any]] = [
        header("Proposed pods"),
        section(summary),
        context(
            f"Score {run.score:g} (greedy start {run.greedy_score:g}). Each pod meets in a "
            "group DM, first session at the slot shown. Nobody is told until you create a pod."
        ),
    ]
    for pod in run.pods[:PODS_SHOWN]:
        blocks.append(_pod_block(pod))
    if len(run.pods) > PODS_SHOWN:
        blocks.append(
            context(
                f"{len(run.pods) - PODS_SHOWN} more pods are not shown here; "
                "Create all takes every pod."
            )
        )
    pending = run.pending
    if pending:
        blocks.append(
            actions(
                button(
                    f"Create all {len(pending)} pending pods"
                    if len(pending) > 1
                    else "Create the pending pod",
                    ids.MATCH_ACCEPT_ALL_ACTION,
                    str(run.run_id),
                    style="primary",
                ),
                block_id=ids.MATCH_PODS_BLOCK,
            )
        )
    if run.unplaced:
        blocks.append(divider())
        lines = [f"• {escape(u.name)}: {escape(u.reason)}" for u in run.unplaced[:UNPLACED_SHOWN]]
        if len(run.unplaced) > UNPLACED_SHOWN:
            lines.append(f"…and {len(run.unplaced) - UNPLACED_SHOWN} more.")
        blocks.append(
            section(
                truncate(
                    "*Not placed this round* (each gets a DM saying why)\n" + "\n".join(lines),
                    SECTION_MAX,
                )
            )
        )
    return {"text": f"Proposed pods: {summary}", "blocks": blocks}


def reshuffle_message(run: RunView) -> dict[str, Any]:
    summary = (
        f"The reshuffle changes {len(run.pods)} pod{'' if len(run.pods) == 1 else 's'} of "
        f"{run.people} people; each keeps at least half its members (and everyone who "
        "opted out), the rest meet new peers."
    )
    if not run.pods:
        summary = "The reshuffle found no change worth making: every pod stays as it is."
    blocks: list[dict[str, Any]] = [header("Proposed reshuffle"), section(summary)]
    blocks += [_pod_block(pod, reshuffle=True) for pod in run.pods[:PODS_SHOWN]]
    pending = run.pending
    if len(pending) > 1:
        blocks.append(
            actions(
                button(
                    f"Apply all {len(pending)} changes",
                    ids.MATCH_ACCEPT_ALL_ACTION,
                    str(run.run_id),
                    style="primary",
                ),
                block_id=ids.MATCH_PODS_BLOCK,
            )
        )
    return {"text": f"Proposed reshuffle: {summary}", "blocks": blocks}


def unplaced_message(person: UnplacedView) -> dict[str, Any]:
    text = (
        "I looked for a coaching pod for you today but couldn't place you this round: "
        f"{escape(person.reason)}.\n{escape(person.help)}"
    )
    return {"text": text, "blocks": [section(text)]}


def accept_message(outcomes: Sequence[AcceptOutcome]) -> str:
    if not outcomes:
        return "There were no pending pods left to create."
    created = [o for o in outcomes if o.result == "created"]
    lines = [escape(o.message) for o in outcomes]
    if len(outcomes) > 1:
        lines.insert(0, f"Created {len(created)} of {len(outcomes)} pods.")
    return "\n".join(lines)


def reshuffle_offer_message(offer: ReshuffleOffer) -> dict[str, Any]:
    text = (
        f"It's been {offer.months} months: time to offer a reshuffle of the {offer.pods} "
        "pods? Each pod keeps at least half its people; the rest move for new "
        "perspectives. Members are told a few days ahead and can keep their pod "
        "as it is with one button."
    )
    return {
        "text": text,
        "blocks": [
            section(text),
            actions(
                button(
                    "Announce the reshuffle",
                    ids.RESHUFFLE_ANNOUNCE_ACTION,
                    str(offer.round_id),
                    style="primary",
                )
            ),
        ],
    }


def reshuffle_notice_message(notice: ReshuffleNotice, tz: str | None) -> dict[str, Any]:
    when = local_date_time_with_zone(notice.takes_effect_at, tz)
    text = (
        f"Pods get reshuffled on {escape(when)}: each pod keeps at least half its people "
        "and the rest meet new peers. Happy where you are? Keep your pod as it is."
    )
    return {
        "text": text,
        "blocks": [
            section(text),
            actions(
                button("Keep my pod as it is", ids.RESHUFFLE_OPT_OUT_ACTION, str(notice.round_id))
            ),
        ],
    }


def reshuffle_announced_answer(notice: ReshuffleNotice, tz: str | None) -> str:
    when = local_date_time_with_zone(notice.takes_effect_at, tz)
    return (
        f"Announced: {len(notice.user_ids)} pod members are told today and can opt out "
        f"until {when}. Then you'll get the proposed new pods to accept."
    )


def opted_out_answer(takes_effect_at: datetime, tz: str | None, again: bool) -> str:
    when = local_date_time_with_zone(takes_effect_at, tz)
    start = "You'd already chosen this: " if again else "Done: "
    return f"{start}you keep your pod as it is in the reshuffle on {when}."


def _number(action_id: str, value: int, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "min_value": str(low),
        "max_value": str(high),
        "initial_value": str(value),
    }


def settings_modal(values: MatchingSettingsValues) -> dict[str, Any]:
    by_focus = tick_box(
        BY_FOCUS_VALUE,
        "Only match people with the same focus",
        BY_FOCUS_VALUE,
        ticked=values.by_focus,
        description="People without a focus fit any pod.",
    )
    blocks = [
        section(
            "How *Propose pods* and `coachbot match` group people: pods of similar level, "
            "complementary skills, mixed teams, a common hour, no repeats within a year."
        ),
        input_block(
            "target_size",
            "Pod size to aim for",
            _number("target_size", values.target_size, SIZE_MIN, SIZE_MAX),
        ),
        input_block(
            "min_size", "Smallest pod", _number("min_size", values.min_size, SIZE_MIN, SIZE_MAX)
        ),
        input_block(
            "max_size",
            "Largest pod",
            _number("max_size", values.max_size, SIZE_MIN, SIZE_MAX),
            hint="New pods meet in a group DM, which holds at most 8 people.",
        ),
        input_block(
            "max_level_spread",
            "Level steps a pod may span",
            _number("max_level_spread", values.max_level_spread, 0, SPREAD_MAX),
            hint="0: everyone at the same level; 1: neighbouring levels too.",
        ),
        input_block("by_focus", "Focus", by_focus, optional=True),
        input_block(
            "cadence_weeks",
            "New pods meet every … weeks",
            _number("cadence_weeks", values.cadence_weeks, 1, CADENCE_MAX),
        ),
        input_block(
            "reshuffle_months",
            "Offer a reshuffle every … months",
            _number("reshuffle_months", values.reshuffle_months, RESHUFFLE_MIN, RESHUFFLE_MAX),
            hint="I DM you a button; members are told a few days ahead and can opt out.",
        ),
    ]
    return modal(callback_id=ids.MATCH_SETTINGS_CALLBACK, title="Matching settings", blocks=blocks)


def settings_saved_message(values: MatchingSettingsValues) -> str:
    focus = "; same focus only" if values.by_focus else ""
    return (
        f"Matching settings saved: pods of {values.target_size} ({values.min_size}–"
        f"{values.max_size}), levels up to {values.max_level_spread} step(s) apart{focus}; "
        f"new pods meet every {values.cadence_weeks} week(s); a reshuffle is offered every "
        f"{values.reshuffle_months} months."
    )
