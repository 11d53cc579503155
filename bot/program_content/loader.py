"""Loading ``prompts/*.yaml``: read, validate, and say what is wrong.

``load_content()`` reads and validates every file and raises ``ContentError`` with
one line naming the file, the line, the place and the problem, for example::

    prompts/scenarios.yaml: line 57: scenarios[2].prompts.intent: at least 3 items
    required (got 1)

``get_content()`` is the cached copy the app uses. ``python -m bot.program_content
[DIRECTORY]`` checks a prompts directory.
"""

from __future__ import annotations

import functools
import os
import sys
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from models.program_content import (
    CONTENT_FILES,
    PILLARS,
    SLUG_PATTERN,
    Content,
    cross_check,
    format_location,
)

# The `prompts` package, installed beside `bot` (package data in pyproject.toml).
PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


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
    ``models.program_content.CONTENT_FILES``, then the links between them."""
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


_configured_dir: Path | None = None


def use_prompts_dir(directory: str | Path | None) -> None:
    """The directory the settings name (``COACHBOT_PROMPTS_DIR``, from the environment
    or ``.env``); None for the shipped ``prompts/``. Clears the cached content."""
    global _configured_dir
    _configured_dir = Path(directory) if directory else None
    get_content.cache_clear()


def prompts_dir() -> Path:
    """Where content is read from: the configured directory, else ``COACHBOT_PROMPTS_DIR``
    in the environment, else the ``prompts`` package shipped beside ``bot``."""
    if _configured_dir is not None:
        return _configured_dir
    configured = os.environ.get(PROMPTS_DIR_VARIABLE)
    return Path(configured) if configured else PROMPTS_DIR


@functools.cache
def get_content() -> Content:
    """The program's content, loaded once per process (``get_content.cache_clear()``
    to reload): ``prompts/``, or the directory named by ``COACHBOT_PROMPTS_DIR``."""
    return load_content(prompts_dir())


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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.program_content [DIRECTORY]``: check a prompts directory."""
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
