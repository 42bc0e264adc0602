"""What other features may ask the library: typed reads, never a change.

``ResourceRef`` is a listed resource as other features show it (title and link); pending and
refused resources are never returned."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cards.i18n import fold
from dialogs.library import rules
from dialogs.library.repositories import resource_repository
from dialogs.turn import Services
from storage.resource_repository import Resource

__all__ = [
    "ResourceRef",
    "essential_resources",
    "resources_for_topic",
    "resources_shared_by",
]


@dataclass(frozen=True)
class ResourceRef:
    id: str
    title: str
    url: str
    kind: str  # tool | article | guide | video | document | link
    author_key: str  # "" once the author erased their data
    author_name: str
    essential: bool = False
    slot: str = ""  # for a meeting: the agenda slot's start (HH:MM) it is attached to
    slot_title: str = ""
    created_at: str = ""  # UTC ISO: when it was shared


def ref_of(resource: Resource, slot: str = "", slot_title: str = "") -> ResourceRef:
    return ResourceRef(
        id=resource.id,
        title=resource.title,
        url=resource.url,
        kind=resource.kind,
        author_key=resource.author_key,
        author_name=resource.author_name,
        essential=resource.essential,
        slot=slot,
        slot_title=slot_title,
        created_at=resource.created_at,
    )


async def resources_for_topic(services: Services, topic_id: str) -> list[ResourceRef]:
    """Listed resources attached to a topic of the bank, by title."""
    found = rules.attached_to(await resource_repository(services).all(), "topic", topic_id)
    return [ref_of(resource) for _, resource in found]


async def resources_shared_by(
    services: Services, member_keys: Iterable[str] = (), names: Iterable[str] = ()
) -> list[ResourceRef]:
    """Listed resources shared by one of ``member_keys`` or by someone named one of ``names``
    (accent- and case-insensitive; a meeting's presenters are names), newest first."""
    keys = {k for k in member_keys if k}
    folded = {fold(n) for n in names if n.strip()}
    mine = [
        r
        for r in rules.listed(await resource_repository(services).all())
        if (r.author_key and r.author_key in keys)
        or (r.author_name and fold(r.author_name) in folded)
    ]
    mine.sort(key=lambda r: (r.listed_at or r.created_at, r.id), reverse=True)
    return [ref_of(r) for r in mine]


async def essential_resources(services: Services) -> list[ResourceRef]:
    """Listed resources animateurs marked « essentiel », by title (the welcome dossier)."""
    return [ref_of(r) for r in rules.essentials(await resource_repository(services).all())]
