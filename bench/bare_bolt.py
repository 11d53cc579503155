"""The reference for bench/ack.py: a bare Bolt app that only acks `/coach`, served the
same way as Coachbot (`python -m gunicorn --config python:bot.gunicorn_config
bench.bare_bolt:application`). Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and
SLACK_API_URL from the environment; with BARE_BOLT_WAKES_ON_ACK=1 it answers the moment
the listener acks, as Coachbot does (bot/ack_runner.py), instead of Bolt's 10 ms polling."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot import gunicorn_config
from bot.ack_runner import wake_on_ack
from bot.app import listener_threads

_threads = gunicorn_config.thread_count(os.environ.get(gunicorn_config.THREADS_VARIABLE))
app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    listener_executor=ThreadPoolExecutor(max_workers=listener_threads(_threads)),
)
if os.environ.get("BARE_BOLT_WAKES_ON_ACK") == "1":
    wake_on_ack(app)


@app.command("/coach")
def ack_only(ack: Ack) -> None:
    ack()


application = SlackRequestHandler(app)
