"""One broken pod, or one failing step, costs only its own messages: every other
pod's prep reminders reach Slack in the same tick, the failure is logged with the
pod's id, and the broken pod's reminders go out on the first tick after it is fixed."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot import tick as tick_module
from bot.scheduler import run_once
from models import Pod
from slack_standin.server import visible_text
from tests.test_sessions import seasoned_pod
from tests.test_tick import MONDAY_9, PREP_TIME

PODS = {"Alpha": "CALPHA", "Broken": "CBROKEN", "Gamma": "CGAMMA"}


@pytest.fixture
def three_pods(db, slack, rt, clock):
    """Three pods of three people each, their sessions scheduled for Tuesday 15:00 London."""
    pods = {}
    with db.transaction() as tx:
        for name, channel in PODS.items():
            user_ids = [f"U{name.upper()}{n}" for n in range(3)]
            for user_id in user_ids:
                slack.add_user(user_id, user_id.lower())
            slack.add_channel(channel, name.lower(), members=user_ids)
            pod, _ = seasoned_pod(tx, name, tuple(user_ids), channel_id=channel)
            pods[name] = (pod.id, user_ids)
    clock.set(MONDAY_9)
    run_once(rt)
    return pods


def prep_dms(slack, user_id: str) -> list[dict]:
    return [m for m in slack.dms(user_id) if "Set your intent." in m["text"]]


def assert_prep_reminders_once(slack, name: str, user_ids: list[str]) -> None:
    (channel_message,) = slack.messages_to(PODS[name])
    assert "Tue 3 Mar, 15:00 (Europe/London)" in visible_text(channel_message)
    for user_id in user_ids:
        assert len(prep_dms(slack, user_id)) == 1, user_id


def tick_errors(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.tick" and record.levelno >= logging.ERROR
    ]


def test_a_broken_pod_does_not_stop_the_others_and_is_retried(
    db, rt, clock, slack, three_pods, caplog
):
    broken_id, broken_people = three_pods["Broken"]
    with db.transaction() as tx:
        tx.get(Pod, broken_id).timezone = "Mars/Olympus_Mons"  # no CHECK holds this column

    clock.set(PREP_TIME)
    with caplog.at_level(logging.ERROR, logger="bot.tick"):
        run_once(rt)

    for name in ("Alpha", "Gamma"):
        assert_prep_reminders_once(slack, name, three_pods[name][1])
    assert slack.messages_to(PODS["Broken"]) == []
    assert all(prep_dms(slack, user_id) == [] for user_id in broken_people)
    assert any(f"pod {broken_id}" in line for line in tick_errors(caplog))

    with db.transaction() as tx:
        tx.get(Pod, broken_id).timezone = "Europe/London"
    for minutes in (1, 2):
        clock.set(PREP_TIME + timedelta(minutes=minutes))
        run_once(rt)

    for name in PODS:
        assert_prep_reminders_once(slack, name, three_pods[name][1])


def test_a_failing_step_does_not_stop_the_prep_reminders(
    rt, clock, slack, three_pods, monkeypatch, caplog
):
    def broken_nudges(tx, now):
        raise RuntimeError("nudges are broken")

    monkeypatch.setattr(tick_module.notify_experiments, "enqueue_due_nudges", broken_nudges)
    clock.set(PREP_TIME)
    with caplog.at_level(logging.ERROR, logger="bot.tick"):
        run_once(rt)

    for name, (_, user_ids) in three_pods.items():
        assert_prep_reminders_once(slack, name, user_ids)
    assert any("experiment nudges failed" in line for line in tick_errors(caplog))
