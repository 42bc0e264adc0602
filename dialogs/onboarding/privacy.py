"""What onboarding keeps about a member (« mes données »: their Teams record, profile and
journey) and its erasure. The « mes données » command itself, across features, is my_data.py."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from dialogs.onboarding.profiles import followup_job_id, profile_store
from dialogs.turn import Services

logger = logging.getLogger(__name__)


def _moment_text(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _day_text(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def member_data(services: Services, key: str) -> dict[str, Any]:
    """What onboarding keeps about the member: their Teams record, profile and journey."""
    repo = profile_store(services)
    member = await services.members.get(key)
    profile = await repo.get(key)
    data: dict[str, Any] = {}
    if member is not None:
        data["onboarding_account"] = {
            "name": member.name,
            "locale": member.locale or None,
            "teams_user_id": member.teams_user_id,
            "aad_object_id": member.aad_object_id or None,
        }
    if profile is None:
        return data
    data["onboarding_profile"] = {
        "name": profile.name,
        "email": profile.email or None,
        "discipline": profile.discipline or None,
        "institution": profile.institution or None,
        "institution_kind": profile.institution_kind or None,
        "territory": profile.territory or None,
        "committees": list(profile.committee_ids),
        "expertise": list(profile.expertise),
        "in_directory": profile.in_directory,
        "resource_person": profile.resource_person,
        "profile_saved_at": _moment_text(profile.profile_saved_at),
    }
    mentor = await repo.get(profile.mentor_key) if profile.mentor_key else None
    mentees = [p.name for p in await repo.all() if p.mentor_key == key]
    data["onboarding_journey"] = {
        "arrived_on": _day_text(profile.arrived_on),
        "departed_on": _day_text(profile.departed_on),
        "returned_on": _day_text(profile.returned_on),
        "welcomed_at": _moment_text(profile.welcomed_at),
        "rules_version": profile.rules_version,
        "rules_acknowledged_at": _moment_text(profile.rules_acknowledged_at),
        "mentor": mentor.name if mentor else None,
        "mentees": mentees,
        "followup_due_at": _moment_text(profile.followup_due_at),
        "followup_sent_at": _moment_text(profile.followup_sent_at),
        "followup_answered_at": _moment_text(profile.followup_answered_at),
        "source": profile.source,
    }
    return data


async def forget_member(services: Services, key: str) -> None:
    """Erase the profile, the member record (name, language) and the member's files; nobody
    keeps them as mentor. Idempotent."""
    repo = profile_store(services)
    now = services.clock()
    mentees = [p for p in await repo.all() if p.mentor_key == key]
    if mentees:
        await repo.save_many(
            [replace(p, mentor_key="", mentor_assigned_at=None, updated_at=now) for p in mentees]
        )
    await repo.delete(key)
    await services.members.delete(key)
    await services.downloads.repository.delete_owner(key)
    services.jobs.cancel(followup_job_id(key))
    logger.info("onboarding data erased for member %s", key)
