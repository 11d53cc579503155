"""Reshuffles end to end: tick offers one to the admins after six months, the admin
announces it, members are told a few days ahead and one keeps their pod with one
button, and when the day comes the admins get new member lists that keep at least
half of each pod (and whoever opted out); applying them moves the rest."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bot.sender import OutboxSender
from bot.tick import tick
from models import MatchKind, MatchRun, Member, Pod, PodMembership, ReshuffleOptOut
from slack_standin.server import visible_text
from tests.support.harness import build_test_runtime

ADMIN = "U0ADMIN"
PODS = {"Otters": ["U0A1", "U0A2", "U0A3", "U0A4"], "Herons": ["U0B1", "U0B2", "U0B3", "U0B4"]}


@pytest.fixture
def rt(db, slack, clock):
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def pods(slack, db, clock):
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin")
    started = clock() - timedelta(days=200)
    with db.transaction() as tx:
        # The program matched its pods 200 days ago (a reshuffle is due after 6 months).
        tx.add(
            MatchRun(
                team_id=slack.team_id,
                kind=MatchKind.PODS,
                requested_by=ADMIN,
                seed=1,
                week_of=started,
                people=8,
                score=800,
                greedy_score=800,
                unplaced={},
                created_at=started,
            )
        )
        for k, (name, users) in enumerate(PODS.items()):
            channel = f"C0POD{k}"
            slack.add_channel(channel, f"pod-{name.lower()}")
            pod = Pod(
                team_id=slack.team_id,
                name=name,
                name_key=name.lower(),
                weekday=1 + k,
                local_time=time(15),
                timezone="Europe/London",
                channel_id=channel,
                created_by=ADMIN,
                created_at=started,
            )
            tx.add(pod)
            tx.flush()
            for user_id in users:
                slack.add_user(user_id, user_id.lower(), tz="Europe/London")
                member = Member(
                    team_id=slack.team_id,
                    user_id=user_id,
                    display_name=user_id[2:],
                    tz="Europe/London",
                    profile_refreshed_at=clock(),
                    created_at=started,
                )
                tx.add(member)
                tx.flush()
                tx.add(
                    PodMembership(
                        team_id=slack.team_id, pod_id=pod.id, member_id=member.id, joined_at=started
                    )
                )
    return PODS


def deliver(rt, clock) -> None:
    OutboxSender(rt.db, rt.client, clock=clock).drain()


def members_of(db) -> dict[str, set[str]]:
    with db.transaction() as tx:
        rows = tx.execute(
            select(Pod.name, Member.user_id)
            .join(PodMembership, PodMembership.pod_id == Pod.id)
            .join(Member, Member.id == PodMembership.member_id)
            .where(PodMembership.left_at.is_(None))
        ).all()
    found: dict[str, set[str]] = {}
    for name, user_id in rows:
        found.setdefault(name, set()).add(user_id)
    return found


def test_no_reshuffle_is_offered_where_pods_were_never_matched(rt, clock, db, slack):
    slack.add_user(ADMIN, "admin")
    with db.transaction() as tx:
        for k in range(3):
            tx.add(
                Pod(
                    team_id=slack.team_id,
                    name=f"P{k}",
                    name_key=f"p{k}",
                    weekday=1,
                    local_time=time(15),
                    timezone="UTC",
                    created_by=ADMIN,
                    created_at=clock() - timedelta(days=400),
                )
            )
    assert tick(db, clock(), admin_user_ids=[ADMIN]) == 0


def test_a_reshuffle_is_offered_announced_opted_out_of_and_applied(
    signed, slack, rt, clock, db, pods, no_slack_refusals
):
    tick(db, clock(), admin_user_ids=[ADMIN])
    deliver(rt, clock)
    (offer,) = [m for m in slack.dms(ADMIN) if "reshuffle" in visible_text(m)]
    assert "time to offer a reshuffle of the 2 pods" in visible_text(offer)
    tick(db, clock() + timedelta(minutes=1), admin_user_ids=[ADMIN])  # offered once
    deliver(rt, clock)
    assert len([m for m in slack.dms(ADMIN) if "reshuffle" in visible_text(m)]) == 1

    signed.press(ADMIN, offer, "Announce the reshuffle")
    assert "Announced: 8 pod members are told today" in visible_text(slack.responses[-1]["payload"])
    deliver(rt, clock)
    (notice,) = slack.dms("U0A1")
    assert "Pods get reshuffled on" in visible_text(notice)
    signed.press("U0A1", notice, "Keep my pod as it is")
    assert "Done: you keep your pod as it is" in visible_text(slack.responses[-1]["payload"])
    signed.press("U0A1", notice, "Keep my pod as it is")
    assert "You'd already chosen this" in visible_text(slack.responses[-1]["payload"])
    with db.transaction() as tx:
        assert len(tx.scalars(select(ReshuffleOptOut)).all()) == 1

    clock.advance(days=3, minutes=1)
    tick(db, clock(), admin_user_ids=[ADMIN])
    deliver(rt, clock)
    plan = slack.dms(ADMIN)[-1]
    shown = visible_text(plan)
    assert "Proposed reshuffle" in shown
    assert "Otters keeps" in shown and "welcomes" in shown
    assert members_of(db) == {name: set(users) for name, users in PODS.items()}  # not yet

    signed.press(ADMIN, plan, "Apply all 2 changes")
    after = members_of(db)
    assert "U0A1" in after["Otters"]  # opted out: stays
    for name, users in PODS.items():
        assert len(after[name]) == 4
        assert len(after[name] & set(users)) >= 2  # at least half stay together
        assert after[name] != set(users)  # new perspectives
    assert sorted(after["Otters"] | after["Herons"]) == sorted(PODS["Otters"] + PODS["Herons"])
    # a late opt-out gets a plain answer
    signed.press("U0B1", slack.dms("U0B1")[0], "Keep my pod as it is")
    assert "already taken place" in visible_text(slack.responses[-1]["payload"])
