"""A pod opts in to be celebrated by name in the weekly digest from its create/edit
modal; the digest then names it with its streak of sessions held, and stops
naming it once the box is unticked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from models import PodSession
from slack_standin.blockcheck import visible_text
from tests.test_digest import FRIDAY_9, digest_rows, session, settings, tick
from tests.test_pods import create_pod, input_element, modal_of, people, pod_named  # noqa: F401

pytestmark = pytest.mark.usefixtures("people")

ALICE = "U0ALICE"
CELEBRATE = "Celebrate this pod by name in the weekly digest"


def edit(signed, slack, celebrate: bool):  # type: ignore[no-untyped-def]
    signed.command(ALICE, "pod edit Platform Leads")
    view = modal_of(slack, ALICE)
    response = signed.view_submission(
        ALICE, view, {"celebrate": ["celebrate"] if celebrate else []}
    )
    assert response.status == 200 and not response.problems
    assert "is updated" in visible_text(modal_of(slack, ALICE))


def hold_everything_before(db, pod_id: int, cutoff) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        tx.execute(
            update(PodSession)
            .where(PodSession.pod_id == pod_id, PodSession.starts_at < cutoff)
            .values(held_at=PodSession.starts_at)
        )


def digest_of_the_week(db, at) -> str:  # type: ignore[no-untyped-def]
    tick(db, at)
    return visible_text(digest_rows(db)[-1].payload)


def test_the_checkbox_is_offered_unticked_and_prefilled_on_edit(signed, slack, db):
    create_pod(signed, slack, ALICE)
    assert pod_named(db, "Platform Leads").celebrate is False
    signed.command(ALICE, "pod edit Platform Leads")
    view = modal_of(slack, ALICE)
    assert CELEBRATE in visible_text(view)
    assert "never anyone's words" in visible_text(view)
    assert "initial_options" not in input_element(view, "celebrate")

    signed.view_submission(ALICE, view, {"celebrate": ["celebrate"]})
    assert pod_named(db, "Platform Leads").celebrate is True
    signed.command(ALICE, "pod edit Platform Leads")
    ticked = input_element(modal_of(slack, ALICE), "celebrate")["initial_options"]
    assert [o["value"] for o in ticked] == ["celebrate"]


def test_a_pod_can_be_created_celebrated(signed, slack, db):
    create_pod(signed, slack, ALICE, celebrate=["celebrate"])
    assert pod_named(db, "Platform Leads").celebrate is True


def test_the_digest_names_a_celebrated_pod_and_stops_once_unticked(signed, slack, db):
    create_pod(signed, slack, ALICE)
    pod = pod_named(db, "Platform Leads")
    with db.transaction() as tx:
        settings(tx)
        for weeks in (1, 2):
            session(tx, pod, FRIDAY_9 - timedelta(weeks=weeks, days=3))
    hold_everything_before(db, pod.id, FRIDAY_9 + timedelta(weeks=2))

    text = digest_of_the_week(db, FRIDAY_9)
    assert "Pods keeping the rhythm" not in text and "Platform Leads" not in text

    edit(signed, slack, celebrate=True)
    text = digest_of_the_week(db, FRIDAY_9 + timedelta(weeks=1))
    assert "Pods keeping the rhythm" in text
    assert "*Platform Leads*: 3 sessions held in a row" in text

    edit(signed, slack, celebrate=False)
    text = digest_of_the_week(db, FRIDAY_9 + timedelta(weeks=2))
    assert "Platform Leads" not in text
