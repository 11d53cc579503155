"""Matching through the signed endpoint and the Slack stand-in: /coach admin →
Propose pods, creating a proposed pod (once), the DM to someone not placed, bad
input (too few people, people who joined a pod since), and `coachbot match`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot import ids
from bot.sender import OutboxSender
from bot.services.matching import proposals
from models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    Member,
    MemberProfile,
    Pod,
    PodMembership,
    PodSession,
    ProgramLevel,
)
from slack_standin.server import visible_text
from tests.support.harness import build_test_runtime

ADMIN = "U0ADMIN"
TEAM_NAMES = {"U0ANA": "Sales", "U0BEN": "Design", "U0CHLOE": "Ops", "U0DAN": "Data"}
PEOPLE = {
    # user: (name, tz, level, offers, growth, weekdays, window)
    "U0ANA": ("Ana", "Europe/Paris", "Senior", ["negotiation"], ["hiring"], [1, 3], (15, 18)),
    "U0BEN": ("Ben", "Europe/London", "Senior", ["hiring"], ["negotiation"], [1], (13, 17)),
    "U0CHLOE": ("Chloé", "Europe/Paris", "Lead", [], ["negotiation"], [1, 2], (14, 17)),
    "U0DAN": ("Dan", "America/New_York", "Senior", ["writing"], ["hiring"], [1], (9, 12)),
    "U0EVE": ("Eve", "Asia/Tokyo", "Senior", ["writing"], [], [], (9, 17)),
}


@pytest.fixture
def rt(db, slack, clock):
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def people(slack, db, clock):
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin")
    for user_id, (name, tz, *_rest) in PEOPLE.items():
        slack.add_user(user_id, name.lower(), real_name=name, display_name=name, tz=tz)
    with db.transaction() as tx:
        for position, level in enumerate(["Junior", "Senior", "Lead"]):
            tx.add(ProgramLevel(team_id=slack.team_id, position=position, name=level))
        for user_id, (name, tz, level, offers, growth, days, window) in PEOPLE.items():
            add_profile(
                tx, slack.team_id, user_id, name, tz, level, offers, growth, days, window, clock()
            )
    return slack


def add_profile(
    tx, team_id, user_id, name, tz, level, offers, growth, days, window, now, team=None
):
    member = Member(
        team_id=team_id,
        user_id=user_id,
        display_name=name,
        real_name=name,
        tz=tz,
        profile_refreshed_at=now,
        created_at=now,
    )
    tx.add(member)
    tx.flush()
    tx.add(
        MemberProfile(
            team_id=team_id,
            member_id=member.id,
            team_name=team or TEAM_NAMES.get(user_id, "Eng"),
            level=level,
            offers=offers,
            growth=growth,
            weekdays=days,
            window_start=time(window[0]),
            window_end=time(window[1]),
            match_opt_in=True,
            avoid_user_ids=[],
            focus=None,
            created_at=now,
            updated_at=now,
        )
    )
    return member


def deliver(rt, clock) -> None:
    OutboxSender(rt.db, rt.client, clock=clock).drain()


def open_admin(signed, slack):
    response = signed.command(ADMIN, "admin")
    assert response.status == 200 and not response.problems, response.problems
    (view,) = slack.open_views(ADMIN)
    return view


def propose_in_slack(signed, slack):
    settings = open_admin(signed, slack)
    response = signed.press(ADMIN, settings, "Propose pods")
    assert response.status == 200 and not response.problems, response.problems
    stack = slack.open_views(ADMIN)
    assert len(stack) == 2
    return stack[-1]


def count(db, model) -> int:
    with db.transaction() as tx:
        return int(tx.scalar(select(func.count()).select_from(model)))


def test_an_admin_proposes_pods_and_creates_one_once(
    signed, slack, rt, clock, db, people, no_slack_refusals
):
    view = propose_in_slack(signed, slack)
    shown = visible_text(view)
    assert "Proposed pods" in shown
    assert "1 pod for 4 of 5 people ready to be matched; 1 not placed" in shown
    assert "Ana, Ben, Chloé and Dan" in shown
    # Complementary skills, mixed teams and the common slot, in words
    assert "Ana offers negotiation that Ben and Chloé want to grow" in shown
    assert "four teams, one each" in shown
    # Tuesday: Paris 15–17 (14–16 UTC), London 13–17 (13–17 UTC), NY 9–12 (14–17 UTC)
    assert "Tuesdays 14:30–15:30 UTC suit all four" in shown
    assert "Eve: your profile has no weekdays you can meet on" in shown
    assert count(db, Pod) == 0  # nothing is created before the admin says so

    deliver(rt, clock)
    (dm,) = slack.dms("U0EVE")
    assert "couldn't place you this round" in visible_text(dm)
    assert "Add the weekdays and hours you can meet with `/coach profile`" in visible_text(dm)

    signed.press(ADMIN, view, "Create this pod")
    after = visible_text(slack.open_views(ADMIN)[-1])
    assert "Created Pod Ana, Ben, Chloé &amp; Dan (pod 1); its first session is scheduled" in after
    assert "Create this pod" not in after
    with db.transaction() as tx:
        pod = tx.scalar(select(Pod))
        assert pod.is_group_dm and pod.channel_id
        assert (pod.weekday, pod.local_time, pod.timezone) == (1, time(15, 30), "Europe/Paris")
        members = tx.scalars(
            select(Member.user_id)
            .join(PodMembership, PodMembership.member_id == Member.id)
            .where(PodMembership.pod_id == pod.id)
        ).all()
        assert sorted(members) == ["U0ANA", "U0BEN", "U0CHLOE", "U0DAN"]
        first = tx.scalar(select(PodSession).where(PodSession.pod_id == pod.id))
        assert first.starts_at.astimezone(UTC).time() == time(14, 30)
        proposal_id = tx.scalar(select(MatchProposal.id))
    assert len(slack.calls_to("conversations.open")) == 1

    # A second click (an old copy of the message) creates nothing more.
    signed.block_action(ADMIN, ids.MATCH_ACCEPT_ACTION, value=str(proposal_id))
    assert "Pod 1 was already created as Pod Ana" in visible_text(slack.responses[-1]["payload"])
    assert count(db, Pod) == 1
    assert len(slack.calls_to("conversations.open")) == 1
    deliver(rt, clock)
    ben_sees = [visible_text(dm) for dm in slack.dms("U0BEN")]
    assert any("Pod Ana, Ben, Chloé &amp; Dan" in text for text in ben_sees)  # told they're in
    assert any("Welcome to peer coaching" in text for text in ben_sees)  # first pod


def test_fewer_than_three_people_get_a_clear_message_and_nothing_is_stored(
    signed, slack, db, people, no_slack_refusals
):
    with db.transaction() as tx:
        for profile in tx.scalars(select(MemberProfile)):
            profile.match_opt_in = profile.member.user_id in ("U0ANA", "U0BEN")
    shown = visible_text(propose_in_slack(signed, slack))
    assert "Only 2 people have opted in to matching; a pod needs at least 3" in shown
    assert count(db, MatchRun) == 0 and count(db, Pod) == 0


def test_a_proposal_whose_people_joined_a_pod_since_creates_nothing(
    signed, slack, rt, db, clock, people, no_slack_refusals
):
    view = propose_in_slack(signed, slack)
    with db.transaction() as tx:  # Ben joins another pod meanwhile
        pod = Pod(
            team_id=slack.team_id,
            name="Elsewhere",
            name_key="elsewhere",
            weekday=0,
            local_time=time(9),
            timezone="UTC",
            created_by=ADMIN,
            created_at=clock(),
        )
        tx.add(pod)
        tx.flush()
        ben = tx.scalar(select(Member).where(Member.user_id == "U0BEN"))
        tx.add(
            PodMembership(team_id=slack.team_id, pod_id=pod.id, member_id=ben.id, joined_at=clock())
        )
    signed.press(ADMIN, view, "Create this pod")
    shown = visible_text(slack.open_views(ADMIN)[-1])
    assert "Pod 1 can't be created as proposed: Ben has joined a pod since" in shown
    assert "Nothing was created" in shown
    assert count(db, Pod) == 1  # only Elsewhere
    assert count(db, PodMembership) == 1
    assert slack.calls_to("conversations.open") == []


def test_private_lists_and_recent_pods_keep_people_apart(db, slack, clock):
    """Six people who all fit together: Ana asked not to meet Ben; Chloé and Dan
    shared a pod until last month. The two pods of three keep them apart, and the
    reasons never mention the list."""
    now = clock()
    users = ["U0ANA", "U0BEN", "U0CHLOE", "U0DAN", "U0FAY", "U0GUS"]
    with db.transaction() as tx:
        made = {}
        for user_id in users:
            made[user_id] = add_profile(
                tx,
                slack.team_id,
                user_id,
                user_id[3:].title(),
                "UTC",
                None,
                [],
                [],
                [0, 1],
                (9, 17),
                now,
                team=user_id,
            )
        tx.scalar(
            select(MemberProfile).where(MemberProfile.member_id == made["U0ANA"].id)
        ).avoid_user_ids = ["U0BEN"]
        old = Pod(
            team_id=slack.team_id,
            name="Old",
            name_key="old",
            weekday=0,
            local_time=time(9),
            timezone="UTC",
            created_by=ADMIN,
            created_at=now - timedelta(days=200),
        )
        tx.add(old)
        tx.flush()
        for user_id in ("U0CHLOE", "U0DAN"):
            tx.add(
                PodMembership(
                    team_id=slack.team_id,
                    pod_id=old.id,
                    member_id=made[user_id].id,
                    joined_at=now - timedelta(days=200),
                    left_at=now - timedelta(days=30),
                )
            )
    with db.transaction() as tx:
        run = proposals.propose(tx, slack.team_id, ADMIN, now, seed=7)
    assert not run.unplaced
    assert len(run.pods) == 2
    for pod in run.pods:
        assert not {"U0ANA", "U0BEN"} <= set(pod.user_ids)
        assert not {"U0CHLOE", "U0DAN"} <= set(pod.user_ids)
        assert "list" not in pod.reasons


def test_coachbot_match_prints_the_proposal_and_sends_it_to_admins(
    db, slack, rt, clock, people, capsys, monkeypatch
):
    from bot import match_cli

    code = match_cli.run_match(
        rt,
        team=slack.team_id,
        size=None,
        min_size=None,
        max_size=None,
        spread=None,
        by_focus=None,
        seed=3,
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Pod 1: Ana, Ben, Chloé, Dan" in printed
    assert "Tuesdays 14:30–15:30 UTC suit all four" in printed
    assert "Not placed: Eve" in printed
    assert "seconds" in printed
    deliver(rt, clock)
    shown = visible_text(slack.dms(ADMIN)[-1])
    assert "Proposed pods" in shown and "Create this pod" in shown

    options = dict(team=slack.team_id, size=None, max_size=None, spread=None, by_focus=None)
    assert match_cli.run_match(rt, **options, min_size=5, seed=3) == 2
    assert "Those pod sizes don't work" in capsys.readouterr().err
    assert match_cli.run_match(rt, **{**options, "size": 5}, min_size=5, seed=3) == 0
    printed = capsys.readouterr().out
    assert "0 pods for 0 of 5 people, 5 not placed" in printed
    assert "Not placed: Ana: nobody near your level can meet at the times you gave" in printed


def test_matching_settings_are_checked_saved_and_used(signed, slack, db, people, no_slack_refusals):
    settings = open_admin(signed, slack)
    signed.press(ADMIN, settings, "Matching settings")
    modal = slack.open_views(ADMIN)[-1]
    shown = visible_text(modal)
    assert "Pod size to aim for" in shown and "Offer a reshuffle every … months" in shown

    signed.view_submission(ADMIN, modal, by_label={"Smallest pod": "5", "Pod size to aim for": "4"})
    assert slack.view_errors(modal["id"]) == {
        "min_size": "The smallest pod can't be bigger than the target size."
    }
    assert count(db, MatchingSettings) == 0

    signed.view_submission(
        ADMIN,
        slack.open_views(ADMIN)[-1],
        by_label={
            "Smallest pod": "5",
            "Pod size to aim for": "5",
            "Offer a reshuffle every … months": "3",
        },
    )
    assert "Matching settings saved: pods of 5 (5–6)" in visible_text(slack.dms(ADMIN)[-1])
    assert "a reshuffle is offered every 3 months" in visible_text(slack.dms(ADMIN)[-1])
    with db.transaction() as tx:
        run = proposals.propose(tx, slack.team_id, ADMIN, datetime(2026, 12, 1, tzinfo=UTC))
    assert run.pods == ()  # only four people can meet: no pod of five
    assert len(run.unplaced) == 5


def test_when_slack_refuses_the_group_dm_nothing_is_created_and_a_retry_works(
    signed, slack, db, people
):
    view = propose_in_slack(signed, slack)
    slack.fail("conversations.open", "user_not_found")
    signed.press(ADMIN, view, "Create this pod")
    shown = visible_text(slack.open_views(ADMIN)[-1])
    assert "A pod could not be created just now" in shown and "try again" in shown
    assert count(db, Pod) == 0 and count(db, PodMembership) == 0
    signed.press(ADMIN, slack.open_views(ADMIN)[-1], "Create this pod")  # still offered
    assert count(db, Pod) == 1
