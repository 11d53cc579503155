"""The kudos modal's input (the App Home's Kudos button). Field names are the
modal's block_ids. Only the shape is checked here; what makes a kudos
acceptable (a program value, the text, no self, no bots, the daily limit) is
decided once, by bot.services.kudos.give."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from models.form_input import parse_form

KUDOS_TEXT_MAX = 500
KUDOS_MAX_RECIPIENTS = 10
PRIVATE_VALUE = "private"

MISSING_KUDOS_FIELD = {
    "recipients": "Pick who the kudos is for.",
    "value": "Pick the value they showed.",
}


class KudosForm(BaseModel):
    model_config = ConfigDict(frozen=True)

    recipients: tuple[str, ...]
    value: str
    text: str = ""
    private: bool = False

    @field_validator("recipients", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> tuple[str, ...]:
        users = tuple(dict.fromkeys(u for u in (value or []) if isinstance(u, str) and u))
        if not users:
            raise ValueError(MISSING_KUDOS_FIELD["recipients"])
        if len(users) > KUDOS_MAX_RECIPIENTS:
            raise ValueError(
                f"One kudos can go to at most {KUDOS_MAX_RECIPIENTS} people at a time."
            )
        return users

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(MISSING_KUDOS_FIELD["value"])
        return value.strip()

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return value.strip() if isinstance(value, str) else ""

    @field_validator("private", mode="before")
    @classmethod
    def _private(cls, value: Any) -> bool:
        return PRIVATE_VALUE in (value or []) if isinstance(value, list | tuple) else bool(value)


def parse_kudos_form(fields: dict[str, Any]) -> tuple[KudosForm | None, dict[str, str]]:
    """The form, or the inline errors for every field that is wrong."""
    return parse_form(KudosForm, fields, missing=MISSING_KUDOS_FIELD, fallback_field="recipients")
