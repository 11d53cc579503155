"""Block Kit checks the way Slack applies them, plus "what a person sees" helpers.

Every block list and view goes through slack_sdk's models (``Block.parse`` /
``View`` and ``to_dict()``, which runs ``validate_json()`` on every nested
object) and then through the checks slack_sdk leaves out: unknown block and
element types (slack_sdk drops them with a log line), unknown properties (it
ignores them), empty texts, text types where Slack wants ``plain_text``, option,
field and input length limits, duplicate ``block_id``/``action_id``, block
counts, and the modal rules (title required, ``submit`` required with inputs).

Problems are strings in Slack's style: ``"<what> [json-pointer:/blocks/0/text]"``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
MESSAGE_TEXT_MAX = 40_000
MARKDOWN_BLOCKS_MAX_TOTAL = 12_000
VIEW_MAX_BYTES = 250_000
ID_MAX = 255
SECTION_FIELD_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTION_DESCRIPTION_MAX = 75
TEXT_INPUT_LENGTH_MAX = 3000

TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
CONTAINER_KEYS = ("elements", "accessory", "element")
TEXT_OBJECT_KEYS = frozenset(
    {"text", "fields", "label", "hint", "placeholder", "title", "description"}
)
# (owner type, key) pairs where Slack accepts only a plain_text object.
PLAIN_TEXT_ONLY = frozenset(
    {
        ("header", "text"),
        ("input", "label"),
        ("input", "hint"),
        ("button", "text"),
        ("option_group", "label"),
        ("confirm", "title"),
        ("confirm", "confirm"),
        ("confirm", "deny"),
        ("modal", "title"),
        ("modal", "submit"),
        ("modal", "close"),
        ("*", "placeholder"),
    }
)
# Selects and overflow menus show options as plain text; checkboxes and radios allow mrkdwn.
PLAIN_TEXT_OPTION_OWNERS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "overflow",
        "option_group",
    }
)
# Keys of a view object as Slack returns it: accepted back without complaint.
VIEW_OUTPUT_KEYS = frozenset(
    {
        "id",
        "team_id",
        "state",
        "hash",
        "root_view_id",
        "previous_view_id",
        "app_id",
        "app_installed_team_id",
        "bot_id",
    }
)

_QUIET_LOGGERS = ("slack_sdk.models.blocks.blocks", "slack_sdk.models.blocks.block_elements")


def _known_element_types() -> frozenset[str]:
    found: set[str] = set(TEXT_TYPES)
    pending = list(BlockElement.__subclasses__())
    while pending:
        cls = pending.pop()
        element_type = getattr(cls, "type", None)
        if isinstance(element_type, str):
            found.add(element_type)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


KNOWN_ELEMENT_TYPES = _known_element_types()


def pointed(message: str, pointer: str) -> str:
    return f"{message} [json-pointer:{pointer}]"


# ---------------------------------------------------------------------------
# Public checks
# ---------------------------------------------------------------------------


def message_block_problems(blocks: Any, pointer: str = "/blocks") -> list[str]:
    """Problems Slack would report for a message's ``blocks`` (empty list = valid)."""
    return _blocks_problems(blocks, pointer, MESSAGE_MAX_BLOCKS) + _markdown_total_problems(
        blocks, pointer
    )


def view_problems(view: Any, pointer: str = "/view") -> list[str]:
    """Problems Slack would report for a modal or Home tab view."""
    if not isinstance(view, dict):
        return [pointed("must provide an object", pointer)]
    problems = _view_level_problems(view, pointer)
    # slack_sdk's View already enforces 1..100 blocks; only the per-block checks are added here.
    problems += _blocks_problems(view.get("blocks"), f"{pointer}/blocks", max_blocks=None)
    if len(json.dumps(view)) > VIEW_MAX_BYTES:
        problems.append(pointed("view_too_large", pointer))
    return problems


