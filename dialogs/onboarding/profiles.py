"""What the onboarding modules share: settings' names, job ids, and small lookups."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from cards.dates import long_date
from cards.i18n import Translator, choose_locale, fold
from dialogs.onboarding import rules
from dialogs.onboarding.queries import profile_repository
from dialogs.turn import DomainError, RosterUnavailable, Services, Turn
from storage.community import CommunityProfile
from storage.member_repository import Member
from storage.profile_repository import ProfileRepository

logger = logging.getLogger(__name__)

RULES_JOB = "onboarding:rules-check"
SETTING_RULES_ASKED = "rules_version_asked"
SETTING_DIGEST_COVERED = "digest_covered_until"
SETTING_FOLLOWUP_DAYS = "followup_days"
DOWNLOAD_TTL = timedelta(hours=1)
FEATURE_NAME = "onboarding"
MAX_SHOWN_QUERY = 60
MAX_DATA_LINES = 60


def followup_job_id(key: str) -> str:
    return f"onboarding:followup:{key}"


def digest_job_id(day: date) -> str:
    return f"onboarding:digest:{day.isoformat()}"


# ---- small helpers ---------------------------------------------------------------------------


def profile_store(services: Services) -> ProfileRepository:
    return profile_repository(services)


def community_of(services: Services) -> CommunityProfile:
    return services.profile.current


def translator_for(services: Services, member: Member | None) -> Translator:
    preferred = member.locale if member else None
    return Translator(choose_locale(preferred, None, community_of(services).default_locale))


def today_in(services: Services) -> date:
    return services.now().date()


def local_day(services: Services, moment: datetime | None) -> date | None:
    return moment.astimezone(services.timezone).date() if moment else None


def first_name(name: str) -> str:
    return name.split(" ")[0] if name else ""


def committee_choices(services: Services, t: Translator) -> list[tuple[str, str]]:
    return [(c.id, c.name.get(t.locale)) for c in community_of(services).committees]


async def followup_days(services: Services) -> int:
    stored = rules.valid_followup_days(await profile_store(services).setting(SETTING_FOLLOWUP_DAYS))
    return stored or rules.FOLLOWUP_DAYS_DEFAULT


async def reachable(services: Services, key: str) -> Member | None:
    """The member's record when the messenger can open a 1:1 chat with them."""
    member = await services.members.get(key)
    return member if member is not None and member.teams_user_id else None


async def email_from_teams(turn: Turn, teams_user_id: str) -> str:
    """A member's e-mail from the Teams roster (best effort: "" when unavailable)."""
    if not teams_user_id:
        return ""
    try:
        account = await turn.roster.member(teams_user_id)
    except RosterUnavailable:  # the roster is optional here; the profile works without an e-mail
        logger.info("roster e-mail unavailable (turn of member %s)", turn.caller.member_key)
        return ""
    return account.email


def card_text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise DomainError("errors.bad_card_data")
    return value.strip()


def long_date_of(services: Services, moment: datetime | None, t: Translator) -> str:
    return long_date(moment.astimezone(services.timezone), t) if moment else "—"


def file_stem(t: Translator, command_id: str) -> str:
    """A file name from a command word: ``mes données`` → ``mes-donnees``."""
    word = fold(t(f"command.{command_id}.word"))
    return "".join(ch if ch.isalnum() else "-" for ch in word).strip("-")
