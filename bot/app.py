"""The app factory: a Bolt App wired to our handlers, and the WSGI app around it."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

from bot.logs import RequestContextExecutor
from bot.replay import ReplayGuard
from bot.runtime import Runtime
from bot.web import CoachbotWSGI
from handlers import register_all

# Bolt's default is 5: listeners still busy with slow Slack calls after their ack would
# hold up the next requests' acks.
LISTENER_THREADS = 10


def create_bolt_app(rt: Runtime, *, listener_executor: Executor | None = None) -> App:
    app = App(
        client=rt.client,
        signing_secret=rt.settings.SLACK_SIGNING_SECRET,
        # Listeners log with the request id of the request that started them.
        listener_executor=RequestContextExecutor(
            listener_executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS)
        ),
        logger=logging.getLogger("coachbot.bolt"),
    )
    # First of our middleware, after Bolt's signature check: a replay goes no further.
    app.use(ReplayGuard(rt))
    register_all(app, rt)
    return app


def create_wsgi_app(rt: Runtime, *, listener_executor: Executor | None = None) -> CoachbotWSGI:
    return CoachbotWSGI(
        create_bolt_app(rt, listener_executor=listener_executor), rt.db, clock=rt.clock
    )
