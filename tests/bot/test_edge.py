"""The inbound edge with authentication off (as the Playground and the other tests run): the
tenant lock over every command word and card verb, the serviceUrl allow-list, crafted bodies,
and a silent serviceUrl that must not stall anyone else."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, create_app
from bot.commands import COMMANDS
from bot.routing import Router
from bot.settings import Settings
from cards.i18n import SUPPORTED_LOCALES, Translator
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp
from tests.bot.edge import LoopLag, SilentServer, settle, snapshot
from tests.fakes.connector_stub import ConnectorStub

FOREIGN = "0badc0de-0000-4000-8000-000000000000"
COMMAND_WORDS = sorted(
    {Translator(locale)(f"command.{c.id}.word") for c in COMMANDS for locale in SUPPORTED_LOCALES}
)
VERBS = sorted(Router().actions)


async def _serve(settings: Settings) -> tuple[TestClient, ConnectorStub]:
    connector = ConnectorStub()
    await connector.start()
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    await settle(settings.data_dir)
    return client, connector


@pytest.fixture
async def locked(tmp_path: Path) -> AsyncIterator[BotHttp]:
    settings = Settings(data_dir=tmp_path / "data", tenants=("t1",))
    client, connector = await _serve(settings)
    try:
        yield BotHttp(client, connector, settings.data_dir)
    finally:
        await client.close()
        await connector.close()


def _foreign(activity: dict[str, Any]) -> dict[str, Any]:
    activity["channelData"] = {"tenant": {"id": FOREIGN}}
    activity["conversation"]["tenantId"] = FOREIGN
    return activity


def test_the_matrix_covers_both_languages_and_every_verb() -> None:
    assert "aide" in COMMAND_WORDS
    assert "help" in COMMAND_WORDS
    assert len(COMMAND_WORDS) >= 2 * len(COMMANDS) * 0.9
    assert len(VERBS) >= 20


async def test_a_foreign_tenant_is_refused_for_every_command_and_verb(locked: BotHttp) -> None:
    before = snapshot(locked.data_dir)
    statuses: dict[str, int] = {}
    for word in COMMAND_WORDS:
        for aad in (MEMBER_AAD, ANIMATEUR_AAD):
            activity = _foreign(locked.activity(f"{word} oncologie", aad=aad))
            statuses[f"{word}/{aad[-2:]}"], _ = await locked.post(activity)
    for verb in VERBS:
        for aad in (MEMBER_AAD, ANIMATEUR_AAD):
            execute = _foreign(locked.execute(verb, {"id": "x"}, aad=aad))
            statuses[f"execute {verb}/{aad[-2:]}"], _ = await locked.post(execute)
            submit = _foreign(locked.activity(None, aad=aad, value={"verb": verb, "id": "x"}))
            statuses[f"submit {verb}/{aad[-2:]}"], _ = await locked.post(submit)
    lifecycle = [
        _foreign(
            locked.activity(
                type="conversationUpdate",
                membersAdded=[{"id": "28:veilleuse"}, {"id": "29:x", "aadObjectId": FOREIGN}],
            )
        ),
        _foreign(locked.activity(type="installationUpdate", action="add")),
        _foreign(locked.activity(type="event", name="application/vnd.microsoft.meetingStart")),
    ]
    for n, activity in enumerate(lifecycle):
        statuses[f"lifecycle {n}"], _ = await locked.post(activity)
    assert len(statuses) >= 2 * len(COMMAND_WORDS) + 4 * len(VERBS)
    assert {k: v for k, v in statuses.items() if v != 403} == {}
    assert snapshot(locked.data_dir) == before
    assert locked.connector.requests == 0


async def test_no_tenant_at_all_is_refused_when_a_tenant_is_configured(locked: BotHttp) -> None:
    activity = locked.activity("aide")
    del activity["channelData"]
    assert (await locked.post(activity))[0] == 403
    spoofed = locked.activity("aide")
    spoofed["conversation"]["tenantId"] = FOREIGN  # channelData says t1, conversation disagrees
    assert (await locked.post(spoofed))[0] == 403
    assert locked.connector.requests == 0


async def test_the_community_tenant_is_served(locked: BotHttp) -> None:
    for word in ("aide", "help"):
        status, _ = await locked.post(locked.activity(word))
        assert status == 201
    assert len(locked.replies()) == 2


@pytest.mark.parametrize(
    "service_url",
    [
        "http://169.254.169.254/latest/",
        "https://attacker.example/",
        "https://smba.trafficmanager.net.attacker.example/",
        "https://user:pw@smba.trafficmanager.net/amer/",
        "file:///etc/passwd",
        "not a url",
    ],
)
async def test_a_service_url_off_the_allow_list_is_never_called_nor_stored(
    bot_http: BotHttp, service_url: str
) -> None:
    await settle(bot_http.data_dir)
    before = snapshot(bot_http.data_dir)
    status, _ = await bot_http.post(bot_http.activity("aide", serviceUrl=service_url))
    assert status == 403
    assert snapshot(bot_http.data_dir) == before


async def test_teams_service_urls_are_allowed(bot_http: BotHttp) -> None:
    policy = bot_http.client.server.app[RUNTIME].policy
    for url in (
        "https://smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net/emea/",
        "https://smba.infra.gcc.teams.microsoft.com/",
    ):
        assert policy.service_url_allowed(url), url
    assert not policy.service_url_allowed("http://smba.trafficmanager.net/amer/")


@pytest.mark.parametrize("depth", [65, 1000, 50_000])
async def test_a_deeply_nested_body_is_400(bot_http: BotHttp, depth: int) -> None:
    activity = bot_http.activity("aide")
    body = json.dumps(activity)[:-1] + ', "value": ' + "[" * depth + "]" * depth + "}"
    response = await bot_http.client.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert bot_http.connector.requests == 0


async def test_a_body_nested_within_the_limit_is_served(bot_http: BotHttp) -> None:
    nested: Any = "x"
    for _ in range(20):
        nested = {"a": nested}
    status, _ = await bot_http.post(bot_http.activity("aide", entities=[nested]))
    assert status == 201


async def test_eight_replies_to_a_silent_service_url_stall_nobody_else(tmp_path: Path) -> None:
    """Eight turns whose serviceUrl accepts and never answers; meanwhile /healthz and another
    member's turn (with its reply) complete within a second."""
    silent = SilentServer()
    await silent.start()
    settings = Settings(data_dir=tmp_path / "data", outbound_timeout=2.0)
    client, connector = await _serve(settings)
    http = BotHttp(client, connector, settings.data_dir)
    try:
        lag = LoopLag()
        await lag.start()
        stalled = [
            asyncio.create_task(
                http.post(
                    http.activity("aide", serviceUrl=silent.url, conversation=f"a:silent-{n}")
                )
            )
            for n in range(8)
        ]
        async with asyncio.timeout(5):
            await silent.wait_for_connections(8)

        t0 = time.monotonic()
        assert (await client.get("/healthz")).status == 200
        health_seconds = time.monotonic() - t0
        t0 = time.monotonic()
        status, _ = await http.post(http.activity("aide", aad=ANIMATEUR_AAD))
        async with asyncio.timeout(1):
            await connector.wait_for_accepted(1)
        turn_seconds = time.monotonic() - t0
        assert status == 201
        assert health_seconds < 1.0
        assert turn_seconds < 1.0
        assert not any(task.done() for task in stalled)
        async with asyncio.timeout(30):
            results = await asyncio.gather(*stalled)
        await lag.stop()
        assert lag.worst < 0.5
        assert all(status < 500 for status, _ in results)
    finally:
        await client.close()
        await connector.close()
        await silent.close()


async def test_no_connector_is_made_for_a_service_url_off_the_allow_list(
    bot_http: BotHttp,
) -> None:
    """Every outbound path (replies, proactive messages, new conversations) gets its connector
    from the adapter's authentication, which checks the allow-list first."""
    from botframework.connector.auth import ClaimsIdentity

    authentication = bot_http.client.server.app[RUNTIME].adapter.bot_framework_authentication
    factory = authentication.create_connector_factory(ClaimsIdentity({}, True))
    for url in ("https://attacker.example/", "http://169.254.169.254/"):
        with pytest.raises(PermissionError):
            await factory.create(url, None)
    assert await factory.create("https://smba.trafficmanager.net/amer/", None) is not None
    assert await factory.create(bot_http.connector.service_url, None) is not None
