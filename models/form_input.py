"""Turning a modal's values into a validated pydantic form, or into Slack's inline
errors: form field names are the modal's block_ids, so each problem maps straight
onto `response_action: errors` ({block_id: message})."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Form = TypeVar("Form", bound=BaseModel)


def form_errors(
    error: ValidationError, *, missing: Mapping[str, str], fallback_field: str
) -> dict[str, str]:
    """{field (= block_id): message} for the first problem of each field; a missing
    field gets its own message from `missing`."""
    problems: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else fallback_field
        if item["type"] == "missing" and field in missing:
            message = missing[field]
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        problems.setdefault(field, message)
    return problems


def parse_form(
    model: type[Form],
    fields: dict[str, Any],
    *,
    missing: Mapping[str, str],
    fallback_field: str,
    context: dict[str, Any] | None = None,
) -> tuple[Form | None, dict[str, str]]:
    """The validated form, or the inline errors for every field that is wrong."""
    try:
        return model.model_validate(fields, context=context), {}
    except ValidationError as error:
        return None, form_errors(error, missing=missing, fallback_field=fallback_field)
