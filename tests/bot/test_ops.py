"""/healthz and /metrics through HTTP, on the real app (create_app) with an injected clock."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import app as app_module
from bot.app import RUNTIME, create_app
from bot.graph import MsGraphAttendanceSource
from bot.metrics import MetricsRegistry, Reading
from bot.ops import OPS
from bot.settings import Settings
from dialogs.presence.ports import FetchStatus, OnlineMeetingLocator
from storage.outbox_repository import OutboxItem, iso_utc
from tests.bot.conftest import MEMBER_AAD
from tests.bot.test_graph import ORGANIZER, FixedTokenCredential, _meeting
from tests.fakes.connector_stub import ConnectorStub
from tests.fakes.graph_server import FakeGraphServer

pytestmark = pytest.mark.integration

# Any fixed instant works: the bot's clock is injected, nothing compares it with the real date.
NOW = datetime(2031, 3, 4, 15, 0, tzinfo=UTC)
GUID = "11111111-2222-3333-4444-555555555555"

Start = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    clients: list[TestClient] = []

    async def make(**overrides: Any) -> TestClient:
        settings = replace(Settings(data_dir=tmp_path / "data"), **overrides)
        client = TestClient(TestServer(create_app(settings, clock=lambda: NOW)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


def _activity(service_url: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"ops-{time.monotonic_ns()}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{MEMBER_AAD}", "name": "Sophie", "aadObjectId": MEMBER_AAD},
        "recipient": {"id": "28:veilleuse", "name": "Veilleuse"},
        "conversation": {"id": "a:ops-1", "conversationType": "personal", "tenantId": "t1"},
        "channelData": {"tenant": {"id": "t1"}},
        "locale": "fr-CA",
        "text": text,
    }


def _series(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def test_healthz_reports_each_part(start: Start) -> None:
    client = await start()
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["time"] == "2031-03-04T15:00:00+00:00"
    assert body["store"]["opens"] is True
    assert body["store"]["writable"] is True
    assert body["scheduler"]["running"] is True
    assert body["scheduler"]["next_job"]["kind"] == "downloads"
    assert body["messenger"] == {
        "pending": 0,
        "oldest_pending_age_seconds": None,
        "last_error": None,
        "sent": 0,
        "failed": 0,
        "rate_limited": 0,
    }
    assert body["graph"]["configured"] is False
    assert body["graph"]["last_import_at"] is None
    # The probe left nothing behind in the data folder.
    data_dir = client.server.app[RUNTIME].settings.data_dir
    assert not [p.name for p in data_dir.iterdir() if p.name.startswith(".healthz")]


async def test_healthz_shows_the_queue_age_and_the_last_send_error(start: Start) -> None:
    client = await start()
    messenger = client.server.app[RUNTIME].messenger
    later = iso_utc(NOW + timedelta(days=1))
    queued = NOW - timedelta(minutes=7)
    await messenger.enqueue(
        [
            OutboxItem(
                "ops:later",
                "conv:somewhere",
                {"type": "message", "text": "x"},
                not_before=later,
                created_at=iso_utc(queued),
            ),
            OutboxItem("ops:nowhere", "conv:unknown", {"type": "message", "text": "x"}),
        ]
    )
    body: dict[str, Any] = {}
    for _ in range(100):  # the worker picks the due item up within its poll interval
        body = await (await client.get("/healthz")).json()
        if body["messenger"]["last_error"]:
            break
        await asyncio.sleep(0.05)
    assert body["messenger"]["last_error"] == "unknown_conversation"
    assert body["messenger"]["failed"] == 1
    assert body["messenger"]["pending"] == 1
    assert body["messenger"]["oldest_pending_age_seconds"] == 7 * 60
    assert body["status"] == "degraded"


async def test_healthz_is_503_when_the_bot_cannot_work(start: Start) -> None:
    client = await start()
    runtime = client.server.app[RUNTIME]
    client.server.app[OPS].store_probe_ttl = 0  # probe the folder on every call
    await runtime.scheduler.stop()
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "failing"
    assert body["scheduler"]["running"] is False

    await runtime.scheduler.start()
    assert (await client.get("/healthz")).status == 200
    runtime.store.close()
    shutil.rmtree(runtime.settings.data_dir)
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["store"]["opens"] is False


async def test_metrics_are_off_unless_enabled(start: Start) -> None:
    client = await start()
    assert (await client.get("/metrics")).status == 404


async def test_metrics_count_turns_and_latency(start: Start) -> None:
    connector = ConnectorStub()
    await connector.start()
    try:
        client = await start(metrics_enabled=True)
        for _ in range(3):
            response = await client.post(
                "/api/messages", json=_activity(connector.service_url, "aide")
            )
            assert response.status in (200, 201)
        bad = await client.post("/api/messages", data=b"{", headers={"Content-Type": "x/y"})
        assert bad.status == 415
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    finally:
        await connector.close()
    values = _series(text)
    ok = sum(v for k, v in values.items() if k.startswith('veilleuse_turns_total{status="20'))
    assert ok == 3
    assert values['veilleuse_turns_total{status="415"}'] == 1
    assert values["veilleuse_turn_duration_seconds_count"] == 4
    assert values['veilleuse_turn_duration_seconds_bucket{le="+Inf"}'] == 4
    assert values["veilleuse_turn_duration_seconds_sum"] > 0
    assert values["veilleuse_outbox_pending"] == 0
    assert values['veilleuse_throttled_total{service="teams"}'] == 0
    assert values["veilleuse_scheduler_running"] == 1
    assert "# TYPE veilleuse_turn_duration_seconds histogram" in text
    # No personal data: no user id, conversation id or message text in any series.
    for secret in (MEMBER_AAD, "a:ops-1", "aide", "Sophie"):
        assert secret not in text


async def test_metrics_token(start: Start) -> None:
    client = await start(metrics_enabled=True, metrics_token="s3cret-token")
    assert (await client.get("/metrics")).status == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.get("/metrics", headers=wrong)).status == 401
    right = {"Authorization": "Bearer s3cret-token"}
    assert (await client.get("/metrics", headers=right)).status == 200


async def test_turn_errors_are_counted(start: Start) -> None:
    client = await start(metrics_enabled=True)
    runtime = client.server.app[RUNTIME]
    calls: list[str] = []

    async def broken(*_: Any) -> None:
        calls.append("turn")
        raise RuntimeError("boom")

    runtime.bot.on_turn = broken  # type: ignore[method-assign]
    connector = ConnectorStub()
    await connector.start()
    try:
        await client.post("/api/messages", json=_activity(connector.service_url, "aide"))
    finally:
        await connector.close()
    assert calls == ["turn"]
    values = _series(await (await client.get("/metrics")).text())
    assert values["veilleuse_turn_errors_total"] == 1


async def test_graph_imports_and_429s_show_in_health_and_metrics(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = FakeGraphServer([_meeting()], page_size=2)
    await graph.start()

    async def no_sleep(_: float) -> None:
        return None

    def local_source(*_: Any, **__: Any) -> MsGraphAttendanceSource:
        return MsGraphAttendanceSource.connect(
            FixedTokenCredential(), base_url=graph.base_url, sleep=no_sleep
        )

    monkeypatch.setattr(app_module.MsGraphAttendanceSource, "from_settings", local_source)
    try:
        client = await start(
            metrics_enabled=True,
            graph_tenant_id=GUID,
            graph_client_id=GUID,
            graph_client_secret="secret",
        )
        source = client.server.app[RUNTIME].services.components["attendance_source"]
        graph.throttle = ["/attendanceReports"]
        result = await source.fetch(OnlineMeetingLocator(ORGANIZER, "MSpkYzE3Njc0Yy04MWQ5"))
        assert result.status == FetchStatus.ok
        health = await (await client.get("/healthz")).json()
        metrics = _series(await (await client.get("/metrics")).text())
    finally:
        await graph.close()
    assert health["graph"] == {
        "configured": True,
        "last_import_at": "2031-03-04T15:00:00+00:00",
        "last_import_result": "ok",
        "last_successful_import_at": "2031-03-04T15:00:00+00:00",
    }
    assert metrics['veilleuse_graph_requests_total{outcome="429"}'] == 1
    assert metrics['veilleuse_graph_requests_total{outcome="ok"}'] >= 3
    assert metrics['veilleuse_graph_imports_total{result="ok"}'] == 1
    assert metrics['veilleuse_throttled_total{service="graph"}'] == 1
    assert client.server.app[OPS].graph.last_fetch_status == "ok"


def test_registry_text_format() -> None:
    registry = MetricsRegistry(prefix="t")
    registry.counter("events_total", "Events.")
    registry.histogram("wait_seconds", "Waits.", buckets=(0.1, 1))
    registry.inc("events_total", {"kind": "a"})
    registry.inc("events_total", {"kind": "a"}, by=2)
    registry.observe("wait_seconds", 0.5)
    text = registry.render([Reading("depth", "Depth.", ((None, 4),))])
    assert text.splitlines() == [
        "# HELP t_events_total Events.",
        "# TYPE t_events_total counter",
        't_events_total{kind="a"} 3',
        "# HELP t_wait_seconds Waits.",
        "# TYPE t_wait_seconds histogram",
        't_wait_seconds_bucket{le="0.1"} 0',
        't_wait_seconds_bucket{le="1"} 1',
        't_wait_seconds_bucket{le="+Inf"} 1',
        "t_wait_seconds_sum 0.5",
        "t_wait_seconds_count 1",
        "# HELP t_depth Depth.",
        "# TYPE t_depth gauge",
        "t_depth 4",
    ]


def test_label_values_must_be_codes() -> None:
    registry = MetricsRegistry()
    registry.counter("x_total", "X.")
    with pytest.raises(ValueError, match="short code"):
        registry.inc("x_total", {"user": "Sophie Bergeron <sophie@x.example>"})


async def test_the_public_healthz_probes_the_folder_at_most_every_few_seconds(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import ops as ops_module

    probes: list[Path] = []
    real_probe = ops_module.probe_folder

    def counted(folder: Path) -> dict[str, Any]:
        probes.append(folder)
        return real_probe(folder)

    monkeypatch.setattr(ops_module, "probe_folder", counted)
    client = await start()
    for _ in range(3):
        assert (await client.get("/healthz")).status == 200
    assert len(probes) == 1
    client.server.app[OPS].store_probe_ttl = 0
    await client.get("/healthz")
    assert len(probes) == 2
