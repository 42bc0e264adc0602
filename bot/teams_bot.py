"""The one Teams activity handler: maps activities to commands and card actions."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from botbuilder.core import TurnContext, serializer_helper
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    ChannelAccount,
    InvokeResponse,
)
from msrest.serialization import Model
from typing_extensions import override

from bot.dedupe import RecentActivities
from bot.errors import LOCALE_KEY, activity_ids
from bot.identity import IdentityResolver
from bot.routing import Router
from bot.turns import BotConversation, TeamsRoster, where_of
from cards.i18n import Translator
from cards.render import input_limit
from dialogs.core.language import offer_client_language
from dialogs.events import Person, meeting_event_from, person_from
from dialogs.turn import ActionResult, CardReply, DomainError, MessageReply, Services, Turn

logger = logging.getLogger(__name__)

# turn_state key of the Turn built for the activity (see TeamsBot._turn).
_TURN_KEY = "veilleuse.turn"
_INVOKE_CARD = "application/vnd.microsoft.card.adaptive"
_INVOKE_MESSAGE = "application/vnd.microsoft.activity.message"
_NBSP = "\u00a0"
# Teams itself caps a message at about 28 KB; nothing longer is a real command.
MAX_MESSAGE_CHARS = 28_000
_MENTION_TAG = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def invoke_body_json(body: Any) -> Any:
    """The JSON of an invoke answer. The two bodies this bot answers Action.Execute with (a
    card, a message) are written as they are: msrest walking a card of several kilobytes cost
    about 2 ms per answer (a poll answered by a whole channel). Anything else goes through
    botbuilder's serializer."""
    if isinstance(body, AdaptiveCardInvokeResponse | MessageInvokeResponse) and isinstance(
        body.value, dict | str
    ):
        return {"statusCode": body.status_code, "type": body.type, "value": body.value}
    return serializer_helper(body)


class MessageInvokeResponse(Model):  # type: ignore[misc]
    """The invoke body for a plain message: botbuilder's AdaptiveCardInvokeResponse types
    ``value`` as an object, so msrest refuses a string there."""

    _attribute_map = {
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "str"},
    }

    def __init__(self, *, status_code: int, type: str, value: str) -> None:  # noqa: A002
        super().__init__()
        self.status_code = status_code
        self.type = type
        self.value = value


