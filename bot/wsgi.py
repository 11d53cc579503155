"""`gunicorn bot.wsgi:application` — HTTP only; the worker process runs the scheduler."""

from __future__ import annotations

from bot.app import create_wsgi_app
from bot.cli import ready_or_exit
from bot.logs import configure_logging
from bot.runtime import build_runtime

settings = ready_or_exit()
configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
application = create_wsgi_app(build_runtime(settings))