def is_view_too_large(view: Any) -> bool:
    return isinstance(view, dict) and len(json.dumps(view)) > VIEW_MAX_BYTES


# ---------------------------------------------------------------------------
# Block lists
# ---------------------------------------------------------------------------


def _blocks_problems(blocks: Any, pointer: str, max_blocks: int | None) -> list[str]:
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [pointed("must provide an array", pointer)]
    problems: list[str] = []
    if max_blocks is not None and len(blocks) > max_blocks:
        problems.append(pointed(f"must contain at most {max_blocks} blocks", pointer))
    problems += _duplicate_block_id_problems(blocks, pointer)
    for index, block in enumerate(blocks):
        problems += block_problems(block, f"{pointer}/{index}")
    return problems


def _duplicate_block_id_problems(blocks: list[Any], pointer: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is None:
            continue
        if block_id in seen:
            problems.append(
                pointed(f"duplicate block_id: {block_id}", f"{pointer}/{index}/block_id")
            )
        seen.add(block_id)
    return problems


def _markdown_total_problems(blocks: Any, pointer: str) -> list[str]:
    if not isinstance(blocks, list):
        return []
    total = sum(
        len(block.get("text") or "")
        for block in blocks
        if isinstance(block, dict) and block.get("type") == "markdown"
    )
    if total > MARKDOWN_BLOCKS_MAX_TOTAL:
        return [pointed(f"markdown blocks exceed {MARKDOWN_BLOCKS_MAX_TOTAL} characters", pointer)]
    return []


def block_problems(block: Any, pointer: str) -> list[str]:
    """Problems of one block: slack_sdk's model verdict plus the checks it misses."""
    if not isinstance(block, dict):
        return [pointed("must provide an object", pointer)]
    model_output, problems = _model_round_trip(block, pointer)
    raw_problems = _raw_problems(block, pointer)
    if model_output is not None:
        problems += [
            pointed(f"invalid additional property: {path.rsplit('/', 1)[-1]}", path)
            for path in _dropped_keys(block, model_output, pointer)
            if not any(f"[json-pointer:{path}/" in problem for problem in raw_problems)
        ]
    return problems + raw_problems


def _model_round_trip(block: dict[str, Any], pointer: str) -> tuple[Any, list[str]]:
    with _quiet_sdk_logs():
        try:
            model = Block.parse(dict(block))
            if model is None:
                return None, [pointed(f"unsupported type: {block.get('type')}", f"{pointer}/type")]
            return model.to_dict(), []
        except SlackObjectFormationError as error:
            return None, [pointed(str(error), pointer)]
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            return None, [pointed(f"invalid block: {error}", pointer)]


def _dropped_keys(raw: Any, modelled: Any, pointer: str) -> Iterator[str]:
    """Paths of keys present in the raw JSON that slack_sdk's model did not keep."""
    if isinstance(raw, dict) and isinstance(modelled, dict):
        for key, value in raw.items():
            if key in modelled:
                yield from _dropped_keys(value, modelled[key], f"{pointer}/{key}")
            elif value not in (None, [], {}, ""):
                yield f"{pointer}/{key}"
    elif isinstance(raw, list) and isinstance(modelled, list) and len(raw) == len(modelled):
        for index, (raw_item, modelled_item) in enumerate(zip(raw, modelled, strict=True)):
            yield from _dropped_keys(raw_item, modelled_item, f"{pointer}/{index}")


class _quiet_sdk_logs:
    """slack_sdk logs a warning for each unknown block; we report it as a problem instead."""

    def __enter__(self) -> None:
        self._levels = [
            (logging.getLogger(name), logging.getLogger(name).level) for name in _QUIET_LOGGERS
        ]
        for logger, _ in self._levels:
            logger.setLevel(logging.ERROR)

    def __exit__(self, *exc_info: object) -> None:
        for logger, level in self._levels:
            logger.setLevel(level)


# ---------------------------------------------------------------------------
# What slack_sdk misses: a walk over the raw JSON
# ---------------------------------------------------------------------------


def _raw_problems(block: dict[str, Any], pointer: str) -> list[str]:
    block_type = block.get("type")
    problems = _duplicate_action_id_problems(block, pointer)
    if block_type in ("actions", "context") and block.get("elements") == []:
        problems.append(pointed("must contain at least 1 item", f"{pointer}/elements"))
    if block_type == "section":
        problems += _section_field_problems(block, pointer)
    if block_type == "rich_text":
        return problems  # rich text parts are a separate grammar slack_sdk models itself
    problems += _walk(block, block_type or "", pointer)
    return problems


def _walk(node: dict[str, Any], owner: str, pointer: str) -> list[str]:
    problems: list[str] = []
    for key, value in node.items():
        child_pointer = f"{pointer}/{key}"
        if isinstance(value, dict):
            problems += _child_problems(value, owner, key, child_pointer)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    problems += _child_problems(item, owner, key, f"{child_pointer}/{index}")
    return problems


def _child_problems(child: dict[str, Any], owner: str, key: str, pointer: str) -> list[str]:
    child_type = child.get("type")
    if child_type in TEXT_TYPES:
        return _text_object_problems(child, owner, key, pointer)
    if key in TEXT_OBJECT_KEYS and "text" in child:
        return [pointed("must be a plain_text or mrkdwn text object", f"{pointer}/type")]
    if key in CONTAINER_KEYS and child_type not in KNOWN_ELEMENT_TYPES:
        return [pointed(f"unsupported element type: {child_type}", f"{pointer}/type")]
    if key in ("options", "initial_options", "initial_option"):
        return _option_problems(child, owner, pointer)
    if key == "option_groups":
        return _walk(child, "option_group", pointer)
    if key == "confirm":
        return _walk(child, "confirm", pointer)
    problems = _element_problems(child, pointer)
    return problems + _walk(child, child_type or key, pointer)


def _text_object_problems(text: dict[str, Any], owner: str, key: str, pointer: str) -> list[str]:
    value = text.get("text")
    if not isinstance(value, str):
        return [pointed("must be a string", f"{pointer}/text")]
    problems = []
    if value == "":
        problems.append(pointed("must be more than 0 characters", f"{pointer}/text"))
    wants_plain = (owner, key) in PLAIN_TEXT_ONLY or ("*", key) in PLAIN_TEXT_ONLY
    if wants_plain and text.get("type") != "plain_text":
        problems.append(pointed("must be a plain_text text object", f"{pointer}/type"))
    return problems


def _option_problems(option: dict[str, Any], owner: str, pointer: str) -> list[str]:
    problems = _walk(option, "option", pointer)
    text = option.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("text"), str):
        return problems + [pointed("missing required field: text", f"{pointer}/text")]
    if len(text["text"]) > OPTION_TEXT_MAX:
        problems.append(
            pointed(f"must be at most {OPTION_TEXT_MAX} characters", f"{pointer}/text/text")
        )
    if owner in PLAIN_TEXT_OPTION_OWNERS and text.get("type") != "plain_text":
        problems.append(pointed("must be a plain_text text object", f"{pointer}/text/type"))
    value = option.get("value")
    if not isinstance(value, str):
        problems.append(pointed("missing required field: value", f"{pointer}/value"))
    elif len(value) > OPTION_VALUE_MAX:
        problems.append(
            pointed(f"must be at most {OPTION_VALUE_MAX} characters", f"{pointer}/value")
        )
    description = option.get("description")
    if (
        isinstance(description, dict)
        and len(description.get("text") or "") > OPTION_DESCRIPTION_MAX
    ):
        problems.append(
            pointed(
                f"must be at most {OPTION_DESCRIPTION_MAX} characters", f"{pointer}/description"
            )
        )
    return problems


