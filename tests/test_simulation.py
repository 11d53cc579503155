"""Six simulated weeks of one pod, ticking every 15 minutes (plus repeated and
out-of-order ticks), across both daylight-saving changes of March 2026: the US
on Sunday 8 March, the UK on Sunday 29 March. Messages travel through the real
sender over HTTP to the Slack stand-in; the test reads what people received and
when.

The pod meets Tuesdays 15:00 Europe/London. Alice and Bob are in London, Nia in
New York; Kofi joins in week 3; Bob pauses for week 4. People press "We met"
half-way through each session.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.sender import OutboxSender
from bot.services import sessions as svc
from bot.tick import tick
from models import Member, Pod, PodSession
from slack_standin.server import buttons, visible_text
from tests.test_sessions_factory import join, make_member, make_pod

START = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Monday
END = datetime(2026, 4, 7, 16, tzinfo=UTC)  # after the last session ends
STEP = timedelta(minutes=15)
KOFI_JOINS = datetime(2026, 3, 16, 10, tzinfo=UTC)
BOB_PAUSES = datetime(2026, 3, 18, 10, tzinfo=UTC)
PEOPLE = {
    "UALICE": "Europe/London",
    "UBOB": "Europe/London",
    "UNIA": "America/New_York",
}
# Tuesdays 15:00 in London: GMT until 29 March, then BST.
SESSION_STARTS = [
    datetime(2026, 3, 3, 15, tzinfo=UTC),
    datetime(2026, 3, 10, 15, tzinfo=UTC),
    datetime(2026, 3, 17, 15, tzinfo=UTC),
    datetime(2026, 3, 24, 15, tzinfo=UTC),
    datetime(2026, 3, 31, 14, tzinfo=UTC),
    datetime(2026, 4, 7, 14, tzinfo=UTC),
]
NIA_SEES = [
    "Tue 3 Mar, 10:00 (America/New_York)",  # EST, GMT
    "Tue 10 Mar, 11:00 (America/New_York)",  # EDT, GMT: the weeks in between
    "Tue 17 Mar, 11:00 (America/New_York)",
    "Tue 24 Mar, 11:00 (America/New_York)",
    "Tue 31 Mar, 10:00 (America/New_York)",  # EDT, BST
    "Tue 7 Apr, 10:00 (America/New_York)",
]
# The founders coach from the first session: fewest coached, earliest joined, never
# twice running. Kofi joins before week 3 and is a newcomer for two sessions; Bob is
# paused in week 4; in week 5 Kofi has coached least; in week 6 Bob and Nia tie on
# one each and Bob coached longest ago.
EXPECTED_COACHES = ["UALICE", "UBOB", "UNIA", "UALICE", "UKOFI", "UBOB"]


class Simulation:
    def __init__(self, rt, clock, slack) -> None:
        self.rt, self.clock, self.slack = rt, clock, slack
        self.sender = OutboxSender(rt.db, rt.client, clock=clock)
        self.arrivals: dict[str, list[tuple[datetime, dict]]] = defaultdict(list)
        self.done: set[str] = set()
        self.enqueued = 0

    def run_tick(self, at: datetime) -> None:
        self.enqueued += tick(self.rt.db, at)

    def deliver(self) -> None:
        """The sender's pass; skipped while nothing new is in the outbox (quicker)."""
        if not self.enqueued:
            return
        before = len(self.slack.calls)
        self.sender.drain()
        self.enqueued = 0
        for call in self.slack.calls[before:]:
            if call.method == "chat.postMessage" and call.ok:
                self.arrivals[call.params["channel"]].append((self.clock(), call.params))

    def step(self, now: datetime, number: int) -> None:
        self.clock.set(now)
        self.happenings(now)
        self.run_tick(now)
        if number % 10 == 0:
            self.run_tick(now)  # a repeated tick
        if number % 8 == 0:
            self.run_tick(now - timedelta(hours=3))  # late, out-of-order ticks
        if number % 25 == 0:
            self.run_tick(now - timedelta(days=1, minutes=15))
        self.deliver()

    def happenings(self, now: datetime) -> None:
        if now >= BOB_PAUSES and "pause" not in self.done:
            self.done.add("pause")
            with self.rt.db.transaction() as tx:
                bob = tx.scalar(select(Member).where(Member.user_id == "UBOB"))
                bob.paused_until = date(2026, 3, 25)
                self.reassign(tx, now)
        if now >= KOFI_JOINS and "join" not in self.done:
            self.done.add("join")
            with self.rt.db.transaction() as tx:
                kofi = make_member(tx, "UKOFI", tz="Africa/Accra")
                join(tx, tx.scalar(select(Pod)), kofi, now)
                self.reassign(tx, now)
        if now.minute == 30:  # half-way through a session, someone presses "We met"
            with self.rt.db.transaction() as tx:
                for pod_session in tx.scalars(
                    select(PodSession).where(
                        PodSession.held_at.is_(None),
                        PodSession.starts_at <= now - timedelta(minutes=30),
                    )
                ):
                    pod_session.held_at = now

    @staticmethod
    def reassign(tx, now: datetime) -> None:
        """What the pod surface does after a pause or a join."""
        pod = tx.scalar(select(Pod))
        svc.reassign_roles(tx, svc.next_session_for_pod(tx, pod.id, now), now)


