"""Program content: loading ``prompts/*.yaml`` and the queries the bot runs over it.

``load_content()`` reads and validates every file and raises ``ContentError`` with
one line naming the file, the line, the place and the problem, for example::

    prompts/scenarios.yaml: line 57: scenarios[2].prompts.intent: at least 3 items
    required (got 1)

``get_content()`` is the cached copy the app uses. The queries (``find_scenario``,
``closest_scenarios``, ``theme_at``, ``suggest_questions``...) are pure functions of a
``Content`` and their arguments.

Run ``python -m bot.content [DIRECTORY]`` to check a prompts directory.
"""

from __future__ import annotations

import difflib
import functools
import os
import sys
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from models.content import (
    CONTENT_FILES,
    PILLARS,
    SLUG_PATTERN,
    Content,
    Pillar,
    Scenario,
    Theme,
    cross_check,
    format_location,
    phrase_key,
    phrase_words,
)

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class ContentError(Exception):
    """A content file is missing, unreadable, not YAML, or does not validate.

    ``str()`` is one line: ``FILE: line N: PLACE: PROBLEM``, the parts that are
    unknown left out. The parts are also attributes."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        location: str = "",
        more: int = 0,
    ) -> None:
        self.file = file
        self.line = line
        self.location = location
        self.message = " ".join(message.split())
        self.more = more
        parts = [file]
        if line is not None:
            parts.append(f"line {line}")
        if location:
            parts.append(location)
        text = ": ".join([*parts, self.message])
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
        super().__init__(text)


# --- loading -------------------------------------------------------------------------


def load_content(directory: Path | None = None) -> Content:
    """Read and validate every content file in ``directory`` (default: ``prompts/``).

    Raises ``ContentError`` on the first problem found, files checked in the order of
    ``models.content.CONTENT_FILES``, then the links between them."""
    directory = PROMPTS_DIR if directory is None else Path(directory)
    label = directory.name or str(directory)
    if not directory.is_dir():
        raise ContentError(label, f"content directory not found ({directory})")

    parts: dict[str, Any] = {}
    trees: dict[str, tuple[str, yaml.Node]] = {}
    for spec in CONTENT_FILES:
        display = f"{label}/{spec.name}"
        data, root = _read_yaml(directory / spec.name, display)
        validated = _validate(spec.model, data, root, display)
        parts[spec.field] = getattr(validated, spec.attribute) if spec.attribute else validated
        trees[spec.name] = (display, root)

    problems = cross_check(parts["questions"], parts["scenarios"], parts["themes"])
    if problems:
        problem = problems[0]
        display, root = trees[problem.file]
        raise ContentError(
            display,
            problem.message,
            line=_line_at(root, problem.loc),
            location=format_location(problem.loc),
            more=sum(1 for p in problems[1:] if p.file == problem.file),
        )
    try:
        return Content(**parts)
    except ValidationError as exc:  # pragma: no cover - cross_check found nothing above
        raise ContentError(label, exc.errors()[0]["msg"]) from None


PROMPTS_DIR_VARIABLE = "COACHBOT_PROMPTS_DIR"


@functools.cache
def get_content() -> Content:
    """The program's content, loaded once per process (``get_content.cache_clear()``
    to reload): ``prompts/``, or the directory named by ``COACHBOT_PROMPTS_DIR``."""
    configured = os.environ.get(PROMPTS_DIR_VARIABLE)
    return load_content(Path(configured) if configured else None)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys in a mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise _DuplicateKey(key, line, seen[key])
                seen[key] = line
            except TypeError:
                continue  # an unhashable key: SafeLoader reports it below
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


def _read_yaml(path: Path, display: str) -> tuple[dict[str, Any], yaml.Node]:
    if not path.exists():
        raise ContentError(display, "missing file")
    if not path.is_file():
        raise ContentError(display, "expected a file, found a directory")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(display, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ContentError(display, f"cannot read file: {exc.strerror or exc}") from None

    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except _DuplicateKey as exc:
        raise ContentError(
            display, f"duplicate key {exc.key!r} (first at line {exc.first})", line=exc.line
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, display) from None
    except yaml.YAMLError as exc:
        raise ContentError(display, f"YAML error: {exc}") from None
    finally:
        loader.dispose()

    if root is None or data is None:
        raise ContentError(display, "file is empty")
    if not isinstance(data, dict):
        raise ContentError(
            display,
            f"the top level must be a mapping of fields (key: value), got {_kind(data)}",
            line=root.start_mark.line + 1,
        )
    return data, root


def _yaml_error(exc: yaml.MarkedYAMLError, display: str) -> ContentError:
    """One line for a YAML error, at the line to fix: where an unfinished key, quote
    or bracket starts, otherwise where the parser gave up."""
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    if exc.context and exc.problem:
        starts_culprit = "scanning" in exc.context or "flow" in exc.context
        if starts_culprit and exc.context_mark is not None:
            mark = exc.context_mark
            problem += f" ({exc.context})"
        elif exc.context_mark is not None and mark is not None:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        else:
            problem += f" ({exc.context})"
    is_syntax = isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError)
    label = "YAML syntax error" if is_syntax else "YAML error"
    return ContentError(
        display, f"{label}: {problem}", line=mark.line + 1 if mark is not None else None
    )


def _validate(model: type[BaseModel], data: Any, root: yaml.Node, display: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        error = errors[0]
        loc = tuple(error["loc"]) + tuple((error.get("ctx") or {}).get("subpath", ()))
        raise ContentError(
            display,
            _describe(error, model, loc),
            line=_line_at(root, loc),
            location=format_location(loc),
            more=len(errors) - 1,
        ) from None


def _line_at(root: yaml.Node, loc: Sequence[str | int]) -> int:
    """The 1-based line of the deepest YAML node that ``loc`` reaches."""
    node = root
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part:
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


# --- error messages ------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _describe(error: Any, model: type[BaseModel], loc: Sequence[str | int]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = f"; allowed: {', '.join(owner.model_fields)}" if owner else ""
        return f"unknown field{allowed}"
    if kind == "too_short":
        return f"at least {ctx['min_length']} items required (got {ctx['actual_length']})"
    if kind == "too_long":
        return f"at most {ctx['max_length']} items allowed (got {ctx['actual_length']})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"too long: at most {ctx['max_length']} characters (got {len(value)})"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == SLUG_PATTERN:
        return (
            "must be a slug of lowercase letters, digits and single hyphens, "
            f"like 'new-initiative' (got {value!r})"
        )
    if kind == "string_type":
        return f"expected text, got {_kind(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_kind(value)}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']} (got {value})"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']} (got {value})"
    if kind in ("enum", "literal_error"):
        return f"must be one of {ctx['expected']} (got {value!r})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields (key: value), got {_kind(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {_kind(value)}"
    if kind == "content":
        return str(ctx["message"])
    return str(error["msg"]).removeprefix("Value error, ")


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that validates the value at ``loc``, if it is one."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = rest[0] if len(rest) == 1 else None
        else:
            return annotation


# --- scenario matching ---------------------------------------------------------------

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


# --- themes and questions ------------------------------------------------------------


def get_theme(content: Content, key: str) -> Theme | None:
    """The theme with exactly this key."""
    return next((t for t in content.themes if t.key == key), None)


def theme_at(themes: Content | Sequence[Theme], index: int) -> Theme:
    """The theme for the ``index``-th session of a rotation: themes repeat in file
    order (``index`` wraps around, negative counts from the end). Takes the content
    or any list of themes, such as a pod's own playbook."""
    items = themes.themes if isinstance(themes, Content) else tuple(themes)
    if not items:
        raise ValueError("no themes to rotate through")
    return items[index % len(items)]


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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.content [DIRECTORY]``: check a prompts directory."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        content = load_content(Path(args[0]) if args else None)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    bank = content.questions
    print(
        f"ok: {len(content.scenarios)} scenarios, {len(content.themes)} themes, "
        f"{sum(len(bank.for_pillar(p)) for p in PILLARS)} pillar questions, "
        f"{len(bank.reflection)} reflection questions, {len(content.primers)} primers"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
