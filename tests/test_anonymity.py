"""DESIGN §4 "Digest anonymity": the K_text threshold at its boundaries, which
reflections are candidates, and scrubbing against an adversarial corpus and random
text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services import anonymity
from bot.services.anonymity import Candidate, effective_k_text, release, scrub
from models import Digest, Member, Reflection

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus" / "anonymity.yaml").read_text())
NAMES: list[str] = CORPUS["members"]
PODS: list[str] = CORPUS["pods"]
NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)


def by_authors(*authors: int) -> list[Candidate]:
    return [
        Candidate(
            reflection_id=index,
            member_id=author,
            insight=f"learning {index}",
            theme_key=None,
            pod_id=None,
            created_at=NOW,
        )
        for index, author in enumerate(authors, start=1)
    ]


# ---------------------------------------------------------------- the text threshold


def test_four_authors_are_held_and_five_are_released_at_the_default():
    four = release(by_authors(1, 2, 3, 4), None)
    assert four.released == () and four.held_count == 4
    five = release(by_authors(1, 2, 3, 4, 5), None)
    assert len(five.released) == 5 and five.held_count == 0


def test_one_author_writing_five_counts_once():
    outcome = release(by_authors(7, 7, 7, 7, 7), 5)
    assert outcome.released == () and outcome.held_count == 5
    outcome = release(by_authors(7, 7, 7, 7, 7, 1, 2, 3, 4), 5)
    assert len(outcome.released) == 9


@pytest.mark.parametrize("setting", [0, 1, 2, 3, -4])
def test_k_text_never_goes_below_three(setting):
    assert effective_k_text(setting) == 3
    assert release(by_authors(1, 2), setting).released == ()
    assert len(release(by_authors(1, 2, 3), setting).released) == 3


def test_a_higher_k_text_is_respected():
    assert effective_k_text(8) == 8
    assert release(by_authors(*range(7)), 8).released == ()
    assert len(release(by_authors(*range(8)), 8).released) == 8


def test_nothing_waiting_releases_nothing():
    assert release([], 3).released == () and release([], 3).held_count == 0


# ---------------------------------------------------------------- candidates


def test_candidates_are_shared_unwithdrawn_undigested_and_before_the_cutoff(db):
    with db.transaction() as tx:
        member = Member(team_id="T1", user_id="U1", created_at=NOW)
        other_team = Member(team_id="T2", user_id="U1", created_at=NOW)
        tx.add_all([member, other_team])
        tx.flush()
        digest = Digest(team_id="T1", week_start=NOW.date(), created_at=NOW)
        tx.add(digest)
        tx.flush()

        def reflection(text: str, **extra) -> None:  # type: ignore[no-untyped-def]
            fields = {
                "team_id": "T1",
                "member_id": member.id,
                "insight": text,
                "action": "",
                "share_in_digest": True,
                "created_at": NOW - timedelta(days=1),
            }
            fields.update(extra)
            tx.add(Reflection(**fields))

        reflection("waiting")
        reflection("private", share_in_digest=False)
        reflection("withdrawn", withdrawn_at=NOW - timedelta(hours=1))
        reflection("went out", digest_id=digest.id)
        reflection("after the cutoff", created_at=NOW + timedelta(minutes=1))
        reflection("too old", created_at=NOW - timedelta(weeks=14))
        reflection("other team", team_id="T2", member_id=other_team.id)
    with db.transaction() as tx:
        found = anonymity.candidates(tx, "T1", NOW)
    assert [c.insight for c in found] == ["waiting"]


# ---------------------------------------------------------------- scrubbing: the corpus


def _case_id(case: dict) -> str:
    return case["in"][:40]


@pytest.mark.parametrize("case", CORPUS["cases"], ids=_case_id)
def test_corpus(case):
    out = scrub(case["in"], NAMES, PODS)
    lowered = out.casefold()
    for gone in case["gone"]:
        assert gone.casefold() not in lowered, f"{gone!r} survived in {out!r}"
    for kept in case.get("kept", []):
        assert kept in out, f"{kept!r} was lost from {out!r}"
    _assert_cannot_ping(out)


def test_the_corpus_is_large_enough():
    assert len(CORPUS["cases"]) >= 60


def test_a_member_named_like_a_placeholder_leaves_no_trace():
    out = scrub("Link shared a <https://x.example|link> with Someone", ["Link", "Someone"])
    assert not re.search(r"\blink\b|\bsomeone\b", out, re.IGNORECASE), out


def test_scrubbed_text_reads_naturally():
    out = scrub("Thanks <@U012ABCDEF|john>, John's tip worked", NAMES, PODS)
    assert out == "Thanks [someone], [someone]'s tip worked"


# ---------------------------------------------------------------- scrubbing: properties

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
URL = re.compile(r"(?:https?|ftp)://|www\.", re.IGNORECASE)
NAME_TOKENS = sorted(anonymity.name_tokens(NAMES))
NAME_WORD = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, NAME_TOKENS)) + r")(?![^\W_])")


def _assert_cannot_ping(out: str) -> None:
    assert "<" not in out and ">" not in out, out
    for forbidden in ("<!", "<@", "@here", "@channel", "@everyone"):
        assert forbidden not in out, out


pieces = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from([n.upper() for n in NAMES] + [n.lower() + "'s" for n in NAMES]),
    st.sampled_from(PODS),
    st.sampled_from(
        [
            "<@U012ABCDEF>",
            "<@U0ALICE|alice>",
            "<#C0123ABCD|general>",
            "<!subteam^S0123|@leads>",
            "<!here>",
            "<!channel>",
            "<!everyone>",
            "@here",
            "@channel",
            "@everyone",
            "a@b.example.com",
            "john.smith@example.org",
            "https://wiki.corp/x",
            "<https://x.example/y|label>",
            "www.example.com",
            "+1 555 123 4567",
            "&lt;!here&gt;",
            "<",
            ">",
            "&",
            "@",
            "!",
            "|",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["I", "learned", "to", "ask", "first", "and", "listen", ".", ",", " "]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, max_size=14), st.sampled_from([" ", "", "\n", "-", "'"]))
def test_scrubbed_text_never_pings_names_mails_or_links(parts, joiner):
    out = scrub(joiner.join(parts), NAMES, PODS)
    _assert_cannot_ping(out)
    folded = anonymity.fold(out)[0]
    assert not NAME_WORD.search(folded), out
    assert not EMAIL.search(out), out
    assert not URL.search(out), out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_scrubs_to_something_that_cannot_ping(text):
    out = scrub(text, NAMES, PODS)
    _assert_cannot_ping(out)
    assert "&" not in out.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
