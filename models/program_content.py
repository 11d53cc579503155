"""Pydantic models of the program content shipped as YAML in ``prompts/``.

One model per file (``CONTENT_FILES`` says which), all strict: unknown fields are
refused, strings are stripped and must not be empty, keys are unique, and the
minimum counts the product relies on are enforced. ``Content`` aggregates the
files and checks what links them (question tags, theme tags, scenario tags).

Plain-text fields (names, titles, buttons) fit Slack's plain-text limits; longer
text fields may carry Slack mrkdwn (the shipped files use backticks for commands).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# --- limits -------------------------------------------------------------------------

MIN_PILLAR_QUESTIONS = 15
"""Questions required in the bank for each of intent, exploration, experiment."""
MIN_REFLECTION_QUESTIONS = 10
MIN_SCENARIOS = 7
MIN_SCENARIO_PROMPTS = 3
"""Prompts required per pillar in each scenario."""
MIN_THEMES = 12
MIN_PRIMER_TIPS, MAX_PRIMER_TIPS = 4, 6

NAME_MAX = 75
"""Names, titles shown on buttons and in select menus (Slack's limit is 75)."""
TITLE_MAX = 150
"""Headers (Slack's header block limit is 150)."""
LINE_MAX = 300
"""Questions, one-line summaries, list items."""
PARAGRAPH_MAX = 1500
"""Paragraphs (a Slack section allows 3000; we keep well under)."""

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
"""Plain text on a button, in a select menu or as a field label."""
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_MAX)]
Paragraph = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PARAGRAPH_MAX)
]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SLUG_PATTERN)]
"""A stable identifier: lowercase letters, digits and single hyphens (``new-initiative``)."""
Tag = Slug


class Pillar(StrEnum):
    """The three pillars of a session, in session order."""

    INTENT = "intent"
    EXPLORATION = "exploration"
    EXPERIMENT = "experiment"


PILLARS: tuple[Pillar, ...] = tuple(Pillar)


# --- phrase normalisation (shared with the scenario matcher in bot.program_content) --

_WORD = re.compile(r"[^\W_]+")


def phrase_words(text: str) -> list[str]:
    """Lower-case words of ``text``; punctuation, hyphens and spacing are ignored."""
    return _WORD.findall(text.casefold())


def phrase_key(text: str) -> str:
    """``text`` reduced to letters and digits: "Cross-functional conflict!" and
    "cross functional  conflict" share the key ``crossfunctionalconflict``."""
    return "".join(phrase_words(text))


# --- validation helpers --------------------------------------------------------------


def content_error(message: str, *subpath: str | int) -> PydanticCustomError:
    """A validation error whose place is the validated value's location followed by
    ``subpath`` (for example the index and field of a duplicate)."""
    return PydanticCustomError("content", "{message}", {"message": message, "subpath": subpath})


def format_location(loc: Iterable[str | int]) -> str:
    """``("scenarios", 2, "prompts", "intent")`` → ``scenarios[2].prompts.intent``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _unique_keys(items: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.key in seen:
            first = format_location((info.field_name or "", seen[item.key]))
            raise content_error(
                f"duplicate key {item.key!r} (already used by {first})", index, "key"
            )
        seen[item.key] = index
    return items


def _unique_lines(items: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    for index, text in enumerate(items):
        norm = phrase_key(text)
        if norm in seen:
            raise content_error(f"duplicate of item [{seen[norm]}]", index)
        seen[norm] = index
    return items


UniqueKeys = AfterValidator(_unique_keys)
UniqueLines = AfterValidator(_unique_lines)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- values.yaml ---------------------------------------------------------------------


class Value(Strict):
    key: Slug
    name: Name
    meaning: Paragraph
    in_a_session: Paragraph
    """What the value looks like in a session."""


class ValuesStatement(Strict):
    """values.yaml"""

    title: Title
    intro: Paragraph
    values: Annotated[tuple[Value, ...], Field(min_length=1), UniqueKeys]


# --- ground_rules.yaml ---------------------------------------------------------------


class GroundRule(Strict):
    key: Slug
    title: Name
    text: Paragraph


class GroundRules(Strict):
    """ground_rules.yaml"""

    title: Title
    intro: Paragraph
    rules: Annotated[tuple[GroundRule, ...], Field(min_length=3), UniqueKeys]
    sensitive_topics: Paragraph
    """The coach's reminder when a member asked for extra care (never who or why)."""


