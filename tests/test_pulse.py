"""The session pulse through the signed endpoint and the Slack stand-in: the
end-of-session DM asks how useful the session was (and, after a member's first
session in a pod, how the pod is working for them); pressing stores one answer per
member and session and thanks them; late and crafted answers; "I'd like a different
pod" reaches the program admins once; `/coach stats` and the quarterly review show
only aggregates, from K_count people up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import ids
from bot.scheduler import run_once
from bot.services import review, velocity
from bot.ui import review as review_ui
from models import Member, PodFit, PodMembership, Pulse
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAN,
    OUTSIDER,
    TEAM,
    add_people,
    add_session,
    build_world,
    button_texts,
    last_ephemeral,
    make_member,
    make_pod,
    rows,
)

USEFUL = "How useful was today's session?"
POD_FIT = "How is this pod working for you?"
SCORES = ["1", "2", "3", "4", "5"]
DIFFERENT = "I'd like a different pod"
REQUEST = "A member of a pod would like a different pod"
WHAT_NEXT = "A program admin will reach out to find you a better fit; nothing changes until then"

pytestmark = pytest.mark.usefixtures("no_slack_refusals")


def end_dm(slack, rt, clock, world, user_id=ALICE):
    clock.set(world.ends_at + timedelta(minutes=1))
    run_once(rt, clock())
    (dm,) = [m for m in slack.dms(user_id) if "Reflect" in button_texts(m)]
    return dm


def current(slack, user_id, dm):
    return next(m for m in slack.dms(user_id) if m["ts"] == dm["ts"])


def pulses(db) -> list[Pulse]:
    return rows(db, Pulse)


def requests_to(slack, user_id) -> list[str]:
    return [visible_text(m) for m in slack.dms(user_id) if REQUEST in visible_text(m)]


# --------------------------------------------------------------------------- the questions


def test_a_first_session_asks_how_useful_it_was_and_how_the_pod_works(slack, world, rt, clock):
    dm = end_dm(slack, rt, clock, world)
    text = visible_text(dm)
    assert USEFUL in text and POD_FIT in text
    assert button_texts(dm) == ["Reflect", *SCORES, "Fine", DIFFERENT]


def test_after_earlier_sessions_only_usefulness_is_asked(slack, db, rt, clock):
    add_people(slack)
    world = build_world(db, clock(), seasoned=True)
    dm = end_dm(slack, rt, clock, world)
    assert USEFUL in visible_text(dm) and POD_FIT not in visible_text(dm)
    assert button_texts(dm) == ["Reflect", *SCORES]


def test_a_newcomer_to_a_seasoned_pod_is_asked_about_the_pod(slack, db, rt, clock):
    add_people(slack)
    world = build_world(db, clock(), members=(ALICE, BOB, CAROL, DAN), seasoned=True)
    with db.transaction() as tx:
        dan = make_member(tx, DAN, clock())
        membership = tx.scalar(select(PodMembership).where(PodMembership.member_id == dan.id))
        membership.joined_at = world.starts_at - timedelta(days=2)
    dan_dm = end_dm(slack, rt, clock, world, DAN)
    assert POD_FIT in visible_text(dan_dm)
    (alice_dm,) = [m for m in slack.dms(ALICE) if "Reflect" in button_texts(m)]
    assert POD_FIT not in visible_text(alice_dm)


# --------------------------------------------------------------------------- answering


def test_pressing_a_score_stores_it_and_thanks_and_pressing_again_changes_it(
    signed, slack, world, rt, clock, db
):
    dm = end_dm(slack, rt, clock, world)
    signed.press(ALICE, dm, "4")
    (pulse,) = pulses(db)
    assert (pulse.session_id, pulse.usefulness, pulse.pod_fit) == (world.session_id, 4, None)
    shown = current(slack, ALICE, dm)
    assert "Thanks — you rated it 4/5" in visible_text(shown)
    assert button_texts(shown) == ["Reflect", *SCORES, "Fine", DIFFERENT]

    clock.advance(days=2)
    signed.press(ALICE, shown, "2")
    (pulse,) = pulses(db)
    assert pulse.usefulness == 2
    assert "Thanks — you rated it 2/5" in visible_text(current(slack, ALICE, dm))

    signed.press(ALICE, current(slack, ALICE, dm), "Fine")
    (pulse,) = pulses(db)
    assert (pulse.usefulness, pulse.pod_fit) == (2, PodFit.FINE)
    after = current(slack, ALICE, dm)
    assert "glad it works for you" in visible_text(after)
    assert button_texts(after) == ["Reflect", *SCORES, DIFFERENT]
    assert requests_to(slack, ADMIN) == []


def test_each_member_has_their_own_answer(signed, slack, world, rt, clock, db):
    alice_dm = end_dm(slack, rt, clock, world)
    (bob_dm,) = [m for m in slack.dms(BOB) if "Reflect" in button_texts(m)]
    signed.press(ALICE, alice_dm, "5")
    signed.press(BOB, bob_dm, "3")
    with db.transaction() as tx:
        found = {
            user_id: usefulness
            for user_id, usefulness in tx.execute(
                select(Member.user_id, Pulse.usefulness).join(Member, Member.id == Pulse.member_id)
            )
        }
    assert found == {ALICE: 5, BOB: 3}


def test_an_answer_after_the_sessions_week_closed_is_thanked_not_stored(
    signed, slack, world, rt, clock, db
):
    dm = end_dm(slack, rt, clock, world)
    clock.set(world.ends_at + timedelta(days=7))
    signed.press(ALICE, dm, "3")
    assert [p.usefulness for p in pulses(db)] == [3]  # exactly a week later: still open

    clock.set(world.ends_at + timedelta(days=7, minutes=1))
    signed.press(ALICE, current(slack, ALICE, dm), "5")
    assert [p.usefulness for p in pulses(db)] == [3]
    shown = current(slack, ALICE, dm)
    assert "Thanks — this session's pulse has closed" in visible_text(shown)
    assert not set(SCORES) & set(button_texts(shown))


def test_a_late_first_answer_stores_nothing(signed, slack, world, rt, clock, db):
    dm = end_dm(slack, rt, clock, world)
    clock.set(world.ends_at + timedelta(days=8))
    signed.press(ALICE, dm, "4")
    signed.press(ALICE, current(slack, ALICE, dm), "Fine")
    assert pulses(db) == []
    assert "pulse has closed" in visible_text(current(slack, ALICE, dm))


def test_a_crafted_value_naming_another_pods_session_is_refused(
    signed, slack, world, rt, clock, db
):
    with db.transaction() as tx:
        other = make_pod(tx, "Other", [OUTSIDER, DAN], clock(), channel_id=None)
    other_session = add_session(db, other.id, world.starts_at - timedelta(days=1))
    clock.set(world.ends_at + timedelta(minutes=5))
    signed.block_action(ALICE, ids.PULSE_SCORE_ACTIONS[3], value=f"{other_session}:4")
    assert "isn't one of yours" in last_ephemeral(slack, ALICE)
    signed.block_action(ALICE, ids.PULSE_POD_DIFFERENT_ACTION, value=str(other_session))
    assert "isn't one of yours" in last_ephemeral(slack, ALICE)
    signed.block_action(ALICE, ids.PULSE_SCORE_ACTIONS[0], value="999999:1")
    assert "isn't one of yours" in last_ephemeral(slack, ALICE)
    assert pulses(db) == []
    run_once(rt, clock())
    assert requests_to(slack, ADMIN) == []


def test_crafted_scores_and_garbage_values_store_nothing(signed, slack, world, rt, clock, db):
    end_dm(slack, rt, clock, world)
    signed.block_action(ALICE, ids.PULSE_SCORE_ACTIONS[4], value=f"{world.session_id}:9")
    assert "Scores go from 1 to 5" in last_ephemeral(slack, ALICE)
    signed.block_action(ALICE, ids.PULSE_SCORE_ACTIONS[4], value="not-a-session")
    assert "out of date" in last_ephemeral(slack, ALICE)
    signed.block_action(OUTSIDER, ids.PULSE_SCORE_ACTIONS[4], value=f"{world.session_id}:5")
    assert "isn't one of yours" in last_ephemeral(slack, OUTSIDER)
    assert pulses(db) == []


def test_a_session_not_ended_yet_cannot_be_rated(signed, slack, world, clock, db):
    clock.set(world.starts_at - timedelta(hours=1))
    signed.block_action(ALICE, ids.PULSE_SCORE_ACTIONS[4], value=f"{world.session_id}:5")
    assert "hasn't ended yet" in last_ephemeral(slack, ALICE)
    assert pulses(db) == []


# --------------------------------------------------------------------------- a different pod


def test_a_different_pod_goes_to_the_admins_once_and_says_what_happens_next(
    signed, slack, world, rt, clock, db
):
    dm = end_dm(slack, rt, clock, world)
    signed.press(ALICE, dm, DIFFERENT)
    shown = current(slack, ALICE, dm)
    assert WHAT_NEXT in visible_text(shown)
    assert button_texts(shown) == ["Reflect", *SCORES]
    (pulse,) = pulses(db)
    assert pulse.pod_fit == PodFit.DIFFERENT and pulse.usefulness is None

    # Asked again (a crafted press, the button is gone): no second request.
    signed.block_action(ALICE, ids.PULSE_POD_DIFFERENT_ACTION, value=str(world.session_id))
    assert WHAT_NEXT in last_ephemeral(slack, ALICE)
    run_once(rt, clock() + timedelta(minutes=1))
    run_once(rt, clock() + timedelta(minutes=2))
    (request,) = requests_to(slack, ADMIN)
    assert f"<@{ALICE}>" in request and "Growth" in request
    assert "reason" not in request.replace("no reason is asked", "")
    for member in (ALICE, BOB, CAROL):
        assert requests_to(slack, member) == []
    assert len(pulses(db)) == 1


# --------------------------------------------------------------------------- aggregates

STATS_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def answered(db, session_id: int, answers: dict[str, tuple[int | None, PodFit | None]]) -> None:
    with db.transaction() as tx:
        for user_id, (usefulness, fit) in answers.items():
            member = make_member(tx, user_id, STATS_NOW)
            tx.add(
                Pulse(
                    team_id=TEAM,
                    session_id=session_id,
                    member_id=member.id,
                    usefulness=usefulness,
                    pod_fit=fit,
                )
            )


def growth_with_a_session(db, starts_at: datetime) -> int:
    with db.transaction() as tx:
        make_member(tx, ADMIN, STATS_NOW)
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], STATS_NOW)
    return add_session(db, pod.id, starts_at)


def stats_text(signed, slack, user_id: str) -> str:
    response = signed.command(user_id, "stats")
    assert response.status == 200 and not response.problems
    return last_ephemeral(slack, user_id)


def test_stats_show_the_pulse_only_from_k_count_people(signed, slack, db, clock):
    add_people(slack)
    clock.set(STATS_NOW)
    session_id = growth_with_a_session(db, datetime(2026, 2, 24, 15, tzinfo=UTC))
    answered(db, session_id, {ALICE: (5, None), BOB: (2, PodFit.DIFFERENT)})

    text = stats_text(signed, slack, ALICE)
    assert "Session pulse" in text
    assert "12 wks: your average 5 of 5 · 1 answer" in text
    assert "12 wks: not enough answers yet" in text  # the pod: 2 people answered
    assert "at least 3 people answered" in text
    admin = stats_text(signed, slack, ADMIN)
    assert "not enough answers yet" in admin and "different pod" not in admin

    answered(db, session_id, {CAROL: (4, None)})
    text = stats_text(signed, slack, ALICE)
    assert "12 wks: 3.7 of 5 · 3 answers" in text
    assert "different pod" not in text  # only the program counts requests
    admin = stats_text(signed, slack, ADMIN)
    assert "12 wks: 3.7 of 5 · 3 answers · 1 request for a different pod" in admin
    for person in ("alice", "bob", "carol", "Alice", "Bob", "Carol", ALICE, BOB, CAROL):
        assert person not in admin


def test_stats_pulse_facts_never_name_anyone(db):
    session_id = growth_with_a_session(db, datetime(2026, 2, 24, 15, tzinfo=UTC))
    answered(db, session_id, {ALICE: (5, None), BOB: (3, None), CAROL: (1, PodFit.FINE)})
    with db.transaction() as tx:
        view = velocity.stats_for(tx, TEAM, BOB, STATS_NOW, include_program=False)
    assert view.me.pulse.average == 3 and view.me.pulse.answers == 1
    (pod,) = view.pods
    assert (pod.pulse.enough, pod.pulse.answers, pod.pulse.average) == (True, 3, 3.0)
    assert pod.pulse.different_pod is None


def test_pulses_of_sessions_before_the_last_12_weeks_are_not_counted(db):
    old = growth_with_a_session(db, datetime(2025, 11, 4, 15, tzinfo=UTC))
    answered(db, old, {ALICE: (5, None), BOB: (5, None), CAROL: (5, None)})
    with db.transaction() as tx:
        view = velocity.stats_for(tx, TEAM, ALICE, STATS_NOW, include_program=False)
    assert view.me.pulse.answers == 0
    assert view.pods[0].pulse.enough is False


APRIL = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def review_of(db):
    with db.transaction() as tx:
        return review.review_facts(tx, TEAM, "2026Q1", APRIL)


def test_the_quarterly_review_shows_the_pulse_from_k_count_people(db):
    with db.transaction() as tx:
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], APRIL)
    in_q1 = add_session(db, pod.id, datetime(2026, 2, 3, 15, tzinfo=UTC))
    in_q2 = add_session(db, pod.id, datetime(2026, 4, 1, 15, tzinfo=UTC))
    answered(db, in_q1, {ALICE: (4, PodFit.DIFFERENT), BOB: (5, None)})
    answered(db, in_q2, {CAROL: (1, None)})

    facts = review_of(db)
    assert facts.pulse.enough is False
    summary = review_ui.summary_text(facts)
    assert "Session pulse (how useful sessions were, 1–5): not enough answers yet" in summary
    assert "at least 3 people answer" in summary

    answered(db, in_q1, {CAROL: (3, None)})
    facts = review_of(db)
    assert (facts.pulse.answers, facts.pulse.average, facts.pulse.different_pod) == (3, 4.0, 1)
    summary = review_ui.summary_text(facts)
    assert "4 of 5 · 3 answers · 1 request for a different pod" in summary
    assert ALICE not in summary and "alice" not in summary.lower()


def test_a_late_request_for_a_different_pod_still_reaches_the_admins(
    signed, slack, world, rt, clock, db
):
    dm = end_dm(slack, rt, clock, world)
    clock.set(world.ends_at + timedelta(days=10))
    signed.press(ALICE, dm, DIFFERENT)
    assert WHAT_NEXT in visible_text(current(slack, ALICE, dm))
    assert pulses(db) == []  # the pulse closed: nothing stored
    run_once(rt, clock())
    assert len(requests_to(slack, ADMIN)) == 1
