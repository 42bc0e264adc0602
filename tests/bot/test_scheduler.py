from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.scheduler import Scheduler
from dialogs.feature import JobFunc, PlannedJob

TZ = ZoneInfo("America/Montreal")


async def _until(condition, seconds: float = 2.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)


async def test_jobs_rebuilt_from_state_and_missed_ones_run_once() -> None:
    """Stored state is the truth: the planner returns the jobs not done yet. A job whose time
    passed while the bot was down runs once at start; re-planning never duplicates a job."""
    done: list[str] = []
    now = datetime.now(UTC)

    def job(job_id: str) -> JobFunc:
        async def run() -> None:
            done.append(job_id)

        return run

    async def planner(at: datetime) -> list[PlannedJob]:
        wanted = [
            ("reminder:m1:-7d", at - timedelta(hours=2)),
            ("reminder:m1:-1d", at + timedelta(hours=5)),
        ]
        return [PlannedJob(i, when, job(i)) for i, when in wanted if i not in done]

    scheduler = Scheduler(TZ, lambda: now)
    await scheduler.add_planner(planner)
    await scheduler.start()
    try:
        await _until(lambda: bool(done))
        assert done == ["reminder:m1:-7d"]
        await scheduler.replan()  # as after an edit: re-plan everything
        await asyncio.sleep(0.1)
        assert done == ["reminder:m1:-7d"]
        assert scheduler.job_ids() == ["reminder:m1:-1d"]
    finally:
        await scheduler.stop()

    # A restart: a new scheduler over the same state plans only what is left.
    restarted = Scheduler(TZ, lambda: now)
    await restarted.add_planner(planner)
    await restarted.start()
    try:
        await asyncio.sleep(0.1)
        assert done == ["reminder:m1:-7d"]
        assert restarted.job_ids() == ["reminder:m1:-1d"]
    finally:
        await restarted.stop()


async def test_a_failing_job_is_logged_not_fatal(caplog) -> None:
    async def boom() -> None:
        raise RuntimeError("boom")

    scheduler = Scheduler(TZ, lambda: datetime.now(UTC))
    await scheduler.start()
    try:
        scheduler.schedule(PlannedJob("bad", datetime.now(UTC) - timedelta(seconds=1), boom))
        await _until(lambda: "bad" in caplog.text)
        assert "scheduled job bad failed" in caplog.text
    finally:
        await scheduler.stop()


async def test_cancel_and_replace() -> None:
    scheduler = Scheduler(TZ, lambda: datetime.now(UTC))
    scheduler.cancel("nothing")  # harmless before start

    async def nop() -> None:
        return None

    await scheduler.start()
    try:
        later = datetime.now(UTC) + timedelta(days=1)
        scheduler.schedule(PlannedJob("x", later, nop))
        scheduler.schedule(PlannedJob("x", later + timedelta(hours=1), nop))
        assert scheduler.job_ids() == ["x"]
        scheduler.cancel("x")
        assert scheduler.job_ids() == []
    finally:
        await scheduler.stop()


async def test_replan_drops_jobs_the_state_no_longer_asks_for() -> None:
    """A meeting cancelled: its planner stops returning the reminder, re-planning removes it;
    a job scheduled directly is left alone."""
    wanted = {"reminder:m1:-1d", "reminder:m2:-1d"}
    later = datetime.now(UTC) + timedelta(days=3)

    async def nop() -> None:
        return None

    async def planner(at: datetime) -> list[PlannedJob]:
        return [PlannedJob(i, later, nop) for i in sorted(wanted)]

    scheduler = Scheduler(TZ, lambda: datetime.now(UTC))
    await scheduler.add_planner(planner)
    await scheduler.start()
    try:
        scheduler.schedule(PlannedJob("adhoc", later, nop))
        wanted.discard("reminder:m1:-1d")
        await scheduler.replan()
        assert scheduler.job_ids() == ["adhoc", "reminder:m2:-1d"]
    finally:
        await scheduler.stop()
