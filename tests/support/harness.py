"""Runs the real bot over HTTP on loopback against the Slack stand-in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.app import create_wsgi_app
from bot.db import Database
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.slack_client import build_web_client

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
# Read from the environment by the bot besides its settings: Bolt (OAuth, verification
# token) and gunicorn's counts.
OTHER_VARIABLES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_VERIFICATION_TOKEN")


def isolate_from_developer_environment() -> Callable[[], None]:
    """Tests never read the developer's shell or a `.env` in the working directory:
    every setting's variable leaves os.environ, and Settings stops reading `.env`
    unless a test passes `_env_file`. Returns the undo."""
    import os

    names = (*Settings.model_fields, *OTHER_VARIABLES)
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    env_file = Settings.model_config.get("env_file")
    Settings.model_config["env_file"] = None

    def undo() -> None:
        os.environ.update(saved)
        Settings.model_config["env_file"] = env_file

    return undo


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, which lets a test wait until every listener finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def settle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
        raise TimeoutError("listeners still running")


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.current

    def set(self, instant: datetime) -> None:
        self.current = instant

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


def build_test_runtime(db: Database, api_url: str, clock: FakeClock, **settings: Any) -> Runtime:
    config = load_settings(
        _env_file=None,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=str(db.engine.url.render_as_string(hide_password=False)),
        **settings,
    )
    return Runtime(settings=config, db=db, client=build_web_client(config), clock=clock)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # socketserver's default backlog is 5: fifty simultaneous connections (a test of the
    # database under load) could find the accept queue full on a busy machine and be
    # reset. Production servers listen with a backlog in the thousands (gunicorn: 2048).
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class RunningBot:
    """The WSGI app served on 127.0.0.1 in a background thread (one thread a request,
    as a production server would)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.executor = TrackingExecutor()
        self.server = make_server(
            "127.0.0.1",
            0,
            create_wsgi_app(rt, listener_executor=self.executor),
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> RunningBot:
        self.thread.start()
        return self

    def settle(self) -> None:
        self.executor.settle()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.executor.shutdown(wait=True)


class SettledSlackSide:
    """Wraps the signed Slack-side client: every request waits for the bot's listeners."""

    def __init__(self, sim: Any, bot: RunningBot) -> None:
        self.sim = sim
        self.bot = bot

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.sim, name)
        if not callable(attribute):
            return attribute

        def settled(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self.bot.settle()
            return result

        return settled
