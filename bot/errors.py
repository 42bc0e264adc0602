"""The one error policy for a failed turn: log first, apologise in the caller's language. No
conversation state is kept (card flows carry their own state), so nothing can loop. Never show
exception text."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import ActivityTypes

from cards.i18n import translator

logger = logging.getLogger(__name__)
LOCALE_KEY = "veilleuse.locale"


def activity_ids(context: TurnContext) -> dict[str, str]:
    """Ids for logs (never message text or profile data)."""
    activity = context.activity
    return {
        "activity_id": activity.id or "",
        "activity_type": activity.type or "",
        "conversation_id": activity.conversation.id if activity.conversation else "",
    }


def make_on_turn_error() -> Callable[[TurnContext, Exception], Awaitable[None]]:
    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        logger.exception("turn failed %s", activity_ids(context), exc_info=error)
        try:
            if context.activity.type == ActivityTypes.message:
                t = translator(context.turn_state.get(LOCALE_KEY) or context.activity.locale)
                await context.send_activity(MessageFactory.text(t("errors.generic")))
            if context.activity.channel_id == "emulator":
                await context.send_trace_activity(
                    "OnTurnError Trace",
                    type(error).__name__,
                    "https://www.botframework.com/schemas/error",
                )
        except Exception:  # the apology itself failed (connector down): nothing more to do
            logger.exception("could not send the apology %s", activity_ids(context))

    return on_turn_error
