"""Microsoft Graph, the only module that imports msgraph and azure.identity.

:class:`MsGraphAttendanceSource` implements ``dialogs.presence.ports.AttendanceSource`` with
msgraph-sdk, app-only (client credentials). For one meeting it:

1. resolves the Graph onlineMeeting: the id when known (the meeting details' Graph resource id),
   else ``GET /users/{organizer}/onlineMeetings?$filter=JoinWebUrl eq '<url>'``;
2. lists **all** its attendance reports (a recurring or restarted meeting has several),
   following ``@odata.nextLink``;
3. fetches **all** attendance records of each report, following ``@odata.nextLink``;
4. retries 429, 500, 502, 503 and 504 itself, honouring ``Retry-After`` (seconds or HTTP date),
   at most ``max_attempts`` times per request and never waiting more than ``max_wait`` seconds
   at once (the SDK's own retry handler is switched off: it would wait any ``Retry-After``);
5. answers with our frozen dataclasses, mapping "the report is not there yet" (404 or an empty
   list) to ``FetchStatus.not_ready`` so the caller schedules the next try, and
   authentication/permission failures (401, 403, the credential failing) to ``refused``.

Needs the application permissions ``OnlineMeetings.Read.All`` and
``OnlineMeetingArtifact.Read.All`` plus an application access policy granted to the organizers
(docs/PLATFORM.md §8). Logs carry ids and status codes only.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ClientAuthenticationError

from bot.messenger import parse_retry_after
from dialogs.presence.ports import (
    AttendanceFetch,
    AttendanceRecord,
    AttendanceReport,
    AttendedInterval,
    FetchStatus,
    OnlineMeetingLocator,
)

# kiota_abstractions warns (DeprecationWarning) while its own modules are imported; that is
# not ours to fix, and pytest runs with warnings as errors.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kiota_abstractions.api_error import APIError
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from kiota_http.middleware.options import RetryHandlerOption
    from msgraph import GraphServiceClient
    from msgraph.generated.models.attendance_record import AttendanceRecord as GraphRecord
    from msgraph.generated.models.meeting_attendance_report import MeetingAttendanceReport
    from msgraph.generated.users.item.online_meetings.item import (
        online_meeting_item_request_builder as online_meeting_item,
    )
    from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
        OnlineMeetingsRequestBuilder,
    )
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_request_adapter import options as graph_default_options
    from msgraph_core import GraphClientFactory

    # The request builders below are imported lazily by the SDK, and their class bodies warn
    # too: import them here, once, under the same filter.
    for _module in (
        "msgraph.generated.users.users_request_builder",
        "msgraph.generated.users.item.user_item_request_builder",
        "msgraph.generated.users.item.online_meetings.item.attendance_reports."
        "attendance_reports_request_builder",
        "msgraph.generated.users.item.online_meetings.item.attendance_reports.item."
        "meeting_attendance_report_item_request_builder",
        "msgraph.generated.users.item.online_meetings.item.attendance_reports.item."
        "attendance_records.attendance_records_request_builder",
    ):
        importlib.import_module(_module)

logger = logging.getLogger(__name__)

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_PAGES = 200  # a safety stop: 200 pages of records is far more than any meeting has
T = TypeVar("T")
# Told of every Graph request ("request", "ok" | status code | "auth_error" | "transport_error")
# and every finished fetch ("fetch", FetchStatus value): bot/ops.py counts them. Codes only.
GraphListener = Callable[[str, str], None]


class _Outcome(Exception):
    """Ends a fetch early with a status (never leaves this module)."""

    def __init__(self, status: FetchStatus, where: str, code: int | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.where = where
        self.code = code


@dataclass
class GraphHttp:
    """The SDK's HTTP client with its middleware (retry handler off: we retry ourselves,
    bounded), and the transport under it. msgraph-core's transport wrapper does not pass
    ``aclose`` on, so :meth:`aclose` closes the inner transport itself."""

    client: httpx.AsyncClient
    transport: httpx.AsyncBaseTransport

    @classmethod
    def create(cls) -> GraphHttp:
        options = dict(graph_default_options)
        options[RetryHandlerOption.get_key()] = RetryHandlerOption(should_retry=False)
        transport = httpx.AsyncHTTPTransport(http2=True)
        client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0), transport=transport)
        GraphClientFactory.create_with_default_middleware(client=client, options=options)
        return cls(client, transport)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.transport.aclose()


def build_graph_client(
    credential: AsyncTokenCredential, http_client: httpx.AsyncClient, *, base_url: str = ""
) -> GraphServiceClient:
    """``base_url`` points it elsewhere than ``https://graph.microsoft.com/v1.0`` (tests)."""
    auth = AzureIdentityAuthenticationProvider(credential, scopes=GRAPH_SCOPES)
    adapter = GraphRequestAdapter(auth, client=http_client)
    if base_url:
        adapter.base_url = base_url.rstrip("/")
    return GraphServiceClient(request_adapter=adapter)


