"""The library's commands and card actions: share a resource, search, mark « utile »; the
animateurs' validation and « essentiel »; attaching a resource to a topic or a meeting slot."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from cards.i18n import Translator
from cards.library import (
    AttachView,
    Choice,
    ResourceForm,
    ReviewView,
    build_attach_card,
    build_form_card,
    build_library_card,
    build_review_card,
)
from dialogs.deidentify import find_identifiers
from dialogs.feature import feature_hooks
from dialogs.library import rules
from dialogs.library.repositories import resource_repository
from dialogs.library.views import (
    attachment_choice,
    hhmm,
    library_view,
    line_of,
    slot_choices,
    slot_label,
)
from dialogs.meetings import queries as meetings
from dialogs.onboarding import queries as onboarding
from dialogs.outreach import card_activity, direct, text_activity
from dialogs.screening import screen
from dialogs.topics import queries as topics
from dialogs.turn import CardReply, ChatKind, DomainError, Services, Turn
from storage.conversation_repository import conversation_key
from storage.member_repository import member_key
from storage.resource_repository import LISTED, PENDING, Attachment, Resource
from storage.times import utc_iso

logger = logging.getLogger(__name__)
QUERY_MAX = 100
CHANNEL_SETTING = "digest_channel"  # where the weekly digest goes (the last team channel used)
_CHANNEL_THREAD = ";messageid="


def _form(draft: rules.Draft, **changes: Any) -> ResourceForm:
    values: dict[str, Any] = {
        "title": draft.title,
        "url": draft.url,
        "kind": draft.kind,
        "themes": rules.themes_text(draft.themes),
        "volet": draft.volet,
        "description": draft.description,
        **changes,
    }
    return ResourceForm(**values)


async def _library_card(turn: Turn, query: str, notice: str = "") -> dict[str, Any]:
    resources = await resource_repository(turn.services).all()
    view = library_view(query, resources, turn.caller.member_key, notice, turn.caller.is_animateur)
    return build_library_card(view, turn.t)


def _query(data: Mapping[str, Any]) -> str:
    query = data.get("query", "")
    if not isinstance(query, str):
        raise DomainError("errors.bad_card_data")
    return " ".join(query.split())[:QUERY_MAX]


def _resource_id(data: Mapping[str, Any]) -> str:
    resource_id = data.get("resource_id")
    if not isinstance(resource_id, str) or not resource_id or len(resource_id) > 40:
        raise DomainError("errors.bad_card_data")
    return resource_id


async def _resource(turn: Turn, data: Mapping[str, Any]) -> Resource:
    found = await resource_repository(turn.services).get(_resource_id(data))
    if found is None:
        raise DomainError("library.errors.not_found")
    return found


async def remember_channel(turn: Turn) -> None:
    """The weekly digest goes to the team channel where the library was last used."""
    where = turn.where
    if where.kind != ChatKind.CHANNEL or not where.conversation_id:
        return
    key = conversation_key(where.conversation_id.split(_CHANNEL_THREAD)[0])
    repository = resource_repository(turn.services)
    if await repository.setting(CHANNEL_SETTING) != key:
        await repository.set_setting(CHANNEL_SETTING, key)


# ---- commands ---------------------------------------------------------------------------------


async def share(turn: Turn) -> None:
    """``ressource [titre]``: the share form, with the title typed."""
    title = " ".join(turn.args.split())[: rules.TITLE_MAX]
    await remember_channel(turn)
    await turn.send_card(build_form_card(ResourceForm(title=title, **_validation(turn)), turn.t))


async def search(turn: Turn) -> None:
    """``ressources [thème]``: the library, matching resources most useful first."""
    await remember_channel(turn)
    await turn.send_card(await _library_card(turn, " ".join(turn.args.split())[:QUERY_MAX]))


def _validation(turn: Turn) -> dict[str, Any]:
    """The form says a member's share will wait for an animateur, when it will."""
    validation = turn.services.profile.current.library_validation
    return {"validation": rules.status_on_share(validation, turn.caller.is_animateur) == PENDING}


