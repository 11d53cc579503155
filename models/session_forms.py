"""Form input of the session surfaces (check-in, reflection, experiment note),
validated by pydantic before anything is written.

Field names are the modal's block_ids, so each problem maps straight onto
Slack's inline `response_action: errors` ({block_id: message}). Messages name
the problem and what to do instead.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from models.form_input import parse_form

INTENT_MAX = 300
EXPLORATION_MAX = 1500
EXPERIMENT_MAX = 300
INSIGHT_MAX = 2000
ACTION_MAX = 1000
OUTCOME_NOTE_MAX = 1000
DUE_DATE_HORIZON = timedelta(days=366)
SCENARIO_KEY_MAX = 100


def clean_text(value: Any) -> str:
    """Text as typed, trimmed; line breaks inside are kept."""
    if not isinstance(value, str):
        return ""
    return value.strip()


def _limited(value: Any, limit: int, what: str, *, required: str | None = None) -> str:
    text = clean_text(value)
    if not text and required:
        raise ValueError(required)
    if len(text) > limit:
        raise ValueError(
            f"Keep {what} to {limit:,} characters or fewer (it has {len(text):,} now)."
        )
    return text


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple | set):
        return len(value) > 0
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes", "on", "share")
    return bool(value)


class CheckInForm(BaseModel):
    """The three pillars. `today` (the author's local date) comes in the
    validation context, so a due date in the past is refused."""

    model_config = ConfigDict(frozen=True)

    intent: str
    exploration: str = ""
    experiment: str = ""
    due_date: date | None = None
    share: bool = True
    sensitive: bool = False
    """Asks the coach for extra care; only a count ever reaches the coach's brief."""
    scenario: str | None = None

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, value: Any) -> str:
        return _limited(
            value,
            INTENT_MAX,
            "your intent",
            required="Write your intent: the one performance question you bring.",
        )

    @field_validator("exploration", mode="before")
    @classmethod
    def _exploration(cls, value: Any) -> str:
        return _limited(value, EXPLORATION_MAX, "the exploration")

    @field_validator("experiment", mode="before")
    @classmethod
    def _experiment(cls, value: Any) -> str:
        return _limited(value, EXPERIMENT_MAX, "the experiment")

    @field_validator("due_date", mode="before")
    @classmethod
    def _due_date(cls, value: Any, info: ValidationInfo) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                raise ValueError("Pick a date with the date picker.") from None
        today = (info.context or {}).get("today")
        if isinstance(today, date):
            if day < today:
                shown = f"{today:%a} {today.day} {today:%b}"
                raise ValueError(f"That date has passed. Pick today ({shown}) or a later day.")
            if day > today + DUE_DATE_HORIZON:
                raise ValueError("Pick a date within the next year: experiments are small steps.")
        return day

    @field_validator("share", "sensitive", mode="before")
    @classmethod
    def _share(cls, value: Any) -> bool:
        return _as_bool(value)

    @field_validator("scenario", mode="before")
    @classmethod
    def _scenario(cls, value: Any) -> str | None:
        text = clean_text(value)
        return text[:SCENARIO_KEY_MAX] or None

    @property
    def has_experiment(self) -> bool:
        return bool(self.experiment)


class ReflectionForm(BaseModel):
    """One insight and one action; private unless shared to the anonymized digest."""

    model_config = ConfigDict(frozen=True)

    insight: str
    action: str
    share: bool = False

    @field_validator("insight", mode="before")
    @classmethod
    def _insight(cls, value: Any) -> str:
        return _limited(
            value, INSIGHT_MAX, "the insight", required="Write one insight you are taking away."
        )

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, value: Any) -> str:
        return _limited(
            value, ACTION_MAX, "the action", required="Write one action you will take next."
        )

    @field_validator("share", mode="before")
    @classmethod
    def _share(cls, value: Any) -> bool:
        return _as_bool(value)


class OutcomeNoteForm(BaseModel):
    """An optional note on how an experiment went."""

    model_config = ConfigDict(frozen=True)

    note: str = ""

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: Any) -> str:
        return _limited(value, OUTCOME_NOTE_MAX, "the note")


class ReflectionReminderForm(BaseModel):
    """The weekly reflection reminder: a weekday (0 = Monday) and a time, both on the
    member's own wall clock."""

    model_config = ConfigDict(frozen=True)

    weekday: int
    time: time

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> int:
        try:
            day = int(str(value))
        except (TypeError, ValueError):
            raise ValueError(MISSING_FIELD["weekday"]) from None
        if not 0 <= day <= 6:
            raise ValueError(MISSING_FIELD["weekday"])
        return day

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> time:
        if isinstance(value, time):
            return value
        try:
            return time.fromisoformat(str(value or ""))
        except ValueError:
            raise ValueError(MISSING_FIELD["time"]) from None


MISSING_FIELD = {
    "intent": "Write your intent: the one performance question you bring.",
    "insight": "Write one insight you are taking away.",
    "action": "Write one action you will take next.",
    "weekday": "Pick the day of the week for your reminder.",
    "time": "Pick the time of day for your reminder (your own timezone).",
}


_ERRORS: dict[str, Any] = {"missing": MISSING_FIELD, "fallback_field": "intent"}


def parse_checkin(fields: dict[str, Any], today: date) -> tuple[CheckInForm | None, dict[str, str]]:
    return parse_form(CheckInForm, fields, context={"today": today}, **_ERRORS)


def parse_reflection(fields: dict[str, Any]) -> tuple[ReflectionForm | None, dict[str, str]]:
    return parse_form(ReflectionForm, fields, **_ERRORS)


def parse_outcome_note(fields: dict[str, Any]) -> tuple[OutcomeNoteForm | None, dict[str, str]]:
    return parse_form(OutcomeNoteForm, fields, **_ERRORS)


def parse_reflection_reminder(
    fields: dict[str, Any],
) -> tuple[ReflectionReminderForm | None, dict[str, str]]:
    return parse_form(
        ReflectionReminderForm, fields, missing=MISSING_FIELD, fallback_field="weekday"
    )
