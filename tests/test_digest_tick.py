"""The weekly digest through the production path: the scheduler's tick and the
outbox sender post it to the digest channel once, whatever the number of ticks."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import run_once
from slack_standin.blockcheck import visible_text
from tests.test_digest import CHANNEL, FRIDAY_9, WEDNESDAY, people, settings, share


def test_tick_posts_the_weeks_digest_to_the_channel_once(rt, slack, clock):
    slack.add_channel(CHANNEL, "coaching-digest")
    with rt.db.transaction() as tx:
        settings(tx)
        for member in people(tx, 5):
            share(tx, member, f"Asking before assuming helped {member.display_name}")
    clock.set(WEDNESDAY)
    run_once(rt)
    assert slack.messages_to(CHANNEL) == []

    for minutes in (0, 1, 2, 60, 60 * 24):
        clock.set(FRIDAY_9 + timedelta(minutes=minutes))
        run_once(rt)

    (posted,) = slack.messages_to(CHANNEL)
    text = visible_text(posted)
    assert "This week in peer coaching" in text
    assert "Asking before assuming helped" in text
    assert "person1" not in text and "Person Number" not in text
    assert slack.problems == []