def client_secret_credential(
    tenant_id: str, client_id: str, client_secret: str
) -> AsyncTokenCredential:
    from azure.identity.aio import ClientSecretCredential  # noqa: PLC0415 (import cost)

    return ClientSecretCredential(tenant_id, client_id, client_secret)


class MsGraphAttendanceSource:
    def __init__(
        self,
        client: GraphServiceClient,
        *,
        http: GraphHttp | None = None,
        credential: AsyncTokenCredential | None = None,
        max_attempts: int = 4,
        max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._http = http
        self._credential = credential
        self._max_attempts = max(1, max_attempts)
        self._max_wait = max_wait
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._listeners: list[GraphListener] = []

    def add_listener(self, listener: GraphListener) -> None:
        """``listener(event, outcome)`` after each request and each fetch (health, metrics)."""
        self._listeners.append(listener)

    def _tell(self, event: str, outcome: str) -> None:
        for listener in self._listeners:
            try:
                listener(event, outcome)
            except Exception:
                logger.exception("graph: a listener failed")

    async def check_token(self) -> str:
        """Asks the credential for a Graph token (start-up check). Returns "" when it works,
        else the error's class name (never its text: it may quote the secret's hint)."""
        if self._credential is None:
            return ""
        try:
            await self._credential.get_token(*GRAPH_SCOPES)
        except Exception as error:
            return type(error).__name__
        return ""

    @classmethod
    def connect(
        cls,
        credential: AsyncTokenCredential,
        *,
        base_url: str = "",
        **kwargs: Any,
    ) -> MsGraphAttendanceSource:
        """A source that owns its HTTP client and credential (closed by :meth:`close`)."""
        http = GraphHttp.create()
        client = build_graph_client(credential, http.client, base_url=base_url)
        return cls(client, http=http, credential=credential, **kwargs)

    @classmethod
    def from_settings(
        cls, tenant_id: str, client_id: str, client_secret: str, **kwargs: Any
    ) -> MsGraphAttendanceSource:
        """The production source: app-only client credentials (azure.identity.aio)."""
        return cls.connect(client_secret_credential(tenant_id, client_id, client_secret), **kwargs)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._credential is not None:
            await self._credential.close()

    def warm_up(self) -> None:
        """Deserialise one small canned payload so the first real import does not pay the
        SDK's model loading (about 1.5 s, docs/PLATFORM.md §2). Call it off the request path."""
        from kiota_serialization_json.json_parse_node_factory import (  # noqa: PLC0415
            JsonParseNodeFactory,
        )

        payload = (
            b'{"value":[{"emailAddress":"a@example.org","totalAttendanceInSeconds":60,'
            b'"role":"Attendee","identity":{"id":"x","displayName":"x"},"attendanceIntervals":'
            b'[{"joinDateTime":"2024-05-07T13:00:00Z","leaveDateTime":"2024-05-07T13:01:00Z",'
            b'"durationInSeconds":60}]}]}'
        )
        node = JsonParseNodeFactory().get_root_parse_node("application/json", payload)
        node.get_collection_of_object_values(GraphRecord)

    # ---- the port ---------------------------------------------------------------------------

    async def fetch(self, meeting: OnlineMeetingLocator) -> AttendanceFetch:
        result = await self._fetch(meeting)
        self._tell("fetch", str(result.status))
        return result

    async def _fetch(self, meeting: OnlineMeetingLocator) -> AttendanceFetch:
        if not meeting.organizer_aad_id or not (meeting.online_meeting_id or meeting.join_url):
            return AttendanceFetch(FetchStatus.not_found)
        try:
            meeting_id = meeting.online_meeting_id or await self._resolve(meeting)
            online = self._client.users.by_user_id(
                meeting.organizer_aad_id
            ).online_meetings.by_online_meeting_id(meeting_id)
            reports = await self._reports(online)
            if not reports:
                logger.info("graph: no attendance report yet")
                return AttendanceFetch(FetchStatus.not_ready, meeting_id)
            complete = [await self._with_records(online, report) for report in reports if report.id]
        except _Outcome as outcome:
            logger.info(
                "graph: %s during %s (status %s)", outcome.status, outcome.where, outcome.code
            )
            return AttendanceFetch(outcome.status, meeting.online_meeting_id)
        logger.info(
            "graph: %d report(s), %d record(s)",
            len(complete),
            sum(len(r.records) for r in complete),
        )
        return AttendanceFetch(FetchStatus.ok, meeting_id, tuple(complete))

    # ---- steps ------------------------------------------------------------------------------

    async def _resolve(self, meeting: OnlineMeetingLocator) -> str:
        url = meeting.join_url.replace("'", "''")  # an OData string literal
        query = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter=f"JoinWebUrl eq '{url}'"
        )
        builder = self._client.users.by_user_id(meeting.organizer_aad_id).online_meetings
        page = await self._call(
            "resolve",
            lambda: builder.get(RequestConfiguration(query_parameters=query)),
            not_found=FetchStatus.not_found,
        )
        found = [m for m in (page.value or []) if m.id] if page else []
        if not found:
            raise _Outcome(FetchStatus.not_found, "resolve")
        return str(found[0].id)

    async def _reports(
        self, online: online_meeting_item.OnlineMeetingItemRequestBuilder
    ) -> list[MeetingAttendanceReport]:
        builder = online.attendance_reports
        page = await self._call("reports", builder.get, not_found=FetchStatus.not_ready)
        reports: list[MeetingAttendanceReport] = []
        for _ in range(_MAX_PAGES):
            if page is None:
                break
            reports.extend(page.value or [])
            link = page.odata_next_link
            if not link:
                break
            page = await self._call(
                "reports", builder.with_url(link).get, not_found=FetchStatus.not_ready
            )
        return reports

    async def _with_records(
        self,
        online: online_meeting_item.OnlineMeetingItemRequestBuilder,
        report: MeetingAttendanceReport,
    ) -> AttendanceReport:
        builder = online.attendance_reports.by_meeting_attendance_report_id(
            str(report.id)
        ).attendance_records
        records: list[GraphRecord] = []
        page = await self._call("records", builder.get, not_found=FetchStatus.not_ready)
        for _ in range(_MAX_PAGES):
            if page is None:
                break
            records.extend(page.value or [])
            link = page.odata_next_link
            if not link:
                break
            page = await self._call(
                "records", builder.with_url(link).get, not_found=FetchStatus.not_ready
            )
        return AttendanceReport(
            id=str(report.id),
            started_at=_aware(report.meeting_start_date_time),
            ended_at=_aware(report.meeting_end_date_time),
            participant_count=int(report.total_participant_count or 0),
            records=tuple(_record(r) for r in records),
        )

    async def _call(
        self,
        where: str,
        request: Callable[[], Awaitable[T]],
        *,
        not_found: FetchStatus,
    ) -> T:
        """One Graph request with bounded retries on 429/5xx and transport errors."""
        previous = 1.0
        for attempt in range(1, self._max_attempts + 1):
            try:
                answer = await request()
            except APIError as error:
                code = error.response_status_code
                self._tell("request", str(code))
                if code == 404:
                    raise _Outcome(not_found, where, code) from None
                if code in (401, 403):
                    raise _Outcome(FetchStatus.refused, where, code) from None
                if code not in RETRYABLE_STATUSES:
                    raise _Outcome(FetchStatus.unavailable, where, code) from None
                delay = _retry_after(error)
            except ClientAuthenticationError:
                self._tell("request", "auth_error")
                raise _Outcome(FetchStatus.refused, where) from None
            except httpx.TransportError:
                self._tell("request", "transport_error")
                code, delay = None, None
            else:
                self._tell("request", "ok")
                return answer
            if delay is None:
                previous = min(self._max_wait, self._rng.uniform(1.0, previous * 3))
                delay = previous
            if attempt == self._max_attempts or delay > self._max_wait:
                raise _Outcome(FetchStatus.unavailable, where, code)
            logger.info("graph: %s got %s, retry %d in %.1f s", where, code, attempt, delay)
            await self._sleep(delay)
        raise _Outcome(FetchStatus.unavailable, where)  # pragma: no cover (loop returns)


def _retry_after(error: APIError) -> float | None:
    headers = error.response_headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    return parse_retry_after(value, datetime.now(UTC))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _record(record: GraphRecord) -> AttendanceRecord:
    identity = record.identity
    intervals = []
    for interval in record.attendance_intervals or []:
        joined = _aware(interval.join_date_time)
        left = _aware(interval.leave_date_time)
        if joined is not None and left is not None and left > joined:
            intervals.append(AttendedInterval(joined, left))
    return AttendanceRecord(
        identity_id=str(identity.id or "") if identity else "",
        display_name=str(identity.display_name or "") if identity else "",
        email=str(record.email_address or ""),
        role=str(record.role or ""),
        total_seconds=int(record.total_attendance_in_seconds or 0),
        intervals=tuple(intervals),
        tenant_id=str(getattr(identity, "tenant_id", "") or "") if identity else "",
    )
