"""Drive the Microsoft 365 Agents Playground over its own HTTP/WebSocket API, as a Teams user.

What the Playground (0.2.28) does, and how this client copes:

* ``POST /_conversation/v1/conversations/{id}/messages`` always sends the bot an activity
  **from the current user** with ``locale: "en-US"``; it drops any ``locale`` field, and only
  accepts a ``from.id`` that belongs to the conversation. Group chats and channels only reach
  the bot when it is mentioned. ``/_conversation/v1/invoke`` and ``/submit`` honour ``from.id``
  but are also always ``en-US``.
* So :meth:`PlaygroundClient.send_text` uses that genuine path when it can (current user,
  ``en-US``) and otherwise sends the same Teams-shaped activity through
  ``/_internal/v1/customActivities`` (which forwards any activity verbatim).
* Its personal chat holds the current user only. Another person's personal chat is the 1:1
  conversation the mock connector creates for them (``POST /_connector/v3/conversations``,
  idempotent, as the bot itself would); bot messages there never reach the conversation stream
  (``isOtherUserChat``), so they are read from the log stream ``/_ws/log/stream``.
* Both WebSockets buffer messages while no client is connected and flush them to the next
  client, so messages older than :attr:`PlaygroundClient.connected_at_ms` are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp

from tests.e2e.playground import DEFAULT_CONFIG, PlaygroundConfig, PlaygroundUser

logger = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
PLAYGROUND_LOCALE = "en-US"  # what the Playground itself always sends
DEFAULT_LOCALE = "fr-CA"  # what Teams sends for the community's (French-Québec) members
_UNSET: Any = object()


class PlaygroundClientError(AssertionError):
    """The Playground refused a request, or an expected bot message never came."""


@dataclass(frozen=True)
class BotMessage:
    """One message the bot created or updated, as the Teams user sees it."""

    action: str  # "createMessage" | "updateMessage"
    conversation_id: str  # the chat or channel it belongs to
    message_id: str
    text: str | None
    attachments: tuple[dict[str, Any], ...]
    timestamp: int  # ms since the epoch (Playground clock)
    # Where the message lives for replies and card actions: the conversation itself, or for a
    # channel post its thread ("<channel>;messageid=<id>").
    thread_id: str
    source: str  # "stream" (conversation WebSocket) or "log" (log WebSocket)
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def card(self) -> dict[str, Any] | None:
        return adaptive_card(self)

    def all_text(self) -> str:
        """The text and every visible string of its cards, one per line (for assertions)."""
        parts = [self.text or ""]
        for attachment in self.attachments:
            if attachment.get("contentType") == ADAPTIVE_CARD:
                parts.extend(card_strings(attachment.get("content") or {}))
        return "\n".join(part for part in parts if part)


# ---- card helpers ----------------------------------------------------------------------------


def adaptive_card(message: BotMessage | Mapping[str, Any]) -> dict[str, Any] | None:
    """The first Adaptive Card attached to a bot message (or an activity/WS payload), or None."""
    attachments: Iterable[Mapping[str, Any]]
    if isinstance(message, BotMessage):
        attachments = message.attachments
    else:
        attachments = message.get("attachments") or ()
    for attachment in attachments:
        if attachment.get("contentType") == ADAPTIVE_CARD:
            content = attachment.get("content")
            if isinstance(content, str):
                content = json.loads(content)
            return dict(content) if content is not None else None
    return None


def _walk(node: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def card_texts(card: Mapping[str, Any] | None) -> list[str]:
    """Every ``TextBlock`` text in the card, in document order (nested containers, columns,
    ShowCard cards and fallbacks included)."""
    if not card:
        return []
    return [
        str(node["text"])
        for node in _walk(card)
        if node.get("type") == "TextBlock" and isinstance(node.get("text"), str)
    ]


def card_strings(card: Mapping[str, Any] | None) -> list[str]:
    """Every string a user can read on the card: TextBlock and TextRun texts, fact titles and
    values, action titles, input labels and placeholders, choice titles."""
    if not card:
        return []
    found: list[str] = []
    for node in _walk(card):
        kind = node.get("type")
        if kind in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
            found.append(node["text"])
        elif kind is None and {"title", "value"} <= node.keys():  # Fact or Input.Choice
            found.extend(str(node[k]) for k in ("title", "value") if isinstance(node[k], str))
        elif isinstance(kind, str) and kind.startswith("Action.") and node.get("title"):
            found.append(str(node["title"]))
        elif isinstance(kind, str) and kind.startswith("Input."):
            found.extend(str(node[k]) for k in ("label", "placeholder") if node.get(k))
    return found


def card_actions(card: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Every action on the card (including those inside ActionSets and ShowCards)."""
    if not card:
        return []
    return [
        dict(node)
        for node in _walk(card)
        if isinstance(node.get("type"), str) and str(node["type"]).startswith("Action.")
    ]


