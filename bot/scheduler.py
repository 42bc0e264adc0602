"""The app's one scheduler (APScheduler 3, in memory).

Stored state (meetings, polls, members…) is the only truth: at start-up every registered
planner re-plans its jobs from it, with predictable ids and ``replace_existing``. A job whose time
passed while the bot was down runs once at start (no grace limit, coalesced).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, tzinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from dialogs.feature import JobFunc, PlannedJob

logger = logging.getLogger(__name__)

Planner = Callable[[datetime], Awaitable[Sequence[PlannedJob]]]


class Scheduler:
    def __init__(self, timezone: tzinfo, clock: Callable[[], datetime]) -> None:
        self._tz = timezone
        self._clock = clock
        self._planners: list[Planner] = []
        self._aps: AsyncIOScheduler | None = None
        self._from_planners: set[str] = set()

    async def add_planner(self, planner: Planner) -> None:
        self._planners.append(planner)
        if self._aps is not None:
            await self._plan(planner)

    async def start(self) -> None:
        """Call inside the running loop (aiohttp ``on_startup``)."""
        self._aps = AsyncIOScheduler(timezone=self._tz)
        self._aps.start()
        for planner in self._planners:
            await self._plan(planner)

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def replan(self) -> None:
        """Re-plan every feature's jobs from stored state (after a change such as a meeting
        edited or cancelled). A job a planner returned before and no longer returns is removed;
        jobs scheduled directly with ``schedule`` are left alone."""
        planned: set[str] = set()
        for planner in self._planners:
            planned |= await self._plan(planner)
        for job_id in self._from_planners - planned:
            self.cancel(job_id)
        self._from_planners = planned

    async def _plan(self, planner: Planner) -> set[str]:
        ids: set[str] = set()
        for job in await planner(self._clock()):
            self.schedule(job)
            ids.add(job.id)
        self._from_planners |= ids
        return ids

    def schedule(self, job: PlannedJob) -> None:
        if self._aps is None:
            raise RuntimeError("scheduler not started")
        self._aps.add_job(
            _run_logged,
            trigger=DateTrigger(run_date=job.run_at, timezone=self._tz),
            args=(job.id, job.func),
            id=job.id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    def every(self, job_id: str, seconds: float, func: JobFunc) -> None:
        if self._aps is None:
            raise RuntimeError("scheduler not started")
        self._aps.add_job(
            _run_logged,
            trigger=IntervalTrigger(seconds=seconds, timezone=self._tz),
            args=(job_id, func),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )

    def cancel(self, job_id: str) -> None:
        if self._aps is not None and self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._aps.get_jobs()) if self._aps else []

    # For /healthz and /metrics (bot/ops.py) ------------------------------------------------

    @property
    def running(self) -> bool:
        return self._aps is not None and bool(self._aps.running)

    def next_run(self) -> tuple[str, datetime] | None:
        """The job that runs next, as (id, aware time); None when nothing is planned."""
        if self._aps is None:
            return None
        timed = [
            (job.next_run_time, job.id)
            for job in self._aps.get_jobs()
            if getattr(job, "next_run_time", None) is not None
        ]
        if not timed:
            return None
        when, job_id = min(timed)
        return str(job_id), when


async def _run_logged(job_id: str, func: JobFunc) -> None:
    try:
        await func()
    except Exception:
        logger.exception("scheduled job %s failed", job_id)
