"""The one way a service says "this request can't be done".

A `Refusal` carries the words for the person; handlers show it as an inline
error on the form field it names, or as an ephemeral answer. Services raise
subclasses; nothing else is caught as a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class Refusal(Exception):
    """`message` is plain text (the ui layer escapes it). `field` is the modal
    block it belongs to, when it came from a form; `suggestions` are names the
    person may have meant; `usage` is the subcommand whose usage helps."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        suggestions: Sequence[str] = (),
        usage: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestions = tuple(suggestions)
        self.usage = usage


class FormProblems(Refusal):
    """Several fields of one form are wrong at once: {block_id: message}."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors.values()), "Please check the form.")
        super().__init__(first, field=next(iter(errors), None))
        self.errors = dict(errors)
