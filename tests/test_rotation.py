"""Coach rotation and buddies (DESIGN §4), as pure functions over a pod's history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.rotation import (
    Candidate,
    Membership,
    PastSession,
    Roles,
    assign_roles,
    candidates_from_history,
    choose_coach,
    previous_coach_id,
)

T0 = datetime(2026, 1, 5, 15, tzinfo=UTC)
WEEK = timedelta(weeks=1)


class Pod:
    """A pod's history built session by session, as the scheduler would."""

    def __init__(self, members: int, seasoned: bool = True) -> None:
        self.memberships = {
            m: Membership(m, T0 - timedelta(days=30) + timedelta(minutes=m))
            for m in range(1, members + 1)
        }
        self.history: list[PastSession] = []
        self.when = T0
        if seasoned:  # two held sessions everyone attended, before rotation starts
            for _ in range(2):
                self.history.append(PastSession(self.when, None, held=True))
                self.when += WEEK

    def join(self, member: int) -> None:
        self.memberships[member] = Membership(member, self.when - timedelta(days=1))

    def leave(self, member: int) -> None:
        old = self.memberships[member]
        self.memberships[member] = Membership(member, old.joined_at, self.when - timedelta(days=1))

    def roles(self, paused=frozenset(), skipping=frozenset()) -> Roles:
        candidates = candidates_from_history(
            self.memberships.values(),
            self.history,
            self.when,
            paused=frozenset(paused),
            skipping=frozenset(skipping),
        )
        return assign_roles(candidates, previous_coach_id(self.history, self.when))

    def meet(self, paused=frozenset(), skipping=frozenset(), held=True) -> Roles:
        roles = self.roles(paused, skipping)
        self.history.append(
            PastSession(self.when, roles.coach_id, held=held, skipped_by=frozenset(skipping))
        )
        self.when += WEEK
        return roles


def test_over_twenty_sessions_everyone_coaches_within_one_of_everyone():
    pod = Pod(members=5)
    coached: Counter[int] = Counter()
    coaches = []
    for _ in range(20):
        coach = pod.meet().coach_id
        assert coach is not None
        coached[coach] += 1
        coaches.append(coach)
        counts = [coached[m] for m in pod.memberships]
        assert max(counts) - min(counts) <= 1
    assert set(coached) == {1, 2, 3, 4, 5}
    assert coaches[:5] == [1, 2, 3, 4, 5]  # ties broken by earliest joined


def test_nobody_coaches_twice_in_a_row_when_someone_else_can():
    pod = Pod(members=3)
    previous = None
    for session_number in range(20):
        # Member 3 is away every other week, so the pool keeps changing size.
        away = {3} if session_number % 2 else set()
        coach = pod.meet(paused=away).coach_id
        assert coach != previous
        previous = coach


def test_the_only_eligible_member_coaches_again_rather_than_nobody():
    pod = Pod(members=2)
    first = pod.meet().coach_id
    other = ({1, 2} - {first}).pop()
    assert pod.meet(skipping={other}).coach_id == first


def test_paused_and_skipping_members_are_passed_over():
    pod = Pod(members=4)
    roles = pod.roles(paused={1}, skipping={2})
    assert roles.coach_id == 3
    pod.meet(paused={1}, skipping={2})
    # Members 1 and 2 have coached least now: they come next once available.
    assert pod.meet().coach_id == 1
    assert pod.meet().coach_id == 2


def test_ties_fewest_coached_then_longest_since_then_earliest_joined():
    joined = T0 - timedelta(days=60)
    never = Candidate(3, joined + timedelta(days=2), sessions_coached=1, sessions_attended=5)
    long_ago = Candidate(
        1, joined, sessions_coached=1, last_coached_at=T0 - 3 * WEEK, sessions_attended=5
    )
    recently = Candidate(
        2, joined, sessions_coached=1, last_coached_at=T0 - WEEK, sessions_attended=5
    )
    fewer = Candidate(4, joined + timedelta(days=9), sessions_coached=0, sessions_attended=5)
    assert choose_coach([long_ago, recently, never, fewer], previous_coach=None) == 4
    assert choose_coach([long_ago, recently, never], previous_coach=None) == 3
    assert choose_coach([long_ago, recently], previous_coach=None) == 1
    twin = Candidate(5, joined - timedelta(days=1), sessions_coached=1, sessions_attended=5)
    assert choose_coach([never, twin], previous_coach=None) == 5


