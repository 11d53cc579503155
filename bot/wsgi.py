"""`gunicorn bot.wsgi:application` — HTTP only; the worker process runs the scheduler.

Loaded once in gunicorn's master (`preload_app`, bot/gunicorn_config.py): a start-up
problem stops gunicorn with one line."""

from __future__ import annotations

import os

from bot import gunicorn_config
from bot.app import create_wsgi_app, freeze_startup_objects, listener_threads
from bot.cli import checks_or_exit, ready_or_exit
from bot.db import Database, make_engine
from bot.logs import configure_logging
from bot.runtime import Runtime
from bot.slack_client import build_web_client

settings = ready_or_exit()
configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
_threads = gunicorn_config.thread_count(os.environ.get(gunicorn_config.THREADS_VARIABLE))
_listeners = listener_threads(_threads)
# A database connection for every server thread (the replay guard, before the ack) and
# every listener thread: no request waits for a pooled connection.
_db = Database(make_engine(settings.DATABASE_URL, pool_size=_threads, max_overflow=_listeners))
_runtime = Runtime(settings=settings, db=_db, client=build_web_client(settings))
checks_or_exit(_runtime, slack=True)
application = create_wsgi_app(_runtime, listener_threads=_listeners)
freeze_startup_objects()
