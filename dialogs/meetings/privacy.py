"""What meetings keep about a member (« mes données »: their answers, the meetings they
planned) and its erasure."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from dialogs.meetings.queries import meeting_repository as _repository
from dialogs.turn import Services

logger = logging.getLogger(__name__)


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    repository = _repository(services)
    answers = []
    for answer in await repository.rsvps_of(member_key):
        meeting = await repository.get(answer.meeting_id)
        answers.append(
            {
                "meeting_id": answer.meeting_id,
                "meeting_title": meeting.title if meeting else "",
                "meeting_starts_at": meeting.starts_at.isoformat() if meeting else "",
                "meeting_answer": answer.choice,
                "meeting_answered_at": answer.at.isoformat(),
            }
        )
    planned = [m.id for m in await repository.all() if m.created_by == member_key]
    return {"meetings_answers": answers, "meetings_planned": planned}


async def forget_member(services: Services, member_key: str) -> None:
    """Erase the member's answers, and their name as the planner of meetings."""
    repository = _repository(services)
    removed = await repository.forget_member(member_key)
    for meeting in await repository.all():
        if meeting.created_by == member_key:
            await repository.save(replace(meeting, created_by=""))
    logger.info("meetings: %d answer(s) erased for a member", removed)