# ---- card actions -----------------------------------------------------------------------------


async def list_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Back to the library (from the attach card), with the search given."""
    return CardReply(await _library_card(turn, _query(data)))


async def new_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(build_form_card(ResourceForm(**_validation(turn)), turn.t))


async def submit(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The form's « Partager » (the confirmation): check, screen, then save and list at once.
    When the guard finds identifiers nothing is stored and nothing of the text is logged."""
    try:
        draft, problem = rules.read_form(
            data, turn.services.profile.current.library_sharepoint_host
        )
    except rules.BadCardData as bad:
        logger.info("bad card data in field %s", bad)
        raise DomainError("errors.bad_card_data") from None
    validation = _validation(turn)
    if problem:
        return CardReply(build_form_card(_form(draft, problem=problem, **validation), turn.t))
    names = await onboarding.guard_names(turn.services, turn.caller.name)
    findings = screen(draft.texts(), names, "resource")
    if findings:
        return CardReply(build_form_card(_form(draft, findings=findings, **validation), turn.t))
    at = utc_iso(turn.services.clock())
    status = rules.status_on_share(
        turn.services.profile.current.library_validation, turn.caller.is_animateur
    )
    resource = Resource(
        id=secrets.token_hex(5),
        title=draft.title,
        url=draft.url,
        kind=draft.kind,
        themes=draft.themes,
        volet=draft.volet,
        description=draft.description,
        author_key=turn.caller.member_key,
        author_name=turn.caller.name,
        created_at=at,
        status=status,
        listed_at=at if status == LISTED else "",
    )
    await resource_repository(turn.services).add(resource)
    logger.info("resource %s shared by %s (%s)", resource.id, turn.caller.member_key, status)
    if status == PENDING:
        await _tell_animateurs(turn, resource)
        return CardReply(await _library_card(turn, "", notice="pending"))
    return CardReply(await _library_card(turn, "", notice="shared"))


