"""The pod form model and the pure pod builders, without Slack or a database."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.ui import pods as ui
from bot.ui.dates import local_date_time_with_zone
from handlers.pods import PodFormMetadata
from models.forms import normalize_timezone, parse_pod_form, suggest_timezone
from models.pod_views import PodFormValues, PodInfo, PodListing
from slack_standin.blockcheck import message_block_problems, view_problems

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
    empty = PodFormValues()
    edit = PodFormValues(
        name="A" * 60,
        members=tuple(f"U{i}" for i in range(12)),
        weekday=6,
        time=time(23, 59),
        timezone="America/Argentina/ComodRivadavia",
        channel="C1",
    )
    for view in [
        ui.pod_modal(empty, timezone_pending=True),
        ui.pod_modal(empty),
        ui.pod_modal(edit, pod_id=7, private_metadata=PodFormMetadata(pod_id=7).dumps()),
        ui.pod_modal(
            edit,
            pod_id=7,
            problems={"members": "Bots can't be pod members: Robot.", "channel": "x" * 2000},
        ),
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
    paris = local_date_time_with_zone(instant, "Europe/Paris")
    assert paris == "Sun 29 Mar, 15:00 (Europe/Paris)"
    los_angeles = local_date_time_with_zone(instant, "America/Los_Angeles")
    assert los_angeles == "Sun 29 Mar, 06:00 (America/Los_Angeles)"


def test_metadata_survives_a_round_trip_and_garbage():
    meta = PodFormMetadata(pod_id=3, origin_channel="C9")
    assert PodFormMetadata.loads(meta.dumps()) == meta
    assert PodFormMetadata.loads("not json") is None


def test_problems_shown_again_sit_under_their_inputs():
    view = ui.pod_modal(PodFormValues(name="Owls"), problems={"channel": "Pick <#C1> & go"})
    block_ids = [block.get("block_id") for block in view["blocks"]]
    assert block_ids[block_ids.index("channel") + 1] == "channel_problem"
    shown = view["blocks"][block_ids.index("channel_problem")]["elements"][0]["text"]
    assert "Pick &lt;#C1&gt; &amp; go" in shown


LOUD = "<!channel> Hackers <!here>"


def test_a_pod_name_can_never_ping_in_pod_messages():
    loud = pod(1)
    loud = PodInfo(**{**loud.__dict__, "name": LOUD, "focus_text": "<!everyone> focus"})
    text, blocks = ui.pod_channel_intro(LOUD)
    messages = [
        {"text": text, "blocks": blocks},
        ui.added_to_pod_message(loud, "U1", "UTC"),
        ui.removed_from_pod_message(loud, "U1"),
        ui.new_rhythm_message(loud, "U1"),
        ui.joined_message(loud, "UTC"),
        ui.left_message(loud),
        ui.pod_saved_message(loud, "UTC", created=True),
        ui.pod_saved_modal(loud, "UTC", created=False),
        ui.pod_list_message(PodListing(pods=[loud], total=1, viewer_user_id="U9", viewer_tz="UTC")),
    ]
    for message in messages:
        raw = str(message)
        assert "<!" not in raw, raw
        assert "&amp;lt;" not in raw, raw  # escaped once, not twice
    assert "&lt;!channel&gt; Hackers &lt;!here&gt;" in text
