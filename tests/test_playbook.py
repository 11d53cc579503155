"""Pod playbooks through the signed endpoint: "Edit playbook" on the pod edit modal,
the pushed playbook modal and its inline errors, and the override showing in that
pod's coach brief and no other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.program_content import get_content
from bot.scheduler import run_once
from bot.services import sessions as svc
from models import PodPlaybook, PodSession
from slack_standin.server import buttons, visible_text
from tests.test_sessions import seasoned_pod

MONDAY_9 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SESSION_START = datetime(2026, 3, 3, 15, tzinfo=UTC)  # Tuesday 15:00 London
PREP_TIME = SESSION_START - timedelta(hours=24)
THEMES, PROMPTS = "Themes, one per line", "Your pod's prompts, one per line"
OUR_PROMPT = "What did you notice about yourself this week?"
OUTSIDER = "U0OUT"
FIRST_SHIPPED = get_content().themes[0].title


@pytest.fixture
def pods(db, slack):
    """Pathfinders (U1–U3, #pathfinders) and Trailblazers (U4–U6, #trailblazers),
    seasoned, their next sessions scheduled."""
    for number in range(1, 7):
        slack.add_user(f"U{number}", f"user{number}", tz="Europe/London")
    slack.add_user(OUTSIDER, "outsider")
    slack.add_channel("CPOD", "pathfinders", members=["U1", "U2", "U3"])
    slack.add_channel("CPOD2", "trailblazers", members=["U4", "U5", "U6"])
    with db.transaction() as tx:
        first, _ = seasoned_pod(tx)
        second, _ = seasoned_pod(tx, "Trailblazers", ("U4", "U5", "U6"), channel_id="CPOD2")
        svc.schedule_upcoming(tx, MONDAY_9)
        return {"Pathfinders": first.id, "Trailblazers": second.id}


def open_playbook(signed, slack, user_id="U1", pod="Pathfinders"):
    response = signed.command(user_id, f"pod edit {pod}")
    assert response.status == 200 and not response.problems, response.problems
    (edit,) = slack.open_views(user_id)
    assert ("Edit playbook", "playbook_open") in [b[:2] for b in buttons(edit)]
    response = signed.press(user_id, edit, "Edit playbook")
    assert not response.problems, response.problems
    stack = slack.open_views(user_id)
    assert len(stack) == 2 and stack[0]["id"] == edit["id"]
    return stack[-1]


def theme_of_next(db, pod_id) -> str | None:
    with db.transaction() as tx:
        return tx.scalar(
            select(PodSession.theme_key)
            .where(PodSession.pod_id == pod_id)
            .order_by(PodSession.starts_at.desc())
        )


def stored(db, pod_id) -> PodPlaybook | None:
    with db.transaction() as tx:
        row = tx.get(PodPlaybook, pod_id)
        if row is not None:
            tx.expunge(row)
        return row


@pytest.mark.parametrize(
    ("field", "text", "problem"),
    [
        ("themes", "\n".join(f"Theme {n}" for n in range(21)), "at most 20 themes"),
        ("themes", "x" * 76, "75 characters or fewer (line 1 is longer)"),
        ("themes", "Hiring well\nhiring  WELL", "Line 2 repeats line 1"),
        ("prompts", f"{OUR_PROMPT}\n" + "y" * 301, "300 characters or fewer (line 2 is longer)"),
        ("prompts", "\n".join(f"Question {n}?" for n in range(31)), "at most 30 prompts"),
    ],
)
def test_playbook_limits_are_inline_errors_and_nothing_is_saved(
    signed, slack, pods, db, field, text, problem
):
    view = open_playbook(signed, slack)
    label = THEMES if field == "themes" else PROMPTS
    signed.view_submission("U1", view, by_label={label: text})
    assert problem in slack.view_errors(view["id"])[field]
    assert len(slack.open_views("U1")) == 2
    assert stored(db, pods["Pathfinders"]) is None


def test_a_playbook_shows_in_that_pods_brief_and_no_other(signed, slack, pods, db, rt, clock):
    view = open_playbook(signed, slack)
    assert FIRST_SHIPPED in visible_text(view)  # the hint names the program's themes
    signed.view_submission(
        "U1",
        view,
        by_label={THEMES: "Running better 1:1s\n  Hiring well ", PROMPTS: f"{OUR_PROMPT}\n"},
    )
    stack = slack.open_views("U1")
    assert len(stack) == 1 and stack[0]["callback_id"] == "pod_form"  # back on the pod form
    saved = visible_text(slack.dms("U1")[-1])
    assert "Saved *Pathfinders*'s playbook" in saved
    assert "2 themes of its own, with 1 prompt of its own" in saved
    assert "Next session's theme: *Running better 1:1s*" in saved
    row = stored(db, pods["Pathfinders"])
    assert row.themes == ["Running better 1:1s", "Hiring well"]
    assert row.prompts == [OUR_PROMPT] and row.updated_by == "U1"

    # Opened again: the playbook as saved.
    signed.view_closed("U1", stack[0])
    again = open_playbook(signed, slack, "U2")
    assert "Running better 1:1s\nHiring well" in visible_text(again)

    clock.set(PREP_TIME)
    run_once(rt, clock())
    briefs = {
        user_id: [m for m in slack.dms(user_id) if "Your coach brief" in visible_text(m)]
        for user_id in ("U1", "U2", "U3", "U4", "U5", "U6")
    }
    pathfinders = [visible_text(m) for u in ("U1", "U2", "U3") for m in briefs[u]]
    trailblazers = [visible_text(m) for u in ("U4", "U5", "U6") for m in briefs[u]]
    assert len(pathfinders) == 1 and len(trailblazers) == 1
    assert "Running better 1:1s" in pathfinders[0] and OUR_PROMPT in pathfinders[0]
    assert "Running better 1:1s" not in trailblazers[0] and OUR_PROMPT not in trailblazers[0]
    assert FIRST_SHIPPED in trailblazers[0]
    channel = visible_text(slack.messages_to("CPOD")[-1])
    assert "Running better 1:1s" in channel
    assert slack.problems == []


def test_clearing_the_themes_restores_the_shipped_rotation(signed, slack, pods, db):
    view = open_playbook(signed, slack)
    signed.view_submission("U1", view, by_label={THEMES: "Hiring well"})
    assert theme_of_next(db, pods["Pathfinders"]) == "custom:Hiring well"

    signed.view_closed("U1", slack.open_views("U1")[0])
    view = open_playbook(signed, slack)
    signed.view_submission("U1", view, by_label={THEMES: ""})
    assert stored(db, pods["Pathfinders"]) is None
    assert theme_of_next(db, pods["Pathfinders"]) == get_content().themes[0].key
    assert "follows the program's themes" in visible_text(slack.dms("U1")[-1])
    assert theme_of_next(db, pods["Trailblazers"]) == get_content().themes[0].key


def test_someone_outside_the_pod_cannot_open_its_playbook(signed, slack, pods, db):
    signed.block_action(OUTSIDER, "playbook_open", value=str(pods["Pathfinders"]))
    (refusal,) = slack.open_views(OUTSIDER)
    shown = visible_text(refusal)
    assert "Only members of Pathfinders and program admins can edit its playbook" in shown
    assert stored(db, pods["Pathfinders"]) is None


def test_the_create_form_has_no_playbook_button(signed, slack, pods):
    signed.command("U1", "pod create")
    (view,) = slack.open_views("U1")
    assert "playbook_open" not in [b[1] for b in buttons(view)]
