"""What other features may ask the library (notes reads the presenters' resources)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cards.i18n import fold
from dialogs.library.repositories import resource_repository
from dialogs.turn import Services


@dataclass(frozen=True)
class ResourceRef:
    id: str
    title: str
    url: str
    kind: str  # tool | article | guide | video | link
    author_key: str  # "" once the author erased their data
    author_name: str
    created_at: str  # UTC ISO


async def resources_shared_by(
    services: Services, member_keys: Iterable[str] = (), names: Iterable[str] = ()
) -> list[ResourceRef]:
    """Resources whose author is one of ``member_keys`` or is named one of ``names`` (accent-
    and case-insensitive), newest first."""
    keys = {k for k in member_keys if k}
    folded = {fold(n) for n in names if n.strip()}
    found = [
        ResourceRef(r.id, r.title, r.url, r.kind, r.author_key, r.author_name, r.created_at)
        for r in await resource_repository(services).all()
        if (r.author_key and r.author_key in keys)
        or (r.author_name and fold(r.author_name) in folded)
    ]
    return sorted(found, key=lambda r: r.created_at, reverse=True)
