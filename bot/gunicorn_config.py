"""gunicorn's configuration for `coachbot web` (and `gunicorn.conf.py` at the repo root,
which re-exports it for a plain `gunicorn bot.wsgi:application`).

gthread workers: each worker process serves up to `threads` requests at once, and Bolt's
listener pool (bot/app.py) is sized from the same count, so a burst of commands is acked
without waiting for earlier listeners' Web API calls. `WEB_CONCURRENCY` (workers) and
`GUNICORN_THREADS` (threads per worker) come from the environment; `coachbot web` sets
them from the settings, so `.env` works too.
"""

from __future__ import annotations

import os
import sys

WORKERS_VARIABLE = "WEB_CONCURRENCY"
THREADS_VARIABLE = "GUNICORN_THREADS"
DEFAULT_THREADS = 8
MAX_DEFAULT_WORKERS = 4


def worker_count(configured: int | str | None = None) -> int:
    """The configured count, else one worker a core (at least 2, at most 4): the work is
    mostly waiting on the database and Slack, and threads take the rest."""
    if configured not in (None, ""):
        return max(1, int(configured))  # type: ignore[arg-type]
    return min(max(2, os.cpu_count() or 1), MAX_DEFAULT_WORKERS)


def thread_count(configured: int | str | None = None) -> int:
    if configured not in (None, ""):
        return max(1, int(configured))  # type: ignore[arg-type]
    return DEFAULT_THREADS


def _from_environment(name: str, pick: object) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return pick(raw or None)  # type: ignore[operator]
    except ValueError:
        raise SystemExit(f"coachbot: {name} must be a whole number, not {raw!r}") from None


worker_class = "gthread"
workers = _from_environment(WORKERS_VARIABLE, worker_count)
threads = _from_environment(THREADS_VARIABLE, thread_count)
bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
# Load the app once in the master: a start-up problem (bad token, unmigrated database)
# stops gunicorn with its one line instead of workers failing to boot over and over, and
# the workers share the imported code's memory.
preload_app = True
# Keep connections from the load balancer (and Slack) open between requests; in gthread
# an idle kept-alive connection waits in the poller, not in a thread.
keepalive = 75
timeout = 30
graceful_timeout = 20
# Our own one line per request (bot/web.py) replaces gunicorn's access log.
accesslog = None
errorlog = "-"
proc_name = "coachbot-web"


# How long a Python thread may hold the GIL while another waits (CPython's default is
# 5 ms). A worker's request threads wait for it to verify a request and send the ack,
# while listener threads build modals after theirs: at 1 ms, an ack waits behind less of
# that work (`python -m bench ack` at concurrency 20: p50 and p99 roughly a third lower).
SWITCH_INTERVAL_SECONDS = 0.001


def post_fork(server, worker) -> None:  # type: ignore[no-untyped-def]
    """Each worker opens its own database connections: none inherited from the master."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    wsgi = sys.modules.get("bot.wsgi")
    if wsgi is not None:
        wsgi.application.db.engine.dispose(close=False)
