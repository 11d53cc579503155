"""The app factory: a Bolt App wired to our handlers, and the WSGI app around it."""

from __future__ import annotations

import gc
import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

from bot.ack_runner import wake_on_ack
from bot.logs import RequestContextExecutor
from bot.replay import ReplayGuard
from bot.runtime import Runtime
from bot.web import CoachbotWSGI
from handlers import register_all
from handlers.events import note_workspace_in_use

# Bolt's default is 5: listeners still busy with slow Slack calls after their ack would
# hold up the next requests' acks.
LISTENER_THREADS = 10


def listener_threads(request_threads: int) -> int:
    """Bolt runs every listener in its pool and the request thread waits there for the
    ack: with one request per server thread waiting for its ack, and as many listeners
    still making their Web API calls after theirs, twice the server's threads (at least
    LISTENER_THREADS) keeps a burst's acks from queueing behind earlier listeners."""
    return max(LISTENER_THREADS, 2 * request_threads)


def create_bolt_app(
    rt: Runtime,
    *,
    listener_executor: Executor | None = None,
    listener_threads: int = LISTENER_THREADS,
) -> App:
    pool = listener_executor or ThreadPoolExecutor(
        max_workers=listener_threads, thread_name_prefix="listener"
    )
    app = App(
        client=rt.client,
        signing_secret=rt.settings.SLACK_SIGNING_SECRET,
        # Listeners log with the request id of the request that started them.
        listener_executor=RequestContextExecutor(pool),
        logger=logging.getLogger("coachbot.bolt"),
    )
    wake_on_ack(app)
    # First of our middleware, after Bolt's signature check: a replay goes no further.
    app.use(ReplayGuard(rt, also=note_workspace_in_use))
    register_all(app, rt)
    return app


def create_wsgi_app(
    rt: Runtime,
    *,
    listener_executor: Executor | None = None,
    listener_threads: int = LISTENER_THREADS,
) -> CoachbotWSGI:
    bolt = create_bolt_app(
        rt, listener_executor=listener_executor, listener_threads=listener_threads
    )
    return CoachbotWSGI(bolt, rt.db, clock=rt.clock)


def freeze_startup_objects() -> None:
    """Call once the app is built. Everything loaded so far (modules, the app, the
    program content) lives as long as the process: frozen, the garbage collector no
    longer walks it, so a full collection — every few requests, ~50 ms while every
    thread waits — only looks at what requests allocate. gunicorn's forked workers also
    keep sharing those pages with the master."""
    gc.collect()
    gc.freeze()
