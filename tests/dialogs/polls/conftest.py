"""Drive the real bot (``bot_http``) as Teams does, for poll scenarios: people, a channel, card
clicks, an injected clock, and a recording messenger when a test wants to see what would go
out in 1:1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from dialogs.onboarding.queries import profile_repository
from dialogs.turn import Services
from storage.community import example_text
from storage.member_repository import Member
from storage.outbox_repository import OutboxItem
from storage.profile_repository import MemberProfile
from storage.store import stored_tables
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, bot_http, texts_of  # noqa: F401
from tests.card_walk import facts_of, matching, nodes, of_type

FR = Translator("fr-CA")
EN = Translator("en")
CHANNEL = "19:cdep-general@thread.tacv2"
_GUID = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e"
ANIMATEUR = (ANIMATEUR_AAD, "Isabelle Gagnon")
MEMBERS = [
    (f"{_GUID}{n:02d}", name)
    for n, name in enumerate(
        [
            "Sophie Bergeron",
            "Jean-François Côté",
            "Nathalie Roy",
            "Étienne Gagné",
            "Julie Martin",
            "Karim Haddad",
            "Lucie Pelletier",
        ],
        start=4,
    )
]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class RecordingMessenger:
    items: list[OutboxItem] = field(default_factory=list)

    async def enqueue(self, items: Sequence[OutboxItem]) -> list[str]:
        known = {i.id for i in self.items}
        fresh = [i for i in items if i.id not in known]
        self.items.extend(fresh)
        return [i.id for i in fresh]

    def ids(self, prefix: str = "") -> list[str]:
        return sorted(i.id for i in self.items if i.id.startswith(prefix))


def personal(aad: str) -> str:
    return f"a:personal-{aad[-2:]}"


class Driver:
    def __init__(self, bot: BotHttp) -> None:
        self.bot = bot
        self.runtime = bot.client.server.app[RUNTIME]
        self.services: Services = self.runtime.services
        self.clock = Clock(datetime.now(UTC).replace(microsecond=0))
        self.services.clock = self.clock
        self._messages = 0

    # ---- activities -----------------------------------------------------------------------

    def activity(
        self,
        text: str | None,
        who: tuple[str, str],
        conversation: str = CHANNEL,
        locale: str = "fr-CA",
        **extra: Any,
    ) -> dict[str, Any]:
        aad, name = who
        activity = self.bot.activity(
            text, aad=aad, locale=locale, conversation=conversation, **extra
        )
        activity["from"] = {"id": f"29:{aad}", "name": name, "aadObjectId": aad}
        if conversation.startswith("19:"):
            activity["conversation"]["conversationType"] = "channel"
        return activity

    async def say(
        self, text: str, who: tuple[str, str] = ANIMATEUR, conversation: str = CHANNEL, **kw: Any
    ) -> dict[str, Any]:
        await self.bot.post(self.activity(text, who, conversation, **kw))
        return self.bot.replies(conversation)[-1]

    async def click(
        self,
        verb: str,
        data: dict[str, Any],
        who: tuple[str, str] = ANIMATEUR,
        conversation: str = CHANNEL,
        reply_to: str | None = None,
        locale: str = "fr-CA",
    ) -> dict[str, Any]:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}}
        activity = self.activity(
            None, who, conversation, locale, type="invoke", name="adaptiveCard/action", value=value
        )
        if reply_to:
            activity["replyToId"] = reply_to
        status, body = await self.bot.post(activity)
        assert status == 200, body
        return body

    @staticmethod
    def card(body: dict[str, Any]) -> dict[str, Any]:
        assert body["type"] == "application/vnd.microsoft.card.adaptive", body
        return body["value"]

    @staticmethod
    def message(body: dict[str, Any]) -> str:
        assert body["type"] == "application/vnd.microsoft.activity.message", body
        return body["value"]

    # ---- people -----------------------------------------------------------------------------

    async def add_members(self, people: Sequence[tuple[str, str]], committee: str = "clsc") -> None:
        """Members known to Teams (1:1 reachable) and to the onboarding profiles."""
        profiles = profile_repository(self.services)
        for aad, name in people:
            key = aad.casefold()
            await self.services.members.save(
                Member(key, f"29:{aad}", aad, name, "fr-CA", "t1", self.bot.connector.service_url)
            )
            await profiles.save(
                MemberProfile(
                    key=key, name=name, teams_user_id=f"29:{aad}", committee_ids=(committee,)
                )
            )

    def record_messages(self) -> RecordingMessenger:
        recorder = RecordingMessenger()
        self.services.messenger = recorder
        return recorder

    # ---- polls -----------------------------------------------------------------------------

    def deadline_fields(self, delta: timedelta = timedelta(days=3)) -> dict[str, str]:
        local = (self.clock.now + delta).astimezone(self.services.timezone)
        return {"deadline_date": local.date().isoformat(), "deadline_time": local.strftime("%H:%M")}

    async def new_draft(
        self,
        template: str = "custom",
        conversation: str = CHANNEL,
        *,
        who: tuple[str, str] = ANIMATEUR,
    ) -> tuple[str, dict[str, Any]]:
        card = self.card(
            await self.click("polls.post_template", {"template": template}, who, conversation)
        )
        return action_data(card, "polls.publish")["draft_id"], card

    async def add_question(
        self,
        draft_id: str,
        kind: str,
        conversation: str = CHANNEL,
        *,
        who: tuple[str, str] = ANIMATEUR,
        **fields: Any,
    ) -> dict[str, Any]:
        form = await self.click(
            "polls.add_question", {"draft_id": draft_id, "kind": kind}, who, conversation
        )
        assert action_data(self.card(form), "polls.save_question")["kind"] == kind
        data = {"draft_id": draft_id, "kind": kind, "question_id": "", "required": "true", **fields}
        return await self.click("polls.save_question", data, who, conversation)

    async def publish(
        self,
        draft_id: str,
        conversation: str = CHANNEL,
        reply_to: str | None = None,
        *,
        who: tuple[str, str] = ANIMATEUR,
        **settings: Any,
    ) -> dict[str, Any]:
        self._messages += 1
        data = {
            "draft_id": draft_id,
            "title": "Sondage",
            "anonymous": "false",
            "visibility": "live",
            "audience": "channel",
            **self.deadline_fields(),
            **settings,
        }
        return await self.click(
            "polls.publish",
            data,
            who,
            conversation=conversation,
            reply_to=reply_to or f"draft-{self._messages}",
        )

    async def single_choice_poll(
        self, conversation: str = CHANNEL, *, who: tuple[str, str] = ANIMATEUR, **settings: Any
    ) -> str:
        draft_id, _ = await self.new_draft(conversation=conversation, who=who)
        await self.add_question(
            draft_id,
            "single",
            conversation,
            who=who,
            label="Mode préféré?",
            choices="Présentiel\nVirtuel\nHybride",
        )
        card = self.card(await self.publish(draft_id, conversation, who=who, **settings))
        return action_data(card, "polls.view")["poll_id"]

    async def answer(
        self, poll_id: str, who: tuple[str, str], conversation: str = CHANNEL, **answers: Any
    ) -> dict[str, Any]:
        return await self.click("polls.answer", {"poll_id": poll_id, **answers}, who, conversation)

    async def members_may_create(self, allowed: bool) -> None:
        """Set ``[polls] members_can_create`` in the community profile, then « recharger »."""
        value = "true" if allowed else "false"
        text = example_text().replace("members_can_create = false", f"members_can_create = {value}")
        (self.runtime.settings.data_dir / "community.toml").write_text(text, "utf-8")
        reply = await self.say(FR("command.reload.word"), conversation=personal(ANIMATEUR[0]))
        profile = self.services.profile.current
        assert reply["text"] == FR("reload.done", name=profile.name, version=profile.rules.version)
        assert profile.members_can_create_polls is allowed

    def raw_store(self, name: str = "polls") -> dict[str, Any]:
        return stored_tables(self.runtime.settings.data_dir / f"{name}.json")


def action_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the first Action.Execute with ``verb`` anywhere on the card."""
    found = all_action_data(card, verb)
    assert found, f"no {verb} action on the card"
    return found[0]


def all_action_data(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    """The data of every Action.Execute with ``verb`` on the card, in order."""
    return [a["data"] for a in of_type(card, "Action.Execute") if a.get("verb") == verb]


def has_action(card: dict[str, Any], verb: str) -> bool:
    try:
        action_data(card, verb)
    except AssertionError:
        return False
    return True


def facts(card: dict[str, Any]) -> dict[str, str]:
    """Every fact of the card, title → value (later facts win)."""
    return {fact["title"]: fact["value"] for fact in facts_of(card)}


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every input of the card by id."""
    found = matching(card, lambda n: str(n.get("type", "")).startswith("Input.") and "id" in n)
    return {node["id"]: node for node in found}


def joined(card: dict[str, Any]) -> str:
    """Every text, title, value and input label of the card, one per line."""
    labels = [node["label"] for node in nodes(card) if isinstance(node.get("label"), str)]
    return "\n".join([*texts_of(card), *labels])


@pytest.fixture
def polls(bot_http: BotHttp) -> Driver:  # noqa: F811
    return Driver(bot_http)
