"""Meeting jobs: the J-7 and J-1 reminders still due, rebuilt from the stored meetings (their
bodies and messages are in notify.py)."""

from __future__ import annotations

from datetime import datetime

from dialogs.feature import PlannedJob
from dialogs.meetings import notify
from dialogs.meetings.queries import meeting_repository as _repository
from dialogs.turn import Services


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """Reminders still due, rebuilt from the stored meetings at every start."""
    jobs: list[PlannedJob] = []
    for meeting in await _repository(services).all():
        jobs.extend(notify.reminder_jobs(services, meeting, now))
    return jobs
