"""The pod form model and the pure pod builders, without Slack or a database."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.services.pods import PodInfo, PodListing
from bot.ui import pods as ui
from models.forms import normalize_timezone, parse_pod_form, suggest_timezone
from tests.slackstub.blockcheck import message_block_problems, view_problems

FIELDS = {
    "name": "  Platform   Leads ",
    "focus_kind": "project",
    "focus_text": "Ship the\nnew platform",
    "members": ["U1", "U2", "U1"],
    "cadence": "3",
    "weekday": "4",
    "time": "09:05",
    "timezone": "europe/paris",
    "channel": None,
}


def test_a_good_form_is_normalised():
    form, errors = parse_pod_form(FIELDS)
    assert errors == {}
    assert form is not None
    assert form.name == "Platform Leads"
    assert form.focus_text == "Ship the new platform"
    assert form.members == ("U1", "U2")
    assert (form.cadence, form.weekday, form.time) == (3, 4, time(9, 5))
    assert form.timezone == "Europe/Paris" and form.channel is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 61, "60 characters or fewer"),
        ("focus_kind", "hobby", "a function, a project or a goal"),
        ("focus_text", "y" * 151, "one line of 150 characters"),
        ("cadence", "5", "every 1 to 4 weeks"),
        ("cadence", None, "every 1 to 4 weeks"),
        ("weekday", "7", "Pick the day"),
        ("time", "3pm", "Pick a time"),
        ("timezone", "", "Enter a timezone, like Europe/Paris"),
    ],
)
def test_each_field_has_a_plain_message(field, value, message):
    form, errors = parse_pod_form({**FIELDS, field: value})
    assert form is None
    assert message in errors[field]
    assert set(errors) == {field}


def test_a_missing_field_is_reported_like_an_empty_one():
    fields = {k: v for k, v in FIELDS.items() if k != "weekday"}
    assert parse_pod_form(fields)[1] == {"weekday": "Pick the day the pod meets."}


def test_timezones():
    assert normalize_timezone("UTC") == "UTC"
    assert normalize_timezone(" america/new york ") == "America/New_York"
    assert normalize_timezone("Paris") is None
    assert suggest_timezone("tokyo") == "Asia/Tokyo"
    assert suggest_timezone("Europe/Lndon") == "Europe/London"
    assert suggest_timezone("qqqqqq") is None


def pod(i: int, members=("U1", "U2", "U3")) -> PodInfo:
    return PodInfo(
        id=i,
        team_id="T1",
        name=f"Pod {i}",
        focus_kind="goal",
        focus_text="Grow" * 30,
        interval_weeks=1 + i % 4,
        weekday=i % 7,
        local_time=time(15, 0),
        timezone="Europe/Paris",
        channel_id="C1",
        is_group_dm=False,
        member_user_ids=tuple(members),
        next_starts_at=datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
    )


def test_the_modal_passes_slacks_checks_in_every_state():
    empty = ui.PodFormValues()
    edit = ui.PodFormValues(
        name="A" * 60,
        members=tuple(f"U{i}" for i in range(12)),
        weekday=6,
        time=time(23, 59),
        timezone="America/Argentina/ComodRivadavia",
        channel="C1",
    )
    for view in [
        ui.pod_modal(empty, ui.PodFormMetadata(origin_channel="C1"), timezone_pending=True),
        ui.pod_modal(empty, ui.PodFormMetadata()),
        ui.pod_modal(edit, ui.PodFormMetadata(pod_id=7, origin_channel="C1")),
    ]:
        assert view_problems(view) == []


def test_the_list_stays_within_the_message_limits():
    listing = PodListing(
        pods=[pod(i) for i in range(40)], total=400, viewer_user_id="U9", viewer_tz="Asia/Tokyo"
    )
    message = ui.pod_list_message(listing)
    assert message_block_problems(message["blocks"]) == []
    assert len(message["blocks"]) <= 50


def test_cadence_and_times_read_naturally():
    assert ui.cadence_text(1, 0, time(8, 30), "UTC") == "every week on Monday at 08:30 UTC"
    assert (
        ui.cadence_text(2, 1, time(15, 0), "Europe/Paris")
        == "every 2 weeks on Tuesday at 15:00 Europe/Paris"
    )
    instant = datetime(2026, 3, 29, 13, 0, tzinfo=UTC)  # the day Paris moves to summer time
    assert ui.when_text(instant, "Europe/Paris") == "Sun 29 Mar, 15:00 (Europe/Paris)"
    assert ui.when_text(instant, "America/Los_Angeles") == "Sun 29 Mar, 06:00 (America/Los_Angeles)"


def test_metadata_survives_a_round_trip_and_garbage():
    meta = ui.PodFormMetadata(pod_id=3, origin_channel="C9")
    assert ui.PodFormMetadata.loads(meta.dumps()) == meta
    assert ui.PodFormMetadata.loads("not json") == ui.PodFormMetadata()
