"""Supervision records → card views, and who is who for the messages (translators, chat links)."""

from __future__ import annotations

from cards.i18n import Translator, choose_locale
from cards.supervision import OfferView, RequestView
from dialogs.onboarding import queries as onboarding
from dialogs.supervision import rules
from dialogs.turn import Services
from storage.member_repository import Member
from storage.supervision_repository import SupervisionRequest


def translator_for(services: Services, member: Member | None) -> Translator:
    preferred = member.locale if member else None
    return Translator(choose_locale(preferred, services.profile.current.default_locale))


async def chat_user(services: Services, key: str) -> str:
    """Who a Teams chat link names: the e-mail (UPN) from the profile or the community file,
    else the Entra object id."""
    if not key:
        return ""
    entry = await onboarding.profile_of(services, key)
    if entry is not None and entry.email:
        return entry.email
    for person in services.profile.current.animateurs:
        if person.aad_object_id and person.aad_object_id.casefold() == key and person.email:
            return person.email
    member = await services.members.get(key)
    return (member.aad_object_id if member else "") or key


def themes_text(request: SupervisionRequest) -> str:
    return ", ".join(request.themes)


def offer_view(
    request: SupervisionRequest,
    viewer_key: str,
    *,
    chat_link: str = "",
    reminder: bool = False,
    notice: str = "",
    refresh_for: str = "",
) -> OfferView:
    if request.status == rules.OPEN:
        state = "open"
    elif request.status == rules.TAKEN:
        state = "mine" if request.taker_key == viewer_key and viewer_key else "taken"
    else:
        state = "closed"
    return OfferView(
        id=request.id,
        title=request.title,
        context=request.context,
        question=request.question,
        urgency=request.urgency,
        themes=themes_text(request),
        requester=request.requester_name,
        state=state,
        taker=request.taker_name,
        chat_link=chat_link if state == "mine" else "",
        reminder=reminder,
        notice=notice,
        refresh_user_ids=(refresh_for,) if refresh_for else (),
    )


def request_view(
    request: SupervisionRequest, *, chat_link: str = "", notice: str = ""
) -> RequestView:
    return RequestView(
        id=request.id,
        title=request.title,
        urgency=request.urgency,
        themes=themes_text(request),
        status=request.status,
        taker=request.taker_name,
        chat_link=chat_link if request.status == rules.TAKEN else "",
        asking=request.status == rules.OPEN and bool(request.asked_at),
        notice=notice,
    )