# --- welcome.yaml --------------------------------------------------------------------


class RhythmStep(Strict):
    when: Name
    what: Paragraph


class PillarExplainer(Strict):
    pillar: Pillar
    name: Name
    question: Line
    """The pillar's guiding question, as a member would be asked it."""
    description: Paragraph


class PrivacyPromise(Strict):
    title: Name
    text: Paragraph


class Consent(Strict):
    text: Paragraph
    button: Name
    """The button label, "I agree to the ground rules"."""
    confirmation: Paragraph
    """Shown once the member has agreed."""


class WelcomePacket(Strict):
    """welcome.yaml"""

    title: Title
    purpose: Paragraph
    rhythm: Annotated[tuple[RhythmStep, ...], Field(min_length=1)]
    """How the program runs, from the day before a session to the weekly digest."""
    pillars: tuple[PillarExplainer, ...]
    """Exactly the three pillars, in session order."""
    newcomers: Paragraph
    privacy: Annotated[tuple[PrivacyPromise, ...], Field(min_length=1)]
    """What the bot does, and never does, with your words."""
    first_steps: Annotated[tuple[Line, ...], Field(min_length=1)]
    consent: Consent

    @field_validator("pillars")
    @classmethod
    def _all_pillars_in_order(
        cls, value: tuple[PillarExplainer, ...]
    ) -> tuple[PillarExplainer, ...]:
        got = tuple(item.pillar for item in value)
        if got != PILLARS:
            expected = ", ".join(PILLARS)
            raise content_error(
                f"must list each pillar once, in order: {expected} (got {', '.join(got) or 'none'})"
            )
        return value

    def pillar(self, pillar: Pillar | str) -> PillarExplainer:
        return next(item for item in self.pillars if item.pillar == pillar)


# --- first_session.yaml --------------------------------------------------------------


class SessionStep(Strict):
    minutes: Annotated[StrictInt, Field(ge=1, le=120)]
    title: Name
    lead: Name
    """Who leads the step: "Coach", "Each member", ..."""
    do: Paragraph
    """What happens."""
    say: Paragraph | None = None
    """A line the lead can read out as written."""


class FirstSessionScript(Strict):
    """first_session.yaml"""

    title: Title
    duration_minutes: Annotated[StrictInt, Field(ge=15, le=180)]
    intro: Paragraph
    steps: Annotated[tuple[SessionStep, ...], Field(min_length=3)]

    @model_validator(mode="after")
    def _timings_add_up(self) -> FirstSessionScript:
        total = sum(step.minutes for step in self.steps)
        if total != self.duration_minutes:
            raise content_error(
                f"step minutes add up to {total}, but duration_minutes is {self.duration_minutes}",
                "steps",
            )
        return self

    def timeline(self) -> list[tuple[int, SessionStep]]:
        """Each step with the minute it starts at (0 for the first)."""
        out: list[tuple[int, SessionStep]] = []
        start = 0
        for step in self.steps:
            out.append((start, step))
            start += step.minutes
        return out


# --- primers.yaml --------------------------------------------------------------------


class ExchangeLine(Strict):
    speaker: Name
    line: Paragraph


class PrimerExample(Strict):
    situation: Line
    exchange: Annotated[tuple[ExchangeLine, ...], Field(min_length=2)]
    takeaway: Paragraph


class Primer(Strict):
    key: Slug
    title: Name
    summary: Paragraph
    tips: Annotated[tuple[Line, ...], Field(min_length=MIN_PRIMER_TIPS, max_length=MAX_PRIMER_TIPS)]
    example: PrimerExample


PrimerList = Annotated[tuple[Primer, ...], Field(min_length=1), UniqueKeys]


