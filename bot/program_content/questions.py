"""Questions for a coach brief and the reflection prompt, from the question bank,
the session's theme and the scenarios members chose."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.program_content.scenarios import get_scenario
from models.program_content import PILLARS, Content, Pillar, Scenario, Theme, phrase_key


def get_theme(content: Content, key: str) -> Theme | None:
    """The theme with exactly this key."""
    return next((t for t in content.themes if t.key == key), None)


def suggest_questions(
    content: Content,
    theme_key: str | None,
    scenario_keys: Iterable[str] = (),
    n: int = 3,
    *,
    exclude: Iterable[str] = (),
) -> list[str]:
    """``n`` questions for a coach brief, deterministic, taken in turn from the
    intent, exploration and experiment pillars (so three questions are one per
    pillar, in session order).

    Within a pillar, in this order: bank questions whose tags fit both the theme and
    the scenarios (most shared tags first); the scenarios' own prompts (interleaved
    when several); bank questions fitting the theme; bank questions fitting the
    scenarios; then the rest of the bank, in file order. Unknown keys are ignored,
    texts in ``exclude`` (for example last session's questions) are skipped, and
    no question appears twice. Fewer than ``n`` only when the bank runs out."""
    if n <= 0:
        return []
    theme = get_theme(content, theme_key) if theme_key else None
    theme_tags = set(theme.tags) if theme else set()
    scenarios: list[Scenario] = []
    for key in scenario_keys:
        scenario = get_scenario(content, key)
        if scenario is not None and scenario not in scenarios:
            scenarios.append(scenario)
    scenario_tags = {tag for s in scenarios for tag in s.tags}

    used = {phrase_key(text) for text in exclude}
    queues = [_pillar_queue(content, p, theme_tags, scenario_tags, scenarios) for p in PILLARS]
    positions = [0] * len(queues)
    chosen: list[str] = []
    while len(chosen) < n:
        progressed = False
        for pillar_index, queue in enumerate(queues):
            if len(chosen) == n:
                break
            while positions[pillar_index] < len(queue):
                text = queue[positions[pillar_index]]
                positions[pillar_index] += 1
                if phrase_key(text) not in used:
                    used.add(phrase_key(text))
                    chosen.append(text)
                    progressed = True
                    break
        if not progressed:
            break
    return chosen


def _pillar_queue(
    content: Content,
    pillar: Pillar,
    theme_tags: set[str],
    scenario_tags: set[str],
    scenarios: Sequence[Scenario],
) -> list[str]:
    bank = content.questions.for_pillar(pillar)
    both, for_theme, for_scenarios, rest = [], [], [], []
    for position, question in enumerate(bank):
        tags = set(question.tags)
        theme_hits, scenario_hits = len(tags & theme_tags), len(tags & scenario_tags)
        entry = (-(theme_hits + scenario_hits), position, question.text)
        if theme_hits and scenario_hits:
            both.append(entry)
        elif theme_hits:
            for_theme.append(entry)
        elif scenario_hits:
            for_scenarios.append(entry)
        else:
            rest.append(entry)
    prompt_lists = [s.prompts.for_pillar(pillar) for s in scenarios]
    interleaved = [
        prompts[i]
        for i in range(max((len(p) for p in prompt_lists), default=0))
        for prompts in prompt_lists
        if i < len(prompts)
    ]
    return [
        *(text for *_, text in sorted(both)),
        *interleaved,
        *(text for *_, text in sorted(for_theme)),
        *(text for *_, text in sorted(for_scenarios)),
        *(text for *_, text in rest),
    ]


def reflection_questions(content: Content) -> list[str]:
    """The reflection questions, in file order (for the after-session prompt)."""
    return [q.text for q in content.questions.reflection]
