"""A proposed pod, and an unplaced person's situation, in words.

Plain text built from what members chose to share in their profiles; never
anything from a private "don't put me with" list. The ui layer escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.matching import slots
from bot.services.matching.objective import Candidate
from bot.services.matching.optimiser import Unplaced

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")


def _number(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def pod_reasons(members: Sequence[Candidate], slot: int, repeats: int = 0) -> str:
    """“Ana offers negotiation that Ben and Chloé want to grow; three teams;
    Tuesdays 15:00–16:00 UTC suit all four”."""
    parts: list[str] = []
    for giver in members:
        for skill in sorted(giver.offers):
            takers = [m.name for m in members if m is not giver and skill in m.growth]
            if takers:
                parts.append(f"{giver.name} offers {skill} that {_names(takers)} want to grow")
                if len(parts) >= 2:
                    break
        if len(parts) >= 2:
            break
    if not parts:
        parts.append("no one's growth area is another's offer yet")
    teams = {m.team for m in members if m.team}
    if len(teams) == len(members):
        parts.append(f"{_number(len(teams))} teams, one each")
    elif len(teams) > 1:
        parts.append(f"{_number(len(teams))} teams")
    elif len(teams) == 1:
        parts.append("all from one team")
    levels = {m.level for m in members if m.level is not None}
    if len(levels) == 1:
        parts.append("the same level")
    elif levels:
        parts.append("neighbouring levels")
    newcomers = [m.name for m in members if m.newcomer]
    seasoned = [m.name for m in members if m.seasoned and not m.newcomer]
    if newcomers and seasoned:
        parts.append(f"{seasoned[0]} can buddy {_names(newcomers)}")
    focuses = {m.focus for m in members if m.focus}
    if len(focuses) == 1:
        parts.append(f"all focused on {next(iter(focuses))}")
    if repeats:
        parts.append(f"{_number(repeats)} pair{'s' if repeats > 1 else ''} met in a pod this year")
    everyone = "both" if len(members) == 2 else f"all {_number(len(members))}"
    parts.append(f"{slots.describe_utc(slot)} suit {everyone}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


UNPLACED_WHY = {
    Unplaced.NO_AVAILABILITY: "your profile has no weekdays you can meet on",
    Unplaced.NO_PEERS: "too few people at a level near yours are looking for a pod right now",
    Unplaced.NO_SHARED_TIME: (
        "nobody near your level can meet at the times you gave, in their own timezones"
    ),
    Unplaced.NUMBERS: "the pods that fit your times and level filled up this round",
}
UNPLACED_HELP = {
    Unplaced.NO_AVAILABILITY: "Add the weekdays and hours you can meet with `/coach profile`.",
    Unplaced.NO_PEERS: (
        "You're first in line when more people join. Matching by focus off or a wider "
        "level range (ask a program admin) would also help."
    ),
    Unplaced.NO_SHARED_TIME: (
        "A wider time window or more weekdays in `/coach profile` gives the matcher "
        "more to work with."
    ),
    Unplaced.NUMBERS: (
        "You're first in line next round; more weekdays or a wider window in "
        "`/coach profile` make a fit more likely."
    ),
}


def unplaced_reason(code: str) -> str:
    return UNPLACED_WHY.get(code, UNPLACED_WHY[Unplaced.NUMBERS])


def unplaced_help(code: str) -> str:
    return UNPLACED_HELP.get(code, UNPLACED_HELP[Unplaced.NUMBERS])
