"""The matcher: candidates in, pods (with a slot and a score) and the unplaced out.

1. Tiny instances (≤ EXACT_MAX people) are solved exactly over every valid pod.
2. Otherwise a greedy construction: the hardest people first (fewest meeting
   slots), each seeding a pod grown by the best marginal gain among a sample of
   compatible, unplaced people; leftovers are slotted into pods with room.
3. Then simulated annealing over moves that keep every pod valid: swap two
   people between pods, move one to a pod with room, bring an unplaced person in
   (or swap them for a member), break a weak pod; the best state seen is kept.

Deterministic for a seed (iteration counts, never wall time, bound the search).
`reshuffle` keeps at least half of each existing pod and swaps the rest around.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.services.matching import slots
from bot.services.matching.objective import PLACED, Candidate, Instance, Rules, too_far

EXACT_MAX = 10
SAMPLE = 48
"""Compatible people looked at when growing one pod (SAMPLE_AT_SCALE beyond 500)."""
SAMPLE_AT_SCALE = 24
ITERATIONS_PER_PERSON = 30
RESTARTS = 16
HILL_CLIMB_MAX = 300
POLISHED = 4
"""The best constructions that go through annealing and hill climbing (all of them up
to POLISH_ALL_MAX people)."""
POLISH_ALL_MAX = 40
LNS_PATIENCE = 20
"""Rounds without improvement after which the neighbourhood search stops."""
"""People up to which a full steepest-ascent pass ends each start."""
RESTART_PEOPLE = 1600
"""Restarts are worth it only for small instances: RESTART_PEOPLE / n of them."""
MAX_ITERATIONS = 30_000
START_TEMPERATURE = 1.5
END_TEMPERATURE = 0.02
NEW_PERSPECTIVE = 12.0
"""Reshuffle: bonus for each mover who ends up in a pod other than their own."""


class Unplaced:
    """Why someone could not be placed (codes for `reasons`)."""

    NO_AVAILABILITY = "no_availability"
    NO_PEERS = "no_peers"
    NO_SHARED_TIME = "no_shared_time"
    NUMBERS = "numbers"


@dataclass(frozen=True)
class Pod:
    members: tuple[int, ...]
    """Candidate ids."""
    slot: int
    """Half-hour of the UTC week the one-hour meeting starts (slots module)."""
    score: float


@dataclass(frozen=True)
class Proposal:
    pods: tuple[Pod, ...]
    unplaced: dict[int, str]
    """Candidate id → Unplaced code."""
    score: float
    greedy_score: float


# --------------------------------------------------------------------------- entry points


def propose(
    people: Sequence[Candidate],
    rules: Rules | None = None,
    recent_pairs: Iterable[frozenset[int]] = (),
    *,
    seed: int = 0,
    iterations: int | None = None,
    exact_max: int = EXACT_MAX,
    anneal: bool = True,
) -> Proposal:
    """Pods for these people. `recent_pairs`: ids of people who shared a pod lately."""
    people = sorted(people, key=lambda p: p.id)
    inst = Instance(people, rules or Rules(), frozenset(recent_pairs))
    rng = random.Random(seed)
    if len(people) <= exact_max:
        groups = _exact(inst)
        greedy_score = _objective(inst, groups)
    else:
        first = _greedy(inst, rng)
        greedy_score = _objective(inst, first)
        starts = [first]
        starts += [_greedy(inst, rng, randomised=True) for _r in range(_restarts(len(people)))]
        budget = iterations
        if budget is None:
            budget = min(MAX_ITERATIONS, ITERATIONS_PER_PERSON * len(people))
        groups, best_score = first, -math.inf
        starts.sort(key=lambda g: -_objective(inst, g))
        for start in starts[: POLISHED if len(people) > POLISH_ALL_MAX else len(starts)]:
            candidate = start
            if anneal:
                candidate = _anneal(inst, candidate, rng, budget)
                repaired = _repair(inst, candidate, rng)
                if _objective(inst, repaired) > _objective(inst, candidate):
                    candidate = repaired
                if len(people) <= HILL_CLIMB_MAX:
                    candidate = _hill_climb(inst, candidate)
            score = _objective(inst, candidate)
            if score > best_score + 1e-9:
                groups, best_score = candidate, score
        if anneal:
            rounds, size = _lns_budget(len(people))
            groups = _lns(inst, groups, rng, rounds, size)
    return _proposal(inst, groups, greedy_score)


def reshuffle(
    people: Sequence[Candidate],
    pods: Sequence[Sequence[int]],
    rules: Rules | None = None,
    recent_pairs: Iterable[frozenset[int]] = (),
    staying: Iterable[int] = (),
    *,
    seed: int = 0,
    iterations: int | None = None,
) -> list[tuple[int, ...]]:
    """New member lists for existing pods (same order): each keeps at least half of
    its people (everyone in `staying` — those who opted out — among them), and the
    rest are swapped between pods for new perspectives, every pod staying valid.
    Pods that are not valid to begin with are left as they are."""
    people = sorted(people, key=lambda p: p.id)
    inst = Instance(people, rules or Rules(), frozenset(recent_pairs))
    rng = random.Random(seed)
    index = {p.id: i for i, p in enumerate(people)}
    stay = {index[s] for s in staying if s in index}
    groups: list[list[int]] = []
    home: dict[int, int] = {}
    movers: list[int] = []
    for k, pod in enumerate(pods):
        members = [index[m] for m in pod if m in index]
        groups.append(members)
        if not inst.fits(members, size_check=False):
            continue
        keep = math.ceil(len(members) / 2)
        fixed = [i for i in members if i in stay]
        others = [i for i in members if i not in stay]
        rng.shuffle(others)
        for i in others[max(0, keep - len(fixed)) :]:
            home[i] = k
            movers.append(i)

    def value(k: int) -> float:
        members = groups[k]
        away = sum(1 for i in members if i in home and home[i] != k)
        return inst.score(members) + NEW_PERSPECTIVE * away

    where = {i: k for k, members in enumerate(groups) for i in members}
    budget = iterations if iterations is not None else max(500, 200 * len(movers))
    budget = min(budget, MAX_ITERATIONS)
    if len(movers) >= 2:
        for step in range(budget):
            a, b = rng.sample(movers, 2)
            ka, kb = where[a], where[b]
            if ka == kb:
                continue
            before = value(ka) + value(kb)
            ga, gb = groups[ka], groups[kb]
            ga[ga.index(a)] = b
            gb[gb.index(b)] = a
            ok = inst.fits(ga, size_check=False) and inst.fits(gb, size_check=False)
            delta = value(ka) + value(kb) - before if ok else -math.inf
            temperature = _temperature(step, budget)
            if ok and (delta >= 0 or rng.random() < math.exp(delta / temperature)):
                where[a], where[b] = kb, ka
            else:
                ga[ga.index(b)] = a
                gb[gb.index(a)] = b
    return [tuple(sorted(people[i].id for i in members)) for members in groups]


def _lns_budget(n: int) -> tuple[int, int]:
    """(rounds, people per neighbourhood) of the large neighbourhood search."""
    if n <= HILL_CLIMB_MAX:
        return 60, 10
    return min(100, n // 10), 9


def _restarts(n: int) -> int:
    """Extra constructions: many for small instances, none at scale."""
    return max(0, min(RESTARTS, RESTART_PEOPLE // max(n, 1) - 1))


# --------------------------------------------------------------------------- exact


def _exact(inst: Instance, indices: Sequence[int] | None = None) -> list[list[int]]:
    """The best pods over `indices` (everyone by default), by dynamic programming
    over every valid pod; for small sets only (2^len subsets)."""
    chosen = list(range(len(inst.people))) if indices is None else list(indices)
    n = len(chosen)
    rules = inst.rules
    by_lowest: dict[int, list[tuple[int, float, list[int]]]] = {i: [] for i in range(n)}
    for mask in range(1, 1 << n):
        size = mask.bit_count()
        if not rules.min_size <= size <= rules.max_size:
            continue
        local = [i for i in range(n) if mask >> i & 1]
        members = [chosen[i] for i in local]
        if inst.fits(members):
            by_lowest[local[0]].append((mask, inst.score(members), members))
    memo: dict[int, tuple[float, list[list[int]]]] = {}

    def best(remaining: int) -> tuple[float, list[list[int]]]:
        if remaining == 0:
            return 0.0, []
        if remaining in memo:
            return memo[remaining]
        low = (remaining & -remaining).bit_length() - 1
        result = best(remaining & ~(1 << low))
        for mask, score, members in by_lowest[low]:
            if mask & remaining == mask:
                rest_score, rest = best(remaining & ~mask)
                if score + rest_score > result[0] + 1e-9:
                    result = (score + rest_score, [members, *rest])
        memo[remaining] = result
        return result

    return best((1 << n) - 1)[1]


def _lns(
    inst: Instance, groups: list[list[int]], rng: random.Random, rounds: int, size: int
) -> list[list[int]]:
    """Large neighbourhood search: a few pods and unplaced people around one person,
    re-solved exactly; kept when the objective improves."""
    pods = [list(g) for g in groups if g]
    n = len(inst.people)
    idle = 0
    for _ in range(rounds):
        if idle >= LNS_PATIENCE:
            break
        idle += 1
        where = {i: k for k, g in enumerate(pods) for i in g}
        loose = [i for i in range(n) if i not in where and inst.people[i].mask]
        if loose and rng.random() < 0.8:
            seed = rng.choice(loose)
        elif pods:
            seed = rng.choice(rng.choice(pods))
        else:
            break
        chosen_pods = {where[seed]} if seed in where else set()
        near = [k for k, g in enumerate(pods) if any(inst.compatible(seed, m) for m in g)]
        rng.shuffle(near)
        people = [seed] + [i for k in chosen_pods for i in pods[k] if i != seed]
        for k in near:
            if k in chosen_pods or len(people) + len(pods[k]) > size - 1:
                continue
            chosen_pods.add(k)
            people += pods[k]
            if len(chosen_pods) >= 3:
                break
        company = [i for i in loose if i != seed and inst.compatible(seed, i)]
        rng.shuffle(company)
        people += company[: max(0, size - len(people))]
        before = sum(inst.score(pods[k]) for k in chosen_pods)
        solved = _exact(inst, people)
        if inst.total(solved) > before + 1e-9:
            pods = [g for k, g in enumerate(pods) if k not in chosen_pods] + solved
            idle = 0
    return pods


# --------------------------------------------------------------------------- greedy


def _window(inst: Instance) -> tuple[dict[int | None, list[int]], list[int | None]]:
    buckets: dict[int | None, list[int]] = {}
    for i, person in enumerate(inst.people):
        buckets.setdefault(person.level, []).append(i)
    return buckets, sorted(buckets, key=lambda level: (level is None, level or 0))


def _greedy(inst: Instance, rng: random.Random, *, randomised: bool = False) -> list[list[int]]:
    """One construction. `randomised`: a random order, random pod sizes and first fit
    (a restart's diversity) instead of hardest first and best marginal gain."""
    rules = inst.rules
    people = inst.people
    n = len(people)
    buckets, levels = _window(inst)
    shuffled = {level: rng.sample(members, len(members)) for level, members in buckets.items()}
    placed = [False] * n
    noise = [rng.random() for _ in range(n)]
    if randomised:
        order = sorted(range(n), key=lambda i: noise[i])
    else:
        order = sorted(range(n), key=lambda i: (slots.count(people[i].mask), noise[i]))
    groups: list[list[int]] = []
    sample = SAMPLE if n <= 500 else SAMPLE_AT_SCALE

    def pool_for(seed: int) -> list[int]:
        level = people[seed].level
        spread = rules.max_level_spread
        near = [
            lv
            for lv in levels
            if lv is None or level is None or abs(lv - level) <= spread  # type: ignore[operator]
        ]
        found: list[int] = []
        for lv in near:
            for j in shuffled[lv]:
                if not placed[j] and j != seed and inst.compatible(seed, j):
                    found.append(j)
                    if len(found) >= sample:
                        return found
        return found

    for seed in order:
        if placed[seed] or not people[seed].mask:
            continue
        pool = pool_for(seed)
        if len(pool) + 1 < rules.min_size:
            continue
        size = rng.randint(rules.min_size, rules.max_size) if randomised else rules.target_size
        members = _grow(inst, [seed], pool, size, first_fit=randomised)
        if len(members) < rules.min_size:
            members = _search(inst, [seed], pool, rules.min_size)
        if len(members) >= rules.min_size:
            for i in members:
                placed[i] = True
            groups.append(members)
    if not randomised:
        _slot_in_leftovers(inst, groups, placed)
    return groups


def _grow(
    inst: Instance, members: list[int], pool: Sequence[int], size: int, *, first_fit: bool
) -> list[int]:
    """Adds people from `pool` while the pod stays valid, up to `size`: the best
    marginal gain each time (or the first that fits)."""
    members = list(members)
    current = inst.score(members)
    while len(members) < size:
        best_gain, best_j = -math.inf, -1
        for j in pool:
            if j in members:
                continue
            trial = [*members, j]
            if not inst.fits(trial, size_check=False):
                continue
            gain = inst.score(trial) - current
            if gain > best_gain:
                best_gain, best_j = gain, j
                if first_fit:
                    break
        if best_j < 0:
            break
        members.append(best_j)
        current += best_gain
    return members


SEARCH_NODES = 400


def _search(inst: Instance, members: list[int], pool: Sequence[int], size: int) -> list[int]:
    """A depth-first search (bounded) for any valid pod of `size` from `pool`
    around `members`; `members` unchanged when none is found."""
    budget = [SEARCH_NODES]

    def dfs(current: list[int], start: int) -> list[int] | None:
        if len(current) >= size:
            return current
        for index in range(start, len(pool)):
            budget[0] -= 1
            if budget[0] < 0:
                return None
            j = pool[index]
            if j in current:
                continue
            trial = [*current, j]
            if inst.fits(trial, size_check=False):
                found = dfs(trial, index + 1)
                if found is not None:
                    return found
        return None

    return dfs(list(members), 0) or list(members)


def _repair(inst: Instance, groups: list[list[int]], rng: random.Random) -> list[list[int]]:
    """Pods among the unplaced, then pods that borrow one member from a pod that can
    spare one: kept when the objective improves."""
    rules = inst.rules
    groups = [list(g) for g in groups]
    placed = {i for g in groups for i in g}
    loose = [i for i in range(len(inst.people)) if i not in placed and inst.people[i].mask]
    changed = True
    while changed and len(loose) >= 2:
        changed = False
        for seed in list(loose):
            if seed not in loose:
                continue
            pool = [j for j in loose if j != seed and inst.compatible(seed, j)]
            members = _search(inst, [seed], pool, rules.min_size)
            if len(members) >= rules.min_size:
                members = _grow(inst, members, pool, rules.target_size, first_fit=False)
                groups.append(members)
                loose = [j for j in loose if j not in members]
                changed = True
                continue
            # Borrow one person from a pod that stays big enough without them.
            for k, pod in enumerate(groups):
                if len(pod) <= rules.min_size:
                    continue
                for lender in pod:
                    if not inst.compatible(seed, lender):
                        continue
                    rest = [m for m in pod if m != lender]
                    trial = _search(inst, [seed, lender], pool, rules.min_size)
                    if len(trial) < rules.min_size or not inst.fits(rest):
                        continue
                    gain = inst.score(trial) + inst.score(rest) - inst.score(pod)
                    if gain > 0:
                        groups[k] = rest
                        groups.append(trial)
                        loose = [j for j in loose if j not in trial]
                        changed = True
                        break
                if changed:
                    break
            if changed:
                break
    for i in loose:
        for k, pod in enumerate(groups):
            if len(pod) < rules.max_size and inst.fits([*pod, i]):
                groups[k] = [*pod, i]
                break
    return groups


def _slot_in_leftovers(inst: Instance, groups: list[list[int]], placed: list[bool]) -> None:
    """Each unplaced person into the pod with room where they add the most."""
    by_level: dict[int | None, list[int]] = {}
    for k, members in enumerate(groups):
        levels = {inst.people[i].level for i in members}
        for level in levels:
            by_level.setdefault(level, []).append(k)
    for i, person in enumerate(inst.people):
        if placed[i] or not person.mask:
            continue
        best_gain, best_k = -math.inf, -1
        for k, members in enumerate(groups):
            if len(members) >= inst.rules.max_size:
                continue
            trial = [*members, i]
            if not inst.fits(trial):
                continue
            gain = inst.score(trial) - inst.score(members)
            if gain > best_gain:
                best_gain, best_k = gain, k
        if best_k >= 0:
            groups[best_k].append(i)
            placed[i] = True


# --------------------------------------------------------------------------- annealing


def _temperature(step: int, budget: int) -> float:
    fraction = step / max(1, budget - 1)
    return START_TEMPERATURE * (END_TEMPERATURE / START_TEMPERATURE) ** fraction


def _anneal(
    inst: Instance, groups: list[list[int]], rng: random.Random, budget: int
) -> list[list[int]]:
    rules = inst.rules
    n = len(inst.people)
    pods: list[list[int]] = [list(g) for g in groups]
    scores = [inst.score(g) for g in pods]
    where = [-1] * n
    for k, members in enumerate(pods):
        for i in members:
            where[i] = k
    buckets, _levels = _window(inst)
    level_keys = list(buckets)
    total = sum(scores)
    best_total, best = total, [list(g) for g in pods]

    def partner(i: int) -> int:
        """Someone likely compatible with i: same or a neighbouring level."""
        level = inst.people[i].level
        options = [
            lv
            for lv in level_keys
            if lv is None or level is None or abs(lv - level) <= rules.max_level_spread  # type: ignore[operator]
        ]
        members = buckets[rng.choice(options)]
        return members[rng.randrange(len(members))]

    for step in range(budget):
        temperature = _temperature(step, budget)
        i = rng.randrange(n)
        j = partner(i)
        if i == j:
            continue
        ki, kj = where[i], where[j]
        if ki < 0 and kj < 0:
            if rng.random() < 0.2:
                # Two unplaced people: try to open a pod around them.
                total += _open_pod(inst, pods, scores, where, i, j)
            continue
        if ki < 0:  # make i the placed one
            i, j, ki, kj = j, i, kj, ki
        changes: list[tuple[int, list[int]]] = []
        if kj >= 0 and ki != kj:
            a = [j if m == i else m for m in pods[ki]]
            b = [i if m == j else m for m in pods[kj]]
            move = rng.random() < 0.3
            if move and len(pods[ki]) > rules.min_size and len(pods[kj]) < rules.max_size:
                a = [m for m in pods[ki] if m != i]
                b = [*pods[kj], i]
            changes = [(ki, a), (kj, b)]
        elif kj < 0:
            if len(pods[ki]) < rules.max_size and rng.random() < 0.5:
                changes = [(ki, [*pods[ki], j])]
            else:
                changes = [(ki, [j if m == i else m for m in pods[ki]])]
        else:
            continue
        if not all(inst.fits(members) for _k, members in changes):
            continue
        new_scores = [inst.score(members) for _k, members in changes]
        delta = sum(new_scores) - sum(scores[k] for k, _m in changes)
        if delta >= 0 or rng.random() < math.exp(delta / temperature):
            for (k, members), score in zip(changes, new_scores, strict=True):
                for m in pods[k]:
                    where[m] = -1
                pods[k] = members
                scores[k] = score
            for k, members in changes:
                for m in members:
                    where[m] = k
            total += delta
            if total > best_total + 1e-9:
                best_total, best = total, [list(g) for g in pods]
    return [g for g in best if g]


def _hill_climb(inst: Instance, groups: list[list[int]]) -> list[list[int]]:
    """Steepest ascent to a local optimum: every swap between two pods, every move to
    a pod with room, every unplaced person in (or for a member)."""
    rules = inst.rules
    pods = [list(g) for g in groups if g]
    improved = True
    while improved:
        improved = False
        placed = {i for g in pods for i in g}
        loose = [i for i in range(len(inst.people)) if i not in placed and inst.people[i].mask]
        scores = [inst.score(g) for g in pods]
        for ka, a in enumerate(pods):
            if len(a) >= 2 * rules.min_size:
                split = _split(inst, a)
                if split is not None:
                    pods[ka : ka + 1] = split
                    improved = True
                    break
            for u in loose:
                options = [[*a, u]] if len(a) < rules.max_size else []
                options += [[u if m == x else m for m in a] for x in a]
                for trial in options:
                    if inst.fits(trial) and inst.score(trial) > scores[ka] + 1e-9:
                        pods[ka] = trial
                        improved = True
                        break
                if improved:
                    break
            if improved:
                break
            for kb in range(ka + 1, len(pods)):
                b = pods[kb]
                before = scores[ka] + scores[kb]
                trials = []
                for x in a:
                    if len(a) > rules.min_size and len(b) < rules.max_size:
                        trials.append(([m for m in a if m != x], [*b, x]))
                    for y in b:
                        swapped_a = [y if m == x else m for m in a]
                        trials.append((swapped_a, [x if m == y else m for m in b]))
                for y in b:
                    if len(b) > rules.min_size and len(a) < rules.max_size:
                        trials.append(([*a, y], [m for m in b if m != y]))
                for ta, tb in trials:
                    if not (inst.fits(ta) and inst.fits(tb)):
                        continue
                    if inst.score(ta) + inst.score(tb) > before + 1e-9:
                        pods[ka], pods[kb] = ta, tb
                        improved = True
                        break
                if improved:
                    break
            if improved:
                break
    return pods


def _split(inst: Instance, pod: list[int]) -> list[list[int]] | None:
    """The best split of a big pod into two valid ones that scores higher, if any."""

    best, best_score = None, inst.score(pod)
    for size in range(inst.rules.min_size, len(pod) - inst.rules.min_size + 1):
        for part in itertools.combinations(pod, size):
            rest = [m for m in pod if m not in part]
            first = list(part)
            if inst.fits(first) and inst.fits(rest):
                score = inst.score(first) + inst.score(rest)
                if score > best_score + 1e-9:
                    best, best_score = [first, rest], score
    return best


def _open_pod(
    inst: Instance,
    pods: list[list[int]],
    scores: list[float],
    where: list[int],
    i: int,
    j: int,
) -> float:
    """A new pod from i, j and the best unplaced companions; its score, or 0."""
    members = [i, j]
    if not inst.fits(members, size_check=False):
        return 0.0
    for k in range(len(inst.people)):
        if len(members) >= inst.rules.target_size:
            break
        if where[k] < 0 and k not in members and inst.fits([*members, k], size_check=False):
            members.append(k)
    if not inst.fits(members):
        return 0.0
    score = inst.score(members)
    pods.append(members)
    scores.append(score)
    for m in members:
        where[m] = len(pods) - 1
    return score


# --------------------------------------------------------------------------- results


def _objective(inst: Instance, groups: Sequence[Sequence[int]]) -> float:
    """Placed people earn PLACED inside each pod's score; unplaced people earn 0."""
    return inst.total(groups)


def objective(
    people: Sequence[Candidate],
    pods: Sequence[Sequence[int]],
    rules: Rules | None = None,
    recent_pairs: Iterable[frozenset[int]] = (),
) -> float:
    """The objective of any partition given by candidate ids (for tests and benches)."""
    people = sorted(people, key=lambda p: p.id)
    inst = Instance(people, rules or Rules(), frozenset(recent_pairs))
    index = {p.id: i for i, p in enumerate(people)}
    return inst.total([[index[m] for m in pod] for pod in pods])


def valid_pod(
    people: Sequence[Candidate],
    pod: Sequence[int],
    rules: Rules | None = None,
) -> bool:
    people = sorted(people, key=lambda p: p.id)
    inst = Instance(people, rules or Rules())
    index = {p.id: i for i, p in enumerate(people)}
    return inst.fits([index[m] for m in pod])


def _proposal(inst: Instance, groups: list[list[int]], greedy_score: float) -> Proposal:
    people = inst.people
    pods = []
    placed: set[int] = set()
    for members in sorted(groups, key=lambda g: min(people[i].id for i in g)):
        slot = slots.pick(slots.common(people[i].mask for i in members))
        assert slot is not None
        pods.append(
            Pod(
                members=tuple(sorted(people[i].id for i in members)),
                slot=slot,
                score=round(inst.score(members), 2),
            )
        )
        placed.update(members)
    unplaced = {people[i].id: _why(inst, i, placed) for i in range(len(people)) if i not in placed}
    return Proposal(
        pods=tuple(pods),
        unplaced=unplaced,
        score=round(inst.total(groups), 2),
        greedy_score=round(greedy_score, 2),
    )


def _why(inst: Instance, i: int, placed: set[int]) -> str:
    person = inst.people[i]
    if not person.mask:
        return Unplaced.NO_AVAILABILITY
    rules = inst.rules
    peers = []
    for j, other in enumerate(inst.people):
        if j == i:
            continue
        if too_far(person, other, rules.max_level_spread):
            continue
        if rules.by_focus and person.focus and other.focus and person.focus != other.focus:
            continue
        peers.append(j)
    if len(peers) + 1 < rules.min_size:
        return Unplaced.NO_PEERS
    sharing = [j for j in peers if person.mask & inst.people[j].mask]
    if len(sharing) + 1 < rules.min_size:
        return Unplaced.NO_SHARED_TIME
    return Unplaced.NUMBERS


__all__ = [
    "PLACED",
    "Candidate",
    "Pod",
    "Proposal",
    "Rules",
    "Unplaced",
    "objective",
    "propose",
    "reshuffle",
    "valid_pod",
]
