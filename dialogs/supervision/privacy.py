"""What ad hoc supervision keeps about a member (« mes données ») and its erasure."""

from __future__ import annotations

from typing import Any

from dialogs.supervision.repositories import supervision_repository
from dialogs.turn import Services


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    """The member's requests (with their texts), and the requests they took (titles only)."""
    requests = await supervision_repository(services).all()
    mine = [
        {
            "supervision_title": r.title,
            "supervision_context": r.context,
            "supervision_question": r.question,
            "supervision_urgency": r.urgency,
            "supervision_themes": ", ".join(r.themes),
            "supervision_status": r.status,
            "supervision_asked_at": r.created_at,
        }
        for r in sorted(requests, key=lambda r: r.created_at)
        if r.requester_key == member_key
    ]
    taken = [
        {"supervision_title": r.title, "supervision_taken_at": r.taken_at}
        for r in sorted(requests, key=lambda r: r.created_at)
        if r.taker_key == member_key
    ]
    sections: dict[str, Any] = {}
    if mine:
        sections["supervision_requests"] = mine
    if taken:
        sections["supervision_taken"] = taken
    return sections


async def forget_member(services: Services, member_key: str) -> None:
    """The member's requests lose their texts and identity (what the counts of ``bilan`` need
    stays: urgency, times, outcome; an open one is cancelled); requests they took lose their
    name; they are no longer among those a request was routed to."""
    await supervision_repository(services).forget_member(member_key)
