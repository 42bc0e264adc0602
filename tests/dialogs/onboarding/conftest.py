"""Helpers for the onboarding HTTP tests: team events as Teams sends them, waiting for the
proactive messages the bot sends, and restarting the bot on the same data folder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, Runtime, create_app
from bot.settings import Settings
from tests.bot.conftest import BotHttp, bot_http  # noqa: F401 (the fixture, for this folder)

T = TypeVar("T")
TEAM_CHANNEL = "19:general@thread.tacv2"


def runtime_of(http: BotHttp) -> Runtime:
    return http.client.server.app[RUNTIME]


def teams_person(name: str, aad: str, email: str = "") -> dict[str, Any]:
    """An account in membersAdded as Teams sends it for a new member (details inline, so the
    SDK does not ask the roster)."""
    account = {"id": f"29:{aad}", "aadObjectId": aad, "name": name}
    account["userPrincipalName"] = email or f"{aad}@cdep-monteregie.example"
    return account


def team_event(
    http: BotHttp,
    *,
    added: list[dict[str, Any]] | None = None,
    removed: list[dict[str, Any]] | None = None,
    conversation_type: str = "channel",
) -> dict[str, Any]:
    event = "teamMemberAdded" if added else "teamMemberRemoved"
    channel_data: dict[str, Any] = {"eventType": event, "tenant": {"id": "t1"}}
    if conversation_type == "channel":
        channel_data["team"] = {"id": TEAM_CHANNEL}
    activity = http.activity(None, type="conversationUpdate", conversation=TEAM_CHANNEL)
    activity["channelData"] = channel_data
    activity["conversation"]["conversationType"] = conversation_type
    if added:
        activity["membersAdded"] = added
    if removed:
        activity["membersRemoved"] = removed
    return activity


def sent_to(http: BotHttp, user_id: str) -> list[dict[str, Any]]:
    """Every message the bot sent to this user (replies and proactive), in order."""
    return [
        activity
        for activities in list(http.connector.received.values())
        for activity in activities
        if (activity.get("recipient") or {}).get("id") == user_id
    ]


async def eventually(check: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
    """Polls ``check`` until it returns something truthy (proactive messages are sent by the
    messenger's background task)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = check()
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"still {found!r} after {timeout} s")
        await asyncio.sleep(0.02)


async def settle(http: BotHttp) -> None:
    """Wait until the messenger has nothing pending."""
    async with asyncio.timeout(5):
        await runtime_of(http).messenger.flush()


async def restart(http: BotHttp) -> None:
    """Stop the bot and start a new one on the same data folder (same connector)."""
    await http.client.close()
    client = TestClient(TestServer(create_app(Settings(data_dir=http.data_dir))))
    await client.start_server()
    http.client = client


@pytest.fixture
async def http(bot_http: BotHttp) -> AsyncIterator[BotHttp]:  # noqa: F811
    """``bot_http`` that may be restarted during the test."""
    try:
        yield bot_http
    finally:
        await bot_http.client.close()
