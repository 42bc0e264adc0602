"""Ad hoc supervision: the request (1:1 only, guarded), « Je m'en occupe » (first wins), the
requester's cancel and consent to bring an unanswered request to the next meeting as a case.

Card data is untrusted: ids are checked, the caller must be the one the action belongs to
(the requester; for « Je m'en occupe », someone it was routed to or an animateur). Nothing of a
request's text is logged: ids and counts only.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from cards.supervision import (
    OpenLine,
    RequestForm,
    build_form_card,
    build_offer_card,
    build_request_card,
)
from dialogs.meetings import queries as meetings
from dialogs.onboarding import queries as onboarding
from dialogs.outreach import card_activity, direct
from dialogs.screening import screen
from dialogs.supervision import jobs, rules
from dialogs.supervision.repositories import supervision_repository
from dialogs.supervision.views import chat_user, offer_view, request_view, translator_for
from dialogs.topics import queries as topics
from dialogs.turn import CardReply, DomainError, Services, Turn
from storage.member_repository import member_key
from storage.supervision_repository import SupervisionRequest
from storage.times import utc_iso

logger = logging.getLogger(__name__)


def _checked_id(data: Mapping[str, Any]) -> str:
    try:
        return rules.request_id_of(data)
    except rules.BadCardData:
        logger.info("bad card data in field request_id")
        raise DomainError("errors.bad_card_data") from None


async def _request(turn: Turn, data: Mapping[str, Any]) -> SupervisionRequest:
    found = await supervision_repository(turn.services).get(_checked_id(data))
    if found is None:
        raise DomainError("supervision.errors.not_found")
    return found


def _personal_only(turn: Turn) -> None:
    if not turn.where.personal:
        raise DomainError("supervision.errors.personal_only")


async def _form_card(turn: Turn, form: RequestForm) -> dict[str, Any]:
    mine = rules.open_of(await supervision_repository(turn.services).all(), turn.caller.member_key)
    lines = tuple(OpenLine(r.id, r.title, r.urgency) for r in mine)
    return build_form_card(replace(form, open_requests=lines), turn.t)


def _form_of(draft: rules.Draft, **changes: Any) -> RequestForm:
    values: dict[str, Any] = {
        "title": draft.title,
        "context": draft.context,
        "question": draft.question,
        "urgency": draft.urgency,
        "themes": ", ".join(draft.themes),
        **changes,
    }
    return RequestForm(**values)


async def _next_meeting(services: Services, now: datetime) -> meetings.MeetingRef | None:
    found = [
        m
        for m in await meetings.upcoming(services, now)
        if m.status == "planned" and m.starts_at > now
    ]
    return min(found, key=lambda m: m.starts_at) if found else None


async def _link_to(services: Services, key: str) -> str:
    """A Teams chat link to that member ("" once they erased their data)."""
    user = await chat_user(services, key)
    return rules.chat_link(user) if user else ""


def animateur_keys(services: Services) -> list[str]:
    return [
        member_key("", person.aad_object_id)
        for person in services.profile.current.animateurs
        if person.aad_object_id
    ]


# ---- the command -----------------------------------------------------------------------------


async def ask(turn: Turn) -> None:
    """``supervision``: the request form (1:1 only), with the caller's waiting requests."""
    _personal_only(turn)
    await turn.send_card(await _form_card(turn, RequestForm()))


# ---- card actions ----------------------------------------------------------------------------


