"""What the topic bank keeps about a member (« mes données ») and its erasure."""

from __future__ import annotations

from typing import Any

from dialogs.topics.repositories import case_repository, topic_repository
from dialogs.topics.rules import MERGED
from dialogs.turn import Services


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    """Topics proposed and supported, cases submitted (with their de-identified texts)."""
    topics = [t for t in await topic_repository(services).all() if t.status != MERGED]
    proposed = [
        {
            "topic_title": t.title,
            "topic_kind": t.kind,
            "topic_status": t.status,
            "proposed_at": t.created_at,
        }
        for t in topics
        if t.proposer_key == member_key
    ]
    supported = [{"topic_title": t.title} for t in topics if t.supported_by(member_key)]
    cases = [
        {
            "case_title": c.title,
            "case_status": c.status,
            "submitted_at": c.created_at,
            "case_context": c.context,
            "case_tried": c.tried,
            "case_blocks": c.blocks,
            "case_question": c.question,
        }
        for c in await case_repository(services).all()
        if c.submitter_key == member_key
    ]
    sections: dict[str, Any] = {}
    if proposed:
        sections["topics_proposed"] = proposed
    if supported:
        sections["topics_supported"] = supported
    if cases:
        sections["cases_submitted"] = cases
    return sections


async def forget_member(services: Services, member_key: str) -> None:
    """Supports are removed; topics stay in the bank (they belong to the community) without
    their author; cases not yet discussed are deleted, those on an agenda stay anonymous."""
    await topic_repository(services).forget_member(member_key)
    await case_repository(services).forget_member(member_key)
