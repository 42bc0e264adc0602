"""``bot_http``: the real app (create_app) served on loopback, with a Bot Connector stub as the
serviceUrl, so tests post activities exactly as Teams does and read what the bot sent."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, create_app
from bot.settings import Settings
from storage.member_repository import Member, member_key
from tests.card_walk import texts_of  # noqa: F401 (re-exported for the tests)
from tests.fakes.connector_stub import ConnectorStub

ANIMATEUR_AAD = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e01"
MEMBER_AAD = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e04"
_ids = itertools.count(1)


@dataclass
class BotHttp:
    client: TestClient
    connector: ConnectorStub
    data_dir: Path
    sent_before: int = field(default=0)

    def activity(
        self,
        text: str | None = None,
        *,
        aad: str = MEMBER_AAD,
        locale: str = "fr-CA",
        conversation: str = "a:personal-1",
        **extra: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": "message",
            "id": f"act-{next(_ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "from": {"id": f"29:{aad}", "name": "Sophie Bergeron", "aadObjectId": aad},
            "recipient": {"id": "28:veilleuse", "name": "Veilleuse"},
            "conversation": {"id": conversation, "conversationType": "personal", "tenantId": "t1"},
            "channelData": {"tenant": {"id": "t1"}},
            "locale": locale,
        }
        if text is not None:
            activity["text"] = text
        activity.update(extra)
        return activity

    def execute(self, verb: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        value = {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        }
        return self.activity(type="invoke", name="adaptiveCard/action", value=value, **kw)

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        response = await self.client.post("/api/messages", json=activity)
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body

    async def choose_language(self, aad: str, locale: str = "en") -> None:
        """What ``langue anglais`` records (the member's own choice beats the community's
        language and the client's), without a reply in the conversation."""
        members = self.client.server.app[RUNTIME].services.members
        key = member_key(f"29:{aad}", aad)
        member = await members.get(key) or Member(key, f"29:{aad}", aad, "Sophie Bergeron")
        await members.save(member.with_locale(locale))

    def replies(self, conversation: str = "a:personal-1") -> list[dict[str, Any]]:
        return self.connector.received.get(conversation, [])


@pytest.fixture
async def bot_http(tmp_path: Path) -> AsyncIterator[BotHttp]:
    connector = ConnectorStub()
    await connector.start()
    settings = Settings(data_dir=tmp_path / "data")
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        yield BotHttp(client, connector, settings.data_dir)
    finally:
        await client.close()
        await connector.close()


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    attachments = activity.get("attachments") or []
    assert attachments, f"no card in {activity.get('text')!r}"
    assert attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachments[0]["content"]
