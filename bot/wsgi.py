"""`gunicorn bot.wsgi:application` — HTTP only; the worker process runs the scheduler."""

from __future__ import annotations

from bot.app import create_wsgi_app
from bot.cli import ready_or_exit
from bot.runtime import build_runtime

application = create_wsgi_app(build_runtime(ready_or_exit()))
