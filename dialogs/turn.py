"""What every feature handler receives: the caller, their language, the services, the turn.

Handlers are plain ``async def`` functions. A text-command handler gets a :class:`Turn` and
replies through it; a card-action handler also gets the card's data and returns a
:class:`CardReply` (the card to show instead) or a :class:`MessageReply`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, Attachment

from cards.i18n import Translator
from cards.render import CARD_CONTENT_TYPE
from dialogs.downloads import Downloads
from dialogs.roles import Role
from storage.community import CommunityProfile
from storage.member_repository import MemberRepository
from storage.outbox_repository import OutboxItem
from storage.store import Store

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


@dataclass
class Turn:
    context: TurnContext
    caller: Caller
    t: Translator
    services: Services
    args: str = ""

    async def say(self, key: str, **values: Any) -> None:
        await self.context.send_activity(MessageFactory.text(self.t(key, **values)))

    async def send_card(self, card: dict[str, Any]) -> str | None:
        activity = Activity(
            type="message",
            attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
        )
        response = await self.context.send_activity(activity)
        return response.id if response else None


@dataclass(frozen=True)
class CardReply:
    card: dict[str, Any]


@dataclass(frozen=True)
class MessageReply:
    text: str


ActionResult = CardReply | MessageReply
CommandHandler = Callable[[Turn], Awaitable[None]]
ActionHandler = Callable[[Turn, Mapping[str, Any]], Awaitable[ActionResult]]
