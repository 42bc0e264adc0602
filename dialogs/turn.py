"""What every feature handler receives: the caller, their language, the services, the turn.

Handlers are plain ``async def`` functions. A text-command handler gets a :class:`Turn` and
replies through it; a card-action handler also gets the card's data and returns a
:class:`CardReply` (the card to show instead) or a :class:`MessageReply`.

A :class:`Turn` holds plain values (:class:`Where` the turn happens, the :class:`Caller`) and
two ports (:class:`ConversationPort` to send and update messages, :class:`RosterPort` for the
team roster). ``bot/turns.py`` builds them from the Bot Framework activity; nothing here knows
the SDK, so a port to another Teams SDK replaces ``bot/`` only (docs/CONTRACTS.md).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from cards.i18n import Translator
from dialogs.downloads import Downloads
from dialogs.roles import Role
from storage.community import CommunityProfile
from storage.member_repository import MemberRepository
from storage.outbox_repository import OutboxItem
from storage.store import Store

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DomainError(Exception):
    """An expected refusal; carries a catalog key, never user-facing text."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Caller:
    teams_user_id: str
    aad_object_id: str
    name: str
    member_key: str
    role: Role
    locale: str

    @property
    def is_animateur(self) -> bool:
        return self.role.allows(Role.ANIMATEUR)


class ProfileSource(Protocol):
    """Holds the community profile in force; ``reload`` re-reads the file."""

    @property
    def current(self) -> CommunityProfile: ...

    def reload(self) -> CommunityProfile: ...


class JobsPort(Protocol):
    """What features may ask of the scheduler at run time (bot/scheduler.py)."""

    def schedule(self, job: Any) -> None: ...

    def cancel(self, job_id: str) -> None: ...

    async def replan(self) -> None: ...


class MessengerPort(Protocol):
    """Proactive sends, queued in storage and rate-limited (bot/messenger.py)."""

    async def enqueue(self, items: Sequence[OutboxItem]) -> list[str]: ...

    async def forget(self, *user_ids: str, mentions: Iterable[str] = ()) -> int: ...


@dataclass
class Services:
    """Everything a handler may use.

    A feature reaches its own repositories through :meth:`component`, built once from the
    store (``services.component("topics", lambda s: TinyDbTopicRepository(s.store.database(
    "topics")))``); a test puts a fake in ``components`` first.
    """

    profile: ProfileSource
    members: MemberRepository
    clock: Callable[[], datetime]
    jobs: JobsPort
    messenger: MessengerPort
    store: Store
    downloads: Downloads
    timezone: ZoneInfo
    commands: Sequence[Any] = ()
    # The features' ``routes`` modules (for cross-feature hooks such as ``member_data``).
    features: Sequence[Any] = ()
    components: dict[str, Any] = field(default_factory=dict)

    def component(self, name: str, build: Callable[[Services], T]) -> T:
        if name not in self.components:
            self.components[name] = build(self)
        found: T = self.components[name]
        return found

    def now(self) -> datetime:
        """The current time in the community's time zone."""
        return self.clock().astimezone(self.timezone)


class ChatKind(StrEnum):
    """The kind of conversation a turn happens in (Teams' ``conversationType``; a meeting's
    chat is a group chat whose id names the meeting, docs/PLATFORM.md)."""

    PERSONAL = "personal"
    GROUP = "groupChat"
    CHANNEL = "channel"
    MEETING = "meeting"


@dataclass(frozen=True)
class Where:
    """Where a turn happens, as plain values.

    ``conversation_id`` is the id as Teams sends it (in a channel, a thread's id carries
    ``;messageid=…``); ``reply_to_id`` is the card message being acted on (empty for a typed
    message); ``by_execute`` tells an Action.Execute invoke (answered to the caller alone) from
    an Action.Submit message; ``mentions`` are the activity's mention entities as plain dicts;
    ``added_emails`` the e-mails Teams sent inline with accounts added to the conversation;
    ``client_locale`` the language the person's Teams client runs in.
    """

    kind: ChatKind = ChatKind.PERSONAL
    conversation_id: str = ""
    tenant_id: str = ""
    service_url: str = ""
    in_team: bool = False
    reply_to_id: str = ""
    by_execute: bool = False
    bot_id: str = ""
    mentions: tuple[Mapping[str, Any], ...] = ()
    added_emails: Mapping[str, str] = field(default_factory=dict)
    client_locale: str = ""  # the Teams client's language ("en-US"); see cards.i18n

    @property
    def personal(self) -> bool:
        return self.kind is ChatKind.PERSONAL

    @property
    def shared(self) -> bool:
        """A channel, a group chat or a meeting chat: what is posted there, everyone sees."""
        return not self.personal


@dataclass(frozen=True)
class RosterAccount:
    """One person of the team roster, as Teams describes them."""

    teams_user_id: str
    aad_object_id: str = ""
    name: str = ""
    email: str = ""


class RosterUnavailable(Exception):
    """The roster could not be read (no team, no permission, Teams unreachable)."""


class RosterPort(Protocol):
    """The roster of the turn's team or conversation (Teams' conversation members)."""

    async def member(self, teams_user_id: str) -> RosterAccount: ...

    async def members(self) -> list[RosterAccount]: ...


class ConversationPort(Protocol):
    """Sends in the turn's conversation; returns the new message's id when Teams gives one."""

    async def send_text(self, text: str) -> str | None: ...

    async def send_card(self, card: dict[str, Any]) -> str | None: ...

    async def update_card(self, message_id: str, card: dict[str, Any]) -> None: ...


@dataclass
class Turn:
    where: Where
    caller: Caller
    t: Translator
    services: Services
    conversation: ConversationPort
    roster: RosterPort
    args: str = ""

    async def say(self, key: str, **values: Any) -> None:
        await self.conversation.send_text(self.t(key, **values))

    async def say_text(self, text: str) -> None:
        """Send text already worded from the catalog."""
        await self.conversation.send_text(text)

    async def send_card(self, card: dict[str, Any]) -> str | None:
        return await self.conversation.send_card(card)

    async def update_card(self, message_id: str, card: dict[str, Any]) -> bool:
        """Replace the card message ``message_id`` of this conversation for everyone. Best
        effort: False (logged) when Teams refuses, e.g. the message was deleted; what the
        action changed is saved anyway."""
        try:
            await self.conversation.update_card(message_id, card)
        except Exception:  # the connector refused; the stored record is right, the card stale
            logger.warning("card message %s not updated", message_id, exc_info=True)
            return False
        return True


@dataclass(frozen=True)
class CardReply:
    card: dict[str, Any]


@dataclass(frozen=True)
class MessageReply:
    text: str


ActionResult = CardReply | MessageReply
CommandHandler = Callable[[Turn], Awaitable[None]]
ActionHandler = Callable[[Turn, Mapping[str, Any]], Awaitable[ActionResult]]
