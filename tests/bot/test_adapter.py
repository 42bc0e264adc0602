from __future__ import annotations

import msrest.universal_http.requests as msrest_requests
import pytest

from bot.adapter import create_adapter, patch_msrest_retry_scan
from bot.connector import PACED_BY_CALLER
from bot.settings import Settings


def test_msrest_retry_scan_patch_keeps_the_same_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    original = list(msrest_requests.ClientRetryPolicy.safe_codes)
    monkeypatch.setattr(msrest_requests.ClientRetryPolicy, "safe_codes", original)
    patch_msrest_retry_scan()
    patched = msrest_requests.ClientRetryPolicy.safe_codes
    assert isinstance(patched, frozenset)
    assert patched == frozenset(original)
    assert all((code in patched) == (code in original) for code in range(999))


def test_adapter_creation_applies_the_patch_and_warns_without_auth(
    caplog: pytest.LogCaptureFixture,
) -> None:
    create_adapter(Settings())
    assert isinstance(msrest_requests.ClientRetryPolicy.safe_codes, frozenset)
    assert "authentication is OFF" in caplog.text


async def _send_through(adapter, service_url: str, text: str) -> object:
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity, ConversationReference

    reference = ConversationReference.deserialize(
        {
            "bot": {"id": "28:bot"},
            "user": {"id": "29:u"},
            "conversation": {"id": "a:chat-1", "conversationType": "personal"},
            "channelId": "msteams",
            "serviceUrl": service_url,
        }
    )
    outcome: dict[str, object] = {}

    async def send(turn_context: TurnContext) -> None:
        try:
            outcome["response"] = await turn_context.send_activity(
                Activity(type="message", text=text)
            )
        except Exception as error:  # noqa: BLE001 - the test reads it
            outcome["error"] = error

    await adapter.continue_conversation(reference, send, "")
    return outcome


async def test_outbound_calls_share_one_pooled_aiohttp_session() -> None:
    from bot.adapter import close_adapter
    from bot.connector import PooledBotFrameworkAuthentication
    from tests.fakes.connector_stub import ConnectorStub

    stub = ConnectorStub()
    await stub.start()
    adapter = create_adapter(Settings())
    authentication = adapter.bot_framework_authentication
    assert isinstance(authentication, PooledBotFrameworkAuthentication)
    try:
        first = await _send_through(adapter, stub.service_url, "un")
        session = authentication.connection._session  # noqa: SLF001
        second = await _send_through(adapter, stub.service_url, "deux")

        assert first["response"].id  # type: ignore[attr-defined]
        assert second["response"].id  # type: ignore[attr-defined]
        assert stub.texts() == ["un", "deux"]
        assert session is not None
        assert authentication.connection._session is session  # noqa: SLF001 - reused
    finally:
        await close_adapter(adapter)
        await stub.close()
    assert authentication.connection._session is None  # noqa: SLF001


async def test_a_429_surfaces_as_botbuilder_s_error_with_its_retry_after() -> None:
    from msrest.exceptions import HttpOperationError

    from bot.adapter import close_adapter
    from tests.fakes.connector_stub import ConnectorStub

    stub = ConnectorStub(inject_429_every=1, retry_after=2.0)
    await stub.start()
    adapter = create_adapter(Settings())
    paced = PACED_BY_CALLER.set(True)  # as the messenger sends: it retries 429s itself
    try:
        outcome = await _send_through(adapter, stub.service_url, "trop")
    finally:
        PACED_BY_CALLER.reset(paced)
        await close_adapter(adapter)
        await stub.close()

    error = outcome["error"]
    assert isinstance(error, HttpOperationError)
    assert error.response.status_code == 429
    assert float(error.response.headers["Retry-After"]) == 2.0
    assert stub.texts() == []
    assert stub.requests == 1  # the connector did not wait nor send it again


async def test_a_reply_refused_with_429_is_sent_again_once_after_retry_after() -> None:
    from bot.adapter import close_adapter
    from tests.fakes.connector_stub import ConnectorStub

    stub = ConnectorStub(inject_429_every=2, retry_after=0.2)  # the 2nd request is refused
    await stub.start()
    adapter = create_adapter(Settings())
    try:
        await _send_through(adapter, stub.service_url, "un")
        outcome = await _send_through(adapter, stub.service_url, "deux")
    finally:
        await close_adapter(adapter)
        await stub.close()

    assert "error" not in outcome
    assert stub.injected_429 == 1
    assert stub.texts() == ["un", "deux"]  # delivered, and once


def _inbound(kind: str, n: int) -> object:
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    return Activity(
        type=kind,
        name="adaptiveCard/action" if kind == "invoke" else None,
        id=f"in-{n}",
        channel_id="msteams",
        service_url="http://127.0.0.1:9/",
        from_property=ChannelAccount(id=f"29:{n}"),
        recipient=ChannelAccount(id="28:bot"),
        conversation=ConversationAccount(id=f"a:{n}"),
    )


async def test_card_actions_are_processed_a_few_at_a_time_and_messages_pass() -> None:
    import asyncio

    from bot.adapter import CARD_ACTIONS_AT_ONCE

    adapter = create_adapter(Settings())
    running: list[str] = []
    peak: dict[str, int] = {}
    release = asyncio.Event()

    async def logic(turn_context) -> None:  # type: ignore[no-untyped-def]
        kind = turn_context.activity.type
        running.append(kind)
        peak[kind] = max(peak.get(kind, 0), running.count(kind))
        await release.wait()
        running.remove(kind)

    invokes = [
        asyncio.create_task(adapter.process_activity("", _inbound("invoke", n), logic))
        for n in range(CARD_ACTIONS_AT_ONCE + 3)
    ]
    message = asyncio.create_task(adapter.process_activity("", _inbound("message", 99), logic))
    for _ in range(50):
        await asyncio.sleep(0)

    assert peak == {"invoke": CARD_ACTIONS_AT_ONCE, "message": 1}
    release.set()
    await asyncio.gather(*invokes, message)
    assert peak["invoke"] == CARD_ACTIONS_AT_ONCE
