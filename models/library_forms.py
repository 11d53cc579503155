"""Form input of the content people add: a pod's playbook and a contribution to
the prompts library (a question, tactic or reframe), validated by pydantic before
anything is written.

Field names are the modal's block_ids, so each problem maps straight onto
Slack's inline `response_action: errors` ({block_id: message}). Messages name
the problem and what to do instead.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from models.form_input import parse_form
from models.program_content import PILLARS, phrase_key

# --- pod playbook -------------------------------------------------------------------

PLAYBOOK_MAX_THEMES = 20
PLAYBOOK_THEME_MAX = 75
PLAYBOOK_MAX_PROMPTS = 30
PLAYBOOK_PROMPT_MAX = 300
MULTILINE_INPUT_MAX = 3000
"""Slack's limit for one plain_text_input."""

# --- community tactics --------------------------------------------------------------

TACTIC_KINDS: dict[str, str] = {
    "question": "Question",
    "tactic": "Tactic",
    "reframe": "Reframe",
}
TACTIC_TEXT_MAX = 300
PILLAR_TAG = "pillar:"
SCENARIO_TAG = "scenario:"


def _lines(value: Any) -> list[str]:
    """Non-empty lines, each trimmed and with inner spacing collapsed."""
    if not isinstance(value, str):
        return []
    return [" ".join(line.split()) for line in value.splitlines() if line.strip()]


def _line_list(value: Any, *, what: str, one: str, most: int, longest: int) -> list[str]:
    lines = _lines(value)
    too_long = [n for n, line in enumerate(lines, start=1) if len(line) > longest]
    if too_long:
        which = ", ".join(str(n) for n in too_long[:5])
        line_word = "line" if len(too_long) == 1 else "lines"
        raise ValueError(
            f"Keep each {one} to {longest} characters or fewer ({line_word} {which} "
            f"{'is' if len(too_long) == 1 else 'are'} longer)."
        )
    if len(lines) > most:
        raise ValueError(
            f"A playbook holds at most {most} {what}, one per line; this has {len(lines)}."
        )
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        key = phrase_key(line) or line.casefold()
        if key in seen:
            raise ValueError(
                f"Line {number} repeats line {seen[key]} (“{line}”). Keep each {one} once."
            )
        seen[key] = number
    return lines


class PlaybookForm(BaseModel):
    """A pod's own themes and prompts, one per line. Empty themes mean the
    program's rotation; empty prompts mean none of the pod's own."""

    model_config = ConfigDict(frozen=True)

    themes: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()

    @field_validator("themes", mode="before")
    @classmethod
    def _themes(cls, value: Any) -> tuple[str, ...]:
        return tuple(
            _line_list(
                value,
                what="themes",
                one="theme",
                most=PLAYBOOK_MAX_THEMES,
                longest=PLAYBOOK_THEME_MAX,
            )
        )

    @field_validator("prompts", mode="before")
    @classmethod
    def _prompts(cls, value: Any) -> tuple[str, ...]:
        return tuple(
            _line_list(
                value,
                what="prompts",
                one="prompt",
                most=PLAYBOOK_MAX_PROMPTS,
                longest=PLAYBOOK_PROMPT_MAX,
            )
        )


class TacticForm(BaseModel):
    """A contributed question, tactic or reframe, tagged with a pillar or a
    scenario. The known scenario keys come in the validation context."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["question", "tactic", "reframe"]
    text: str
    tag: str

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if value not in TACTIC_KINDS:
            raise ValueError("Pick what you're sharing: a question, a tactic or a reframe.")
        return value

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            raise ValueError("Write the question, tactic or reframe you'd like to share.")
        if len(text) > TACTIC_TEXT_MAX:
            raise ValueError(
                f"Keep it to {TACTIC_TEXT_MAX} characters or fewer (it has {len(text)} now)."
            )
        return text

    @field_validator("tag", mode="before")
    @classmethod
    def _tag(cls, value: Any, info: ValidationInfo) -> str:
        tag = value if isinstance(value, str) else ""
        scenario_keys = (info.context or {}).get("scenario_keys", ())
        if tag.startswith(PILLAR_TAG) and tag.removeprefix(PILLAR_TAG) in PILLARS:
            return tag
        if tag.startswith(SCENARIO_TAG) and tag.removeprefix(SCENARIO_TAG) in scenario_keys:
            return tag
        raise ValueError("Pick where it fits: a session pillar or a scenario.")

    @property
    def pillar(self) -> str | None:
        return self.tag.removeprefix(PILLAR_TAG) if self.tag.startswith(PILLAR_TAG) else None

    @property
    def scenario_key(self) -> str | None:
        return self.tag.removeprefix(SCENARIO_TAG) if self.tag.startswith(SCENARIO_TAG) else None


MISSING_FIELD = {
    "kind": "Pick what you're sharing: a question, a tactic or a reframe.",
    "text": "Write the question, tactic or reframe you'd like to share.",
    "tag": "Pick where it fits: a session pillar or a scenario.",
}


def parse_playbook(fields: dict[str, Any]) -> tuple[PlaybookForm | None, dict[str, str]]:
    return parse_form(PlaybookForm, fields, missing=MISSING_FIELD, fallback_field="themes")


def parse_tactic(
    fields: dict[str, Any], scenario_keys: tuple[str, ...]
) -> tuple[TacticForm | None, dict[str, str]]:
    return parse_form(
        TacticForm,
        fields,
        missing=MISSING_FIELD,
        fallback_field="text",
        context={"scenario_keys": scenario_keys},
    )
