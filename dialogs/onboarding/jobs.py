"""Onboarding jobs planned at start-up: the rules check, the animateurs' daily digest, and each
newcomer's follow-up still due (their bodies are in handlers.py and roster.py)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from dialogs.feature import PlannedJob
from dialogs.onboarding import handlers, roster, rules
from dialogs.onboarding.profiles import RULES_JOB, digest_job_id, followup_job_id, profile_store
from dialogs.turn import Services


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """At start-up: the rules check (now), the next digest (8 h), and every follow-up still due
    (from the stored profiles, so they survive restarts)."""
    jobs = [PlannedJob(RULES_JOB, now, partial(handlers.run_rules_check, services))]
    next_digest = rules.next_digest_at(now, services.timezone)
    day = next_digest.date()
    jobs.append(
        PlannedJob(digest_job_id(day), next_digest, partial(roster.run_digest, services, day))
    )
    for profile in await profile_store(services).all():
        if profile.is_active and profile.followup_due_at and profile.followup_sent_at is None:
            jobs.append(
                PlannedJob(
                    followup_job_id(profile.key),
                    profile.followup_due_at,
                    partial(handlers.run_followup, services, profile.key),
                )
            )
    return jobs
