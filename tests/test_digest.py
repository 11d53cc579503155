"""The weekly digest: when it is due, what it says, exactly one per workspace per
week (repeated ticks, racing workers, restarts), the admins' DM when there is no
channel, Post now, the preview, and withdrawing a learning before it goes out."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.notify import digest as digest_notify
from bot.sender import OutboxSender
from bot.services import digest
from bot.services.refusals import Refusal
from bot.ui import digest as digest_ui
from models import (
    Digest,
    Experiment,
    ExperimentStatus,
    Kudos,
    Member,
    OutboxMessage,
    Pod,
    PodSession,
    ProgramSettings,
    Reflection,
)
from slack_standin.blockcheck import visible_text

TEAM = "T0001"
CHANNEL = "CDIGEST"
MONDAY = date(2026, 3, 2)
FRIDAY_9 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def settings(tx, channel: str | None = CHANNEL, **extra) -> ProgramSettings:  # type: ignore[no-untyped-def]
    row = ProgramSettings(
        team_id=TEAM,
        digest_channel_id=channel,
        digest_weekday=4,
        digest_time=time(9, 0),
        digest_timezone="UTC",
        updated_at=WEDNESDAY,
        **extra,
    )
    tx.add(row)
    return row


def people(tx, count: int, start: int = 0, **extra) -> list[Member]:  # type: ignore[no-untyped-def]
    members = [
        Member(
            team_id=TEAM,
            user_id=f"U{index:02d}PERSON",
            display_name=f"person{index}",
            real_name=f"Person Number{index}",
            created_at=WEDNESDAY,
            **extra,
        )
        for index in range(start, start + count)
    ]
    tx.add_all(members)
    tx.flush()
    return members


def pod(tx, name: str = "Night Owls", celebrate: bool = False) -> Pod:  # type: ignore[no-untyped-def]
    row = Pod(
        team_id=TEAM,
        name=name,
        name_key=name.lower(),
        weekday=2,
        local_time=time(12, 0),
        timezone="UTC",
        created_by="U00PERSON",
        celebrate=celebrate,
        created_at=WEDNESDAY - timedelta(weeks=10),
    )
    tx.add(row)
    tx.flush()
    return row


def session(tx, pod_row: Pod, starts_at: datetime, theme: str | None = None, held=True):  # type: ignore[no-untyped-def]
    row = PodSession(
        team_id=TEAM,
        pod_id=pod_row.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        theme_key=theme,
        held_at=starts_at if held else None,
        created_at=starts_at - timedelta(days=7),
    )
    tx.add(row)
    tx.flush()
    return row


def share(tx, member: Member, text: str, at: datetime = WEDNESDAY, **extra) -> Reflection:  # type: ignore[no-untyped-def]
    fields = {"action": "try it", "share_in_digest": True, **extra}
    row = Reflection(team_id=TEAM, member_id=member.id, insight=text, created_at=at, **fields)
    tx.add(row)
    tx.flush()
    return row


def tick(db, at: datetime) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return digest_notify.enqueue_due_digests(tx, at)


def digest_rows(db):  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return list(
            tx.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.dedupe_key.like("digest:%"))
                .order_by(OutboxMessage.id)
            )
        )


def digest_text(db) -> str:  # type: ignore[no-untyped-def]
    (row,) = digest_rows(db)
    return visible_text(row.payload)


# ---------------------------------------------------------------- when


def test_due_on_the_programs_weekday_and_local_time(db):
    with db.transaction() as tx:
        row = settings(tx)
        row.digest_timezone = "America/New_York"
    with db.transaction() as tx:
        # 09:00 in New York on Friday is 14:00 UTC.
        assert digest.due_digests(tx, datetime(2026, 3, 6, 13, 59, tzinfo=UTC)) == []
        (due,) = digest.due_digests(tx, datetime(2026, 3, 6, 14, 0, tzinfo=UTC))
    assert due.week_start == MONDAY and due.channel_id == CHANNEL
    assert due.due_at == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)


def test_nothing_is_due_before_the_weekday_and_again_next_week(db):
    with db.transaction() as tx:
        settings(tx)
    assert tick(db, FRIDAY_9 - timedelta(minutes=1)) == 0
    assert tick(db, FRIDAY_9) == 1
    assert tick(db, FRIDAY_9 + timedelta(days=2)) == 0
    assert tick(db, FRIDAY_9 + timedelta(days=7)) == 1
    assert [r.dedupe_key for r in digest_rows(db)] == [
        "digest:T0001:2026-03-02",
        "digest:T0001:2026-03-09",
    ]


# ---------------------------------------------------------------- what it says


def test_five_authors_release_their_scrubbed_learnings_and_counts(db):
    with db.transaction() as tx:
        settings(tx)
        authors = people(tx, 5)
        owls = pod(tx)
        held = session(tx, owls, WEDNESDAY - timedelta(hours=2))
        session(tx, owls, WEDNESDAY - timedelta(days=1), held=False)
        for index, member in enumerate(authors):
            share(tx, member, f"Learning {index}: ask person0 & <@U01PERSON> first")
        share(tx, authors[0], "kept private", share_in_digest=False)
        tx.add(
            Experiment(
                team_id=TEAM,
                member_id=authors[0].id,
                text="e",
                due_date=MONDAY,
                status=ExperimentStatus.TRIED,
                resolved_at=WEDNESDAY,
                created_at=WEDNESDAY,
            )
        )
        held_id = held.id
    assert tick(db, FRIDAY_9) == 1
    text = digest_text(db)
    for index in range(5):
        assert f"Learning {index}: ask [someone] &amp; [someone] first" in text
    assert "kept private" not in text
    assert "person0" not in text.lower() and "U01PERSON" not in text
    assert "1 session held" in text and "6 insights captured" in text
    assert "7 actions committed" in text and "1 experiment tried" in text
    assert "waiting for more voices" not in text
    assert "Night Owls" not in text
    with db.transaction() as tx:
        marked = tx.scalars(select(Reflection.digest_id).where(Reflection.share_in_digest))
        assert len(set(marked)) == 1 and None not in set(marked)
        assert tx.get(PodSession, held_id) is not None


def test_four_authors_are_held_over_and_counted_then_released_with_a_fifth(db):
    with db.transaction() as tx:
        settings(tx)
        authors = people(tx, 5)
        for member in authors[:4]:
            share(tx, member, f"words of {member.display_name}")
    tick(db, FRIDAY_9)
    text = digest_text(db)
    assert "4 learnings waiting for more voices" in text
    assert "words of" not in text
    with db.transaction() as tx:
        assert tx.scalar(select(func.count()).where(Reflection.digest_id.is_not(None))) == 0
        share(tx, authors[4], "the fifth voice", at=FRIDAY_9 + timedelta(days=3))
    tick(db, FRIDAY_9 + timedelta(days=7))
    second = visible_text(digest_rows(db)[1].payload)
    assert "the fifth voice" in second and second.count("words of [someone]") == 4
    assert "waiting for more voices" not in second


def test_one_author_writing_five_is_one_voice(db):
    with db.transaction() as tx:
        settings(tx)
        (author,) = people(tx, 1)
        for index in range(5):
            share(tx, author, f"solo {index}")
    tick(db, FRIDAY_9)
    text = digest_text(db)
    assert "solo" not in text and "5 learnings waiting for more voices" in text


def test_the_floor_of_three_applies_to_a_lower_setting(db):
    with db.transaction() as tx:
        settings(tx, k_text=1)
        two = people(tx, 2)
        for member in two:
            share(tx, member, "two voices")
    tick(db, FRIDAY_9)
    assert "2 learnings waiting for more voices" in digest_text(db)


def test_k_text_three_releases_three_authors(db):
    with db.transaction() as tx:
        settings(tx, k_text=3)
        for member in people(tx, 3):
            share(tx, member, "three voices")
    tick(db, FRIDAY_9)
    assert digest_text(db).count("three voices") == 3


def test_learnings_group_under_themes_shared_by_several_pods(db):
    with db.transaction() as tx:
        settings(tx, k_text=3)
        authors = people(tx, 4)
        first, second = pod(tx, "Night Owls"), pod(tx, "Early Birds")
        in_first = session(tx, first, WEDNESDAY - timedelta(hours=3), theme="delegation")
        in_second = session(tx, second, WEDNESDAY - timedelta(hours=4), theme="delegation")
        alone = session(tx, second, WEDNESDAY - timedelta(days=1), theme="custom:Our secret")
        share(tx, authors[0], "themed one", session_id=in_first.id)
        share(tx, authors[1], "themed two", session_id=in_second.id)
        share(tx, authors[2], "custom theme", session_id=alone.id)
        share(tx, authors[3], "no session")
    tick(db, FRIDAY_9)
    message = digest_rows(db)[0].payload
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    themed = next(s for s in sections if "themed one" in s)
    assert "themed two" in themed and "custom theme" not in themed
    general = next(s for s in sections if "custom theme" in s)
    assert general.startswith(f"*{digest.GENERAL_GROUP}*") and "no session" in general
    assert "Our secret" not in visible_text(message)


def test_public_kudos_and_celebrated_pods_appear_private_kudos_do_not(db):
    with db.transaction() as tx:
        settings(tx)
        ana, bo, cy = people(tx, 3)
        owls = pod(tx, "Night <Owls>", celebrate=True)
        pod(tx, "Quiet Pod", celebrate=False)
        for weeks in (1, 2, 3):
            session(tx, owls, WEDNESDAY - timedelta(weeks=weeks))
        session(tx, owls, WEDNESDAY - timedelta(weeks=4), held=False)
        for receiver in (bo, cy):
            tx.add(
                Kudos(
                    team_id=TEAM,
                    giver_member_id=ana.id,
                    receiver_member_id=receiver.id,
                    value="Courage",
                    text="spoke up <!here>",
                    batch_key="b1",
                    created_at=WEDNESDAY,
                )
            )
        tx.add(
            Kudos(
                team_id=TEAM,
                giver_member_id=bo.id,
                receiver_member_id=ana.id,
                value="Curiosity",
                text="a private thanks",
                is_private=True,
                batch_key="b2",
                created_at=WEDNESDAY,
            )
        )
    tick(db, FRIDAY_9)
    message = digest_rows(db)[0].payload
    text = visible_text(message)
    assert "*person0* → *person1*, *person2* for _Courage_: spoke up &lt;!here&gt;" in text
    assert "private thanks" not in text
    assert "3 kudos" in text
    assert "*Night &lt;Owls&gt;*: 3 sessions held in a row" in text
    assert "Quiet Pod" not in text
    pods_section = next(
        b["text"]["text"] for b in message["blocks"] if "in a row" in str(b.get("text"))
    )
    assert "spoke up" not in pods_section


def test_a_long_digest_stays_inside_slack_limits(rt, slack, clock):
    db = rt.db
    slack.add_channel(CHANNEL, "digest")
    with db.transaction() as tx:
        settings(tx)
        for index, member in enumerate(people(tx, 60)):
            share(tx, member, f"{index} " + "long learning words " * 60)
    tick(db, FRIDAY_9)
    (row,) = digest_rows(db)
    assert len(row.payload["blocks"]) <= 50
    clock.set(FRIDAY_9)
    OutboxSender(db, rt.client, clock=clock).drain()
    posted = slack.messages_to(CHANNEL)
    assert len(posted) == 1 and slack.problems == []
    assert [c for c in slack.failed_calls()] == []


# ---------------------------------------------------------------- exactly once


def test_repeated_ticks_and_restarts_make_one_digest(db):
    with db.transaction() as tx:
        settings(tx)
    for minutes in (0, 0, 1, 60, 60 * 24):
        tick(db, FRIDAY_9 + timedelta(minutes=minutes))
    assert len(digest_rows(db)) == 1
    with db.transaction() as tx:
        assert tx.scalar(select(func.count(Digest.id))) == 1


def test_racing_workers_make_one_digest(db):
    with db.transaction() as tx:
        settings(tx, k_text=3)
        for member in people(tx, 3):
            share(tx, member, "race")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            tick(db, FRIDAY_9)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # SQLite serialises writers; a loser may see "database is locked" and retry next tick.
    assert all("locked" in str(error) for error in errors), errors
    tick(db, FRIDAY_9)
    assert len(digest_rows(db)) == 1
    assert digest_text(db).count("race") == 3


# ---------------------------------------------------------------- no channel


def test_no_channel_asks_each_admin_once_then_posts_when_set(db):
    with db.transaction() as tx:
        settings(tx, channel=None)
        people(tx, 2, is_slack_admin=True)
        people(tx, 1, start=50)
    with db.transaction() as tx:
        created = digest_notify.enqueue_due_digests(tx, FRIDAY_9, admin_user_ids=["U0CONFIG"])
    assert created == 3
    for minutes in (1, 60, 60 * 24 * 7):
        with db.transaction() as tx:
            assert (
                digest_notify.enqueue_due_digests(
                    tx, FRIDAY_9 + timedelta(minutes=minutes), ["U0CONFIG"]
                )
                == 0
            )
    with db.transaction() as tx:
        asked = sorted(
            tx.scalars(
                select(OutboxMessage.payload["channel"].as_string()).where(
                    OutboxMessage.dedupe_key.like("digest-channel-needed:%")
                )
            )
        )
        assert asked == ["U00PERSON", "U01PERSON", "U0CONFIG"]
        assert tx.scalar(select(func.count(Digest.id))) == 0
        tx.get(ProgramSettings, TEAM).digest_channel_id = CHANNEL
    assert tick(db, FRIDAY_9 + timedelta(days=8)) == 1


# ---------------------------------------------------------------- post now and preview


def test_post_now_posts_once_then_says_it_went_out(db):
    with db.transaction() as tx:
        settings(tx)
    early = FRIDAY_9 - timedelta(days=2)
    with db.transaction() as tx:
        outcome = digest_notify.post_now(tx, TEAM, early)
    assert outcome.posted and f"<#{CHANNEL}>" in outcome.message["text"]
    with db.transaction() as tx:
        again = digest_notify.post_now(tx, TEAM, early + timedelta(minutes=5))
    assert not again.posted and "already went out" in again.message["text"]
    assert tick(db, FRIDAY_9) == 0
    assert len(digest_rows(db)) == 1


def test_post_now_without_a_channel_says_so(db):
    with db.transaction() as tx:
        settings(tx, channel=None)
    with db.transaction() as tx:
        outcome = digest_notify.post_now(tx, TEAM, FRIDAY_9)
    assert not outcome.posted and "no digest channel" in outcome.message["text"]
    assert digest_rows(db) == []


def test_preview_writes_nothing(db):
    with db.transaction() as tx:
        settings(tx, k_text=3)
        for member in people(tx, 3):
            share(tx, member, "preview me")
    with db.transaction() as tx:
        message = digest_notify.preview_message(tx, TEAM, FRIDAY_9)
        text = digest_notify.preview_text(tx, TEAM, FRIDAY_9)
    assert "nothing was posted" in visible_text(message)
    assert visible_text(message).count("preview me") == 3
    assert text.count("preview me") == 3 and "3 insights captured" in text
    assert digest_rows(db) == []
    with db.transaction() as tx:
        assert tx.scalar(select(func.count(Digest.id))) == 0
        assert tx.scalar(select(func.count()).where(Reflection.digest_id.is_not(None))) == 0


def test_preview_with_no_program_is_refused(db):
    with db.transaction() as tx, pytest.raises(Refusal, match="no program"):
        digest.preview(tx, "TNOBODY", FRIDAY_9)


# ---------------------------------------------------------------- withdraw


def test_waiting_learnings_are_mine_and_withdrawn_ones_never_appear(db):
    with db.transaction() as tx:
        settings(tx, k_text=3)
        me, *others = people(tx, 4)
        mine = share(tx, me, "mine, then withdrawn")
        share(tx, me, "mine, still waiting", at=WEDNESDAY + timedelta(hours=1))
        share(tx, me, "not shared", share_in_digest=False)
        theirs = share(tx, others[0], "theirs")
        for member in others[1:]:
            share(tx, member, "others")
        mine_id, theirs_id = mine.id, theirs.id
    with db.transaction() as tx:
        waiting = digest.waiting_learnings(tx, TEAM, me.user_id)
    assert [w.insight for w in waiting] == ["mine, still waiting", "mine, then withdrawn"]
    with db.transaction() as tx, pytest.raises(Refusal):
        digest.withdraw(tx, TEAM, me.user_id, theirs_id, WEDNESDAY)
    with db.transaction() as tx:
        digest.withdraw(tx, TEAM, me.user_id, mine_id, WEDNESDAY)
    with db.transaction() as tx, pytest.raises(Refusal):
        digest.withdraw(tx, TEAM, me.user_id, mine_id, WEDNESDAY)
    with db.transaction() as tx:
        assert [w.insight for w in digest.waiting_learnings(tx, TEAM, me.user_id)] == [
            "mine, still waiting"
        ]
    tick(db, FRIDAY_9)
    text = digest_text(db)
    assert "then withdrawn" not in text and "still waiting" in text
    with db.transaction() as tx:
        assert digest.waiting_learnings(tx, TEAM, me.user_id) == []
        with pytest.raises(Refusal):
            digest.withdraw(tx, TEAM, me.user_id, theirs_id, FRIDAY_9)


def test_the_home_section_lists_waiting_learnings_with_withdraw_buttons(db):
    with db.transaction() as tx:
        (me,) = people(tx, 1)
        share(tx, me, "a <b>bold</b> idea")
    with db.transaction() as tx:
        blocks = digest_ui.waiting_learnings_blocks(
            digest.waiting_learnings(tx, TEAM, me.user_id), "Europe/London"
        )
    text = visible_text({"blocks": blocks})
    assert "a &lt;b&gt;bold&lt;/b&gt; idea" in text and "Shared Wed 4 Mar" in text
    (button,) = [b["accessory"] for b in blocks if "accessory" in b]
    assert button["text"]["text"] == "Withdraw"
    assert digest_ui.waiting_learnings_blocks([], "UTC") == []