class PrimersFile(Strict):
    """primers.yaml"""

    primers: PrimerList


# --- questions.yaml ------------------------------------------------------------------


class Question(Strict):
    text: Line
    tags: tuple[Tag, ...] = ()


class QuestionBank(Strict):
    """questions.yaml: the bank, by pillar, plus reflection questions."""

    intent: Annotated[tuple[Question, ...], Field(min_length=MIN_PILLAR_QUESTIONS)]
    exploration: Annotated[tuple[Question, ...], Field(min_length=MIN_PILLAR_QUESTIONS)]
    experiment: Annotated[tuple[Question, ...], Field(min_length=MIN_PILLAR_QUESTIONS)]
    reflection: Annotated[tuple[Question, ...], Field(min_length=MIN_REFLECTION_QUESTIONS)]

    @model_validator(mode="after")
    def _no_duplicate_questions(self) -> QuestionBank:
        seen: dict[str, str] = {}
        for group in (*PILLARS, "reflection"):
            for index, question in enumerate(getattr(self, group)):
                norm = phrase_key(question.text)
                where = format_location((group, index))
                if norm in seen:
                    raise content_error(f"duplicate of {seen[norm]}", str(group), index, "text")
                seen[norm] = where
        return self

    def for_pillar(self, pillar: Pillar | str) -> tuple[Question, ...]:
        return getattr(self, Pillar(pillar).value)

    def all(self) -> Iterator[tuple[str, int, Question]]:
        """(group, index, question) over intent, exploration, experiment, reflection."""
        for group in (*PILLARS, "reflection"):
            for index, question in enumerate(getattr(self, group)):
                yield str(group), index, question


# --- scenarios.yaml ------------------------------------------------------------------

ScenarioPromptList = Annotated[
    tuple[Line, ...], Field(min_length=MIN_SCENARIO_PROMPTS), UniqueLines
]


class ScenarioPrompts(Strict):
    intent: ScenarioPromptList
    exploration: ScenarioPromptList
    experiment: ScenarioPromptList

    def for_pillar(self, pillar: Pillar | str) -> tuple[str, ...]:
        return getattr(self, Pillar(pillar).value)


class Scenario(Strict):
    key: Slug
    """Stable: stored in the database. Rename by adding an alias, never by changing it."""
    name: Name
    summary: Line
    aliases: tuple[Name, ...] = ()
    tags: Annotated[tuple[Tag, ...], Field(min_length=1)]
    prompts: ScenarioPrompts
    coach_note: Paragraph | None = None
    """An optional word for the coach, shown with the prompts."""

    @field_validator("aliases")
    @classmethod
    def _aliases_have_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, alias in enumerate(value):
            if not phrase_key(alias):
                raise content_error("must contain letters or digits", index)
        return value

    def phrases(self) -> tuple[str, ...]:
        """Everything a person may type to mean this scenario: key, name, aliases."""
        return (self.key, self.name, *self.aliases)


def _distinct_phrases(
    scenarios: tuple[Scenario, ...], info: ValidationInfo
) -> tuple[Scenario, ...]:
    owner: dict[str, int] = {}
    for index, scenario in enumerate(scenarios):
        places: list[tuple[str | int, ...]] = [("key",), ("name",)]
        places += [("aliases", i) for i in range(len(scenario.aliases))]
        for place, phrase in zip(places, scenario.phrases(), strict=True):
            norm = phrase_key(phrase)
            other = owner.setdefault(norm, index)
            if other != index:
                first = format_location((info.field_name or "", other))
                raise content_error(
                    f"{phrase!r} is also a key, name or alias of {first} "
                    f"({scenarios[other].key}); each must point to one scenario",
                    index,
                    *place,
                )
    return scenarios


ScenarioList = Annotated[
    tuple[Scenario, ...],
    Field(min_length=MIN_SCENARIOS),
    UniqueKeys,
    AfterValidator(_distinct_phrases),
]


class ScenariosFile(Strict):
    """scenarios.yaml"""

    scenarios: ScenarioList


# --- themes.yaml ---------------------------------------------------------------------