def run(rt, clock, slack) -> Simulation:
    for user_id, tz in {**PEOPLE, "UKOFI": "Africa/Accra"}.items():
        slack.add_user(user_id, user_id[1:].lower(), tz=tz)
    slack.add_channel("CPOD", "riverside", members=list(PEOPLE) + ["UKOFI"])
    with rt.db.transaction() as tx:
        people = [
            make_member(tx, user_id, tz=tz, name=user_id[1:].title())
            for user_id, tz in PEOPLE.items()
        ]
        pod = make_pod(tx, "Riverside", people, weekday=1, at=time(15), joined_at=START)
        for number, membership in enumerate(pod.memberships):
            membership.joined_at = START + timedelta(minutes=number)
    simulation = Simulation(rt, clock, slack)
    now, number = START, 0
    while now <= END:
        simulation.step(now, number)
        now += STEP
        number += 1
    return simulation


def test_six_weeks_across_dst_every_message_once_on_time_with_the_right_coach(rt, clock, slack):
    sim = run(rt, clock, slack)

    with rt.db.transaction() as tx:
        held = tx.scalars(select(PodSession).order_by(PodSession.starts_at)).all()
        assert [s.starts_at for s in held][:6] == SESSION_STARTS
        user_of = {m.id: m.user_id for m in tx.scalars(select(Member))}
        assert [user_of.get(s.coach_member_id) for s in held[:6]] == EXPECTED_COACHES
        session_ids = [s.id for s in held[:6]]

    # The pod channel: one prep reminder per session, 24 h before, 15:00 London time.
    channel = sim.arrivals["CPOD"]
    assert [arrived for arrived, _ in channel] == [s - timedelta(hours=24) for s in SESSION_STARTS]
    for (_, message), coach in zip(channel, EXPECTED_COACHES, strict=True):
        seen = visible_text(message)
        assert "15:00 (Europe/London)" in seen
        if coach is None:
            assert "the coach seat is open" in seen
        else:
            assert f"*Coach:* <@{coach}>" in seen

    # Nia (New York): each session's prep DM at its moment, in her time, then the
    # reflection prompt when the session ends. Nothing else, nothing twice.
    nia = sim.arrivals["UNIA"]
    preps = [(at, m) for at, m in nia if "Set my intent" in visible_text(m)]
    assert [at for at, _ in preps] == [s - timedelta(hours=24) for s in SESSION_STARTS]
    for (_, message), when, session_id in zip(preps, NIA_SEES, session_ids, strict=True):
        assert when in visible_text(message)
        assert buttons(message) == [("Set my intent", "checkin_open", str(session_id))]
    ends = [(at, m) for at, m in nia if "Reflect" in visible_text(m)]
    assert [at for at, _ in ends] == [s + timedelta(minutes=45) for s in SESSION_STARTS]
    briefs = [m for _, m in nia if "Your coach brief" in visible_text(m)]
    assert len(briefs) == 1 and "Tue 17 Mar, 11:00 (America/New_York)" in visible_text(briefs[0])
    assert len(nia) == len(preps) + len(ends) + len(briefs)

    # Bob, paused for 24 March, hears nothing about it.
    bob_preps = [m for _, m in sim.arrivals["UBOB"] if "Set my intent" in visible_text(m)]
    assert len(bob_preps) == 5
    assert not any("24 Mar" in visible_text(m) for m in bob_preps)

    # Kofi joins before the 17 March reminder: a newcomer with a buddy, twice.
    kofi = [visible_text(m) for _, m in sim.arrivals["UKOFI"] if "Set my intent" in visible_text(m)]
    assert len(kofi) == 4
    assert "Tue 17 Mar, 15:00 (Africa/Accra)" in kofi[0]
    assert "Your buddy is <@UALICE>" in kofi[0]  # Nia coaches; Alice joined before Bob
    assert "Your buddy is <@UNIA>" in kofi[1]  # Alice coaches, Bob is paused
    assert "newcomer" not in kofi[2] and "Your role:* coach" in kofi[2]
    assert "newcomer" not in kofi[3] and "Your role:* coach" not in kofi[3]

    # Everything the stand-in received was wanted exactly once.
    received = [
        (channel_id, visible_text(message), tuple(buttons(message)))
        for channel_id, messages in sim.arrivals.items()
        for _, message in messages
    ]
    assert len(received) == len(set(received))
    assert not slack.failed_calls()
