"""The cycle calendar: one card in the channel listing a cycle's meetings (date, hours,
committees, mode and venue) with one .ics holding every event.

``planifier`` → « Publier tout » posts it (or redraws it when the cycle already has one); its
message id is kept (``CycleCalendar`` in the meetings data set) so the card is redrawn in place
whenever a meeting of that cycle is created, edited or cancelled. The .ics is built when the
button is clicked, from the meetings as they are then: it is always up to date.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from cards.dates import cycle_text
from cards.i18n import Translator
from cards.meetings import build_calendar_card
from dialogs import cycles
from dialogs.meetings import invite, queries, views
from dialogs.outreach import card_activity
from dialogs.turn import Services, Turn
from storage.conversation_repository import conversation_key
from storage.meeting_repository import CycleCalendar, Meeting
from storage.outbox_repository import OutboxItem

logger = logging.getLogger(__name__)

_CHANNEL_THREAD = ";messageid="
# Meetings the calendar card lists at most (the card must stay under Teams' size limit).
CALENDAR_LIMIT = 40


def period_of(services: Services, meeting: Meeting) -> cycles.Period:
    cycle = cycles.of_community(services.profile.current)
    return cycle.of(meeting.starts_at.astimezone(services.timezone).date())


async def cycle_meetings(services: Services, period: cycles.Period) -> list[Meeting]:
    """Every meeting starting in the cycle, any status, by start."""
    start, end = period.bounds(services.timezone)
    return await queries.meeting_repository(services).starting_between(start, end)


async def calendar_card(
    services: Services, period: cycles.Period, t: Translator, ics_url: str = ""
) -> dict[str, Any]:
    meetings = (await cycle_meetings(services, period))[:CALENDAR_LIMIT]
    listed = [await views.meeting_view(services, m, t, {}) for m in meetings]
    return build_calendar_card(
        t,
        label=period.label,
        period=cycle_text(period.label, period.start, period.end, t),
        meetings=listed,
        ics_url=ics_url,
    )


async def cycle_ics(services: Services, period: cycles.Period, t: Translator) -> bytes:
    """One .ics with every meeting of the cycle (cancelled ones as CANCELLED events)."""
    events = []
    for meeting in await cycle_meetings(services, period):
        meeting_view = await views.meeting_view(services, meeting, t, {})
        events.append(
            invite.IcsEvent(
                meeting,
                meeting_view.address,
                invite.agenda_lines_for_ics(meeting_view.agenda, t),
            )
        )
    return invite.build_cycle_ics(
        events, t, now=services.clock(), name=t("meetings.calendar.name", year=period.label)
    )


async def publish_ics(services: Services, period: cycles.Period, t: Translator, owner: str) -> str:
    content = await cycle_ics(services, period, t)
    return await services.downloads.publish(
        content,
        invite.calendar_filename(t, period.label),
        invite.ICS_CONTENT_TYPE,
        owner_key=owner,
    )


async def post_or_redraw(turn: Turn, period: cycles.Period) -> None:
    """After « Publier tout »: the cycle's calendar card, posted here once and redrawn after."""
    services = turn.services
    repository = queries.meeting_repository(services)
    stored = await repository.calendar(period.label)
    card = await calendar_card(services, period, views.community_translator(services))
    if stored is not None:
        await _redraw(turn, stored, card)
        return
    posted = await turn.send_card(card)
    if not posted or not turn.where.conversation_id:
        logger.warning("cycle calendar %s posted without an id; it will not be updated", period)
        return
    await repository.save_calendar(CycleCalendar(period.label, turn.where.conversation_id, posted))
    logger.info("cycle calendar %s posted as activity %s", period.label, posted)


async def refresh_for(turn: Turn, meeting: Meeting) -> None:
    """A meeting was created, edited or cancelled: redraw its cycle's calendar card, if any."""
    services = turn.services
    period = period_of(services, meeting)
    stored = await queries.meeting_repository(services).calendar(period.label)
    if stored is None:
        return
    card = await calendar_card(services, period, views.community_translator(services))
    await _redraw(turn, stored, card)


async def _redraw(turn: Turn, stored: CycleCalendar, card: dict[str, Any]) -> None:
    """Through the messenger, even from the channel itself: a redraw comes right after the
    meeting card's own update and must wait its turn under Teams' limits (it retries)."""
    channel = stored.conversation_id.split(_CHANNEL_THREAD)[0]
    await turn.services.messenger.enqueue(
        [
            OutboxItem(
                id=f"meetings:calendar:{stored.label}:{secrets.token_hex(6)}",
                target=conversation_key(channel),
                activity={**card_activity(card), "id": stored.activity_id},
                batch=f"meetings:calendar:{stored.label}",
            )
        ]
    )
