"""ACK FIRST: whatever Slack's Web API does — every method slow, or one of them
rate-limited with Retry-After — each command, button and form is acknowledged
within Slack's 3 seconds, and the person still gets their modal or answer.

Driven through the signed endpoint against the stand-in, which records a late
ack in `slack.problems`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from models import Pod
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import ADMIN, ALICE, BOB, DAN, OUTSIDER

SLOW = 2.5
RETRY_AFTER = 3
SETTLE_SECONDS = 90.0


@dataclass
class Person:
    """What one person has on screen, to tell what a step showed them."""

    user_id: str
    ephemerals: int = 0
    dms: int = 0
    views: tuple[str, ...] = ()


class Run:
    """Slack's side for these tests: unsettled requests (so the ack is timed alone),
    then a wait for the bot's listeners, however slow Slack makes them."""

    def __init__(self, signed, bot, slack, arm: Callable[[], None]) -> None:
        self.sim = signed.sim
        self.bot = bot
        self.slack = slack
        self.arm = arm

    def settle(self) -> None:
        self.bot.executor.settle(timeout=SETTLE_SECONDS)

    def seen(self, user_id: str) -> Person:
        return Person(
            user_id,
            len(self.slack.ephemerals(user_id)),
            len(self.slack.dms(user_id)),
            tuple(view["id"] for view in self.slack.open_views(user_id)),
        )

    def new_answers(self, before: Person) -> list[str]:
        shown = self.slack.ephemerals(before.user_id)[before.ephemerals :]
        shown += self.slack.dms(before.user_id)[before.dms :]
        return [visible_text(message) for message in shown]

    def command(self, user_id: str, text: str, *, faults: bool = True) -> Person:
        """Runs `/coach text`; returns what the person had on screen before it."""
        before = self.seen(user_id)
        if faults:
            self.arm()
        response = self.sim.command(user_id, text)
        assert response.status == 200 and not response.problems, (text, response.problems)
        self.settle()
        return before

    def answer_to(self, user_id: str, text: str) -> str:
        before = self.command(user_id, text)
        answers = self.new_answers(before)
        assert answers, f"/coach {text}: {user_id} was told nothing"
        return answers[-1]

    def modal_from(self, user_id: str, text: str) -> dict:
        """The modal `/coach text` opens; when Slack kept it from opening in time the
        person is told so, and runs the command again."""
        before = self.command(user_id, text)
        views = self.slack.open_views(user_id)
        if views and views[-1]["id"] not in before.views:
            return views[-1]
        answers = self.new_answers(before)
        assert answers, f"/coach {text}: no modal and no answer for {user_id}"
        assert any("Slack didn't let me open" in a or "try again" in a.lower() for a in answers)
        self.command(user_id, text, faults=False)
        return self.slack.open_views(user_id)[-1]


def scenario(run: Run, slack, db) -> None:
    help_text = run.answer_to(ALICE, "help")
    assert "/coach pod create" in help_text

    # The pod form: opened at once, the timezone filled in after; submitted, acked
    # with "working…", checked with Slack, saved, confirmed.
    form = run.modal_from(DAN, "pod create")
    assert form["callback_id"] == "pod_form"
    form = slack.open_views(DAN)[-1]
    before = run.seen(DAN)
    run.arm()
    response = run.sim.view_submission(
        DAN,
        form,
        {
            "name": "Slow Pod",
            "focus_kind": "goal",
            "members": [DAN, OUTSIDER],
            "weekday": "3",
            "time": "11:00",
            **({} if "timezone" not in form_inputs(form) else {"timezone": "Europe/Berlin"}),
        },
    )
    assert response.status == 200 and not response.problems, response.problems
    run.settle()
    shown = visible_text(slack.open_views(DAN)[-1])
    assert "*Slow Pod* is set up" in shown, shown
    assert any("*Slow Pod* is set up" in a for a in run.new_answers(before))
    with db.transaction() as tx:
        pod_id = tx.scalar(select(Pod.id).where(Pod.name == "Slow Pod"))
    assert pod_id is not None

    assert "Slow Pod" in run.answer_to(BOB, "pod list")
    listing = slack.ephemerals(BOB)[-1]

    before = run.seen(BOB)
    run.arm()
    response = run.sim.press(BOB, listing, "Join", value=str(pod_id))
    assert not response.problems, response.problems
    run.settle()
    assert any("You joined *Slow Pod*" in a for a in run.new_answers(before))

    assert "You joined *Slow Pod*" in run.answer_to(ALICE, "pod join slow pod")
    assert "Your next sessions" in run.answer_to(ALICE, "next")
    assert "You're skipping" in run.answer_to(ALICE, "skip")

    checkin = run.modal_from(BOB, "checkin")
    assert checkin["callback_id"]
    reflect_before = run.seen(BOB)
    run.arm()
    response = run.sim.command(BOB, "reflect")
    assert not response.problems, response.problems
    run.settle()
    assert run.seen(BOB).views != reflect_before.views or run.new_answers(reflect_before)
    assert run.answer_to(BOB, "experiments")

    # The community surfaces answer after their ack too.
    assert "Kudos" in run.answer_to(ALICE, f"kudos <@{BOB}|bob> #curiosity great questions")
    assert run.answer_to(ALICE, "stats")
    assert run.answer_to(ALICE, "growth")
    assert run.answer_to(ALICE, "calendar")
    assert run.modal_from(ADMIN, "admin")["callback_id"] == "program_settings"


def form_inputs(view: dict) -> set[str]:
    return {b.get("block_id") for b in view["blocks"] if b.get("type") == "input"}


def late_acks(slack) -> list[str]:
    return [p for p in slack.problems if "acked after" in p or "HTTP" in p]


def test_every_ack_is_in_time_when_slack_is_slow(signed, bot, slack, world, db):
    slack.set_latency("*", SLOW)
    run = Run(signed, bot, slack, arm=lambda: None)
    scenario(run, slack, db)
    assert late_acks(slack) == []


@pytest.mark.parametrize(
    "method",
    ["users.info", "chat.postMessage", "conversations.open", "views.open", "views.update"],
)
def test_every_ack_is_in_time_when_slack_rate_limits(signed, bot, slack, world, db, method):
    def arm() -> None:
        slack.calm()
        slack.rate_limit(method, times=1, retry_after=RETRY_AFTER)

    run = Run(signed, bot, slack, arm=arm)
    scenario(run, slack, db)
    assert late_acks(slack) == []
    assert any(call.method == method and not call.ok for call in slack.calls)
