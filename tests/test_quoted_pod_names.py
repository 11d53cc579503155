"""Pods whose names carry quotes (`"Night Owls"`, made through the pod form) are found
by the name as typed, with or without surrounding quotes, straight or curly: join,
leave and edit by name through the signed endpoint."""

from __future__ import annotations

import pytest

from slack_standin.server import visible_text
from tests.test_pods import (  # noqa: F401
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    active_members,
    create_pod,
    input_element,
    last_reply,
    modal_of,
    people,
    pod_named,
)

STRAIGHT, CURLY, PLAIN = '"Night Owls"', "“Night Owls”", "Night Owls"
pytestmark = pytest.mark.usefixtures("people")

TYPED = [STRAIGHT, CURLY, PLAIN, "'night owls'", "‘Night  Owls’", '" Night Owls "']


def reply_to(signed, slack, user_id, text):
    response = signed.command(user_id, text)
    assert response.status == 200 and not response.problems, response.problems
    return visible_text(last_reply(slack, user_id))


@pytest.mark.parametrize("stored", [STRAIGHT, CURLY, PLAIN])
def test_a_pod_is_found_by_its_name_with_or_without_quotes(signed, slack, db, stored):
    create_pod(signed, slack, ALICE, name=stored, members=[ALICE, BOB, CAROL])
    pod = pod_named(db, stored)

    for typed in TYPED:
        joined = reply_to(signed, slack, DAVE, f"pod join {typed}")
        assert f"You joined *{stored}*" in joined, (typed, joined)
        assert DAVE in active_members(db, pod.id)

        left = reply_to(signed, slack, DAVE, f"pod leave {typed}")
        assert f"You left *{stored}*" in left, (typed, left)
        assert DAVE not in active_members(db, pod.id)

        signed.command(ALICE, f"pod edit {typed}")
        view = modal_of(slack, ALICE)
        assert visible_text(view).startswith("Edit pod"), (typed, visible_text(view))
        assert input_element(view, "name")["initial_value"] == stored
        slack.close_view(ALICE, view["id"])
    assert slack.problems == []


def test_the_exact_name_wins_over_the_unquoted_one(signed, slack, db):
    for name in (STRAIGHT, CURLY, PLAIN):
        create_pod(signed, slack, ALICE, name=name, members=[ALICE, BOB])

    for typed in (STRAIGHT, CURLY, PLAIN):
        joined = reply_to(signed, slack, ERIN, f"pod join {typed}")
        assert f"You joined *{typed}*" in joined, (typed, joined)
        assert ERIN in active_members(db, pod_named(db, typed).id)

    # Quotes the stored names don't have: the plain pod, which has none.
    left = reply_to(signed, slack, ERIN, "pod leave 'Night Owls'")
    assert f"You left *{PLAIN}*" in left, left
    assert ERIN not in active_members(db, pod_named(db, PLAIN).id)
    assert ERIN in active_members(db, pod_named(db, STRAIGHT).id)
    assert slack.problems == []


def test_an_unknown_quoted_name_is_named_without_its_quotes(signed, slack, db):
    create_pod(signed, slack, ALICE, name=STRAIGHT, members=[ALICE, BOB])
    reply = reply_to(signed, slack, DAVE, 'pod join "Night Owl Club"')
    assert "There is no pod called “Night Owl Club”" in reply, reply
    assert f"*{STRAIGHT}*" in reply  # did you mean …

    reply = reply_to(signed, slack, DAVE, 'pod join ""')
    assert "Name the pod: `/coach pod join NAME`" in reply, reply
