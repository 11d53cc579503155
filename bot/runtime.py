"""What every handler and job needs, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.db import Database
from bot.settings import Settings
from models.base import utcnow


@dataclass
class Runtime:
    settings: Settings
    db: Database
    client: WebClient
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()


def build_runtime(settings: Settings) -> Runtime:
    from bot.slack_client import build_web_client

    return Runtime(
        settings=settings,
        db=Database.from_url(settings.DATABASE_URL),
        client=build_web_client(settings),
    )
