"""gunicorn's settings for `coachbot web` (bot/gunicorn_config.py)."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from bot import gunicorn_config


def test_threaded_workers_sized_from_the_environment_or_the_machine(monkeypatch):
    assert gunicorn_config.worker_class == "gthread"
    assert gunicorn_config.worker_count("3") == 3
    assert gunicorn_config.thread_count("12") == 12
    monkeypatch.setattr(gunicorn_config.os, "cpu_count", lambda: 16)
    assert gunicorn_config.worker_count(None) == gunicorn_config.MAX_DEFAULT_WORKERS
    monkeypatch.setattr(gunicorn_config.os, "cpu_count", lambda: 1)
    assert gunicorn_config.worker_count("") == 2
    assert gunicorn_config.thread_count(None) == gunicorn_config.DEFAULT_THREADS


def test_a_worker_hands_the_gil_over_every_millisecond():
    before = sys.getswitchinterval()
    try:
        gunicorn_config.post_fork(SimpleNamespace(), SimpleNamespace())
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)


def test_what_start_up_built_is_frozen_out_of_the_collectors_reach():
    import gc

    from bot.app import freeze_startup_objects

    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
