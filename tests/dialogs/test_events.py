from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.events import MeetingEventKind, ci_get, meeting_event_from

AT = datetime(2024, 5, 7, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        # As in the Teams documentation.
        {
            "Id": "MCMx",
            "JoinUrl": "https://teams.microsoft.com/l/meetup-join/x",
            "Title": "Journée CLSC",
            "MeetingType": "Scheduled",
            "StartTime": "2024-05-07T12:30:00Z",
        },
        # As botbuilder's models map them.
        {
            "id": "MCMx",
            "joinUrl": "https://teams.microsoft.com/l/meetup-join/x",
            "title": "Journée CLSC",
            "meetingType": "Scheduled",
            "startTime": "2024-05-07T12:30:00Z",
        },
    ],
)
def test_meeting_start_any_casing(value: dict) -> None:
    event = meeting_event_from("application/vnd.microsoft.meetingStart", value, {}, "19:m", AT)
    assert event is not None
    assert event.kind is MeetingEventKind.start
    assert event.meeting_id == "MCMx"
    assert event.join_url.endswith("/x")
    assert event.title == "Journée CLSC"
    assert event.start_time == datetime(2024, 5, 7, 12, 30, tzinfo=UTC)


def test_participants_join_payload() -> None:
    value = {
        "members": [
            {
                "user": {"id": "29:a", "aadObjectId": "aad-a", "name": "Élise", "tenantId": "t"},
                "meeting": {"role": "Attendee", "inMeeting": True},
            },
            {"user": {"name": "no id"}, "meeting": {}},
        ]
    }
    channel_data = {"meeting": {"id": "MCMx"}}
    event = meeting_event_from(
        "application/vnd.microsoft.meetingParticipantJoin", value, channel_data, "19:m", AT
    )
    assert event is not None
    assert event.kind is MeetingEventKind.join
    assert event.meeting_id == "MCMx"
    assert len(event.participants) == 1
    participant = event.participants[0]
    assert participant.person.aad_object_id == "aad-a"
    assert participant.in_meeting is True
    assert participant.role == "Attendee"


@pytest.mark.parametrize("name", ["application/vnd.microsoft.readReceipt", "", "meetingStart"])
def test_other_events_are_not_meeting_events(name: str) -> None:
    assert meeting_event_from(name, {}, {}, "c", AT) is None


def test_garbage_values_do_not_crash() -> None:
    event = meeting_event_from("application/vnd.microsoft.meetingEnd", "not a dict", None, "c", AT)
    assert event is not None
    assert event.meeting_id == ""
    assert event.participants == ()


def test_ci_get() -> None:
    assert ci_get({"JoinUrl": 1}, "joinUrl") == 1
    assert ci_get(None, "x") is None
