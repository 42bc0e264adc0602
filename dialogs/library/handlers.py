"""The library's commands and card actions: share a resource, search, mark « utile »."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from cards.library import (
    FindingLine,
    ResourceForm,
    build_form_card,
    build_library_card,
)
from dialogs.deidentify import find_identifiers
from dialogs.library import rules
from dialogs.library.repositories import resource_repository
from dialogs.library.views import library_view
from dialogs.onboarding import queries as onboarding
from dialogs.turn import CardReply, DomainError, Turn
from storage.resource_repository import Resource
from storage.times import utc_iso

logger = logging.getLogger(__name__)
QUERY_MAX = 100


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


async def _known_names(turn: Turn) -> list[str]:
    """Names the guard looks for besides its own lists: roster, animateurs, sponsors, caller."""
    profile = turn.services.profile.current
    names = [person.name for person in (*profile.animateurs, *profile.sponsors)]
    try:
        names += [entry.name for entry in await onboarding.roster(turn.services) if entry.name]
    except Exception:  # the guard's own lists still apply; never block a share on this
        logger.exception("roster lookup for the de-identification guard failed")
    if turn.caller.name:
        names.append(turn.caller.name)
    return list(dict.fromkeys(names))


async def _library_card(turn: Turn, query: str, notice: str = "") -> dict[str, Any]:
    resources = await resource_repository(turn.services).all()
    view = library_view(query, resources, turn.caller.member_key, notice)
    return build_library_card(view, turn.t)


def _query(data: Mapping[str, Any]) -> str:
    query = data.get("query", "")
    if not isinstance(query, str):
        raise DomainError("errors.bad_card_data")
    return " ".join(query.split())[:QUERY_MAX]


# ---- commands ---------------------------------------------------------------------------------


async def share(turn: Turn) -> None:
    """``ressource [titre]``: the share form, with the title typed."""
    title = " ".join(turn.args.split())[: rules.TITLE_MAX]
    await turn.send_card(build_form_card(ResourceForm(title=title), turn.t))


async def search(turn: Turn) -> None:
    """``ressources [thème]``: the library, matching resources most useful first."""
    await turn.send_card(await _library_card(turn, " ".join(turn.args.split())[:QUERY_MAX]))


# ---- card actions -----------------------------------------------------------------------------


async def new_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(build_form_card(ResourceForm(), turn.t))


async def submit(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The form's « Partager » (the confirmation): check, screen, then save and list at once.
    When the guard finds identifiers nothing is stored and nothing of the text is logged."""
    try:
        draft, problem = rules.read_form(data)
    except rules.BadCardData as bad:
        logger.info("bad card data in field %s", bad)
        raise DomainError("errors.bad_card_data") from None
    if problem:
        return CardReply(build_form_card(_form(draft, problem=problem), turn.t))
    names = await _known_names(turn)
    findings = tuple(
        FindingLine(field, f.kind, f.text)
        for field, text in draft.texts().items()
        for f in find_identifiers(text, names)
    )
    if findings:
        logger.info(
            "resource refused by the de-identification guard: %d finding(s), kinds %s",
            len(findings),
            sorted({f.kind for f in findings}),
        )
        return CardReply(build_form_card(_form(draft, findings=findings), turn.t))
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
        created_at=utc_iso(turn.services.clock()),
    )
    await resource_repository(turn.services).add(resource)
    logger.info("resource %s shared by %s", resource.id, turn.caller.member_key)
    return CardReply(await _library_card(turn, "", notice="shared"))


async def useful(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Utile »: sets (never flips) the caller's mark, so a double click counts once; the
    card is redrawn in place with the same search."""
    resource_id = data.get("resource_id")
    if not isinstance(resource_id, str) or not resource_id or len(resource_id) > 40:
        raise DomainError("errors.bad_card_data")
    query = _query(data)
    key = turn.caller.member_key
    result = await resource_repository(turn.services).update(
        resource_id, lambda r: rules.with_useful(r, key)
    )
    if result is None:
        raise DomainError("library.errors.not_found")
    if result.changed:
        logger.info("resource %s marked useful by %s", resource_id, key)
    return CardReply(await _library_card(turn, query, notice="marked"))