def _element_problems(element: dict[str, Any], pointer: str) -> list[str]:
    if element.get("type") != "plain_text_input":
        return []
    problems = []
    min_length, max_length = element.get("min_length"), element.get("max_length")
    if isinstance(min_length, int) and not 0 <= min_length <= TEXT_INPUT_LENGTH_MAX:
        problems.append(
            pointed(f"must be between 0 and {TEXT_INPUT_LENGTH_MAX}", f"{pointer}/min_length")
        )
    if isinstance(max_length, int) and not 1 <= max_length <= TEXT_INPUT_LENGTH_MAX:
        problems.append(
            pointed(f"must be between 1 and {TEXT_INPUT_LENGTH_MAX}", f"{pointer}/max_length")
        )
    if isinstance(min_length, int) and isinstance(max_length, int) and min_length > max_length:
        problems.append(pointed("min_length must not exceed max_length", f"{pointer}/min_length"))
    return problems


def _section_field_problems(block: dict[str, Any], pointer: str) -> list[str]:
    problems = []
    for index, field in enumerate(block.get("fields") or []):
        text = field.get("text") if isinstance(field, dict) else field
        if isinstance(text, str) and len(text) > SECTION_FIELD_MAX:
            problems.append(
                pointed(
                    f"must be at most {SECTION_FIELD_MAX} characters",
                    f"{pointer}/fields/{index}/text",
                )
            )
    return problems