def card_inputs(card: Mapping[str, Any] | None) -> dict[str, str]:
    """Every input of the card by id, with its value as a string (what « Submit » sends)."""
    if not card:
        return {}
    return {
        str(node["id"]): str(node.get("value", ""))
        for node in _walk(card)
        if str(node.get("type", "")).startswith("Input.") and "id" in node
    }


def find_action(
    card: Mapping[str, Any] | None, *, verb: str | None = None, title: str | None = None
) -> dict[str, Any]:
    """The action with that ``verb`` (Action.Execute) and/or ``title``; AssertionError if none."""
    for action in card_actions(card):
        if verb is not None and action.get("verb") != verb:
            continue
        if title is not None and action.get("title") != title:
            continue
        return action
    raise PlaygroundClientError(
        f"no action verb={verb!r} title={title!r} on the card; actions: "
        f"{[(a.get('type'), a.get('verb'), a.get('title')) for a in card_actions(card)]}"
    )


# ---- the client ------------------------------------------------------------------------------


class PlaygroundClient:
    """One Teams "client session": two WebSockets and the Playground's HTTP API.

    Use ``async with PlaygroundClient(url, bot_url=...) as client:``. ``bot_url`` (the bot's
    ``/api/messages``) is only needed to click Action.Execute in a locale other than the
    Playground's ``en-US``: the Playground cannot send such an invoke, so the client posts the
    same Teams-shaped invoke to the bot directly and returns its invoke response.
    """

    def __init__(
        self,
        base_url: str,
        *,
        config: PlaygroundConfig = DEFAULT_CONFIG,
        bot_url: str | None = None,
        default_locale: str | None = DEFAULT_LOCALE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.config = config
        self.bot_url = bot_url
        self.default_locale = default_locale
        self.messages: list[BotMessage] = []
        self.connected_at_ms = 0
        self._returned: set[int] = set()
        self._changed = asyncio.Condition()
        self._session: aiohttp.ClientSession | None = None
        self._sockets: list[aiohttp.ClientWebSocketResponse] = []
        self._readers: list[asyncio.Task[None]] = []
        self._personal_chats: dict[str, str] = {config.current_user.id: config.personal_chat_id}
        self._visible = {
            config.personal_chat_id,
            config.group_chat_id,
            config.team_id,
            config.channel_id,
        }

    # ---- lifecycle ---------------------------------------------------------------------------

    async def connect(self) -> PlaygroundClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.connected_at_ms = int(time.time() * 1000)
        for path, reader in (
            ("/_ws_conversation/v1/conversations/stream", self._read_conversation_stream),
            ("/_ws/log/stream", self._read_log_stream),
        ):
            socket = await self._session.ws_connect(f"{self.base_url}{path}", heartbeat=20)
            self._sockets.append(socket)
            self._readers.append(asyncio.create_task(reader(socket), name=f"playground{path}"))
        return self

    async def close(self) -> None:
        for socket in self._sockets:
            await socket.close()
        for task in self._readers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._sockets.clear()
        self._readers.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> PlaygroundClient:
        return await self.connect()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("PlaygroundClient is not connected (use `async with`)")
        return self._session

    # ---- reading what the bot sends ----------------------------------------------------------

    async def _read_conversation_stream(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        async for frame in socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            action = payload.get("action")
            if action not in ("createMessage", "updateMessage"):
                continue  # "typing"
            message = payload.get("message") or {}
            conversation = str(payload.get("actionConversationId", ""))
            await self._add(
                BotMessage(
                    action=action,
                    conversation_id=conversation,
                    message_id=str(message.get("messageId", "")),
                    text=message.get("text"),
                    attachments=tuple(message.get("attachments") or ()),
                    timestamp=int(message.get("timestamp") or 0),
                    thread_id=str(message.get("postConversationId") or conversation),
                    source="stream",
                    raw=payload,
                )
            )

    async def _read_log_stream(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Bot messages to chats the current user is not in (other people's personal chats)."""
        async for frame in socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            entry = (json.loads(frame.data) or {}).get("log") or {}
            if entry.get("activityName") != "message" or entry.get("from") != "User Application":
                continue
            body = (entry.get("request") or {}).get("body") or {}
            response = entry.get("response") or {}
            conversation = str((body.get("conversation") or {}).get("id") or "")
            if not conversation or self._is_visible(conversation):
                continue
            status = int(response.get("statusCode") or 0)
            if status not in (200, 201):
                continue
            action = "createMessage" if status == 201 else "updateMessage"
            message_id = str((response.get("body") or {}).get("id") or body.get("id") or "")
            await self._add(
                BotMessage(
                    action=action,
                    conversation_id=conversation,
                    message_id=message_id,
                    text=body.get("text"),
                    attachments=tuple(body.get("attachments") or ()),
                    timestamp=int(entry.get("timestamp") or 0),
                    thread_id=conversation,
                    source="log",
                    raw=entry,
                )
            )

    def _is_visible(self, conversation_id: str) -> bool:
        base = conversation_id.split(";", 1)[0]
        return base in self._visible

    async def _add(self, message: BotMessage) -> None:
        if message.timestamp and message.timestamp < self.connected_at_ms:
            logger.debug("dropping a message from before this client: %s", message)
            return
        async with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    async def expect_message(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (a deadline for the whole wait, not one call)
        *,
        conversation: str | None = None,
        user: PlaygroundUser | str | None = None,
        action: str | None = "createMessage",
    ) -> BotMessage:
        """The first not-yet-returned bot message that matches, waiting up to ``timeout`` s.

        ``conversation`` (a kind such as ``"personal"`` or an id) and ``user`` (whose personal
        chat) narrow the search; ``action=None`` accepts updates too. Messages that do not match
        stay available to later calls.
        """
        wanted = self._conversation_filter(conversation, user)

        def matches(message: BotMessage) -> bool:
            if action is not None and message.action != action:
                return False
            if wanted is not None and wanted not in (
                message.conversation_id,
                message.thread_id,
                message.conversation_id.split(";", 1)[0],
            ):
                return False
            return predicate is None or bool(predicate(message))

        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while True:
                for index, message in enumerate(self.messages):
                    if index not in self._returned and matches(message):
                        self._returned.add(index)
                        return message
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
        seen = "\n".join(f"  - {m}" for m in self.messages) or "  (none)"
        raise PlaygroundClientError(
            f"no matching bot message within {timeout:.1f} s "
            f"(conversation={wanted!r}, action={action!r}); bot messages seen:\n{seen}"
        )

    async def expect_no_message(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        within: float = 1.5,
        *,
        conversation: str | None = None,
        user: PlaygroundUser | str | None = None,
        action: str | None = "createMessage",
    ) -> None:
        """Fail if a matching, not-yet-returned message arrives within ``within`` s."""
        try:
            found = await self.expect_message(
                predicate, within, conversation=conversation, user=user, action=action
            )
        except PlaygroundClientError:
            return
        raise PlaygroundClientError(f"unexpected bot message: {found}")

    def _conversation_filter(
        self, conversation: str | None, user: PlaygroundUser | str | None
    ) -> str | None:
        if conversation is None and user is None:
            return None
        person = self._person(user)
        if conversation in (None, "personal"):
            chat = self._personal_chats.get(person.id)
            if chat is None:
                raise PlaygroundClientError(f"{person.name} has no personal chat with the bot yet")
            return chat
        return self._conversation(conversation)

    # ---- sending as a user -------------------------------------------------------------------

    def _person(self, user: PlaygroundUser | str | None) -> PlaygroundUser:
        if user is None:
            return self.config.current_user
        if isinstance(user, PlaygroundUser):
            return user
        return self.config.user(user)

    def _conversation(self, conversation: str) -> str:
        try:
            return self.config.conversation_id(conversation)
        except KeyError:
            return conversation  # already an id

    def _locale(self, locale: str | None) -> str | None:
        return self.default_locale if locale is _UNSET else locale

    async def personal_chat(self, user: PlaygroundUser | str | None = None) -> str:
        """The id of ``user``'s 1:1 chat with the bot (created through the mock connector)."""
        person = self._person(user)
        if person.id not in self._personal_chats:
            body = {
                "isGroup": False,
                "bot": {"id": self.config.bot_id},
                "members": [{"id": person.id}],
                "tenantId": self.config.tenant_id,
            }
            created = await self._post("/_connector/v3/conversations", body, expect=(200, 201))
            self._personal_chats[person.id] = str(created["id"])
        return self._personal_chats[person.id]

    async def _target(self, conversation: str, person: PlaygroundUser) -> str:
        if conversation == "personal":
            return await self.personal_chat(person)
        return self._conversation(conversation)

    async def send_text(
        self,
        text: str,
        *,
        user: PlaygroundUser | str | None = None,
        conversation: str = "personal",
        locale: str | None = _UNSET,
        mention_bot: bool | None = None,
        via: str = "auto",
    ) -> dict[str, Any]:
        """Type ``text`` as ``user`` (default: the current user) in ``conversation``.

        ``conversation`` is ``personal`` (that user's own chat with the bot), ``group``,
        ``general``, ``channel`` or a conversation id. ``locale`` defaults to the client's
        ``default_locale`` (fr-CA); ``None`` omits it. In a group chat or channel the bot is
        @mentioned by default, as Teams only delivers mentioned messages there.
        ``via="auto"`` uses the Playground's own message API when it can carry the request
        (current user, locale en-US), else a custom activity; ``"playground"``/``"custom"`` force
        one. Returns what was sent (the Playground's answer, or the custom activity).
        """
        person = self._person(user)
        locale = self._locale(locale)
        conversation_id = await self._target(conversation, person)
        is_personal = conversation_id in self._personal_chats.values()
        mention = (not is_personal) if mention_bot is None else mention_bot
        bot_tag = f"<at>{self.config.bot_name}</at>"
        full_text = f"{bot_tag} {text}" if mention else text
        native = person == self.config.current_user and locale == PLAYGROUND_LOCALE
        if via == "playground" and person != self.config.current_user:
            # Its message API checks from.id but always sends as the current user.
            raise ValueError("the Playground's message API only speaks as its current user")
        if via == "playground" or (via == "auto" and native):
            body: dict[str, Any] = {
                "from": {"id": person.id},
                "text": full_text,
                "textFormat": "plain",
            }
            if mention:
                body["mentions"] = [{"mentioned": {"id": self.config.bot_id}, "text": bot_tag}]
            path = f"/_conversation/v1/conversations/{quote(conversation_id, safe='')}/messages"
            return await self._post(path, body)
        if via not in ("auto", "custom"):
            raise ValueError(f"via must be auto, playground or custom, not {via!r}")
        entities: list[dict[str, Any]] = []
        if mention:
            entities.append(
                {
                    "type": "mention",
                    "mentioned": {"id": self.config.bot_id, "name": self.config.bot_name},
                    "text": bot_tag,
                }
            )
        return await self.send_custom_activity(
            "message",
            conversation=conversation_id,
            user=person,
            locale=locale,
            text=full_text,
            textFormat="plain",
            extra_entities=entities,
        )

    async def send_custom_activity(
        self,
        type: str,
        name: str | None = None,
        value: Any = None,
        channel_data: Mapping[str, Any] | None = None,
        *,
        conversation: str = "personal",
        user: PlaygroundUser | str | None = None,
        locale: str | None = _UNSET,
        template: str | None = None,
        extra_entities: Iterable[Mapping[str, Any]] = (),
        **fields: Any,
    ) -> dict[str, Any]:
        """Send any activity through the Playground's customActivities API.

        It starts from the Playground's template for the conversation (``template`` picks one of
        its kinds: ``install``, ``uninstall``, ``botAdded``, ``userAdded``, ``botRemoved``,
        ``userRemoved``, ``channelCreated``, ``teamRenamed``…), sets ``from`` to ``user``, adds
        the channelData and clientInfo Teams sends (tenant, team and channel), then ``name``,
        ``value``, ``channel_data`` (merged) and any other activity ``fields``. Returns the
        activity sent; replies arrive on the WebSockets.
        """
        person = self._person(user)
        locale = self._locale(locale)
        conversation_id = await self._target(conversation, person)
        activity = await self.activity_template(conversation_id, template)
        activity["type"] = type
        activity["from"] = person.account()
        activity["channelData"] = _merge(
            self._channel_data(conversation_id), activity.get("channelData") or {}
        )
        if channel_data:
            activity["channelData"] = _merge(activity["channelData"], channel_data)
        entities = [e for e in activity.get("entities") or () if e.get("type") != "clientInfo"]
        if locale is not None:
            activity["locale"] = locale
            entities.append(self._client_info(locale))
        else:
            activity.pop("locale", None)
        entities.extend(dict(entity) for entity in extra_entities)
        if entities:
            activity["entities"] = entities
        if name is not None:
            activity["name"] = name
        if value is not None:
            activity["value"] = value
        activity.update(fields)
        await self._post("/_internal/v1/customActivities", activity, parse=False)
        return activity

    async def install_app(
        self,
        *,
        user: PlaygroundUser | str | None = None,
        conversation: str = "personal",
        locale: str | None = _UNSET,
    ) -> None:
        """What Teams sends when the app is added: installationUpdate (add), then
        conversationUpdate with the bot in membersAdded."""
        await self.send_custom_activity(
            "installationUpdate",
            conversation=conversation,
            user=user,
            locale=locale,
            template="install",
        )
        await self.send_custom_activity(
            "conversationUpdate",
            conversation=conversation,
            user=user,
            locale=locale,
            template="botAdded",
        )

    async def activity_template(
        self, conversation_id: str, kind: str | None = None
    ) -> dict[str, Any]:
        params = {"conversationId": conversation_id}
        if kind:
            params["type"] = kind
        async with self.session.get(
            f"{self.base_url}/_internal/v1/customActivities/template", params=params
        ) as response:
            text = await response.text()
            if response.status != 200:
                raise PlaygroundClientError(
                    f"template for {conversation_id!r} ({kind}): HTTP {response.status} {text}"
                )
            template: dict[str, Any] = json.loads(text)
        template["id"] = str(uuid.uuid4())
        return template

    def _channel_data(self, conversation_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {"tenant": {"id": self.config.tenant_id}}
        channel = conversation_id.split(";", 1)[0]
        if channel in (self.config.team_id, self.config.channel_id):
            data.update(
                teamsTeamId=self.config.team_id,
                teamsChannelId=channel,
                team={"id": self.config.team_id},
                channel={"id": channel},
            )
        return data

    @staticmethod
    def _client_info(locale: str) -> dict[str, Any]:
        country = locale.split("-")[1] if "-" in locale else ""
        return {
            "type": "clientInfo",
            "locale": locale,
            "country": country,
            "platform": "Web",
            "timezone": "America/Montreal",
        }

    # ---- card actions ------------------------------------------------------------------------

    async def click_execute(
        self,
        card_message: BotMessage,
        verb: str,
        data: Mapping[str, Any] | None = None,
        *,
        user: PlaygroundUser | str | None = None,
        locale: str | None = _UNSET,
        inputs: Mapping[str, Any] | None = None,
        via: str = "auto",
    ) -> dict[str, Any]:
        """Click an Action.Execute of ``card_message``; returns the bot's invoke response body
        (``{"type": …, "value": …}``; ``statusCode`` too when sent to the bot directly).

        ``data`` is the action's data (merged with ``inputs``, as a client does). In en-US, or
        with ``via="playground"``, the click goes through ``/_conversation/v1/invoke``; in any
        other locale the same invoke goes straight to the bot (``bot_url``), since the
        Playground always says en-US.
        """
        person = self._person(user)
        locale = self._locale(locale)
        merged = {**(data or {}), **(inputs or {})}
        value = {
            "action": {"type": "Action.Execute", "verb": verb, "data": merged},
            "trigger": "manual",
        }
        native = locale == PLAYGROUND_LOCALE
        if via == "playground" or (via == "auto" and native):
            body = {
                "name": "adaptiveCard/action",
                "value": value,
                "conversation": {"id": card_message.thread_id},
                "from": {"id": person.id},
                "replyToId": card_message.message_id,
            }
            return await self._post("/_conversation/v1/invoke", body)
        if self.bot_url is None:
            raise PlaygroundClientError("click_execute in a non-en-US locale needs bot_url")
        activity = await self.activity_template(card_message.thread_id)
        activity.update(
            type="invoke",
            name="adaptiveCard/action",
            value=value,
            replyToId=card_message.message_id,
            channelData=_merge(
                self._channel_data(card_message.thread_id), {"source": {"name": "message"}}
            ),
        )
        activity["from"] = person.account()
        if locale is not None:
            activity["locale"] = locale
            activity["entities"] = [self._client_info(locale)]
        async with self.session.post(self.bot_url, json=activity) as response:
            text = await response.text()
            if response.status != 200:
                raise PlaygroundClientError(
                    f"invoke {verb!r}: bot answered {response.status} {text}"
                )
            answer: dict[str, Any] = json.loads(text) if text else {}
            return answer

    async def click_submit(
        self,
        card_message: BotMessage,
        data: Mapping[str, Any] | None = None,
        *,
        user: PlaygroundUser | str | None = None,
        locale: str | None = _UNSET,
        inputs: Mapping[str, Any] | None = None,
        via: str = "auto",
    ) -> None:
        """Click an Action.Submit: the bot gets a message with ``value`` = data + inputs and
        ``replyToId`` = the card's message id. There is no response; watch for messages."""
        person = self._person(user)
        locale = self._locale(locale)
        value = {**(data or {}), **(inputs or {})}
        native = locale == PLAYGROUND_LOCALE
        if via == "playground" or (via == "auto" and native):
            body = {
                "conversation": {"id": card_message.thread_id},
                "from": {"id": person.id},
                "replyToId": card_message.message_id,
                "value": value,
            }
            await self._post("/_conversation/v1/submit", body, parse=False)
            return
        await self.send_custom_activity(
            "message",
            conversation=card_message.thread_id,
            user=person,
            locale=locale,
            channel_data={"source": {"name": "message"}},
            value=value,
            replyToId=card_message.message_id,
        )

    # ---- plumbing ----------------------------------------------------------------------------

    async def _post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        expect: tuple[int, ...] = (200,),
        parse: bool = True,
    ) -> dict[str, Any]:
        async with self.session.post(f"{self.base_url}{path}", json=body) as response:
            text = await response.text()
            if response.status not in expect:
                raise PlaygroundClientError(
                    f"POST {path} -> HTTP {response.status}: {text}\nsent: "
                    f"{json.dumps(body, ensure_ascii=False)[:2000]}"
                )
        if not parse or not text:
            return {}
        answer: dict[str, Any] = json.loads(text)
        return answer


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching a catalog ``str.format`` template with any values for its fields."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL)
