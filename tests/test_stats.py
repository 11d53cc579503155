"""Learning velocity: the numbers per scope (me, my pods, the program), the K_count
merge at its boundary, and `/coach stats` through the signed endpoint."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services import velocity
from models import (
    CheckIn,
    Experiment,
    ExperimentStatus,
    PodMembership,
    PodSession,
    ProgramSettings,
    Reflection,
    SessionSkip,
)
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAN,
    OUTSIDER,
    TEAM,
    add_people,
    last_ephemeral,
    make_member,
    make_pod,
)

ERIN, FRANK = "U0ERIN", "U0FRANK"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday: the last full week is 23 Feb – 1 Mar
PRIVATE_WORDS = "I learned that silence in meetings hides disagreement"


def at(day: int, month: int = 2, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- building data


def session_at(tx, pod_id: int, starts_at: datetime, *, we_met: bool = False) -> PodSession:
    row = PodSession(
        team_id=TEAM,
        pod_id=pod_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        held_at=starts_at + timedelta(minutes=45) if we_met else None,
        created_at=starts_at - timedelta(days=7),
    )
    tx.add(row)
    tx.flush()
    return row


def check_in(tx, pod_session: PodSession, user_id: str) -> None:
    member = make_member(tx, user_id, NOW)
    tx.add(
        CheckIn(
            team_id=TEAM,
            session_id=pod_session.id,
            member_id=member.id,
            intent="How do I get heard?",
            created_at=pod_session.starts_at - timedelta(hours=3),
        )
    )
    tx.flush()


def reflect(
    tx, user_id: str, when: datetime, *, session: PodSession | None = None, action: str = "Ask"
) -> None:
    member = make_member(tx, user_id, NOW)
    tx.add(
        Reflection(
            team_id=TEAM,
            member_id=member.id,
            session_id=session.id if session else None,
            insight=PRIVATE_WORDS,
            action=action,
            created_at=when,
        )
    )
    tx.flush()


def experiment(
    tx, user_id: str, created: datetime, due: date, *, tried_at: datetime | None = None
) -> None:
    member = make_member(tx, user_id, NOW)
    tx.add(
        Experiment(
            team_id=TEAM,
            member_id=member.id,
            text="Say no once with a reason",
            due_date=due,
            status=ExperimentStatus.TRIED if tried_at else ExperimentStatus.OPEN,
            resolved_at=tried_at,
            created_at=created,
        )
    )
    tx.flush()


def growth_pod_with_a_month(db) -> int:
    """Growth (Alice, Bob, Carol): three sessions in February, one held by "We met",
    one not held, one held by a check-in and a reflection (Carol skipped it)."""
    with db.transaction() as tx:
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], NOW)
        make_member(tx, OUTSIDER, NOW)
        session_at(tx, pod.id, at(10), we_met=True)
        session_at(tx, pod.id, at(17))
        last = session_at(tx, pod.id, at(24))
        check_in(tx, last, ALICE)
        reflect(tx, BOB, at(24, hour=16), session=last)
        carol = make_member(tx, CAROL, NOW)
        tx.add(SessionSkip(team_id=TEAM, session_id=last.id, member_id=carol.id))
        experiment(tx, ALICE, at(10), date(2026, 2, 17), tried_at=at(14))
        experiment(tx, BOB, at(11), date(2026, 2, 18))
        experiment(tx, CAROL, at(20), date(2026, 2, 27), tried_at=at(26))
        reflect(tx, OUTSIDER, at(25))  # not in the pod: counts for nobody here
        return pod.id


def stats(db, user_id: str, *, admin: bool = False, now: datetime = NOW):
    with db.transaction() as tx:
        return velocity.stats_for(tx, TEAM, user_id, now, include_program=admin)


# --------------------------------------------------------------------------- weeks


def test_weeks_are_full_iso_weeks_in_utc_before_this_one():
    spans = velocity.full_weeks_before(datetime(2026, 3, 4, 23, 0, tzinfo=UTC), 2)
    assert [(s.start.date(), s.end.date()) for s in spans] == [
        (date(2026, 2, 16), date(2026, 2, 23)),
        (date(2026, 2, 23), date(2026, 3, 2)),
    ]
    clipped = velocity.weeks_between(date(2026, 10, 1), date(2026, 10, 13))
    assert [(s.start.date(), s.end.date()) for s in clipped] == [
        (date(2026, 10, 1), date(2026, 10, 5)),
        (date(2026, 10, 5), date(2026, 10, 12)),
        (date(2026, 10, 12), date(2026, 10, 13)),
    ]


# --------------------------------------------------------------------------- me and my pods


def test_my_numbers_count_only_my_own_rows(db):
    growth_pod_with_a_month(db)
    view = stats(db, ALICE)
    me = view.me.last_4.current
    assert me.sessions_held == 2  # the "We met" one and the checked-in one
    assert (me.attended, me.expected) == (1, 3)
    assert me.insights == 0
    assert me.actions == 1  # her experiment
    assert (me.due_tried, me.due) == (1, 1)
    assert me.median_days_to_tried == 4.0
    assert view.me.last_4.trends["sessions_held"] == "up"  # nothing the four weeks before
    assert "attendance" not in view.me.last_4.trends
    assert view.program is None


def test_a_pods_numbers_are_its_members_rows_while_members(db):
    growth_pod_with_a_month(db)
    (pod,) = stats(db, BOB).pods
    numbers = pod.last_4.current
    assert (pod.label, pod.people) == ("Growth", 3)
    assert numbers.sessions_held == 2
    assert (numbers.attended, numbers.expected) == (2, 8)  # Carol skipped the last one
    assert numbers.insights == 1  # the outsider's reflection is not the pod's
    assert numbers.actions == 4  # Bob's action and three experiments
    assert (numbers.due_tried, numbers.due) == (2, 3)
    assert numbers.median_days_to_tried == 5.0
    assert pod.last_12.current.sessions_held == 2


def test_rows_before_joining_a_pod_are_not_the_pods(db):
    pod_id = growth_pod_with_a_month(db)
    with db.transaction() as tx:
        dan = make_member(tx, DAN, NOW)
        tx.add(PodMembership(team_id=TEAM, pod_id=pod_id, member_id=dan.id, joined_at=at(20)))
        reflect(tx, DAN, at(16))
        reflect(tx, DAN, at(25))
    (pod,) = stats(db, ALICE).pods
    assert pod.last_4.current.insights == 2  # Bob's and Dan's after he joined
    assert stats(db, DAN).me.last_4.current.insights == 2  # his own, wherever he was


def test_the_current_week_and_older_history_are_not_counted(db):
    pod_id = growth_pod_with_a_month(db)
    with db.transaction() as tx:
        reflect(tx, ALICE, NOW)  # this week, not full yet
        reflect(tx, ALICE, NOW - timedelta(weeks=30))  # before the 24 weeks read
        session_at(tx, pod_id, NOW - timedelta(weeks=30), we_met=True)
    me = stats(db, ALICE).me
    assert me.last_12.current.insights == 0
    assert me.last_12.previous.insights == 0
    assert me.last_12.current.sessions_held == 2


def test_someone_the_bot_has_not_met_gets_no_numbers(db):
    growth_pod_with_a_month(db)
    view = stats(db, "U0NEWBIE")
    assert view.me is None and view.pods == () and view.program is None


# ------------------------------------------------------------------- the program and K_count


def program_of(db, pods: dict[str, list[str]], *, k_count: int | None = None):
    with db.transaction() as tx:
        make_member(tx, ADMIN, NOW)
        for name, people in pods.items():
            pod = make_pod(tx, name, people, NOW)
            held = session_at(tx, pod.id, at(24))
            reflect(tx, people[0], at(24, hour=17), session=held)
        if k_count is not None:
            tx.add(ProgramSettings(team_id=TEAM, k_count=k_count))
    return stats(db, ADMIN, admin=True).program


def test_two_people_in_the_program_show_no_numbers_and_say_why(db):
    program = program_of(db, {"Duo": [ALICE, BOB]})
    assert program.total is None and program.groups == ()
    assert "fewer than 3" in program.withheld


def test_three_people_in_the_program_show_its_numbers(db):
    program = program_of(db, {"Trio": [ALICE, BOB, CAROL]})
    assert program.withheld is None
    assert program.total.people == 3
    assert program.total.last_4.current.sessions_held == 1
    assert program.total.last_4.current.insights == 1
    assert program.groups == ()  # one group is the program itself


def test_a_pod_of_two_is_merged_and_the_merged_group_is_never_below_k(db):
    program = program_of(
        db,
        {
            "Big": [ALICE, BOB, CAROL],
            "Trio": [DAN, ERIN, FRANK],
            "Duo": [OUTSIDER, "U0GINA"],
        },
    )
    labels = [(group.kind, group.label, group.people) for group in program.groups]
    # Duo (2) alone would single people out: Big (the smallest named) joins it.
    assert labels == [("pod", "Trio", 3), ("other", "Other pods", 5)]
    other = program.groups[1].last_4.current
    assert other.sessions_held == 2 and other.insights == 2
    assert program.total.last_4.current.sessions_held == 3


def test_k_count_comes_from_the_program_settings(db):
    program = program_of(
        db, {"Big": [ALICE, BOB, CAROL], "Duo": [DAN, ERIN], "Pair": [FRANK, OUTSIDER]}, k_count=2
    )
    assert [group.label for group in program.groups] == ["Big", "Duo", "Pair"]


def test_merge_boundary_in_isolation():
    pods = [
        velocity.PodGroup(1, "A", frozenset({1, 2})),
        velocity.PodGroup(2, "B", frozenset({3, 4, 5})),
        velocity.PodGroup(3, "C", frozenset({6, 7})),
    ]
    named, merged = velocity.merge_small(pods, 3)
    assert [p.name for p in named] == ["B"] and [p.name for p in merged] == ["A", "C"]
    named, merged = velocity.merge_small(pods, 2)
    assert [p.name for p in named] == ["A", "B", "C"] and merged == []


def test_leaders_are_counted_only_from_k_count_up(db):
    with db.transaction() as tx:
        make_member(tx, ADMIN, NOW)
        pod = make_pod(tx, "Leads", [ALICE, BOB, CAROL, DAN], NOW)
        session_at(tx, pod.id, at(24), we_met=True)
        for user_id in (ALICE, BOB):
            make_member(tx, user_id, NOW).is_leader = True
    program = stats(db, ADMIN, admin=True).program
    assert program.leaders is None and program.leaders_withheld
    with db.transaction() as tx:
        make_member(tx, CAROL, NOW).is_leader = True
    program = stats(db, ADMIN, admin=True).program
    assert (program.leaders.in_pods, program.leaders.held_sessions) == (3, 3)


# --------------------------------------------------------------------------- /coach stats


def test_coach_stats_shows_me_and_my_pod_but_not_the_program(db, signed, slack, clock):
    add_people(slack)
    clock.set(NOW)
    growth_pod_with_a_month(db)
    response = signed.command(ALICE, "stats")
    assert response.status == 200 and not response.problems
    text = last_ephemeral(slack, ALICE)
    assert "Learning velocity" in text
    assert "You" in text and "Growth" in text
    assert "Sessions held" in text and "4 wks: 2 ↑" in text
    assert "Attendance" in text and "33%" in text
    assert "The program" not in text
    assert PRIVATE_WORDS not in text
    assert slack.failed_calls() == [] and slack.problems == []


def test_an_admin_sees_the_program_as_numbers_only(db, signed, slack, clock):
    add_people(slack)
    clock.set(NOW)
    growth_pod_with_a_month(db)
    with db.transaction() as tx:
        make_member(tx, ADMIN, NOW)
    signed.command(ADMIN, "stats")
    text = last_ephemeral(slack, ADMIN)
    assert "The program" in text and "3 people in pods" in text
    assert "You are in no pod right now" in text
    for person in ("alice", "bob", "carol", "Alice", "Bob", "Carol"):
        assert person not in text
    assert PRIVATE_WORDS not in text
    assert "Growth" not in text  # the admin is not in it, and it is the only group
    assert slack.failed_calls() == [] and slack.problems == []


def test_coach_stats_with_arguments_gets_the_usage(db, signed, slack, clock):
    add_people(slack)
    signed.command(ALICE, "stats Growth")
    text = last_ephemeral(slack, ALICE)
    assert "takes no arguments" in text
    assert "/coach stats" in text
    assert slack.failed_calls() == [] and slack.problems == []
