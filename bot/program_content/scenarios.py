"""Finding the scenario a person means: by key, name or alias, forgiving case,
punctuation, filler words and typos; and the closest ones for "did you mean"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from models.program_content import Content, Scenario, phrase_words

_FILLER = frozenset(
    {
        *("a", "an", "the", "and", "or", "of", "to", "in", "into", "on", "for", "with"),
        *("about", "at", "from", "by", "as", "is", "it", "its", "this", "that", "some"),
        *("my", "our", "me", "i", "we", "you", "your", "please", "help"),
        *("scenario", "scenarios", "prompt", "prompts"),
    }
)
_PREFIX_MIN = 3
_FUZZY_CUTOFF = 0.8
_FUZZY_MARGIN = 0.1
_NEAR_SPELLING = 0.7
_CLOSEST_CUTOFF = 0.5


@dataclass(frozen=True)
class _Phrase:
    index: int  # the scenario's position in content.scenarios
    compact: str  # every word, joined
    core: tuple[str, ...]  # the words that carry meaning
    core_compact: str


def _core(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in _FILLER) or tuple(words)


def _phrase(index: int, text: str) -> _Phrase:
    words = phrase_words(text)
    core = _core(words)
    return _Phrase(index, "".join(words), core, "".join(core))


def _phrases(content: Content) -> list[_Phrase]:
    return [
        _phrase(index, text)
        for index, scenario in enumerate(content.scenarios)
        for text in scenario.phrases()
    ]


def _words_match(typed: str, known: str) -> bool:
    """A typed word stands for a known one: equal, or (both 4+ letters) one a prefix
    of the other ("launch"/"launching") or a near spelling ("functionl")."""
    if typed == known:
        return True
    if min(len(typed), len(known)) < 4:
        return False
    if typed.startswith(known) or known.startswith(typed):
        return True
    return difflib.SequenceMatcher(None, typed, known).ratio() >= _FUZZY_CUTOFF


def _only(indexes: Iterable[int]) -> int | None:
    distinct = set(indexes)
    return distinct.pop() if len(distinct) == 1 else None


def find_scenario(content: Content, text: str) -> Scenario | None:
    """The scenario ``text`` names, or None when it names none or several.

    Forgiving: case, punctuation, hyphens and filler words ("the", "with", "my"...)
    are ignored. Tried in order: the key, name or an alias exactly; a key, name or
    alias whose words all appear in ``text``, typos allowed (the longest such phrase
    wins); a unique prefix ("cross", "new init"); a close spelling of a whole phrase.
    """
    query = _phrase(-1, text)
    if not query.compact:
        return None
    phrases = _phrases(content)

    exact = _only(
        p.index
        for p in phrases
        if query.compact == p.compact or query.core_compact == p.core_compact
    )
    if exact is not None:
        return content.scenarios[exact]

    covered: dict[int, int] = {}
    for p in phrases:
        if all(any(_words_match(typed, word) for typed in query.core) for word in p.core):
            covered[p.index] = max(covered.get(p.index, 0), len(p.core))
    if covered:
        longest = max(covered.values())
        best = _only(i for i, size in covered.items() if size == longest)
        if best is not None:
            return content.scenarios[best]

    if len(query.compact) >= _PREFIX_MIN:
        # A unique prefix ("cross", "new init"), unless the typed words also appear
        # whole in another scenario's phrases ("team" is in two).
        prefixed = {
            p.index
            for p in phrases
            if p.compact.startswith(query.compact) or p.core_compact.startswith(query.core_compact)
        }
        containing = {p.index for p in phrases if set(query.core) <= set(p.core)}
        only = _only(prefixed | containing) if prefixed else None
        if only is not None:
            return content.scenarios[only]

    ranked = _ranked(content, phrases, query, _spelling_score)
    clear = len(ranked) == 1 or (len(ranked) > 1 and ranked[0][0] - ranked[1][0] >= _FUZZY_MARGIN)
    if ranked and ranked[0][0] >= _FUZZY_CUTOFF and clear:
        return content.scenarios[ranked[0][1]]
    return None


def closest_scenarios(content: Content, text: str, n: int = 3) -> list[Scenario]:
    """Up to ``n`` scenarios that ``text`` resembles, most alike first, for a
    "did you mean" answer. Empty when nothing is reasonably close (show the full
    list then)."""
    query = _phrase(-1, text)
    if not query.compact or n <= 0:
        return []
    ranked = _ranked(content, _phrases(content), query, _likeness)
    return [content.scenarios[index] for score, index in ranked if score >= _CLOSEST_CUTOFF][:n]


def _spelling_score(query: _Phrase, phrase: _Phrase) -> float:
    return difflib.SequenceMatcher(None, query.core_compact, phrase.core_compact).ratio()


def _likeness(query: _Phrase, phrase: _Phrase) -> float:
    """How alike, 0 to 1: shared words (typos allowed), a prefix, or a near spelling
    of the whole phrase (only when near: unrelated strings score about 0.5)."""
    typed = sum(1 for t in query.core if any(_words_match(t, w) for w in phrase.core))
    known = sum(1 for w in phrase.core if any(_words_match(t, w) for t in query.core))
    words = (typed + known) / (len(query.core) + len(phrase.core))
    is_prefix = len(query.compact) >= _PREFIX_MIN and phrase.compact.startswith(query.compact)
    spelling = _spelling_score(query, phrase)
    return max(words, 0.9 if is_prefix else 0.0, spelling if spelling >= _NEAR_SPELLING else 0.0)


def _ranked(
    content: Content, phrases: list[_Phrase], query: _Phrase, score: Any
) -> list[tuple[float, int]]:
    """(best score, scenario index) per scenario, best first, file order on ties."""
    best: dict[int, float] = {}
    for p in phrases:
        best[p.index] = max(best.get(p.index, 0.0), score(query, p))
    return sorted(((s, i) for i, s in best.items()), key=lambda pair: (-pair[0], pair[1]))


def get_scenario(content: Content, key: str) -> Scenario | None:
    """The scenario with exactly this key."""
    return next((s for s in content.scenarios if s.key == key), None)
