"""The library's weekly digest: on Monday at 9 h (community time), what was added to the
library since the last digest, posted in the team channel — only when something was, and never
twice (a stored mark of the last digest, and one outbox item id per week)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import partial

from cards.i18n import Translator
from cards.library import DigestView, build_digest_card
from dialogs.feature import PlannedJob
from dialogs.library import rules
from dialogs.library.handlers import CHANNEL_SETTING
from dialogs.library.repositories import resource_repository
from dialogs.library.views import line_of
from dialogs.outreach import card_activity
from dialogs.turn import Services
from storage.outbox_repository import OutboxItem
from storage.times import utc_iso

logger = logging.getLogger(__name__)
MARK_SETTING = "digest_last"  # UTC ISO end of the window the last digest covered


def digest_job_id(day: date) -> str:
    return f"library:digest:{day.isoformat()}"


def _digest_job(services: Services, now: datetime) -> PlannedJob:
    at = rules.next_digest_at(now, services.timezone)
    return PlannedJob(digest_job_id(at.date()), at, partial(run_digest, services, at.date()))


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """The next Monday's digest (rebuilt at every start-up); the one missed while Veilleuse was
    stopped, at once."""
    mark = await resource_repository(services).setting(MARK_SETTING)
    if rules.missed_digest(mark, now, services.timezone):
        day = now.astimezone(services.timezone).date()
        return [PlannedJob(digest_job_id(day), now, partial(run_digest, services, day))]
    return [_digest_job(services, now)]


async def run_digest(services: Services, day: date) -> int:
    """Post the week's additions in the channel (0 or 1 card); then plan next week's."""
    try:
        return await send_digest(services, day)
    finally:
        services.jobs.schedule(_digest_job(services, services.clock()))


async def send_digest(services: Services, day: date) -> int:
    repository = resource_repository(services)
    now = services.clock()
    since = rules.digest_since(await repository.setting(MARK_SETTING), now)
    added = rules.added_between(await repository.all(), since, now)
    if not added:
        await repository.set_setting(MARK_SETTING, utc_iso(now))
        logger.info("library digest %s: nothing new", day)
        return 0
    channel = await repository.setting(CHANNEL_SETTING)
    if not channel:  # kept for later: the next digest covers these too
        logger.info("library digest %s: no team channel known yet", day)
        return 0
    t = Translator(services.profile.current.default_locale)
    view = DigestView(lines=tuple(line_of(r, "") for r in added[: rules.MAX_RESULTS * 2]))
    item = OutboxItem(
        id=digest_job_id(day),
        target=channel,
        activity=card_activity(build_digest_card(view, t)),
        batch="library:digest",
    )
    await services.messenger.enqueue([item])
    await repository.set_setting(MARK_SETTING, utc_iso(now))
    logger.info("library digest %s: %d resource(s)", day, len(added))
    return 1
