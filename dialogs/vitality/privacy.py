"""What the vitality report keeps about a member (the projects they added) and its erasure."""

from __future__ import annotations

from typing import Any

from dialogs.turn import Services
from dialogs.vitality.inputs import vitality_repository


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    """The projects this person added to the report (as an animateur)."""
    added = await vitality_repository(services).projects_added_by(member_key)
    if not added:
        return {}
    return {
        "vitality_projects_added": [
            {"title": p.title, "done_on": p.done_on.isoformat()} for p in added
        ]
    }


async def forget_member(services: Services, member_key: str) -> None:
    """The projects stay (they belong to the community) without their author."""
    await vitality_repository(services).forget_member(member_key)
