"""The matching settings modal (/coach admin → Matching settings), validated before
anything is written; field names are the modal's block_ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from models.form_input import parse_form

SIZE_MIN, SIZE_MAX = 2, 8
SPREAD_MAX = 10
CADENCE_MAX = 4
RESHUFFLE_MIN, RESHUFFLE_MAX = 1, 24
BY_FOCUS_VALUE = "by_focus"


def _whole(value: Any, low: int, high: int, what: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise ValueError(f"Enter {what} from {low} to {high}.")
    return number


class MatchingSettingsForm(BaseModel):
    model_config = ConfigDict(frozen=True)

    target_size: int
    min_size: int
    max_size: int
    max_level_spread: int
    by_focus: bool = False
    cadence_weeks: int
    reshuffle_months: int

    @field_validator("target_size", "min_size", "max_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return _whole(value, SIZE_MIN, SIZE_MAX, "a pod size")

    @field_validator("max_level_spread", mode="before")
    @classmethod
    def _spread(cls, value: Any) -> int:
        return _whole(value, 0, SPREAD_MAX, "a number of level steps")

    @field_validator("cadence_weeks", mode="before")
    @classmethod
    def _cadence(cls, value: Any) -> int:
        return _whole(value, 1, CADENCE_MAX, "a number of weeks")

    @field_validator("reshuffle_months", mode="before")
    @classmethod
    def _months(cls, value: Any) -> int:
        return _whole(value, RESHUFFLE_MIN, RESHUFFLE_MAX, "a number of months")

    @field_validator("by_focus", mode="before")
    @classmethod
    def _by_focus(cls, value: Any) -> bool:
        return isinstance(value, list | tuple) and BY_FOCUS_VALUE in value

    @model_validator(mode="after")
    def _ordered(self) -> MatchingSettingsForm:
        if self.min_size > self.target_size:
            raise ValueError("min_size: The smallest pod can't be bigger than the target size.")
        if self.target_size > self.max_size:
            raise ValueError("max_size: The largest pod can't be smaller than the target size.")
        return self


MISSING = {
    "target_size": "Enter the pod size to aim for, like 4.",
    "min_size": "Enter the smallest pod, like 3.",
    "max_size": "Enter the largest pod, like 6.",
    "max_level_spread": "Enter how many level steps a pod may span, like 1.",
    "cadence_weeks": "Enter how often new pods meet, in weeks.",
    "reshuffle_months": "Enter how often to offer a reshuffle, in months.",
}


def parse_matching_settings(
    fields: dict[str, Any],
) -> tuple[MatchingSettingsForm | None, dict[str, str]]:
    form, errors = parse_form(
        MatchingSettingsForm, fields, missing=MISSING, fallback_field="target_size"
    )
    # The cross-field problem names its field at the start of the message.
    for field, message in list(errors.items()):
        name, sep, rest = message.partition(": ")
        if sep and name in MISSING:
            del errors[field]
            errors[name] = rest
    return form, errors


@dataclass(frozen=True)
class MatchingSettingsValues:
    target_size: int = 4
    min_size: int = 3
    max_size: int = 6
    max_level_spread: int = 1
    by_focus: bool = False
    cadence_weeks: int = 2
    reshuffle_months: int = 6
