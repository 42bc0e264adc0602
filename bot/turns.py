"""The Bot Framework side of a feature's :class:`~dialogs.turn.Turn`.

Features see plain values (:class:`~dialogs.turn.Where`) and ports; this module is the only one
that reads a ``TurnContext`` for them. Teams' quirks handled here are in docs/PLATFORM.md.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount

from cards.render import CARD_CONTENT_TYPE
from dialogs.turn import ChatKind, RosterAccount, RosterUnavailable, Where

logger = logging.getLogger(__name__)

_ROSTER_PAGE = 500


def card_activity(card: dict[str, Any], message_id: str | None = None) -> Activity:
    """A message carrying one Adaptive Card (with ``message_id``: the update of that message)."""
    return Activity(
        id=message_id,
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def _channel_data(activity: Activity) -> Mapping[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, Mapping) else {}


def tenant_of(activity: Activity) -> str:
    """The tenant: botbuilder reads ``conversation.tenantID`` where Teams sends ``tenantId``,
    so the channel data's ``tenant.id`` is the fallback."""
    from_conversation = activity.conversation.tenant_id if activity.conversation else ""
    tenant = _channel_data(activity).get("tenant")
    from_channel_data = tenant.get("id") if isinstance(tenant, Mapping) else ""
    return str(from_conversation or from_channel_data or "")


def _kind(activity: Activity) -> ChatKind:
    conversation = activity.conversation
    raw = (conversation.conversation_type if conversation else None) or "personal"
    if raw == "channel":
        return ChatKind.CHANNEL
    if raw == "personal":
        return ChatKind.PERSONAL
    conversation_id = (conversation.id if conversation else "") or ""
    if _channel_data(activity).get("meeting") or conversation_id.startswith("19:meeting_"):
        return ChatKind.MEETING
    return ChatKind.GROUP


def _mentions(activity: Activity) -> tuple[Mapping[str, Any], ...]:
    found: list[Mapping[str, Any]] = []
    for entity in activity.entities or []:
        if isinstance(entity, Mapping):
            found.append(entity)
        else:
            extra = getattr(entity, "additional_properties", None) or {}
            found.append({"type": getattr(entity, "type", ""), **extra})
    return tuple(found)


def _added_emails(activity: Activity) -> dict[str, str]:
    """Details Teams sends inline with an added account are dropped when botbuilder
    re-serialises it; they survive in ``additional_properties``."""
    emails: dict[str, str] = {}
    for account in activity.members_added or []:
        extra = getattr(account, "additional_properties", None) or {}
        lowered = {str(k).lower(): v for k, v in extra.items()}
        email = lowered.get("email") or lowered.get("userprincipalname")
        if getattr(account, "id", None) and email:
            emails[str(account.id)] = str(email)
    return emails


def where_of(activity: Activity) -> Where:
    conversation = activity.conversation
    kind = _kind(activity)
    return Where(
        kind=kind,
        conversation_id=(conversation.id if conversation else "") or "",
        tenant_id=tenant_of(activity),
        service_url=activity.service_url or "",
        in_team=kind is ChatKind.CHANNEL or bool(_channel_data(activity).get("team")),
        reply_to_id=activity.reply_to_id or "",
        by_execute=activity.type == ActivityTypes.invoke,
        bot_id=(activity.recipient.id if activity.recipient else "") or "",
        mentions=_mentions(activity),
        added_emails=_added_emails(activity),
        client_locale=activity.locale or "",
    )


def _account(account: ChannelAccount | Any) -> RosterAccount:
    email = getattr(account, "email", None) or getattr(account, "user_principal_name", None)
    return RosterAccount(
        teams_user_id=getattr(account, "id", "") or "",
        aad_object_id=getattr(account, "aad_object_id", "") or "",
        name=getattr(account, "name", "") or "",
        email=email or "",
    )


class BotConversation:
    """:class:`~dialogs.turn.ConversationPort` over a botbuilder ``TurnContext``."""

    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def send_text(self, text: str) -> str | None:
        response = await self._context.send_activity(MessageFactory.text(text))
        return response.id if response else None

    async def send_card(self, card: dict[str, Any]) -> str | None:
        response = await self._context.send_activity(card_activity(card))
        return response.id if response else None

    async def update_card(self, message_id: str, card: dict[str, Any]) -> None:
        await self._context.update_activity(card_activity(card, message_id))


class TeamsRoster:
    """:class:`~dialogs.turn.RosterPort` through the Bot Connector (``TeamsInfo``)."""

    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def member(self, teams_user_id: str) -> RosterAccount:
        try:
            account = await TeamsInfo.get_member(self._context, teams_user_id)
        except Exception as error:  # any connector failure: the roster is optional
            raise RosterUnavailable from error
        return _account(account)

    async def members(self) -> list[RosterAccount]:
        found: list[RosterAccount] = []
        token: str | None = None
        try:
            while True:
                page = await TeamsInfo.get_paged_members(self._context, token, _ROSTER_PAGE)
                found.extend(_account(account) for account in page.members or [])
                token = page.continuation_token
                if not token:
                    return found
        except Exception as error:  # any connector failure: the roster is optional
            raise RosterUnavailable from error