class Theme(Strict):
    key: Slug
    """Stable: stored with sessions."""
    title: Name
    description: Line
    tags: Annotated[tuple[Tag, ...], Field(min_length=1)]


ThemeList = Annotated[tuple[Theme, ...], Field(min_length=MIN_THEMES), UniqueKeys]


class ThemesFile(Strict):
    """themes.yaml"""

    themes: ThemeList


# --- the whole ----------------------------------------------------------------------


class ContentFile(NamedTuple):
    name: str
    """File name in the prompts directory."""
    model: type[BaseModel]
    """The model one file validates against."""
    field: str
    """The ``Content`` field it fills."""
    attribute: str | None = None
    """Set when ``Content`` holds one attribute of the file model (its list)."""


CONTENT_FILES: tuple[ContentFile, ...] = (
    ContentFile("values.yaml", ValuesStatement, "values"),
    ContentFile("ground_rules.yaml", GroundRules, "ground_rules"),
    ContentFile("welcome.yaml", WelcomePacket, "welcome"),
    ContentFile("first_session.yaml", FirstSessionScript, "first_session"),
    ContentFile("primers.yaml", PrimersFile, "primers", "primers"),
    ContentFile("questions.yaml", QuestionBank, "questions"),
    ContentFile("scenarios.yaml", ScenariosFile, "scenarios", "scenarios"),
    ContentFile("themes.yaml", ThemesFile, "themes", "themes"),
)


class Problem(NamedTuple):
    """A problem linking files: the file to fix, the place in it, what is wrong."""

    file: str
    loc: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {format_location(self.loc)}: {self.message}"


def cross_check(
    questions: QuestionBank, scenarios: Sequence[Scenario], themes: Sequence[Theme]
) -> list[Problem]:
    """Problems with the tags that link questions, themes and scenarios, in file order.

    Every theme and scenario tag must be carried by some question; every question tag
    must be used by some theme or scenario (a typo otherwise goes unnoticed); and every
    theme needs at least one matching question per pillar, so that a coach brief can
    always suggest questions that fit the session's theme."""
    problems: list[Problem] = []
    question_tags = {tag for _, _, question in questions.all() for tag in question.tags}
    linked_tags = {tag for item in (*themes, *scenarios) for tag in item.tags}

    for index, theme in enumerate(themes):
        for tag_index, tag in enumerate(theme.tags):
            if tag not in question_tags:
                problems.append(
                    Problem(
                        "themes.yaml",
                        ("themes", index, "tags", tag_index),
                        f"no question in questions.yaml is tagged {tag!r}",
                    )
                )
        for pillar in PILLARS:
            if not any(set(q.tags) & set(theme.tags) for q in questions.for_pillar(pillar)):
                problems.append(
                    Problem(
                        "themes.yaml",
                        ("themes", index, "tags"),
                        f"no {pillar} question in questions.yaml carries any of these tags",
                    )
                )
    for index, scenario in enumerate(scenarios):
        for tag_index, tag in enumerate(scenario.tags):
            if tag not in question_tags:
                problems.append(
                    Problem(
                        "scenarios.yaml",
                        ("scenarios", index, "tags", tag_index),
                        f"no question in questions.yaml is tagged {tag!r}",
                    )
                )
    for group, index, question in questions.all():
        for tag_index, tag in enumerate(question.tags):
            if tag not in linked_tags:
                problems.append(
                    Problem(
                        "questions.yaml",
                        (group, index, "tags", tag_index),
                        f"tag {tag!r} is not used by any theme or scenario",
                    )
                )
    return problems


class Content(Strict):
    """All the program content: one field per file in ``prompts/``."""

    values: ValuesStatement
    ground_rules: GroundRules
    welcome: WelcomePacket
    first_session: FirstSessionScript
    primers: PrimerList
    questions: QuestionBank
    scenarios: ScenarioList
    themes: ThemeList

    @model_validator(mode="after")
    def _links_hold(self) -> Content:
        problems = cross_check(self.questions, self.scenarios, self.themes)
        if problems:
            raise content_error(str(problems[0]))
        return self
