"""The attendance source port: Teams attendance reports, in our own types.

The real implementation is ``bot/graph.py::MsGraphAttendanceSource`` (Microsoft Graph v1.0 with
msgraph-sdk, app-only). The rest of the code sees only :class:`AttendanceSource` and the frozen
dataclasses below, never an msgraph model. The app puts the real source in
``services.components["attendance_source"]`` when Graph credentials are configured; without it,
presence still works from live join/leave events and check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from dialogs.turn import Services

COMPONENT = "attendance_source"


@dataclass(frozen=True)
class OnlineMeetingLocator:
    """How to find the Teams meeting: the organizer (app-only calls go through
    ``/users/{organizer}``), and the Graph onlineMeeting id or, failing that, the join URL."""

    organizer_aad_id: str
    online_meeting_id: str = ""
    join_url: str = ""


@dataclass(frozen=True)
class AttendedInterval:
    joined_at: datetime
    left_at: datetime


@dataclass(frozen=True)
class AttendanceRecord:
    """One attendee of one report (Graph ``attendanceRecord``)."""

    identity_id: str
    display_name: str
    email: str
    role: str
    total_seconds: int
    intervals: tuple[AttendedInterval, ...] = ()
    tenant_id: str = ""


@dataclass(frozen=True)
class AttendanceReport:
    """One session of the meeting (Graph ``meetingAttendanceReport``) with all its records."""

    id: str
    started_at: datetime | None
    ended_at: datetime | None
    participant_count: int
    records: tuple[AttendanceRecord, ...] = ()


class FetchStatus(StrEnum):
    ok = "ok"
    not_ready = "not_ready"  # no report yet (404 or an empty list): try again later
    unavailable = "unavailable"  # throttled or failing after the retries: try again later
    not_found = "not_found"  # no online meeting for this link or organizer
    refused = "refused"  # authentication or permission (access policy) problem


RETRYABLE = frozenset({FetchStatus.not_ready, FetchStatus.unavailable})


@dataclass(frozen=True)
class AttendanceFetch:
    status: FetchStatus
    online_meeting_id: str = ""
    reports: tuple[AttendanceReport, ...] = ()

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE


class AttendanceSource(Protocol):
    async def fetch(self, meeting: OnlineMeetingLocator) -> AttendanceFetch: ...


@dataclass
class FakeAttendanceSource:
    """Answers from a script: each call pops the next result (the last one repeats)."""

    results: list[AttendanceFetch] = field(default_factory=list)
    calls: list[OnlineMeetingLocator] = field(default_factory=list)

    async def fetch(self, meeting: OnlineMeetingLocator) -> AttendanceFetch:
        self.calls.append(meeting)
        if not self.results:
            return AttendanceFetch(FetchStatus.not_ready)
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


def attendance_source(services: Services) -> AttendanceSource | None:
    """The configured source (``services.components["attendance_source"]``), or None when the
    app has no Graph credentials: imports then rely on live events and check-ins only."""
    found = services.components.get(COMPONENT)
    return found if found is not None and hasattr(found, "fetch") else None
