"""Properties of the matcher (bot.services.matching), on instances hypothesis makes up."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.matching import slots
from bot.services.matching.objective import Candidate, Rules
from bot.services.matching.optimiser import objective, propose, reshuffle, valid_pod
from bot.services.matching.reasons import pod_reasons

SKILLS = ("negotiation", "feedback", "hiring", "roadmaps", "writing")
TEAMS = ("", "Sales", "Design", "Ops", "Data")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=12)
"""For the structured instances, where a few seeds say enough."""


@st.composite
def rules(draw: st.DrawFn) -> Rules:
    target = draw(st.integers(3, 5))
    return Rules(
        target_size=target,
        min_size=3,
        max_size=draw(st.integers(target, 6)),
        max_level_spread=draw(st.integers(0, 2)),
        by_focus=draw(st.booleans()),
    )


@st.composite
def people(draw: st.DrawFn, low: int = 3, high: int = 22) -> list[Candidate]:
    n = draw(st.integers(low, high))
    ids = list(range(1, n + 1))
    found = []
    for member_id in ids:
        bits = draw(st.lists(st.integers(0, 11), max_size=6))
        found.append(
            Candidate(
                id=member_id,
                name=f"P{member_id}",
                team=draw(st.sampled_from(TEAMS)),
                level=draw(st.one_of(st.none(), st.integers(0, 3))),
                offers=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
                growth=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
                mask=sum(1 << b for b in set(bits)),
                focus=draw(st.sampled_from((None, "leading", "selling"))),
                avoid=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2))) - {member_id},
                sessions_coached=draw(st.integers(0, 5)),
                newcomer=draw(st.booleans()),
            )
        )
    return found


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Candidate], Rules, set[frozenset[int]], int]:
    found = draw(people())
    ids = [p.id for p in found]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=10))
    recent = {frozenset(pair) for pair in pairs if pair[0] != pair[1]}
    return found, draw(rules()), recent, draw(st.integers(0, 2**16))


def _random_valid_partition(
    found: list[Candidate], rule: Rules, rng: random.Random
) -> list[list[int]]:
    """People in a random order, each pod grown while it stays valid; pods too small
    are dropped (their people stay unplaced)."""
    order = [p.id for p in found]
    rng.shuffle(order)
    pods: list[list[int]] = []
    used: set[int] = set()
    for start in order:
        if start in used:
            continue
        pod = [start]
        for other in order:
            if len(pod) >= rng.randint(rule.min_size, rule.max_size):
                break
            if other in used or other in pod:
                continue
            trial = [*pod, other]
            if _fits_loosely(found, trial, rule):
                pod = trial
        if valid_pod(found, pod, rule):
            pods.append(pod)
            used.update(pod)
    return pods


def _fits_loosely(found: list[Candidate], pod: list[int], rule: Rules) -> bool:
    """Valid but for being too small."""
    loose = Rules(
        target_size=max(rule.target_size, 3),
        min_size=2,
        max_size=rule.max_size,
        max_level_spread=rule.max_level_spread,
        by_focus=rule.by_focus,
    )
    if len(pod) < 2:
        return True
    return valid_pod(found, pod, loose)


@SETTINGS
@given(instances())
def test_every_pod_is_valid_and_nobody_is_placed_twice(instance) -> None:
    found, rule, recent, seed = instance
    proposal = propose(found, rule, recent, seed=seed)
    by_id = {p.id: p for p in found}
    seen: list[int] = []
    for pod in proposal.pods:
        assert rule.min_size <= len(pod.members) <= rule.max_size
        levels = [by_id[m].level for m in pod.members if by_id[m].level is not None]
        assert not levels or max(levels) - min(levels) <= rule.max_level_spread
        assert valid_pod(found, pod.members, rule)
        # the proposed slot is inside everyone's availability
        assert all(by_id[m].mask >> pod.slot & 1 for m in pod.members)
        # nobody is with someone on their private list
        for m in pod.members:
            assert not (by_id[m].avoid & set(pod.members))
        seen.extend(pod.members)
    assert len(seen) == len(set(seen))
    assert set(seen) | set(proposal.unplaced) == set(by_id)
    assert not set(seen) & set(proposal.unplaced)


@SETTINGS
@given(instances(), st.integers(0, 1000))
def test_score_is_never_worse_than_a_random_valid_partition(instance, other_seed) -> None:
    found, rule, recent, seed = instance
    proposal = propose(found, rule, recent, seed=seed)
    assert math.isclose(
        proposal.score, objective(found, [p.members for p in proposal.pods], rule, recent)
    )
    rng = random.Random(other_seed)
    for _ in range(5):
        baseline = _random_valid_partition(found, rule, rng)
        assert objective(found, baseline, rule, recent) <= proposal.score + 1e-6


@FEW
@given(instances())
def test_the_same_seed_gives_the_same_proposal(instance) -> None:
    found, rule, recent, seed = instance
    assert propose(found, rule, recent, seed=seed) == propose(
        list(reversed(found)), rule, recent, seed=seed
    )


@FEW
@given(st.integers(2, 5), st.integers(2, 5), st.integers(0, 99), st.booleans())
def test_repeats_and_private_lists_are_avoided_when_the_instance_allows(
    pods_count, clique, seed, with_teams
) -> None:
    """Everyone can meet everyone: a group who all met this year (no bigger than the
    number of pods) and a few private lists can always be kept apart."""
    clique = min(clique, pods_count)
    n = 4 * pods_count
    avoid = {1: frozenset({2}), 3: frozenset({n})}
    found = [
        Candidate(
            id=i,
            name=f"P{i}",
            team=TEAMS[i % 5] if with_teams else "",
            level=1,
            mask=0b1111,
            avoid=avoid.get(i, frozenset()),
        )
        for i in range(1, n + 1)
    ]
    recent = {frozenset({a, b}) for a in range(1, clique + 1) for b in range(a + 1, clique + 1)}
    proposal = propose(found, Rules(), recent, seed=seed)
    assert not proposal.unplaced
    for pod in proposal.pods:
        members = set(pod.members)
        assert not any(pair <= members for pair in recent), pod
        assert not ({1, 2} <= members or {3, n} <= members)


@FEW
@given(instances())
def test_reasons_never_mention_private_lists(instance) -> None:
    found, rule, recent, seed = instance
    by_id = {p.id: p for p in found}
    proposal = propose(found, rule, recent, seed=seed)
    for pod in proposal.pods:
        text = pod_reasons([by_id[m] for m in pod.members], pod.slot)
        assert text and "list" not in text and "avoid" not in text
        assert "UTC suit" in text


@settings(SETTINGS, max_examples=25)
@given(people(low=8, high=24), st.integers(0, 99), st.lists(st.integers(1, 24), max_size=6))
def test_a_reshuffle_keeps_half_of_each_pod_and_every_pod_valid(found, seed, opted_out) -> None:
    found = [
        Candidate(id=p.id, name=p.name, team=p.team, level=1, mask=0b111, offers=p.offers)
        for p in found
    ]
    ids = [p.id for p in found]
    pods = [ids[k : k + 4] for k in range(0, len(ids) - len(ids) % 4, 4)]
    recent = {frozenset({a, b}) for pod in pods for a in pod for b in pod if a != b}
    staying = set(opted_out)
    after = reshuffle(found, pods, Rules(), recent, staying, seed=seed)
    assert len(after) == len(pods)
    placed = [m for pod in after for m in pod]
    assert sorted(placed) == sorted(m for pod in pods for m in pod)
    for before, now in zip(pods, after, strict=True):
        assert len(set(before) & set(now)) * 2 >= len(before)
        assert {m for m in before if m in staying} <= set(now)
        assert valid_pod(found, now, Rules())
    if len(pods) >= 2 and not staying:
        # new perspectives: someone moved
        assert [tuple(sorted(p)) for p in pods] != after


def test_availability_masks_are_in_each_persons_own_timezone() -> None:
    week = slots.week_start(datetime(2026, 12, 1, tzinfo=UTC).date())
    paris = slots.availability_mask([1], time(15, 0), time(17, 0), "Europe/Paris", week)
    new_york = slots.availability_mask([1], time(9, 0), time(12, 0), "America/New_York", week)
    common = slots.common([paris, new_york])
    # Paris 15:00–17:00 is 14:00–16:00 UTC; New York 09:00–12:00 is 14:00–17:00 UTC.
    assert slots.count(common) == 3  # starts 14:00, 14:30, 15:00 UTC
    slot = slots.pick(common)
    assert slots.describe_utc(slot) == "Tuesdays 14:30–15:30 UTC"
    assert slots.local_rhythm(slot, "Europe/Paris", week) == (1, time(15, 30))
    kolkata = slots.availability_mask([0], time(9, 0), time(10, 0), "Asia/Kolkata", week)
    assert slots.describe_utc(slots.pick(kolkata)) == "Mondays 03:30–04:30 UTC"


def test_reasons_read_like_a_person_wrote_them() -> None:
    ana = Candidate(1, "Ana", team="Sales", level=1, offers=frozenset({"negotiation"}))
    ben = Candidate(2, "Ben", team="Design", level=1, growth=frozenset({"negotiation"}))
    chloe = Candidate(3, "Chloé", team="Ops", level=1, growth=frozenset({"negotiation"}))
    text = pod_reasons([ana, ben, chloe], slot=48 + 30)
    assert text == (
        "Ana offers negotiation that Ben and Chloé want to grow; three teams, one each; "
        "the same level; Tuesdays 15:00–16:00 UTC suit all three"
    )


@FEW
@given(st.integers(0, 999))
def test_newcomers_are_placed_with_a_seasoned_buddy(seed) -> None:
    """Two newcomers, two seasoned members (many sessions coached), eight others,
    all able to meet: each newcomer's pod has someone seasoned."""
    found = [
        Candidate(
            id=i,
            name=f"P{i}",
            team=TEAMS[i % 5],
            level=1,
            mask=0b1111,
            newcomer=i in (1, 2),
            sessions_coached=8 if i in (11, 12) else 1,
        )
        for i in range(1, 13)
    ]
    proposal = propose(found, Rules(), seed=seed)
    assert not proposal.unplaced
    for pod in proposal.pods:
        if {1, 2} & set(pod.members):
            assert {11, 12} & set(pod.members), pod
