"""Requests nobody took in time: the animateurs are reminded (``remind_at``), then the requester
is asked whether to bring it to the next meeting as a case (``ask_at``). Both are rebuilt from
the stored requests at start-up (``plan_jobs``) and happen at most once per request (the stored
``reminded_at``/``asked_at`` and the outbox item ids)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from cards.supervision import build_offer_card, build_request_card
from dialogs.feature import PlannedJob
from dialogs.outreach import card_activity, direct
from dialogs.supervision import rules
from dialogs.supervision.repositories import supervision_repository
from dialogs.supervision.views import offer_view, request_view, translator_for
from dialogs.turn import Services
from storage.member_repository import member_key
from storage.outbox_repository import OutboxItem
from storage.supervision_repository import SupervisionRequest
from storage.times import parse_utc, utc_iso

logger = logging.getLogger(__name__)


def remind_job_id(request_id: str) -> str:
    return f"supervision:remind:{request_id}"


def ask_job_id(request_id: str) -> str:
    return f"supervision:ask:{request_id}"


async def send_offers(
    services: Services, request: SupervisionRequest, keys: Sequence[str], *, reminder: bool
) -> int:
    """The request's card, with « Je m'en occupe », in the 1:1 chat of each of ``keys`` that
    Veilleuse can reach; once per person (and once more as a reminder)."""
    items: list[OutboxItem] = []
    step = "remind" if reminder else "offer"
    for key in keys:
        member = await services.members.get(key)
        if member is None or not member.teams_user_id:
            continue
        t = translator_for(services, member)
        view = offer_view(request, key, reminder=reminder, refresh_for=member.teams_user_id)
        card = build_offer_card(view, t)
        summary = t("supervision.offer.reminder_title" if reminder else "supervision.offer.title")
        items.append(
            direct(member, f"supervision:{request.id}:{step}:{key}", card_activity(card, summary))
        )
    if items:
        await services.messenger.enqueue(items)
    return len(items)


async def run_reminder(services: Services, request_id: str) -> int:
    """Still open at ``remind_at``: the card again to the animateurs, marked as a reminder."""
    at = utc_iso(services.clock())
    result = await supervision_repository(services).update(
        request_id, lambda r: rules.reminded(r, at)
    )
    if result is None or result[0] == result[1]:
        return 0
    request = result[1]
    keys = [
        member_key("", p.aad_object_id)
        for p in services.profile.current.animateurs
        if p.aad_object_id
    ]
    sent = await send_offers(
        services, request, rules.recipients(keys, (), request.requester_key), reminder=True
    )
    logger.info("supervision request %s reminded to %d animateur(s)", request_id, sent)
    return sent


async def run_ask(services: Services, request_id: str) -> int:
    """Still open at ``ask_at``: the requester is asked about offering it as a case."""
    at = utc_iso(services.clock())
    result = await supervision_repository(services).update(request_id, lambda r: rules.asked(r, at))
    if result is None or result[0] == result[1]:
        return 0
    request = result[1]
    member = await services.members.get(request.requester_key)
    if member is None:
        return 0
    card = build_request_card(request_view(request), translator_for(services, member))
    await services.messenger.enqueue(
        [direct(member, f"supervision:{request.id}:ask", card_activity(card))]
    )
    logger.info("supervision request %s: requester asked about a case", request_id)
    return 1


def _jobs_of(services: Services, request: SupervisionRequest, now: datetime) -> list[PlannedJob]:
    if request.status != rules.OPEN:
        return []
    planned = []
    if not request.reminded_at:
        planned.append(
            PlannedJob(
                remind_job_id(request.id),
                max(parse_utc(request.remind_at), now),
                partial(run_reminder, services, request.id),
            )
        )
    if not request.asked_at:
        planned.append(
            PlannedJob(
                ask_job_id(request.id),
                max(parse_utc(request.ask_at), now),
                partial(run_ask, services, request.id),
            )
        )
    return planned


def schedule(services: Services, request: SupervisionRequest) -> None:
    for job in _jobs_of(services, request, services.clock()):
        services.jobs.schedule(job)


def unschedule(services: Services, request_id: str) -> None:
    services.jobs.cancel(remind_job_id(request_id))
    services.jobs.cancel(ask_job_id(request_id))


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """The reminder and the question of every open request not yet done."""
    planned: list[PlannedJob] = []
    for request in await supervision_repository(services).all():
        planned += _jobs_of(services, request, now)
    return planned
