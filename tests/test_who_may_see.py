"""Who may see what, and do what: every command, button and submission that touches
someone else's things, tried by a person not in any pod, a member of another pod, a
member of the same pod who is not an admin, and a person of another workspace (another
`team_id`), with button values and modal metadata crafted to name Alice's check-in,
experiment, reflection, session, pod or contribution. Each is refused with a clear
answer, changes nothing, and shows none of Alice's words.

Alice (pod Growth, with Bob and Carol) has checked in privately (an intent, an
exploration, an experiment), shared a reflection for the digest and contributed a tactic
waiting for review. Dan is in another pod (Other); Nobody is in no pod; Eve is in another
workspace. Adam is a program admin (a Slack admin).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from bot.services import reflections
from bot.ui.answers import SORRY
from models import Base, CheckIn, CommunityTactic, Experiment
from slack_standin.blockcheck import visible_text
from slack_standin.signing import SlackClientSim, build_state_values
from tests.support.harness import SIGNING_SECRET, SettledSlackSide
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    DAN,
    OUTSIDER,
    TEAM,
    World,
    checkin_values,
    make_pod,
    modal_on_screen,
)

NOBODY, EVE = "U0NOBODY", "U0EVE"
OTHER_TEAM = "T0TWO"
SECRET = "ZEBRA"  # in every word Alice wrote; never in what anyone else sees
IGNORED = {"request_receipts", "slack_event_receipts", "members"}


# ---------------------------------------------------------------- the scene


@dataclass
class Alices:
    session_id: int
    pod_id: int
    other_pod_id: int
    checkin_id: int
    experiment_id: int
    reflection_id: int
    tactic_id: int


@pytest.fixture
def alices(signed, slack, rt, clock, world: World) -> Alices:  # type: ignore[no-untyped-def]
    slack.add_user(NOBODY, "nobody", tz="UTC")
    slack.add_user(EVE, "eve", tz="UTC")
    signed.command(ALICE, "checkin")
    values = checkin_values(
        intent=f"{SECRET} intent: how do I stop rescuing my team?",
        exploration=f"{SECRET} exploration: I fear they will fail.",
        experiment=f"{SECRET} experiment: let one thing fail safely.",
        share=False,
    )
    signed.view_submission(ALICE, modal_on_screen(slack, ALICE), values)
    with rt.db.transaction() as tx:
        saved = reflections.submit_reflection(
            tx,
            TEAM,
            ALICE,
            None,
            reflections.SOURCE_COMMAND,
            {"insight": f"{SECRET} insight", "action": f"{SECRET} action", "share": ["share"]},
            clock(),
        )
        other = make_pod(tx, "Other", [DAN, OUTSIDER], clock(), channel_id=None)
        other_pod_id = other.id
    signed.command(ALICE, "prompts add")
    signed.view_submission(
        ALICE,
        modal_on_screen(slack, ALICE),
        by_label={
            "What are you sharing?": "question",
            "Your question, tactic or reframe": f"{SECRET}: what would you try first?",
            "Where does it fit?": "Giving hard feedback",
        },
    )
    with rt.db.transaction() as tx:
        alices = Alices(
            session_id=world.session_id,
            pod_id=world.pod_id,
            other_pod_id=other_pod_id,
            checkin_id=tx.scalar(select(CheckIn.id)),
            experiment_id=tx.scalar(select(Experiment.id)),
            reflection_id=saved.reflection_id,
            tactic_id=tx.scalar(select(CommunityTactic.id)),
        )
    slack.reset()
    return alices


@pytest.fixture
def eve_side(bot, slack) -> SettledSlackSide:  # type: ignore[no-untyped-def]
    """Slack's side for another workspace installing the same app."""
    return SettledSlackSide(
        SlackClientSim(bot.base_url, SIGNING_SECRET, slack, team_id=OTHER_TEAM), bot
    )


