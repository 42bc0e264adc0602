"""A local stand-in for Microsoft Graph v1.0 (the online-meeting attendance endpoints).

It answers on 127.0.0.1 like Graph does, with payloads shaped like the official documentation
examples (``onlinemeeting-get``, ``meetingattendancereport-list``, ``attendancerecord-list``):

- ``GET /v1.0/users/{organizer}/onlineMeetings?$filter=JoinWebUrl eq '<url>'``: a collection
  holding the one meeting with that join URL (empty when none);
- ``GET /v1.0/users/{organizer}/onlineMeetings/{id}/attendanceReports``: the reports, with
  ``attendanceRecords`` empty as Graph does;
- ``GET …/attendanceReports/{reportId}/attendanceRecords``: the records, ``page_size`` per page,
  with ``@odata.nextLink`` (a ``$skiptoken``) until the last page.

Scripted misbehaviour: ``reports_missing`` answers 404 to that many report listings first (the
report does not exist yet); ``throttle`` answers 429 with ``Retry-After`` to the first request
whose path contains one of its fragments (once each). Every request must carry the bearer token
``token``, else 401. ``requests`` logs (method, path, query, status) for assertions.

Like real Graph with app-only permissions, a meeting is found only under its organizer's path
(``/users/{organizer}/…``): under anyone else the filter finds nothing and the meeting's
paths answer 404. ``access_policy`` (when given) lists the users the tenant's application
access policy covers; under any other user every request answers 403.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

FIXED_TOKEN = "fixed-test-token"  # noqa: S105 (a test stand-in, not a secret)


@dataclass
class FakeOnlineMeeting:
    organizer_id: str
    id: str
    join_web_url: str
    subject: str = ""
    reports: list[dict[str, Any]] = field(default_factory=list)


def report(
    report_id: str, start: str, end: str, records: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """A meetingAttendanceReport with its records (served separately, as Graph does)."""
    kept = list(records)
    return {
        "id": report_id,
        "totalParticipantCount": len(kept),
        "meetingStartDateTime": start,
        "meetingEndDateTime": end,
        "attendanceRecords": kept,
    }


def record(
    identity_id: str,
    name: str,
    email: str,
    intervals: Iterable[tuple[str, str, int]],
    role: str = "Attendee",
    tenant_id: str | None = None,
) -> dict[str, Any]:
    """An attendanceRecord; ``intervals`` are (joinDateTime, leaveDateTime, durationInSeconds)."""
    spans = [
        {"joinDateTime": join, "leaveDateTime": leave, "durationInSeconds": seconds}
        for join, leave, seconds in intervals
    ]
    return {
        "emailAddress": email,
        "totalAttendanceInSeconds": sum(s["durationInSeconds"] for s in spans),
        "role": role,
        "identity": {"id": identity_id, "displayName": name, "tenantId": tenant_id},
        "attendanceIntervals": spans,
    }


def _error(status: int, code: str, message: str) -> web.Response:
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2024-05-07T20:00:00", "request-id": "00000000-0000-0000-0000"},
        }
    }
    return web.json_response(body, status=status)


class FakeGraphServer:
    def __init__(
        self,
        meetings: Iterable[FakeOnlineMeeting] = (),
        *,
        page_size: int = 2,
        reports_missing: int = 0,
        throttle: Iterable[str] = (),
        retry_after: str = "1",
        token: str = FIXED_TOKEN,
        access_policy: Iterable[str] | None = None,
    ) -> None:
        self.meetings = list(meetings)
        self.page_size = page_size
        self.reports_missing = reports_missing
        self.throttle = list(throttle)
        self.retry_after = retry_after
        self.token = token
        self.access_policy = (
            None if access_policy is None else {u.casefold() for u in access_policy}
        )
        self.requests: list[tuple[str, str, str, int]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/v1.0/users/{organizer}/onlineMeetings", self._meetings)
        app.router.add_get(
            "/v1.0/users/{organizer}/onlineMeetings/{meeting}/attendanceReports", self._reports
        )
        app.router.add_get(
            "/v1.0/users/{organizer}/onlineMeetings/{meeting}/attendanceReports/{report}"
            "/attendanceRecords",
            self._records,
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        await web.SockSite(self._runner, sock).start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1.0"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def statuses(self, fragment: str) -> list[int]:
        return [status for _, path, _, status in self.requests if fragment in path]

    # ---- handlers ---------------------------------------------------------------------------

    def _gate(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "InvalidAuthenticationToken", "Access token is empty.")
        for fragment in list(self.throttle):
            if fragment in request.path:
                self.throttle.remove(fragment)
                response = _error(429, "TooManyRequests", "Too many requests.")
                response.headers["Retry-After"] = self.retry_after
                return response
        organizer = request.match_info.get("organizer", "").casefold()
        if self.access_policy is not None and organizer not in self.access_policy:
            return _error(
                403,
                "Forbidden",
                "No application access policy found for this app.",
            )
        return None

    def _log(self, request: web.Request, response: web.Response) -> web.Response:
        self.requests.append((request.method, request.path, request.query_string, response.status))
        return response

    def _find(self, organizer: str, meeting_id: str) -> FakeOnlineMeeting | None:
        return next(
            (
                m
                for m in self.meetings
                if m.organizer_id.casefold() == organizer.casefold() and m.id == meeting_id
            ),
            None,
        )

    async def _meetings(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return self._log(request, refused)
        organizer = request.match_info["organizer"]
        wanted = request.query.get("$filter", "")
        prefix = "joinweburl eq '"
        if not wanted.casefold().startswith(prefix) or not wanted.endswith("'"):
            return self._log(request, _error(400, "BadRequest", "Unsupported filter."))
        url = wanted[len(prefix) : -1].replace("''", "'")
        found = [
            m
            for m in self.meetings
            if m.organizer_id.casefold() == organizer.casefold() and m.join_web_url == url
        ]
        body = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{organizer}')"
            "/onlineMeetings",
            "value": [
                {
                    "id": m.id,
                    "creationDateTime": "2024-04-02T14:00:00.1594516Z",
                    "startDateTime": "2024-05-07T13:00:00Z",
                    "endDateTime": "2024-05-07T20:00:00Z",
                    "joinWebUrl": m.join_web_url,
                    "subject": m.subject,
                    "participants": {
                        "organizer": {
                            "upn": "(redacted)",
                            "role": "presenter",
                            "identity": {
                                "user": {
                                    "id": organizer,
                                    "displayName": None,
                                    "identityProvider": "AAD",
                                }
                            },
                        },
                        "attendees": [],
                    },
                    "joinMeetingIdSettings": {
                        "isPasscodeRequired": False,
                        "joinMeetingId": "1234567890",
                        "passcode": None,
                    },
                }
                for m in found
            ],
        }
        return self._log(request, web.json_response(body))

    async def _reports(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return self._log(request, refused)
        meeting = self._find(request.match_info["organizer"], request.match_info["meeting"])
        if meeting is None:
            return self._log(request, _error(404, "NotFound", "Online meeting not found."))
        if self.reports_missing > 0:
            self.reports_missing -= 1
            return self._log(request, _error(404, "NotFound", "Attendance report not found."))
        body = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('"
            f"{meeting.organizer_id}')/onlineMeetings('{meeting.id}')/attendanceReports",
            "value": [{**r, "attendanceRecords": []} for r in meeting.reports],
        }
        return self._log(request, web.json_response(body))

    async def _records(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return self._log(request, refused)
        meeting = self._find(request.match_info["organizer"], request.match_info["meeting"])
        found = next(
            (
                r
                for r in (meeting.reports if meeting else [])
                if r["id"] == request.match_info["report"]
            ),
            None,
        )
        if found is None:
            return self._log(request, _error(404, "NotFound", "Attendance report not found."))
        records = found["attendanceRecords"]
        token = request.query.get("$skiptoken", "0")
        start = int(token) if token.isdigit() else 0
        page = records[start : start + self.page_size]
        body: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('"
            f"{meeting.organizer_id if meeting else ''}')/onlineMeetings('"
            f"{meeting.id if meeting else ''}')/attendanceReports('{found['id']}')"
            "/attendanceRecords",
            "value": page,
        }
        if start + self.page_size < len(records):
            body["@odata.nextLink"] = (
                f"{self.base_url}{request.path.removeprefix('/v1.0')}"
                f"?$skiptoken={start + self.page_size}"
            )
        return self._log(request, web.json_response(body))
