"""Helpers for the topic bank's HTTP tests: people, conversations, clicks, card reading, and a
stand-in for the meetings feature."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import RUNTIME
from dialogs.topics import meetings as meetings_adapter
from dialogs.turn import Services
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, bot_http, card_of  # noqa: F401
from tests.card_walk import nodes as walk  # noqa: F401 (used by the topic tests)

SECOND_AAD = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e21"
THIRD_AAD = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e22"
NAMES = {
    ANIMATEUR_AAD: "Isabelle Gagnon",
    MEMBER_AAD: "Sophie Bergeron",
    SECOND_AAD: "Julien Pelletier",
    THIRD_AAD: "Nadia Bouchard",
}
CHANNEL = "19:cdep-general@thread.tacv2"
_ids = itertools.count(1)


def personal(aad: str) -> str:
    return f"a:personal-{aad[-4:]}"


def services_of(http: BotHttp) -> Services:
    return http.client.server.app[RUNTIME].services


def _account(activity: dict[str, Any], aad: str, conversation: str) -> dict[str, Any]:
    activity["from"]["name"] = NAMES.get(aad, "Quelqu'un")
    if conversation == CHANNEL or conversation.startswith(CHANNEL):
        activity["conversation"] = {
            "id": conversation,
            "conversationType": "channel",
            "tenantId": "t1",
            "isGroup": True,
        }
    return activity


async def say(
    http: BotHttp,
    text: str,
    *,
    aad: str = MEMBER_AAD,
    conversation: str | None = None,
    locale: str = "fr-CA",
) -> dict[str, Any]:
    """Type ``text``; returns the bot's last reply in that conversation."""
    conversation = conversation or personal(aad)
    before = len(http.replies(conversation))
    activity = _account(
        http.activity(text, aad=aad, conversation=conversation, locale=locale), aad, conversation
    )
    status, _ = await http.post(activity)
    assert status in (200, 201)
    replies = http.replies(conversation)
    assert len(replies) > before, f"no reply to {text!r}"
    return replies[-1]


def execute_activity(
    http: BotHttp,
    verb: str,
    data: dict[str, Any],
    *,
    aad: str = MEMBER_AAD,
    conversation: str | None = None,
    reply_to: str = "",
    locale: str = "fr-CA",
) -> dict[str, Any]:
    conversation = conversation or personal(aad)
    extra = {"replyToId": reply_to} if reply_to else {}
    activity = http.execute(
        verb, {"verb": verb, **data}, aad=aad, conversation=conversation, locale=locale, **extra
    )
    return _account(activity, aad, conversation)


async def click(http: BotHttp, verb: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """An Action.Execute; returns the invoke body ``{"type", "value"}``."""
    status, body = await http.post(execute_activity(http, verb, data, **kw))
    assert status == 200, body
    return body


def card(body: dict[str, Any]) -> dict[str, Any]:
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return body["value"]


def message(body: dict[str, Any]) -> str:
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    return str(body["value"])


def actions(card_: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    """The data of every Action.Execute with that verb, in card order."""
    return [
        dict(n["data"])
        for n in walk(card_)
        if n.get("type") == "Action.Execute" and n.get("verb") == verb
    ]


def inputs(card_: dict[str, Any]) -> dict[str, Any]:
    return {
        n["id"]: n.get("value", "")
        for n in walk(card_)
        if str(n.get("type", "")).startswith("Input.") and "id" in n
    }


def texts(card_: dict[str, Any]) -> list[str]:
    found = []
    for n in walk(card_):
        for key in ("text", "title", "value", "label"):
            if isinstance(n.get(key), str):
                found.append(n[key])
    return found


def data_files(http: BotHttp) -> dict[Path, str]:
    return {
        p: p.read_text("utf-8", errors="replace") for p in http.data_dir.rglob("*") if p.is_file()
    }


# ---- a stand-in for the meetings feature ----------------------------------------------------


@dataclass(frozen=True)
class FakeMeeting:
    id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str = "planned"
    committee_ids: tuple[str, ...] = ("clsc",)


@dataclass
class FakeMeetings:
    meetings: dict[str, FakeMeeting] = field(default_factory=dict)

    def plan(self, meeting_id: str, title: str, in_days: int = 14) -> FakeMeeting:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=in_days)
        meeting = FakeMeeting(meeting_id, title, start, start + timedelta(hours=7))
        self.meetings[meeting_id] = meeting
        return meeting

    async def upcoming(self, services: Services, now: datetime) -> list[FakeMeeting]:
        return sorted(
            (m for m in self.meetings.values() if m.status == "planned" and m.ends_at > now),
            key=lambda m: m.starts_at,
        )

    async def get(self, services: Services, meeting_id: str) -> FakeMeeting | None:
        return self.meetings.get(meeting_id)


@pytest.fixture
def fake_meetings(monkeypatch: pytest.MonkeyPatch) -> FakeMeetings:
    fake = FakeMeetings()
    monkeypatch.setattr(meetings_adapter, "available", lambda: True)
    monkeypatch.setattr(meetings_adapter, "upcoming", fake.upcoming)
    monkeypatch.setattr(meetings_adapter, "get", fake.get)
    return fake
