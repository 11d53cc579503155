"""Learning velocity's seats at sessions, counted in the database: who was expected
(members of the pod at the start, not skipping, not paused, or who came anyway) and
who came (checked in or reflected while a member), the same for a person, their pod
and an admin; and reads that do not grow with the sessions of the weeks shown."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from models import PodMembership, SessionSkip
from tests.test_checkin_support import ALICE, BOB, CAROL, DAN, OUTSIDER, TEAM, make_member, make_pod
from tests.test_stats import NOW, at, check_in, reflect, session_at, stats


def pod_with_comings_and_goings(db) -> None:
    """Growth (Alice, Bob, Carol since long ago; Dan from 5 Feb until 20 Feb) meets on
    the 10th, 17th and 24th of February:
    - 10th: Carol is paused (until the 12th); Alice checks in;
    - 17th: Bob said he would skip but checks in; Dan reflects on it;
    - 24th: Dan has left and reflects on it; so does someone never in the pod."""
    with db.transaction() as tx:
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], NOW)
        dan = make_member(tx, DAN, NOW)
        tx.add(
            PodMembership(
                team_id=TEAM, pod_id=pod.id, member_id=dan.id, joined_at=at(5), left_at=at(20)
            )
        )
        make_member(tx, CAROL, NOW).paused_until = date(2026, 2, 12)
        tenth, seventeenth, twenty_fourth = (
            session_at(tx, pod.id, at(day)) for day in (10, 17, 24)
        )
        check_in(tx, tenth, ALICE)
        bob = make_member(tx, BOB, NOW)
        tx.add(SessionSkip(team_id=TEAM, session_id=seventeenth.id, member_id=bob.id))
        check_in(tx, seventeenth, BOB)
        reflect(tx, DAN, at(17, hour=16), session=seventeenth)
        reflect(tx, DAN, at(24, hour=16), session=twenty_fourth)
        reflect(tx, OUTSIDER, at(24, hour=16), session=twenty_fourth)


def seats(velocity) -> tuple[int, int, int]:
    return velocity.sessions_held, velocity.attended, velocity.expected


def test_a_pods_seats_follow_membership_pauses_and_skips(db):
    pod_with_comings_and_goings(db)
    (pod,) = stats(db, ALICE).pods
    # Expected 3 + 4 + 3 (Carol paused on the 10th, Dan gone by the 24th, Bob's skip
    # undone by his check-in); came 1 + 2 + 0 (reflections by people not in the pod
    # at the time count for nobody's seat, though they make the session held).
    assert seats(pod.last_4.current) == (3, 3, 10)
    assert pod.last_4.current.attendance == 0.3


def test_each_persons_own_seats(db):
    pod_with_comings_and_goings(db)
    assert seats(stats(db, ALICE).me.last_4.current) == (3, 1, 3)
    assert seats(stats(db, CAROL).me.last_4.current) == (2, 0, 2)  # not expected while paused
    assert seats(stats(db, BOB).me.last_4.current) == (3, 1, 3)
    assert seats(stats(db, DAN).me.last_4.current) == (2, 1, 2)  # only while a member
    assert seats(stats(db, OUTSIDER).me.last_4.current) == (0, 0, 0)


def test_an_admin_sees_the_same_own_and_pod_numbers_as_a_member(db):
    pod_with_comings_and_goings(db)
    for user_id in (ALICE, CAROL, DAN):
        as_member, as_admin = stats(db, user_id), stats(db, user_id, admin=True)
        assert as_admin.me == as_member.me
        assert as_admin.pods == as_member.pods
    program = stats(db, ALICE, admin=True).program
    assert seats(program.total.last_4.current) == (3, 3, 10)


class Statements:
    """The statements sent while counting, and the most parameters any one had."""

    def __init__(self, db) -> None:
        self.engine = db.engine
        self.count = 0
        self.most_parameters = 0

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.most_parameters = max(self.most_parameters, len(parameters or ()))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_program_stats_read_the_same_statements_however_many_sessions(db):
    with db.transaction() as tx:
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], NOW)
        check_in(tx, session_at(tx, pod.id, at(24)), ALICE)
    with Statements(db) as few:
        stats(db, ALICE, admin=True)
    with db.transaction() as tx:
        for day in range(1, 24):  # a session every day of February before the 24th
            check_in(tx, session_at(tx, pod.id, at(day)), BOB)
    with Statements(db) as many:
        view = stats(db, ALICE, admin=True)
    assert view.program.total.last_12.current.sessions_held == 24
    # No list of session ids goes back to the database: statements and their
    # parameters are the same for 1 session as for 24.
    assert (many.count, many.most_parameters) == (few.count, few.most_parameters)
