"""Scheduled topics and cases after their meeting: untreated ones go back to the bank (topics)
or the queue (cases).

Checked at read time (every list, board and detail runs :func:`return_past_items` first) and by
a job at each meeting's end (``plan_jobs``), so the bank is right even when nobody looks.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dialogs.feature import PlannedJob
from dialogs.topics import meetings, rules
from dialogs.topics.board import update_boards
from dialogs.topics.repositories import case_repository, topic_repository
from dialogs.topics.views import iso
from dialogs.turn import Services

logger = logging.getLogger(__name__)


def return_job_id(meeting_id: str) -> str:
    return f"topics:return:{meeting_id}"


async def _scheduled_meeting_ids(services: Services) -> set[str]:
    topics = await topic_repository(services).all()
    cases = await case_repository(services).all()
    ids = {t.meeting_id for t in topics if t.status == rules.SCHEDULED}
    ids |= {c.meeting_id for c in cases if c.status == rules.SCHEDULED}
    return ids - {""}


async def return_past_items(services: Services, now: datetime) -> int:
    """Send back what was scheduled for a meeting that is over; returns how many items moved.
    Does nothing when the meetings feature is absent (nothing can be known about meetings)."""
    if not meetings.available():
        return 0
    over = set()
    for meeting_id in await _scheduled_meeting_ids(services):
        if rules.meeting_over(await meetings.get(services, meeting_id), now):
            over.add(meeting_id)
    if not over:
        return 0
    at = iso(now)
    moved = 0
    topic_repo, case_repo = topic_repository(services), case_repository(services)
    for topic in await topic_repo.all():
        if topic.status == rules.SCHEDULED and topic.meeting_id in over:
            done = await topic_repo.update(
                topic.id,
                lambda t: rules.back_to_bank(t, at) if t.meeting_id in over else None,
            )
            moved += bool(done and done.changed)
    for case in await case_repo.all():
        if case.status == rules.SCHEDULED and case.meeting_id in over:
            result = await case_repo.update(
                case.id,
                lambda c: rules.case_back_to_queue(c, at) if c.meeting_id in over else None,
            )
            moved += bool(result and result[0] != result[1])
    if moved:
        logger.info("%d scheduled topic(s)/case(s) returned after meetings %s", moved, sorted(over))
    return moved


def sweep_job(services: Services, meeting_id: str, run_at: datetime) -> PlannedJob:
    async def sweep() -> None:
        if await return_past_items(services, services.clock()):
            await update_boards(services)

    return PlannedJob(return_job_id(meeting_id), run_at, sweep)


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """One job at the end of each meeting that has topics or cases scheduled."""
    if not meetings.available():
        return []
    jobs = []
    for meeting_id in sorted(await _scheduled_meeting_ids(services)):
        meeting = await meetings.get(services, meeting_id)
        run_at = max(meeting.ends_at, now) if meeting is not None else now
        jobs.append(sweep_job(services, meeting_id, run_at))
    return jobs