def test_newcomers_do_not_coach_before_two_attended_sessions_and_get_a_buddy():
    pod = Pod(members=3)
    for _ in range(3):
        pod.meet()
    pod.join(9)
    for _ in range(2):
        roles = pod.roles()
        assert roles.coach_id != 9
        assert 9 in roles.buddies
        buddy = roles.buddies[9]
        assert buddy is not None and buddy != roles.coach_id
        pod.meet()
    roles = pod.roles()
    assert 9 not in roles.buddies  # attended two: no longer a newcomer
    # Member 9 has never coached: the fewest, so next in line.
    assert roles.coach_id == 9


def test_a_skipped_or_unheld_session_does_not_count_as_attended():
    pod = Pod(members=3)
    pod.join(9)
    pod.meet(skipping={9})  # 9 skipped
    pod.meet(held=False)  # nobody checked in, reflected or pressed "We met"
    assert 9 in pod.roles().buddies
    pod.meet()
    pod.meet()
    assert 9 not in pod.roles().buddies


def test_buddy_is_the_most_experienced_and_the_coach_only_when_nobody_else_can():
    veteran = Candidate(1, T0 - 40 * WEEK, sessions_coached=3, sessions_attended=30)
    regular = Candidate(2, T0 - 4 * WEEK, sessions_coached=1, sessions_attended=4)
    newcomer = Candidate(3, T0 - WEEK, sessions_attended=0)
    roles = assign_roles([veteran, regular, newcomer], previous_coach=None)
    assert roles.coach_id == 2  # fewest coached
    assert roles.buddies == {3: 1}  # the veteran, who is not coaching
    roles = assign_roles([veteran, regular, newcomer], previous_coach=2)
    assert roles.coach_id == 1
    assert roles.buddies == {3: 2}
    # The coach is the only seasoned member available: they buddy too.
    roles = assign_roles([veteran, newcomer], previous_coach=None)
    assert roles == Roles(coach_id=1, buddies={3: 1})


def test_absent_newcomers_need_no_buddy():
    veteran = Candidate(1, T0 - 40 * WEEK, sessions_attended=30)
    paused_newcomer = Candidate(3, T0 - WEEK, paused=True)
    assert assign_roles([veteran, paused_newcomer], None).buddies == {}


def test_a_member_leaving_mid_rotation():
    pod = Pod(members=4)
    for _ in range(2):
        pod.meet()  # members 1 and 2 coached
    pod.leave(3)
    coaches = [pod.meet().coach_id for _ in range(6)]
    assert 3 not in coaches
    assert coaches[:2] == [4, 1]
    counts = Counter(coaches)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_founders_of_a_new_pod_are_not_newcomers():
    new_pod = Pod(members=3, seasoned=False)
    assert new_pod.roles() == Roles(coach_id=1, buddies={})


def test_a_pod_where_nobody_is_eligible():
    pod = Pod(members=2)
    pod.join(3)
    pod.join(4)
    roles = pod.roles(paused={1}, skipping={2})
    assert roles.coach_id is None  # the founders are away, the others are newcomers
    assert roles.buddies == {3: None, 4: None}
    seasoned = Pod(members=2)
    assert seasoned.roles(paused={1, 2}).coach_id is None
    assert seasoned.roles(paused={1}, skipping={2}) == Roles(coach_id=None, buddies={})


def test_an_announced_coach_keeps_the_seat_while_still_eligible():
    a = Candidate(1, T0 - 9 * WEEK, sessions_coached=2, sessions_attended=9)
    b = Candidate(2, T0 - 9 * WEEK, sessions_coached=0, sessions_attended=9)
    assert choose_coach([a, b], previous_coach=None) == 2
    assert choose_coach([a, b], previous_coach=None, keep=1) == 1
    a_paused = Candidate(1, T0 - 9 * WEEK, sessions_coached=2, sessions_attended=9, paused=True)
    assert choose_coach([a_paused, b], previous_coach=None, keep=1) == 2


@settings(max_examples=60, deadline=None)
@given(
    members=st.integers(2, 6),
    away=st.lists(st.sets(st.integers(1, 6), max_size=3), min_size=20, max_size=20),
)
def test_property_the_coach_is_eligible_and_never_twice_running_when_avoidable(members, away):
    pod = Pod(members=members)
    previous = None
    for absent in away:
        roles = pod.roles(paused=absent)
        available = [m for m in pod.memberships if m not in absent]
        if not available:
            assert roles.coach_id is None
        else:
            assert roles.coach_id in available
            if len(available) > 1:
                assert roles.coach_id != previous
        pod.meet(paused=absent)
        previous = roles.coach_id
