"""The channel card of the bank's most supported topics.

An animateur posts it (``publier sujets``); Veilleuse keeps its conversation and activity id and
updates that same message whenever the ranking may have changed: from the turn itself when the
change happens in the card's conversation (``update_activity``), otherwise through the
proactive messenger (an outbox item carrying the message id replaces the message). The card also
asks Teams to refresh it when a member opens it (``refresh``), which shows each member their own
supports; « Actualiser » does the same by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from cards.i18n import Translator
from cards.render import attachment
from cards.topics import BoardView, build_board_card
from dialogs.topics import rules
from dialogs.topics.guard import new_id
from dialogs.topics.repositories import topic_repository
from dialogs.topics.views import format_moment, iso, meeting_labels, topic_line
from dialogs.turn import CardReply, Services, Turn
from storage.conversation_repository import conversation_key, personal_key
from storage.outbox_repository import OutboxItem
from storage.topic_repository import BoardPost

logger = logging.getLogger(__name__)

BOARD_SIZE = 5
_CHANNEL_THREAD = ";messageid="


async def board_card(services: Services, t: Translator, viewer_key: str | None) -> dict[str, Any]:
    """The top topics; ``viewer_key`` None for the shared version everyone sees first."""
    active = rules.filtered(await topic_repository(services).all(), "", "active")
    top = rules.ranked(active)[:BOARD_SIZE]
    labels = await meeting_labels(services, (topic.meeting_id for topic in top), t)
    view = BoardView(
        lines=tuple(topic_line(topic, viewer_key, labels) for topic in top),
        updated=format_moment(services.clock(), services, t),
    )
    return build_board_card(view, t)


def _outbox_key(turn: Turn) -> str:
    """Where the messenger finds this conversation (bot/messenger.py keys it the same way)."""
    where = turn.where
    if not where.conversation_id:
        return ""
    if where.personal:
        return personal_key(turn.caller.aad_object_id or turn.caller.teams_user_id)
    return conversation_key(where.conversation_id.split(_CHANNEL_THREAD)[0])


async def publish(turn: Turn) -> None:
    """``publier sujets``: post the card here and remember it (one card per conversation)."""
    card = await board_card(turn.services, turn.t, None)
    where = turn.where
    activity_id = await turn.send_card(card)
    if not activity_id or not where.conversation_id:
        logger.warning("topic board posted without an id; it will not be updated")
        return
    post = BoardPost(
        conversation_id=where.conversation_id,
        activity_id=activity_id,
        service_url=where.service_url,
        locale=turn.t.locale,
        posted_at=iso(turn.services.clock()),
        outbox_key=_outbox_key(turn),
    )
    await topic_repository(turn.services).save_post(post)
    logger.info("topic board posted as activity %s", activity_id)


def _is_here(turn: Turn, post: BoardPost) -> bool:
    """The turn happens in the board's conversation (or on the board card itself, whose
    channel thread id carries the message id)."""
    where = turn.where
    return where.conversation_id == post.conversation_id or (where.reply_to_id == post.activity_id)


def _outbox_update(post: BoardPost, card: dict[str, Any]) -> OutboxItem:
    activity = {"type": "message", "id": post.activity_id, "attachments": [attachment(card)]}
    return OutboxItem(
        id=f"topics:board:{post.activity_id}:{new_id()}",
        target=post.outbox_key,
        activity=activity,
        batch="topics:board",
    )


async def update_boards(services: Services, turn: Turn | None = None) -> None:
    """Show the current ranking on every posted board: in place from ``turn`` when it happens
    in the board's conversation, else through the messenger."""
    queued: list[OutboxItem] = []
    for post in await topic_repository(services).posts():
        card = await board_card(services, Translator(post.locale), None)
        if (
            turn is not None
            and _is_here(turn, post)
            and await turn.update_card(post.activity_id, card)
        ):
            continue
        if post.outbox_key:
            queued.append(_outbox_update(post, card))
    if queued:
        await services.messenger.enqueue(queued)


async def boards_changed(turn: Turn) -> None:
    await update_boards(turn.services, turn)


async def refresh_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Actualiser » or the card's automatic refresh: this member's own view."""
    return CardReply(await board_card(turn.services, turn.t, turn.caller.member_key))
