"""Logging: one format for every process, a request id on every record logged while an
HTTP request is handled, and `LOG_FORMAT=json` (one object a line) for log shippers.

What goes to INFO never holds what a person typed, tokens, signatures or response URLs:
request and message lines carry kinds and ids only.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
# Chatty libraries stay at WARNING unless LOG_LEVEL=DEBUG asks for everything.
QUIET_LOGGERS = (
    "alembic",
    "apscheduler",
    "slack_bolt",
    "slack_sdk",
    "coachbot.bolt",
    "urllib3",
    "waitress",
    "sqlalchemy",
)
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "coachbot_request_id", default=None
)


def new_request_id(incoming: str | None = None) -> str:
    """An incoming X-Request-Id when it is a plain token, else a fresh short id."""
    if incoming and _INCOMING_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex[:16]


def current_request_id() -> str | None:
    return request_id_var.get()


_installed = False


def install_request_ids() -> None:
    """Every record gets `request_id` (None outside a request) where it is created, in
    the logging thread's context: unlike a handler filter, this reaches every handler
    (pytest's caplog too) and every logger. Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    logging.setLogRecordFactory(record_with_request_id)


class TextFormatter(logging.Formatter):
    """The classic line, with ` [request <id>]` when logged during a request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            return line
        head, _, rest = line.partition("\n")
        return f"{head} [request {request_id}]" + (f"\n{rest}" if rest else "")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id when present,
    the record's `extra=` fields, and the traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def parse_level(level: str | int) -> int:
    """`info`, `INFO`, `20` → 20; raises ValueError for anything else."""
    if isinstance(level, int):
        return level
    text = level.strip()
    if text.isdigit():
        return int(text)
    value = logging.getLevelName(text.upper())
    if not isinstance(value, int):
        raise ValueError(f"{level!r} is not a log level (DEBUG, INFO, WARNING, ERROR)")
    return value


def make_formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    if fmt == "text":
        return TextFormatter()
    raise ValueError(f"{fmt!r} is not a log format ({' or '.join(LOG_FORMATS)})")


def configure_logging(level: str | int = "INFO", fmt: str = "text") -> None:
    """Replaces the root logger's handlers with one stderr handler in `fmt`."""
    numeric = parse_level(level)
    install_request_ids()
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    quiet = numeric if numeric < logging.INFO else max(numeric, logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)


class RequestContextExecutor(Executor):
    """Runs each task in a copy of the submitter's context, so listener threads log
    with the request id of the request that started them."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(  # type: ignore[override]
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        context = contextvars.copy_context()
        return self.inner.submit(context.run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