class VeilleuseBot(TeamsActivityHandler):
    def __init__(
        self,
        services: Services,
        router: Router,
        *,
        identity: IdentityResolver | None = None,
        recent: RecentActivities | None = None,
        on_inbound: Any = None,
        features: Sequence[Any] = (),
    ) -> None:
        self.services = services
        self.router = router
        self.identity = identity or IdentityResolver(services.members)
        self.recent = recent or RecentActivities()
        # Called with the TurnContext of every authenticated inbound activity (the messenger
        # stores conversation references there).
        self.on_inbound = on_inbound
        # The ``routes`` modules of the features: their optional event hooks are called here.
        self.features = tuple(features)

    # ---- turn entry -------------------------------------------------------------------------

    @override
    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        key = _dedupe_key(activity)
        if key and activity.type != ActivityTypes.invoke:
            if self.recent.claim(key) is not None:
                logger.info("duplicate delivery ignored %s", activity_ids(turn_context))
                return
            self.recent.settle(key)
        if self.on_inbound is not None and activity.type in (
            ActivityTypes.message,
            ActivityTypes.conversation_update,
            ActivityTypes.installation_update,
            ActivityTypes.invoke,
        ):
            await self.on_inbound(turn_context)
        await super().on_turn(turn_context)
        # « Prefer English? », once, after the answer; personal chats only, so a channel message
        # does not resolve its caller a second time for nothing.
        if activity.type == ActivityTypes.message and where_of(activity).personal:
            await offer_client_language(await self._turn(turn_context))

    async def _turn(self, turn_context: TurnContext) -> Turn:
        """The Turn of this activity, built once: the caller is resolved (and a newcomer saved)
        a single time, so nothing after the handler — the language offer — re-saves a member
        the handler has just erased (« effacer mes données »)."""
        built = turn_context.turn_state.get(_TURN_KEY)
        if isinstance(built, Turn):
            return built
        caller = await self.identity.caller(turn_context, self.services.profile.current)
        turn_context.turn_state[LOCALE_KEY] = caller.locale
        turn = Turn(
            where_of(turn_context.activity),
            caller,
            Translator(caller.locale),
            self.services,
            BotConversation(turn_context),
            TeamsRoster(turn_context),
        )
        turn_context.turn_state[_TURN_KEY] = turn
        return turn

    # ---- messages ---------------------------------------------------------------------------

    @override
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, Mapping) and "verb" in activity.value:
            await self._on_submit(turn_context, activity.value)
            return
        text = _clean_text(turn_context)
        turn = await self._turn(turn_context)
        if not text:
            await turn.say("errors.empty_message")
            return
        if len(text) > MAX_MESSAGE_CHARS:
            await turn.say("errors.too_long", limit=MAX_MESSAGE_CHARS)
            return
        command, args = self.router.match(text)
        if command is None:
            await turn.say("errors.unknown_command", text=_shorten(text))
            return
        if not turn.caller.role.allows(command.min_role):
            # A command may explain its own refusal (``command.<id>.forbidden``).
            specific = f"command.{command.id}.forbidden"
            await turn.say(specific if turn.t.has(specific) else "errors.forbidden")
            return
        turn.args = args
        logger.info("command %s %s", command.id, activity_ids(turn_context))
        try:
            await command.handler(turn)
        except DomainError as refusal:
            await turn.say(refusal.key, **refusal.values)

    async def _on_submit(self, turn_context: TurnContext, value: Mapping[str, Any]) -> None:
        """Action.Submit (the fallback of Action.Execute on older clients)."""
        turn = await self._turn(turn_context)
        data = {k: v for k, v in value.items() if k != "verb"}
        result = await self._run_action(turn_context, turn, str(value.get("verb", "")), data)
        reply_to = turn.where.reply_to_id
        if isinstance(result, CardReply) and reply_to:
            await turn.conversation.update_card(reply_to, result.card)
        elif isinstance(result, CardReply):
            await turn.send_card(result.card)
        else:
            await turn.say_text(result.text)

    # ---- Action.Execute ---------------------------------------------------------------------

    @override
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Work around botbuilder 4.17.1 returning HTTP 500 for Action.Execute (docs/PLATFORM.md
        §3.1): answer ``adaptiveCard/action`` ourselves with a msrest model body."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        key = _dedupe_key(turn_context.activity)
        if key:
            first = self.recent.claim(key)
            if first is not None:
                logger.info("duplicate invoke answered from cache %s", activity_ids(turn_context))
                cached = await first
                if isinstance(cached, InvokeResponse):
                    return cached
        response = await self._execute(turn_context)
        if key:
            self.recent.settle(key, response)
        return response

    async def _execute(self, turn_context: TurnContext) -> InvokeResponse:
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, Mapping) else None
        verb = action.get("verb") if isinstance(action, Mapping) else None
        data = action.get("data") if isinstance(action, Mapping) else None
        turn = await self._turn(turn_context)
        if not isinstance(verb, str) or not isinstance(data, Mapping | None):
            result: ActionResult = MessageReply(turn.t("errors.bad_card_data"))
        else:
            result = await self._run_action(turn_context, turn, verb, dict(data or {}))
        if isinstance(result, CardReply):
            body = AdaptiveCardInvokeResponse(status_code=200, type=_INVOKE_CARD, value=result.card)
        else:
            body = MessageInvokeResponse(status_code=200, type=_INVOKE_MESSAGE, value=result.text)
        return InvokeResponse(status=200, body=body)

    async def _run_action(
        self, turn_context: TurnContext, turn: Turn, verb: str, data: dict[str, Any]
    ) -> ActionResult:
        route = self.router.action(verb)
        if route is None:
            return MessageReply(turn.t("errors.unknown_action"))
        if not turn.caller.role.allows(route.min_role):
            return MessageReply(turn.t("errors.forbidden"))
        too_long = _too_long(data)
        if too_long:
            # An Action.Execute answered with a message leaves the card, and what was typed
            # in it, as it was.
            logger.info("action %s refused: field too long %s", verb, activity_ids(turn_context))
            return MessageReply(turn.t("errors.too_long", limit=too_long))
        logger.info("action %s %s", verb, activity_ids(turn_context))
        try:
            return await route.handler(turn, data)
        except DomainError as refusal:
            return MessageReply(turn.t(refusal.key, **refusal.values))
        except Exception:
            logger.exception("action %s failed %s", verb, activity_ids(turn_context))
            return MessageReply(turn.t("errors.generic"))

    # ---- installation and membership --------------------------------------------------------

    @override
    async def on_teams_members_added(  # type: ignore[override]
        self,
        teams_members_added: list[ChannelAccount],
        team_info: Any,
        turn_context: TurnContext,
    ) -> None:
        bot_added, people = _split_bot(teams_members_added, turn_context)
        if people:
            turn = await self._turn(turn_context)
            for hook in self._hooks("on_members_added"):
                await hook(turn, people)
        if bot_added:
            await self._installed(turn_context)

    @override
    async def on_teams_members_removed(  # type: ignore[override]
        self,
        teams_members_removed: list[ChannelAccount],
        team_info: Any,
        turn_context: TurnContext,
    ) -> None:
        bot_removed, people = _split_bot(teams_members_removed, turn_context)
        if bot_removed:
            logger.info("bot removed %s", activity_ids(turn_context))
        if people:
            turn = await self._turn(turn_context)
            for hook in self._hooks("on_members_removed"):
                await hook(turn, people)

    @override
    async def on_event_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        event = meeting_event_from(
            activity.name or "",
            activity.value,
            activity.channel_data,
            activity.conversation.id if activity.conversation else "",
            _aware(activity.timestamp) or self.services.clock(),
        )
        if event is None:
            await super().on_event_activity(turn_context)
            return
        logger.info("meeting event %s %s", event.kind, activity_ids(turn_context))
        turn = await self._turn(turn_context)
        for hook in self._hooks("on_meeting_event"):
            await hook(turn, event)

    def _hooks(self, name: str) -> list[Any]:
        return [getattr(f, name) for f in self.features if hasattr(f, name)]

    async def _installed(self, turn_context: TurnContext) -> None:
        """The bot was added to a personal chat, a team or a group chat."""
        turn = await self._turn(turn_context)
        scope = turn_context.activity.conversation.conversation_type or "personal"
        greeted = False
        for hook in self._hooks("on_bot_installed"):
            greeted = bool(await hook(turn, scope)) or greeted
        if greeted:
            return
        community = self.services.profile.current.short_name
        if scope == "personal":
            first_name = (turn.caller.name or "").split(" ")[0]
            await turn.say("greeting.personal", name=first_name, community=community)
        else:
            await turn.say("greeting.team", community=community)