def stored(db) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    rows: dict[str, list[str]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in IGNORED:
                rows[table.name] = sorted(
                    repr(tuple(r)) for r in connection.execute(table.select())
                )
    return rows


def everything_seen_by(slack, user_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    seen = [visible_text(m) for m in slack.ephemerals(user_id)]
    seen += [visible_text(m) for m in slack.dms(user_id)]
    seen += [visible_text(v) for v in slack.open_views(user_id)]
    for view in slack.open_views(user_id):
        seen += list(slack.view_errors(view["id"]).values())
    home = slack.home(user_id)
    if home is not None:
        seen.append(visible_text(home))
    return seen


# ---------------------------------------------------------------- crafted requests


def crafted_submission(
    side, slack, user_id: str, view: dict[str, Any], metadata: str, values: dict[str, Any]
):  # type: ignore[no-untyped-def]
    """A view submission whose private metadata names someone else's thing (only a forged
    request could carry it: Slack keeps a modal's metadata)."""
    sim = side.sim
    payload = sim._interaction_base("view_submission", user_id, slack.new_trigger_id(user_id))
    payload["view"] = {
        **view,
        "private_metadata": metadata,
        "state": {"values": _state(view, values)},
    }
    payload["response_urls"] = []
    response = sim._send_payload(payload)
    side.bot.settle()
    if response.body:
        errors = response.json().get("errors") or {}
        return list(errors.values())
    return []


def _state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The modal's own inputs as Slack builds them, or plain text inputs for fields the
    base modal lacks (what a forger would type)."""
    try:
        return build_state_values(view, values)
    except LookupError:
        return {
            name: {name: {"type": "plain_text_input", "value": value}}
            for name, value in values.items()
        }


Try = Callable[..., list[str] | None]


def press(action_id: str, value: Callable[[Alices], str]) -> Try:
    def attempt(side, slack, actor, alices):  # type: ignore[no-untyped-def]
        side.block_action(actor, action_id, value=value(alices))
        return None

    return attempt


def command(text: str | Callable[[Alices], str]) -> Try:
    def attempt(side, slack, actor, alices):  # type: ignore[no-untyped-def]
        side.command(actor, text(alices) if callable(text) else text)
        return None

    return attempt


def experiment_note_for_alices(side, slack, actor, alices):  # type: ignore[no-untyped-def]
    view = _a_modal(side, slack, actor, "prompts add")
    view = {**view, "callback_id": ids.EXPERIMENT_NOTE_CALLBACK}
    metadata = f'{{"experiment_id": {alices.experiment_id}}}'
    return crafted_submission(side, slack, actor, view, metadata, {"note": f"not {SECRET}"})


def checkin_for_alices_session(side, slack, actor, alices):  # type: ignore[no-untyped-def]
    view = _a_modal(side, slack, actor, "prompts add")
    view = {**view, "callback_id": ids.CHECKIN_CALLBACK}
    metadata = f'{{"session_id": {alices.session_id}}}'
    return crafted_submission(side, slack, actor, view, metadata, checkin_values(share=False))


def reflection_for_alices_session(side, slack, actor, alices):  # type: ignore[no-untyped-def]
    view = _a_modal(side, slack, actor, "prompts add")
    view = {**view, "callback_id": ids.REFLECTION_CALLBACK}
    metadata = f'{{"session_id": {alices.session_id}, "source": "button"}}'
    values = {"insight": "Mine, not hers.", "action": "Ask.", "share": []}
    return crafted_submission(side, slack, actor, view, metadata, values)


def playbook_for_alices_pod(side, slack, actor, alices):  # type: ignore[no-untyped-def]
    view = _a_modal(side, slack, actor, "prompts add")
    view = {**view, "callback_id": ids.PLAYBOOK_CALLBACK}
    metadata = f'{{"pod_id": {alices.pod_id}}}'
    return crafted_submission(side, slack, actor, view, metadata, {"themes": "Taken over"})


def pod_edit_for_alices_pod(side, slack, actor, alices):  # type: ignore[no-untyped-def]
    side.command(actor, "pod create")
    view = modal_on_screen(slack, actor)
    metadata = f'{{"pod_id": {alices.pod_id}}}'
    values = {
        "name": "Growth",
        "focus_kind": "function",
        "focus_text": "Taken over",
        "members": [actor, NOBODY],
        "cadence": "1",
        "weekday": "1",
        "time": "15:00",
    }
    return crafted_submission(side, slack, actor, view, metadata, values)


def _a_modal(side, slack, actor: str, text: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    side.command(actor, text)
    return modal_on_screen(slack, actor)


# Every way to reach another person's things. Each tried by every outsider below.
ATTEMPTS: dict[str, Try] = {
    "experiment tried": press(ids.EXPERIMENT_TRIED_ACTION, lambda a: str(a.experiment_id)),
    "experiment not yet": press(ids.EXPERIMENT_NOT_YET_ACTION, lambda a: str(a.experiment_id)),
    "experiment drop": press(ids.EXPERIMENT_DROP_ACTION, lambda a: str(a.experiment_id)),
    "experiment add note": press(ids.EXPERIMENT_ADD_NOTE_ACTION, lambda a: str(a.experiment_id)),
    "experiment note form": experiment_note_for_alices,
    "withdraw a learning": press(ids.LEARNING_WITHDRAW_ACTION, lambda a: str(a.reflection_id)),
    "check in for the session": press(ids.CHECKIN_OPEN_ACTION, lambda a: str(a.session_id)),
    "check-in form": checkin_for_alices_session,
    "reflect on the session": press(ids.REFLECT_OPEN_ACTION, lambda a: str(a.session_id)),
    "reflection form": reflection_for_alices_session,
    "we met": press(ids.WE_MET_ACTION, lambda a: str(a.session_id)),
    "pulse score": press(ids.PULSE_SCORE_ACTIONS[4], lambda a: f"{a.session_id}:5"),
    "pod fit": press(ids.PULSE_POD_DIFFERENT_ACTION, lambda a: str(a.session_id)),
    "open the playbook": press(ids.PLAYBOOK_OPEN_ACTION, lambda a: str(a.pod_id)),
    "playbook form": playbook_for_alices_pod,
    "pod edit command": command("pod edit Growth"),
    "pod edit form": pod_edit_for_alices_pod,
    "pod cancel": command("pod cancel Growth"),
    "approve a tactic": press(ids.TACTIC_APPROVE_ACTION, lambda a: str(a.tactic_id)),
    "decline a tactic": press(ids.TACTIC_DECLINE_ACTION, lambda a: str(a.tactic_id)),
    "admin settings": command("admin"),
    "digest preview": press(ids.DIGEST_PREVIEW_ACTION, lambda a: ""),
    "post the digest": press(ids.DIGEST_POST_NOW_ACTION, lambda a: ""),
    "post the review": press(ids.REVIEW_POST_ACTION, lambda a: ""),
}

# Who tries: (name, user, side fixture). Bob is in Alice's pod: what pod members may do
# together (check in, reflect, "we met", the pulse, the playbook, the pod form) is his to
# do, so he tries only what is Alice's alone and what is the admins'.
POD_TOGETHER = {
    "check in for the session",
    "check-in form",
    "reflect on the session",
    "reflection form",
    "we met",
    "pulse score",
    "pod fit",
    "open the playbook",
    "playbook form",
    "pod edit command",
    "pod edit form",
}
OUTSIDERS = {
    "no pod": NOBODY,
    "another pod": DAN,
    "same pod, not admin": BOB,
    "another workspace": EVE,
}
CASES = [
    (who, what)
    for who in OUTSIDERS
    for what in ATTEMPTS
    if not (who == "same pod, not admin" and what in POD_TOGETHER)
]


# What the refusals say: whose it is, who may, or that there is no such thing here.
REFUSALS = (
    "only",
    "someone else",
    "can't find",
    "no longer exists",
    "not waiting for the digest",
    "isn't one of yours",
    "there is no pod called",
)


@pytest.mark.parametrize(("who", "what"), CASES)
def test_refused_clearly_nothing_changed_nothing_shown(
    who, what, alices, signed, eve_side, slack, rt, clock
):
    actor = OUTSIDERS[who]
    side = eve_side if who == "another workspace" else signed
    if what in ("we met", "pulse score", "pod fit"):
        clock.set(clock() + timedelta(days=1, hours=7))  # the session has ended
    before = stored(rt.db)
    inline = ATTEMPTS[what](side, slack, actor, alices) or []
    assert stored(rt.db) == before
    seen = everything_seen_by(slack, actor) + inline
    assert not any(SECRET in text for text in seen), seen
    answers = [text for text in seen if text.strip()]
    assert SORRY not in answers
    refusals = [a for a in answers if any(word in a.lower() for word in REFUSALS)]
    assert refusals, f"no clear refusal among {answers}"
    assert slack.dms(ALICE) == [] and slack.dms(ADMIN) == []


# ---------------------------------------------------------------- what each may see


def test_a_pod_member_sees_only_what_alice_shared(alices, signed, slack):
    signed.command(BOB, "experiments")
    signed.command(BOB, "stats")
    signed.app_home_opened(BOB)
    assert not any(SECRET in text for text in everything_seen_by(slack, BOB))


def test_the_admin_sees_numbers_and_the_pending_tactic_never_a_persons_words(alices, signed, slack):
    signed.command(ADMIN, "stats")
    signed.command(ADMIN, "admin")
    signed.press(ADMIN, modal_on_screen(slack, ADMIN), "Preview digest")
    seen = everything_seen_by(slack, ADMIN)
    assert not any(f"{SECRET} intent" in t or f"{SECRET} insight" in t for t in seen), seen
    assert not any(f"{SECRET} exploration" in t for t in seen)


def test_another_workspace_sees_none_of_this_workspaces_pods(alices, eve_side, slack):
    eve_side.command(EVE, "pod list")
    eve_side.command(EVE, "my-data export")
    eve_side.command(EVE, "prompts hard feedback")
    seen = everything_seen_by(slack, EVE)
    assert not any("Growth" in text or SECRET in text for text in seen), seen