async def useful(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Utile »: sets (never flips) the caller's mark, so a double click counts once; the
    card is redrawn in place with the same search."""
    resource_id = _resource_id(data)
    query = _query(data)
    key = turn.caller.member_key
    result = await resource_repository(turn.services).update(
        resource_id, lambda r: rules.with_useful(r, key) if r.listed else None
    )
    if result is None:
        raise DomainError("library.errors.not_found")
    if result.changed:
        logger.info("resource %s marked useful by %s", resource_id, key)
    notice = "own" if result.after.author_key == key else "marked"
    return CardReply(await _library_card(turn, query, notice=notice))


# ---- validation (animateurs) ------------------------------------------------------------------


def _translator(services: Services, locale: str) -> Translator:
    return Translator(locale or services.profile.current.default_locale)


async def _tell_animateurs(turn: Turn, resource: Resource) -> None:
    """The new pending resource, in a 1:1 card to each animateur Veilleuse knows (once)."""
    services = turn.services
    items = []
    for animateur in services.profile.current.animateurs:
        if not animateur.aad_object_id:
            continue
        member = await services.members.get(member_key("", animateur.aad_object_id))
        if member is None or member.key == turn.caller.member_key:
            continue
        t = _translator(services, member.locale)
        card = build_review_card(ReviewView((line_of(resource, ""),), "new_pending"), t)
        item_id = f"library:review:{resource.id}:{member.key}"
        items.append(
            direct(member, item_id, card_activity(card), batch=f"library:review:{resource.id}")
        )
    if items:
        await services.messenger.enqueue(items)


async def _review_card(turn: Turn, notice: str = "") -> dict[str, Any]:
    resources = await resource_repository(turn.services).all()
    waiting = sorted((r for r in resources if r.status == PENDING), key=lambda r: r.created_at)
    lines = tuple(line_of(r, turn.caller.member_key) for r in waiting)
    return build_review_card(ReviewView(lines, notice), turn.t)


async def pending(turn: Turn) -> None:
    """``ressources en attente`` (animateurs): what waits for validation."""
    await turn.send_card(await _review_card(turn))


async def pending_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(await _review_card(turn))


async def _tell_sharer(services: Services, resource: Resource) -> None:
    """The member who shared it learns the outcome in their 1:1 chat (once)."""
    if not resource.author_key:
        return
    member = await services.members.get(resource.author_key)
    if member is None:
        logger.info("resource %s reviewed; its sharer has no chat with Veilleuse", resource.id)
        return
    t = _translator(services, member.locale)
    if resource.listed:
        text = t("library.review.approved", title=resource.title)
    elif resource.refused_reason:
        text = t("library.review.refused", title=resource.title, reason=resource.refused_reason)
    else:
        text = t("library.review.refused_no_reason", title=resource.title)
    await services.messenger.enqueue(
        [direct(member, f"library:reviewed:{resource.id}", text_activity(text))]
    )


async def _review(turn: Turn, data: Mapping[str, Any], approve: bool) -> CardReply:
    resource_id = _resource_id(data)
    reason = ""
    if not approve:
        try:
            reason = rules.read_reason(data, resource_id)
        except rules.BadCardData:
            raise DomainError("errors.bad_card_data") from None
        if reason and find_identifiers(
            reason, await onboarding.guard_names(turn.services, turn.caller.name)
        ):
            logger.info("refusal reason for %s refused by the de-identification guard", resource_id)
            raise DomainError("library.errors.refused_reason_identifying")
    at = utc_iso(turn.services.clock())
    result = await resource_repository(turn.services).update(
        resource_id, lambda r: rules.reviewed(r, approve, at, reason)
    )
    if result is None:
        raise DomainError("library.errors.not_found")
    if not result.changed:
        return CardReply(await _review_card(turn, "already_reviewed"))
    logger.info(
        "resource %s %s by %s",
        resource_id,
        "approved" if approve else "refused",
        turn.caller.member_key,
    )
    await _tell_sharer(turn.services, result.after)
    return CardReply(await _review_card(turn, "approved" if approve else "refused"))


async def approve(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _review(turn, data, approve=True)


async def refuse(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _review(turn, data, approve=False)


# ---- « essentiel » (animateurs) ---------------------------------------------------------------


async def essential(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Mark or unmark « essentiel »; the library card is redrawn with the same search."""
    resource_id = _resource_id(data)
    query = _query(data)
    wanted = data.get("essential")
    if not isinstance(wanted, bool):
        raise DomainError("errors.bad_card_data")
    result = await resource_repository(turn.services).update(
        resource_id, lambda r: rules.with_essential(r, wanted) if r.listed else None
    )
    if result is None or not result.after.listed:
        raise DomainError("library.errors.not_found")
    if result.changed:
        logger.info("resource %s essential=%s by %s", resource_id, wanted, turn.caller.member_key)
    notice = "essential_on" if wanted else "essential_off"
    return CardReply(await _library_card(turn, query, notice=notice))


# ---- attachments ------------------------------------------------------------------------------


async def _attach_card(turn: Turn, resource: Resource, notice: str = "") -> dict[str, Any]:
    services, t = turn.services, turn.t
    all_topics = await topics.topic_repository(services).all()
    open_topics = sorted(
        (x for x in all_topics if topics.is_active(x)), key=lambda x: x.title.casefold()
    )
    upcoming = await meetings.upcoming(services, services.clock())
    upcoming.sort(key=lambda m: m.starts_at)
    by_id = {m.id: m for m in upcoming}
    for a in resource.attachments:
        if a.target == "meeting" and a.target_id not in by_id:
            found = await meetings.get(services, a.target_id)
            if found is not None:
                by_id[found.id] = found
    titles = {x.id: x.title for x in all_topics}
    attached = tuple(
        c
        for c in (
            attachment_choice(a, titles, by_id, t, services.timezone) for a in resource.attachments
        )
        if c is not None
    )
    view = AttachView(
        resource_id=resource.id,
        title=resource.title,
        topics=tuple(Choice(x.title, f"topic:{x.id}") for x in open_topics)[: rules.MAX_CHOICES],
        slots=slot_choices(upcoming, t, services.timezone),
        attached=attached,
        notice=notice,
    )
    return build_attach_card(view, t)


def _check_attach(turn: Turn, resource: Resource) -> None:
    if not resource.listed:
        raise DomainError("library.errors.not_found")
    if not rules.can_attach(resource, turn.caller.member_key, turn.caller.is_animateur):
        raise DomainError("library.errors.not_allowed")


async def attach_form(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    resource = await _resource(turn, data)
    _check_attach(turn, resource)
    return CardReply(await _attach_card(turn, resource))


async def _agenda_changed(services: Services, meeting_id: str) -> None:
    """The meeting card shows the agenda's resources: have it redrawn."""
    for hook in feature_hooks(services, "on_agenda_changed"):
        try:
            await hook(services, meeting_id)
        except Exception:  # the attachment is saved; the card catches up on its next redraw
            logger.exception("agenda change hook failed for meeting %s", meeting_id)


async def _attachment(turn: Turn, code: Any) -> Attachment:
    """The topic or meeting slot a card names, checked against the bank and the meetings."""
    try:
        target, target_id, slot = rules.read_target(code)
    except rules.BadCardData:
        raise DomainError("errors.bad_card_data") from None
    services = turn.services
    if target == "topic":
        topic = await topics.topic_repository(services).get(target_id)
        if topic is None or not topics.is_active(topic):
            raise DomainError("library.errors.target_gone")
        return Attachment("topic", target_id)
    meeting = await meetings.get(services, target_id)
    if meeting is None or meeting.status != "planned":
        raise DomainError("library.errors.target_gone")
    chosen = next((s for s in meeting.agenda if hhmm(s.start) == slot), None)
    if chosen is None:
        raise DomainError("library.errors.target_gone")
    return Attachment("meeting", target_id, slot, slot_label(chosen.title, chosen.kind, turn.t))


async def attach(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Associer »: the chosen topic (``topic_target``) or meeting slot (``slot_target``)."""
    resource = await _resource(turn, data)
    _check_attach(turn, resource)
    field = data.get("field")
    if field not in ("topic_target", "slot_target"):
        raise DomainError("errors.bad_card_data")
    attachment = await _attachment(turn, data.get(field))
    if (attachment.target == "topic") != (field == "topic_target"):
        raise DomainError("errors.bad_card_data")
    result = await resource_repository(turn.services).update(
        resource.id, lambda r: rules.with_attachment(r, attachment)
    )
    if result is None:
        raise DomainError("library.errors.not_found")
    if not result.changed:
        return CardReply(await _attach_card(turn, result.after, "already_attached"))
    logger.info(
        "resource %s attached to %s %s", resource.id, attachment.target, attachment.target_id
    )
    if attachment.target == "meeting":
        await _agenda_changed(turn.services, attachment.target_id)
    return CardReply(await _attach_card(turn, result.after, "attached"))


async def detach(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    resource = await _resource(turn, data)
    _check_attach(turn, resource)
    code = data.get("target")
    try:
        target, target_id, _ = rules.read_target(code)
    except rules.BadCardData:
        raise DomainError("errors.bad_card_data") from None
    result = await resource_repository(turn.services).update(
        resource.id, lambda r: rules.without_attachment(r, str(code))
    )
    if result is None:
        raise DomainError("library.errors.not_found")
    if result.changed and target == "meeting":
        await _agenda_changed(turn.services, target_id)
    return CardReply(await _attach_card(turn, result.after, "detached"))