def _split_bot(
    accounts: list[ChannelAccount], turn_context: TurnContext
) -> tuple[bool, list[Person]]:
    """(was the bot among them, the people among them)."""
    bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
    activity = turn_context.activity
    tenant = (activity.conversation.tenant_id if activity.conversation else None) or ""
    if not tenant and isinstance(activity.channel_data, Mapping):
        # botbuilder reads the tenant as "tenantID" and loses Teams' "tenantId".
        tenant = str((activity.channel_data.get("tenant") or {}).get("id") or "")
    people: list[Person] = []
    bot_found = False
    for account in accounts:
        if account.id == bot_id:
            bot_found = True
            continue
        # Inline details (e.g. userPrincipalName) live in additional_properties.
        person = person_from({**(account.additional_properties or {}), **account.serialize()})
        if person is not None:
            people.append(replace(person, tenant_id=person.tenant_id or tenant))
    return bot_found, people


def _too_long(data: Mapping[str, Any]) -> int:
    """The limit of the first text field longer than its card input allows, else 0."""
    for field, value in data.items():
        if isinstance(value, str):
            limit = input_limit(str(field))
            if len(value) > limit:
                return limit
    return 0


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dedupe_key(activity: Activity) -> str:
    if not activity.id:
        return ""
    conversation = activity.conversation.id if activity.conversation else ""
    return f"{conversation}|{activity.id}"


def _clean_text(turn_context: TurnContext) -> str:
    activity = turn_context.activity
    text = activity.text or ""
    if activity.recipient is not None:
        try:
            text = TurnContext.remove_recipient_mention(activity) or ""
        except (KeyError, TypeError, AttributeError):  # a malformed mention entity
            logger.info("malformed mention ignored %s", activity_ids(turn_context))
    text = _MENTION_TAG.sub("", text)
    return text.replace(_NBSP, " ").strip()


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
