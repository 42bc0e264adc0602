"""The end of the cycle: offer the animateurs the « Retombées et apprentissages » survey.

When the last meeting of the cycle in force is over, each animateur gets, in 1:1, a card with a
button that prepares the survey (the same ``polls.post_template`` action as ``sondage
retombées``). The job is planned from the stored meetings (``plan_jobs`` runs again whenever a
meeting is planned, moved or cancelled); its body checks again that the meeting is still the
cycle's last and that no outcomes survey was posted during the cycle, so a late or repeated run
does nothing wrong. Outbox item ids ``polls:outcomes-offer:<cycle>:<member key>``: one offer per
animateur and cycle.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from cards.i18n import translator
from cards.polls import build_outcomes_offer_card
from dialogs import cycles
from dialogs.cycles import Period
from dialogs.feature import PlannedJob
from dialogs.meetings import queries as meetings
from dialogs.outreach import card_activity, direct
from dialogs.polls.queries import outcomes_launched
from dialogs.turn import Services
from storage.outbox_repository import OutboxItem

logger = logging.getLogger(__name__)


def offer_job_id(cycle: Period) -> str:
    return f"polls:outcomes-offer:{cycle.key}"


def _cycle_of(services: Services, now: datetime) -> Period:
    local = now.astimezone(services.timezone).date()
    return cycles.of_community(services.profile.current).of(local)


async def last_meeting(services: Services, cycle: Period) -> meetings.MeetingRef | None:
    """The cycle's last meeting that is not cancelled (by its end), if any."""
    start, end = cycle.bounds(services.timezone)
    found = [m for m in await meetings.in_range(services, start, end) if m.status != "cancelled"]
    return max(found, key=lambda m: (m.ends_at, m.id), default=None)


async def offer_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """The offer at the end of the cycle's last meeting, when that end is still to come."""
    cycle = _cycle_of(services, now)
    last = await last_meeting(services, cycle)
    if last is None or last.ends_at <= now:
        return []
    return [
        PlannedJob(
            offer_job_id(cycle),
            last.ends_at,
            partial(offer_outcomes_survey, services, cycle.key, last.id),
        )
    ]


async def offer_outcomes_survey(
    services: Services, cycle_key: str, meeting_id: str, now: datetime | None = None
) -> int:
    """The job: send the offer to every animateur known to the bot; how many were queued."""
    moment = now or services.clock()
    cycle = _cycle_of(services, moment)
    if cycle.key != cycle_key:
        return 0
    last = await last_meeting(services, cycle)
    if last is None or last.id != meeting_id or last.ends_at > moment:
        return 0
    start, end = cycle.bounds(services.timezone)
    if await outcomes_launched(services, start, end):
        return 0
    items: list[OutboxItem] = []
    profile = services.profile.current
    for animateur in profile.animateurs:
        key = animateur.aad_object_id.casefold()
        member = await services.members.get(key) if key else None
        if member is None:
            continue
        t = translator(member.locale or profile.default_locale)
        card = build_outcomes_offer_card(cycle.label, t)
        item_id = f"polls:outcomes-offer:{cycle.key}:{key}"
        items.append(
            direct(member, item_id, card_activity(card), batch=f"polls:outcomes-offer:{cycle.key}")
        )
    if not items:
        return 0
    sent = len(await services.messenger.enqueue(items))
    logger.info("outcomes survey offered for cycle %s (%d animateurs)", cycle.key, sent)
    return sent
