"""The « Disponibilités » poll for the cycle planning of meetings (a lower feature): two hooks,
exported by ``routes.py`` and listed in dialogs/events.py.

- ``availability_dates(services, period)``: the best dates of the latest availability poll
  posted whose dates fall in that cycle, ranked as the poll card ranks them
  (``rules.ranked``: most votes first, ties in the poll's order, dates nobody chose left out).
  The dates are read back from the choice labels (``format_day`` in the poll's language).
- ``launch_availability(turn, dates)``: the availability survey's draft, pre-filled with those
  dates, posted here for the animateur to check and publish (as ``sondage disponibilites``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from cards.i18n import Translator, choose_locale
from cards.polls import format_day
from dialogs.cycles import Period, of_community
from dialogs.polls import rules
from dialogs.polls.audience import place_of, poll_repository
from dialogs.polls.handlers import new_draft
from dialogs.polls.surveys import availability
from dialogs.polls.views import draft_card, results_of
from dialogs.turn import Services, Turn
from storage.poll_repository import Poll, parse_iso

logger = logging.getLogger(__name__)

KIND = "availability"
# One choice stays for « none of these dates ».
MAX_DATES = rules.MAX_CHOICES - 1


def _days_by_label(period: Period, locale: str) -> dict[str, date]:
    t = Translator(choose_locale(locale))
    days = (period.start + timedelta(days=n) for n in range((period.end - period.start).days + 1))
    return {format_day(day, t): day for day in days}


async def _best_dates(services: Services, poll: Poll, period: Period) -> list[date]:
    labels = _days_by_label(period, poll.locale)
    results = await results_of(services, poll)
    if results.hidden:
        return []
    for result in results.questions:
        offered = any(c.label in labels for c in result.question.choices)
        if result.question.kind in ("single", "multiple") and offered:
            ranked = rules.ranked(result)
            return [labels[c.choice.label] for c in ranked if c.count and c.choice.label in labels]
    return []


async def availability_dates(services: Services, period: Period) -> list[date]:
    """The best dates of the cycle's « Disponibilités » poll, best first ([] without one)."""
    posted = [
        p
        for p in await poll_repository(services).all()
        if p.kind == KIND and p.status != "draft" and parse_iso(p.published_at) is not None
    ]
    posted.sort(key=lambda p: p.published_at, reverse=True)
    for poll in posted:
        labels = _days_by_label(period, poll.locale)
        offered = [c for q in poll.questions for c in q.choices if c.label in labels]
        if offered:  # the latest poll about this cycle's dates
            return await _best_dates(services, poll, period)
    return []


async def launch_availability(turn: Turn, dates: Sequence[date]) -> None:
    """Post the draft of a « Disponibilités » poll with ``dates`` (the first ``MAX_DATES``)."""
    services = turn.services
    days = sorted(dates)[:MAX_DATES]
    start = availability(turn.t, services.now(), days)
    if days:  # the dates of a whole cycle, not of « la prochaine rencontre »
        label = of_community(services.profile.current).of(days[0]).label
        start = replace(start, title=turn.t("polls.template.availability.title_cycle", year=label))
    draft = await new_draft(turn, start)
    card = draft_card(
        services, draft, turn.t, shared=place_of(turn).shared, notice=turn.t("polls.draft.ready")
    )
    await turn.send_card(card)
    logger.info("availability poll draft %s started from the cycle planning", draft.id)
