"""MsGraphAttendanceSource against a local server that answers like Graph v1.0: the real
msgraph-sdk request builders, middleware, serialisation and paging run; only the base URL and
the credential (a fixed token) differ from production."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from bot.graph import MsGraphAttendanceSource
from dialogs.presence.ports import FetchStatus, OnlineMeetingLocator
from tests.fakes.graph_server import (
    FIXED_TOKEN,
    FakeGraphServer,
    FakeOnlineMeeting,
    record,
    report,
)

pytestmark = pytest.mark.integration

ORGANIZER = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e01"
JOIN_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NTg0NmQ3%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%22t1%22%2c%22Oid%22%3a%22o1%22%7d"
)


class FixedTokenCredential:
    """An azure AsyncTokenCredential that always hands out the same token."""

    def __init__(self, token: str = FIXED_TOKEN) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> FixedTokenCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


def _meeting() -> FakeOnlineMeeting:
    first = report(
        "c9b6db1c-d5eb-427d-a5c0-20088d9b22d7",
        "2024-05-07T13:00:02.945Z",
        "2024-05-07T16:01:49.77Z",
        [
            record(
                "aad-1",
                "Sophie B",
                "sophie@x.example",
                [
                    ("2024-05-07T13:00:27.6027225Z", "2024-05-07T16:00:00Z", 10772),
                ],
                role="Organizer",
            ),
            record(
                "aad-2",
                "Jean C",
                "jean@x.example",
                [
                    ("2024-05-07T13:05:00Z", "2024-05-07T14:00:00Z", 3300),
                    ("2024-05-07T14:30:00Z", "2024-05-07T16:00:00Z", 5400),
                ],
            ),
            record(
                "guest-9",
                "Nathalie R (Invité)",
                "nathalie@y.example",
                [
                    ("2024-05-07T13:10:00Z", "2024-05-07T16:00:00Z", 10200),
                ],
            ),
        ],
    )
    second = report(
        "2c2c2454-7613-4d6e-9c7c-4cf7a6cdce89",
        "2024-05-07T17:00:00Z",
        "2024-05-07T20:00:00Z",
        [
            record(
                "aad-1",
                "Sophie B",
                "sophie@x.example",
                [
                    ("2024-05-07T17:00:00Z", "2024-05-07T20:00:00Z", 10800),
                ],
            ),
        ],
    )
    return FakeOnlineMeeting(
        ORGANIZER, "MSpkYzE3Njc0Yy04MWQ5", JOIN_URL, "Journée", [first, second]
    )


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphServer]:
    server = FakeGraphServer([_meeting()], page_size=2)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def sources() -> AsyncIterator[list[MsGraphAttendanceSource]]:
    made: list[MsGraphAttendanceSource] = []
    yield made
    for source in made:
        await source.close()


@pytest.fixture
def connect(
    sources: list[MsGraphAttendanceSource],
) -> Any:
    """``connect(base_url, **kwargs) -> (source, slept)``: the real SDK path, a fixed token,
    and a recording ``sleep``."""

    def make(base_url: str, **kwargs: Any) -> tuple[MsGraphAttendanceSource, list[float]]:
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        source = MsGraphAttendanceSource.connect(
            FixedTokenCredential(), base_url=base_url, sleep=sleep, **kwargs
        )
        sources.append(source)
        return source, slept

    return make


async def test_404_then_429_then_every_report_and_page(
    graph: FakeGraphServer, connect: Any
) -> None:
    graph.reports_missing = 1
    graph.throttle = ["/attendanceRecords"]
    source, slept = connect(graph.base_url)
    locator = OnlineMeetingLocator(ORGANIZER, join_url=JOIN_URL)

    first = await source.fetch(locator)
    assert first.status == FetchStatus.not_ready
    assert first.retryable

    second = await source.fetch(locator)
    assert second.status == FetchStatus.ok
    assert second.online_meeting_id == "MSpkYzE3Njc0Yy04MWQ5"
    assert slept == [1.0]  # the Retry-After of the one 429
    assert [r.id for r in second.reports] == [
        "c9b6db1c-d5eb-427d-a5c0-20088d9b22d7",
        "2c2c2454-7613-4d6e-9c7c-4cf7a6cdce89",
    ]
    day = second.reports[0]
    assert day.participant_count == 3
    assert day.started_at == datetime(2024, 5, 7, 13, 0, 2, 945000, tzinfo=UTC)
    # Three records over two pages (page size 2): the nextLink was followed.
    assert [r.identity_id for r in day.records] == ["aad-1", "aad-2", "guest-9"]
    jean = day.records[1]
    assert jean.email == "jean@x.example"
    assert jean.total_seconds == 8700
    assert [(i.joined_at.hour, i.joined_at.minute) for i in jean.intervals] == [(13, 5), (14, 30)]
    assert day.records[0].role == "Organizer"
    assert day.records[0].intervals[0].joined_at.microsecond == 602722
    # The request sequence: filter, 404, filter, reports, 429, records p1, p2, records of 2nd.
    records_calls = [q for _, path, q, _ in graph.requests if path.endswith("/attendanceRecords")]
    assert "$skiptoken=2" in records_calls
    assert graph.statuses("/attendanceReports").count(404) == 1
    assert graph.statuses("/attendanceRecords").count(429) == 1
    filters = [q for _, path, q, _ in graph.requests if path.endswith("/onlineMeetings")]
    assert filters
    assert all("JoinWebUrl" in q for q in filters)


async def test_known_graph_id_skips_the_filter(graph: FakeGraphServer, connect: Any) -> None:
    source, _ = connect(graph.base_url)
    result = await source.fetch(OnlineMeetingLocator(ORGANIZER, "MSpkYzE3Njc0Yy04MWQ5"))
    assert result.status == FetchStatus.ok
    assert not [p for _, p, _, _ in graph.requests if p.endswith("/onlineMeetings")]


async def test_fetching_twice_gives_the_same_answer(graph: FakeGraphServer, connect: Any) -> None:
    source, _ = connect(graph.base_url)
    locator = OnlineMeetingLocator(ORGANIZER, join_url=JOIN_URL)
    assert await source.fetch(locator) == await source.fetch(locator)


@pytest.mark.parametrize(
    ("locator", "status"),
    [
        (OnlineMeetingLocator(ORGANIZER, join_url=JOIN_URL + "x"), FetchStatus.not_found),
        (OnlineMeetingLocator(ORGANIZER, "no-such-meeting"), FetchStatus.not_ready),
        (OnlineMeetingLocator("", join_url=JOIN_URL), FetchStatus.not_found),
        (OnlineMeetingLocator(ORGANIZER), FetchStatus.not_found),
    ],
)
async def test_missing_meeting(
    graph: FakeGraphServer, connect: Any, locator: OnlineMeetingLocator, status: FetchStatus
) -> None:
    source, _ = connect(graph.base_url)
    assert (await source.fetch(locator)).status == status


async def test_no_report_yet_is_not_ready(graph: FakeGraphServer, connect: Any) -> None:
    graph.meetings[0].reports.clear()
    source, _ = connect(graph.base_url)
    result = await source.fetch(OnlineMeetingLocator(ORGANIZER, join_url=JOIN_URL))
    assert result.status == FetchStatus.not_ready


async def test_wrong_token_is_refused(graph: FakeGraphServer, connect: Any) -> None:
    graph.token = "another"
    source, slept = connect(graph.base_url)
    result = await source.fetch(OnlineMeetingLocator(ORGANIZER, join_url=JOIN_URL))
    assert result.status == FetchStatus.refused
    assert slept == []


async def test_throttling_is_bounded(graph: FakeGraphServer, connect: Any) -> None:
    graph.throttle = ["/attendanceReports"] * 10
    source, slept = connect(graph.base_url, max_attempts=3)
    result = await source.fetch(OnlineMeetingLocator(ORGANIZER, "MSpkYzE3Njc0Yy04MWQ5"))
    assert result.status == FetchStatus.unavailable
    assert slept == [1.0, 1.0]  # three attempts, two waits
    assert graph.statuses("/attendanceReports") == [429, 429, 429]


async def test_a_long_retry_after_is_not_waited(graph: FakeGraphServer, connect: Any) -> None:
    graph.throttle = ["/attendanceReports"]
    graph.retry_after = "3600"
    source, slept = connect(graph.base_url, max_wait=60)
    result = await source.fetch(OnlineMeetingLocator(ORGANIZER, "MSpkYzE3Njc0Yy04MWQ5"))
    assert result.status == FetchStatus.unavailable
    assert slept == []


async def test_unreachable_graph_is_unavailable(connect: Any) -> None:
    server = FakeGraphServer()
    await server.start()
    base = server.base_url
    await server.close()  # nothing listens there any more
    source, slept = connect(base, max_attempts=2, max_wait=5)
    result = await source.fetch(OnlineMeetingLocator(ORGANIZER, "m"))
    assert result.status == FetchStatus.unavailable
    assert len(slept) == 1
    assert 1.0 <= slept[0] <= 5


async def test_warm_up_parses_a_canned_payload(connect: Any) -> None:
    source, _ = connect("")
    source.warm_up()


def test_the_app_builds_the_graph_source_only_with_credentials(tmp_path) -> None:
    from bot.app import RUNTIME, create_app
    from bot.graph import MsGraphAttendanceSource
    from bot.settings import Settings

    guid = "11111111-2222-3333-4444-555555555555"
    with_graph = create_app(
        Settings(
            data_dir=tmp_path / "a",
            graph_tenant_id=guid,
            graph_client_id=guid,
            graph_client_secret="secret",
        )
    )
    source = with_graph[RUNTIME].services.components["attendance_source"]
    assert isinstance(source, MsGraphAttendanceSource)
    without = create_app(Settings(data_dir=tmp_path / "b"))
    assert "attendance_source" not in without[RUNTIME].services.components
    with_graph[RUNTIME].store.close()
    without[RUNTIME].store.close()
