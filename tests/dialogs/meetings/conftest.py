"""Helpers for the meetings HTTP tests: the channel where the card lives, filling the planning
form from the card the bot sent, members answering, and reading the 1:1 messages sent."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.app import RUNTIME, Runtime
from dialogs.meetings import queries
from dialogs.turn import Services
from storage.member_repository import Member
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, bot_http, card_of  # noqa: F401
from tests.card_walk import nodes as walk
from tests.card_walk import verbs_of  # noqa: F401 (used by the meeting tests)

T = TypeVar("T")
CHANNEL = "19:cdep@thread.tacv2;messageid=1700000000000"
JOIN_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZjE2%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%22t1%22%7d"
)
MEMBERS = {
    "alice": "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e11",
    "benoit": "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e12",
    "chloe": "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e13",
    "denis": "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e14",
}
_ids = itertools.count(1)


def runtime_of(http: BotHttp) -> Runtime:
    return http.client.server.app[RUNTIME]


def services_of(http: BotHttp) -> Services:
    return runtime_of(http).services


def in_channel(activity: dict[str, Any]) -> dict[str, Any]:
    activity["conversation"] = {
        "id": CHANNEL,
        "conversationType": "channel",
        "tenantId": "t1",
        "isGroup": True,
    }
    return activity


def say_in_channel(http: BotHttp, text: str, aad: str = ANIMATEUR_AAD) -> dict[str, Any]:
    return in_channel(http.activity(text, aad=aad))


def click(
    http: BotHttp,
    verb: str,
    data: dict[str, Any],
    *,
    aad: str,
    reply_to: str = "",
    channel: bool = True,
    locale: str = "fr-CA",
    conversation: str = "a:personal-1",
) -> dict[str, Any]:
    extra: dict[str, Any] = {"replyToId": reply_to} if reply_to else {}
    activity = http.execute(
        verb,
        {"verb": verb, **data},
        aad=aad,
        locale=locale,
        conversation=conversation,
        **extra,
    )
    activity["from"]["name"] = name_of(aad)
    return in_channel(activity) if channel else activity


def name_of(aad: str) -> str:
    for name, known in MEMBERS.items():
        if known == aad:
            return name.capitalize() + " Tremblay"
    return "Isabelle Gagnon" if aad == ANIMATEUR_AAD else "Sophie Bergeron"


def invoke_card(body: Any) -> dict[str, Any]:
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return body["value"]


def invoke_text(body: Any) -> str:
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    return str(body["value"])


def inputs_of(card: dict[str, Any]) -> dict[str, Any]:
    """Input id -> value, as the client would send them untouched."""
    found = {}
    for node in walk(card):
        if str(node.get("type", "")).startswith("Input.") and "id" in node:
            value = node.get("value", "")
            found[node["id"]] = str(value) if isinstance(value, int) else value
    return found


def action_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    for node in walk(card):
        if node.get("type") == "Action.Execute" and node.get("verb") == verb:
            return dict(node["data"])
    raise AssertionError(f"no {verb} action on the card")


def rsvp_choices(card: dict[str, Any]) -> list[str]:
    return [
        n["data"]["choice"]
        for n in walk(card)
        if n.get("type") == "Action.Execute" and n.get("verb") == "meetings.rsvp"
    ]


def future_day(days: int = 30) -> str:
    return (datetime.now().date() + timedelta(days=days)).isoformat()


@dataclass
class Planned:
    meeting_id: str
    card_id: str
    response: dict[str, Any]


async def open_form(http: BotHttp, aad: str = ANIMATEUR_AAD) -> dict[str, Any]:
    await http.post(say_in_channel(http, "rencontre", aad))
    return card_of(http.replies(CHANNEL)[-1])


async def plan_meeting(
    http: BotHttp,
    *,
    mode: str = "hybride",
    committees: str = "ch,clsc",
    day: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Planned:
    """An animateur opens the form in the channel and publishes it (Annexe C agenda)."""
    form = await open_form(http)
    data = {**action_data(form, "meetings.save"), **inputs_of(form)}
    data.update(
        title="Journée régionale psychosociale",
        committees=committees,
        day=day or future_day(),
        mode=mode,
        venue="Hôpital Charles-Le Moyne, salle 2-110" if mode != "virtuel" else "",
        join_url=JOIN_URL if mode != "presentiel" else "",
    )
    data.update(overrides or {})
    data.pop("verb", None)
    card_id = f"form-{next(_ids)}"
    status, body = await http.post(
        click(http, "meetings.save", data, aad=ANIMATEUR_AAD, reply_to=card_id)
    )
    assert status == 200
    return Planned(data["meeting_id"], card_id, body)


async def answer(
    http: BotHttp, planned: Planned, who: str, choice: str, *, channel: bool = True
) -> Any:
    status, body = await http.post(
        click(
            http,
            "meetings.rsvp",
            {"meeting_id": planned.meeting_id, "choice": choice},
            aad=MEMBERS.get(who, who),
            reply_to=planned.card_id if channel else "",
            channel=channel,
        )
    )
    assert status == 200
    return body


def card_updates(http: BotHttp, card_id: str) -> list[dict[str, Any]]:
    """The channel card's successive contents (each PUT on the message)."""
    return [card_of(update) for update in http.connector.updated.get(card_id, [])]


def sent_to(http: BotHttp, aad: str) -> list[dict[str, Any]]:
    """Every message the bot sent to this user's 1:1 chat."""
    return [
        activity
        for activities in list(http.connector.received.values())
        for activity in activities
        if (activity.get("recipient") or {}).get("id") == f"29:{aad}"
    ]


async def settle(http: BotHttp) -> None:
    async with asyncio.timeout(5):
        await runtime_of(http).messenger.flush()


def use_roster(http: BotHttp, *names: str) -> None:
    """The committees' members (what onboarding profiles would give)."""

    async def roster(services: Services, committee_ids: list[str]) -> list[Member]:
        found = [await services.members.get(MEMBERS[n].casefold()) for n in names]
        return [m for m in found if m is not None]

    services_of(http).components[queries.ROSTER_COMPONENT] = roster


def set_clock(http: BotHttp, moment: datetime) -> None:
    services_of(http).clock = lambda: moment


async def introduce(http: BotHttp, *names: str) -> None:
    """Members say hello once, so the bot knows how to reach them (as in Teams)."""
    for name in names:
        aad = MEMBERS[name]
        activity = http.activity("aide", aad=aad, conversation=f"a:personal-{name}")
        activity["from"]["name"] = name_of(aad)
        await http.post(activity)


async def eventually(check: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = check()
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"still {found!r} after {timeout} s")
        await asyncio.sleep(0.02)