async def submit(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Envoyer la demande »: check, screen, then store, route and plan the reminders."""
    _personal_only(turn)
    try:
        draft, problem = rules.read_form(data)
    except rules.BadCardData as bad:
        logger.info("bad card data in field %s", bad)
        raise DomainError("errors.bad_card_data") from None
    if problem:
        return CardReply(await _form_card(turn, _form_of(draft, problem=problem)))
    names = await onboarding.guard_names(turn.services, turn.caller.name)
    findings = screen(draft.texts(), names, "supervision request")
    if findings:
        return CardReply(await _form_card(turn, _form_of(draft, findings=findings)))
    services = turn.services
    now = services.clock()
    meeting = await _next_meeting(services, now) if draft.urgency == "meeting" else None
    due = rules.deadlines(
        draft.urgency, now, services.timezone, meeting.starts_at if meeting else None
    )
    persons = await onboarding.resource_persons(services, draft.themes)
    requester = turn.caller.member_key
    routed = rules.recipients(animateur_keys(services), [p.key for p in persons], requester)
    request = SupervisionRequest(
        id=secrets.token_hex(6),
        title=draft.title,
        context=draft.context,
        question=draft.question,
        urgency=draft.urgency,
        themes=draft.themes,
        requester_key=requester,
        requester_name=turn.caller.name,
        created_at=utc_iso(now),
        remind_at=utc_iso(due.remind_at),
        ask_at=utc_iso(due.ask_at),
        meeting_id=meeting.id if meeting else "",
        routed_to=routed,
    )
    await supervision_repository(services).add(request)
    logger.info("supervision request %s routed to %d people", request.id, len(routed))
    await jobs.send_offers(services, request, routed, reminder=False)
    jobs.schedule(services, request)
    resource_keys = {p.key for p in persons} - {requester}
    notice = "sent" if resource_keys else "sent_animateurs_only"
    return CardReply(build_request_card(request_view(request, notice=notice), turn.t))


async def view(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The offer card as it stands now (Teams asks when a recipient looks at it: refresh)."""
    request = await _request(turn, data)
    key = turn.caller.member_key
    if not rules.may_accept(request, key, turn.caller.is_animateur):
        raise DomainError("supervision.errors.not_for_you")
    link = ""
    if request.status == rules.TAKEN and request.taker_key == key:
        link = await _link_to(turn.services, request.requester_key)
    shown = offer_view(request, key, chat_link=link, refresh_for=turn.caller.teams_user_id)
    return CardReply(build_offer_card(shown, turn.t))


async def accept(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Je m'en occupe »: the first click wins, in one atomic update; a later one (or the
    same person's double click) sees who has it."""
    request = await _request(turn, data)
    key, services, me = turn.caller.member_key, turn.services, turn.caller.teams_user_id
    if not rules.may_accept(request, key, turn.caller.is_animateur):
        raise DomainError("supervision.errors.not_for_you")
    at = utc_iso(services.clock())
    result = await supervision_repository(services).update(
        request.id, lambda r: rules.taken(r, key, turn.caller.name, at)
    )
    if result is None:
        raise DomainError("supervision.errors.not_found")
    before, after = result
    won = before.status == rules.OPEN and after.taker_key == key
    if won:
        logger.info("supervision request %s taken by %s", after.id, key)
        jobs.unschedule(services, after.id)
        await _tell_requester(services, after)
        link = await _link_to(services, after.requester_key)
        view = offer_view(after, key, chat_link=link, notice="accepted", refresh_for=me)
    elif after.status == rules.TAKEN and after.taker_key == key:
        link = await _link_to(services, after.requester_key)
        view = offer_view(after, key, chat_link=link, refresh_for=me)
    else:
        notice = "already_taken" if after.status == rules.TAKEN else ""
        view = offer_view(after, key, notice=notice, refresh_for=me)
    return CardReply(build_offer_card(view, turn.t))


async def _tell_requester(services: Services, request: SupervisionRequest) -> None:
    member = await services.members.get(request.requester_key)
    if member is None:
        return
    t = translator_for(services, member)
    link = await _link_to(services, request.taker_key)
    card = build_request_card(request_view(request, chat_link=link, notice="taken"), t)
    item = direct(member, f"supervision:{request.id}:taken", card_activity(card))
    await services.messenger.enqueue([item])


def _requester_only(turn: Turn, request: SupervisionRequest) -> None:
    if request.requester_key != turn.caller.member_key:
        raise DomainError("supervision.errors.not_yours")


async def cancel(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The requester's « Annuler la demande » (while nobody took it)."""
    request = await _request(turn, data)
    _requester_only(turn, request)
    at = utc_iso(turn.services.clock())
    result = await supervision_repository(turn.services).update(
        request.id, lambda r: rules.cancelled(r, at)
    )
    if result is None:
        raise DomainError("supervision.errors.not_found")
    before, after = result
    if before.status == rules.OPEN and after.status == rules.CANCELLED:
        logger.info("supervision request %s cancelled", after.id)
        jobs.unschedule(turn.services, after.id)
        return CardReply(build_request_card(request_view(after, notice="cancelled"), turn.t))
    return CardReply(await _current_request_card(turn, after))


async def _current_request_card(turn: Turn, request: SupervisionRequest) -> dict[str, Any]:
    link = ""
    if request.status == rules.TAKEN:
        link = await _link_to(turn.services, request.taker_key)
    return build_request_card(request_view(request, chat_link=link), turn.t)


async def consent(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The requester's answer to « la proposer comme cas ? »: yes makes it a case of the topic
    bank's queue for the next meeting (volet réflexif); no closes it."""
    answer = data.get("answer")
    if answer not in ("yes", "no"):
        raise DomainError("errors.bad_card_data")
    request = await _request(turn, data)
    _requester_only(turn, request)
    services = turn.services
    repo = supervision_repository(services)
    now = services.clock()
    at = utc_iso(now)
    if request.status != rules.OPEN or not request.asked_at:
        return CardReply(await _current_request_card(turn, request))
    if answer == "no":
        result = await repo.update(request.id, lambda r: rules.expired(r, at))
        after = result[1] if result else request
        notice = "declined" if after.status == rules.EXPIRED else ""
        return CardReply(build_request_card(request_view(after, notice=notice), turn.t))
    meeting = await _next_meeting(services, now)
    case = await topics.offer_case(
        services,
        title=request.title,
        context=request.context,
        question=request.question,
        submitter_key=request.requester_key,
        submitter_name=request.requester_name,
        desired_meeting_id=meeting.id if meeting else "",
        at=at,
    )
    result = await repo.update(request.id, lambda r: rules.offered(r, case.id, at))
    if result is None or result[1].status != rules.OFFERED:
        # taken or closed in between: the case is not needed
        await topics.case_repository(services).delete(case.id)
        return CardReply(await _current_request_card(turn, result[1] if result else request))
    logger.info("supervision request %s offered as case %s", request.id, case.id)
    jobs.unschedule(services, request.id)
    return CardReply(build_request_card(request_view(result[1], notice="offered"), turn.t))