def _duplicate_action_id_problems(block: dict[str, Any], pointer: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for element_pointer, element in _block_elements(block, pointer):
        action_id = element.get("action_id")
        if action_id is None:
            continue
        if action_id in seen:
            problems.append(
                pointed(f"duplicate action_id: {action_id}", f"{element_pointer}/action_id")
            )
        seen.add(action_id)
    return problems


def _block_elements(block: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The interactive elements directly held by a block (accessory, element, elements)."""
    for key in ("accessory", "element"):
        element = block.get(key)
        if isinstance(element, dict):
            yield f"{pointer}/{key}", element
    if block.get("type") == "rich_text":
        return
    for index, element in enumerate(block.get("elements") or []):
        if isinstance(element, dict):
            yield f"{pointer}/elements/{index}", element


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


def _view_level_problems(view: dict[str, Any], pointer: str) -> list[str]:
    problems = _view_model_problems(view, pointer)
    view_type = view.get("type")
    if view_type not in ("modal", "home") and not problems:
        problems.append(pointed("type must be modal or home", f"{pointer}/type"))
    if view_type == "modal":
        problems += _modal_text_problems(view, pointer)
        if _has_input_block(view) and not view.get("submit"):
            problems.append(
                pointed("submit is required when a modal has input blocks", f"{pointer}/submit")
            )
    external_id = view.get("external_id")  # callback_id's limit is checked by slack_sdk
    if isinstance(external_id, str) and len(external_id) > ID_MAX:
        problems.append(pointed(f"must be at most {ID_MAX} characters", f"{pointer}/external_id"))
    return problems


def _view_model_problems(view: dict[str, Any], pointer: str) -> list[str]:
    """slack_sdk's View validation; blocks are stood in for by dividers and checked separately."""
    blocks = view.get("blocks")
    stand_ins = [{"type": "divider"}] * len(blocks) if isinstance(blocks, list) else None
    view_fields = {key: value for key, value in view.items() if key != "blocks"}
    with _quiet_sdk_logs():
        try:
            modelled = View(**view_fields, blocks=stand_ins).to_dict()
        except SlackObjectFormationError as error:
            return [pointed(str(error), pointer)]
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            return [pointed(f"invalid view: {error}", pointer)]
    return [
        pointed(f"invalid additional property: {key}", f"{pointer}/{key}")
        for key, value in view_fields.items()
        if key not in modelled
        and key not in VIEW_OUTPUT_KEYS
        and value not in (None, "", [], {})
        and key not in View.attributes
    ]


def _modal_text_problems(view: dict[str, Any], pointer: str) -> list[str]:
    problems = []
    if not view.get("title"):
        problems.append(pointed("missing required field: title", f"{pointer}/title"))
    for key in ("title", "submit", "close"):
        text = view.get(key)
        if text is None:
            continue
        if not isinstance(text, dict) or text.get("type") != "plain_text":
            problems.append(pointed("must be a plain_text text object", f"{pointer}/{key}"))
        elif not text.get("text"):
            problems.append(pointed("must be more than 0 characters", f"{pointer}/{key}/text"))
    return problems


def _has_input_block(view: dict[str, Any]) -> bool:
    blocks = view.get("blocks")
    return isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("type") == "input" for block in blocks
    )


# ---------------------------------------------------------------------------
# What a person sees
# ---------------------------------------------------------------------------


def surface_blocks(surface: Any) -> list[dict[str, Any]]:
    """The blocks of a message, view or bare block list."""
    if isinstance(surface, list):
        return [block for block in surface if isinstance(block, dict)]
    if isinstance(surface, dict):
        blocks = surface.get("blocks")
        return [block for block in blocks or [] if isinstance(block, dict)]
    return []


def visible_text(surface: Any) -> str:
    """All text a person reads on a message, view or block list, one piece per line.

    Includes a message's ``text`` only when it has no blocks (Slack then shows
    ``text`` as the body; with blocks it is just the notification fallback), a
    view's title/submit/close, section text and fields, headers, context,
    rich text, markdown blocks, image titles, button and option texts, input
    labels, hints, placeholders and initial values.
    """
    pieces: list[str] = []
    if isinstance(surface, dict):
        for key in ("title", "submit", "close"):
            if isinstance(surface.get(key), dict):
                pieces.append(surface[key].get("text", ""))
        if not surface.get("blocks") and isinstance(surface.get("text"), str):
            pieces.append(surface["text"])
    for block in surface_blocks(surface):
        _collect_text(block, pieces)
    return "\n".join(piece for piece in pieces if piece)


_TEXT_BEARING_KEYS = (
    "text",
    "fields",
    "label",
    "hint",
    "placeholder",
    "title",
    "elements",
    "accessory",
    "element",
    "options",
    "option_groups",
    "description",
)
_INITIAL_VALUE_KEYS = ("initial_value", "initial_date", "initial_time")


def _collect_text(node: Any, pieces: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_text(item, pieces)
        return
    if not isinstance(node, dict):
        return
    node_type = node.get("type")
    if node_type in TEXT_TYPES or node_type in ("text", "markdown"):
        pieces.append(str(node.get("text", "")))
        return
    if node_type in ("user", "channel", "usergroup"):
        pieces.append(_mention(node))
        return
    if node_type == "link":
        pieces.append(str(node.get("text") or node.get("url", "")))
        return
    if node_type == "emoji":
        pieces.append(f":{node.get('name', '')}:")
        return
    for key in _TEXT_BEARING_KEYS:
        if key in node:
            _collect_text(node[key], pieces)
    for key in _INITIAL_VALUE_KEYS:
        if isinstance(node.get(key), str):
            pieces.append(node[key])


def _mention(node: dict[str, Any]) -> str:
    if node["type"] == "user":
        return f"<@{node.get('user_id', '')}>"
    if node["type"] == "channel":
        return f"<#{node.get('channel_id', '')}>"
    return f"<!subteam^{node.get('usergroup_id', '')}>"


def buttons(surface: Any) -> list[tuple[str, str | None, str | None]]:
    """The buttons a person can press, top to bottom: (text, action_id, value)."""
    return [
        (element["text"].get("text", ""), element.get("action_id"), element.get("value"))
        for _, element in interactive_elements(surface)
        if element.get("type") == "button" and isinstance(element.get("text"), dict)
    ]


def interactive_elements(surface: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(block, element) pairs for every element directly held by a block of the surface."""
    found = []
    for block in surface_blocks(surface):
        for _, element in _block_elements(block, ""):
            found.append((block, element))
    return found
