"""What the library keeps about a member (« mes données ») and its erasure."""

from __future__ import annotations

from typing import Any

from dialogs.library.repositories import resource_repository
from dialogs.turn import Services


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    """Resources shared (with their texts, whether they are listed, pending or refused and
    why) and resources marked « utile »."""
    resources = await resource_repository(services).all()
    shared = [
        {
            "resource_title": r.title,
            "resource_url": r.url,
            "resource_kind": r.kind,
            "resource_themes": ", ".join(r.themes),
            "resource_description": r.description,
            "shared_at": r.created_at,
            "resource_status": r.status,
            **({"resource_refused_reason": r.refused_reason} if r.refused_reason else {}),
        }
        for r in resources
        if r.author_key == member_key
    ]
    marked = [{"resource_title": r.title} for r in resources if r.useful_for(member_key)]
    sections: dict[str, Any] = {}
    if shared:
        sections["resources_shared"] = shared
    if marked:
        sections["resources_useful"] = marked
    return sections


async def forget_member(services: Services, member_key: str) -> None:
    """« Utile » marks are removed; resources the member shared stay in the library (they
    belong to the community and hold no personal data once the guard passed them) without
    their author's name."""
    await resource_repository(services).forget_member(member_key)
