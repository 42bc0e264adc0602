"""Build proactive messages to members, for the messenger's outbox."""

from __future__ import annotations

from typing import Any

from cards.render import attachment
from storage.conversation_repository import personal_key
from storage.member_repository import Member
from storage.outbox_repository import NewPersonalChat, OutboxItem, OutboxTarget


def personal_target(member: Member) -> OutboxTarget:
    """The member's 1:1 chat: opened by the messenger if the bot has none stored yet."""
    if member.teams_user_id and member.tenant_id and member.service_url:
        return NewPersonalChat(member.teams_user_id, member.tenant_id, member.service_url)
    return personal_key(member.key)


def card_activity(card: dict[str, Any], summary: str = "") -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message", "attachments": [attachment(card)]}
    if summary:
        activity["summary"] = summary
    return activity


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text}


def direct(member: Member, item_id: str, activity: dict[str, Any], batch: str = "") -> OutboxItem:
    """One message to one member; ``item_id`` makes it go out at most once."""
    return OutboxItem(id=item_id, target=personal_target(member), activity=activity, batch=batch)
