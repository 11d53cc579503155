"""A worker process for tests/test_month_of_faults.py: the real tick, purge and
sender passes of `coachbot tick --at`, one per instant read from stdin, that can
die by SIGKILL at the sharpest points of a send.

    python -m tests.support.fault_worker   (settings from the environment, as coachbot)

Each stdin line is an ISO-8601 instant; after its pass the worker prints
``done <summary>``. With FAULT_KILL_P > 0 (seeded by FAULT_SEED), each
chat.postMessage may kill the process just before the call (the row is marked
"call started") or just after Slack answered, before the outcome is committed.

With FAULT_LOG set, the worker appends one line per Slack call it starts and per
Retry-After window it opens (monotonic time, method, window end), so a test can
check that no call started inside a window the sender knew of.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.cli import parse_instant
from bot.runtime import build_runtime
from bot.scheduler import tick_for
from bot.sender import OutboxSender
from bot.settings import load_settings
from bot.tick import purge

CALL_TIMEOUT_SECONDS = 1


class Instant:
    """The pass's instant: every pass runs at one, as `coachbot tick --at` does."""

    def __init__(self) -> None:
        self.at = datetime.min

    def __call__(self) -> datetime:
        return self.at


class DyingSender(OutboxSender):
    def __init__(self, *args: Any, rng: random.Random, kill_p: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rng = rng
        self.kill_p = kill_p
        path = os.environ.get("FAULT_LOG")
        self.log = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) if path else None

    def _note(self, *fields: object) -> None:
        if self.log is not None:  # one write per line: lines from threads never interleave
            os.write(self.log, (" ".join(str(f) for f in fields) + "\n").encode())

    def _open_window(self, method: str, until: datetime) -> None:
        self._note("window", time.monotonic(), method, until.isoformat())
        super()._open_window(method, until)

    def _maybe_die(self, where: str) -> None:
        if self.kill_p and self.rng.random() < self.kill_p:
            print(f"killed {where}", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            self._maybe_die("before the call")
        self._note("call", time.monotonic(), method)
        answer = super().call(method, payload)
        if method == "chat.postMessage":
            self._maybe_die("after Slack answered, before the commit")
        return answer


def main() -> None:
    settings = load_settings()
    rt = build_runtime(settings)
    instant = Instant()
    client = WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=CALL_TIMEOUT_SECONDS,
    )
    sender = DyingSender(
        rt.db,
        client,
        clock=instant,
        max_in_flight=4,
        rng=random.Random(os.environ.get("FAULT_SEED", "0")),
        kill_p=float(os.environ.get("FAULT_KILL_P", "0")),
    )
    for line in sys.stdin:
        instant.at = parse_instant(line.strip())
        enqueued = tick_for(rt, instant.at)
        purge(rt.db, instant.at, settings.RETENTION_DAYS)
        print(f"done {enqueued} enqueued, {sender.drain()}", flush=True)


if __name__ == "__main__":
    main()
