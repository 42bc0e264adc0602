"""Helpers for the notes' HTTP tests: past meetings put in the meetings feature's store, members
the bot knows, RSVPs, the roster (onboarding profiles)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dialogs.meetings.queries import meeting_repository
from dialogs.onboarding.queries import profile_repository
from dialogs.turn import Services
from storage.meeting_repository import AgendaEntry, Meeting, Rsvp
from storage.profile_repository import MemberProfile
from tests.dialogs.topics.conftest import (  # noqa: F401
    ANIMATEUR_AAD,
    MEMBER_AAD,
    NAMES,
    SECOND_AAD,
    THIRD_AAD,
    BotHttp,
    bot_http,
    say,
    services_of,
)


def local(services: Services, days_ago: int, hour: int) -> datetime:
    """``hour`` o'clock, community time, ``days_ago`` days before the services' today."""
    today = services.clock().astimezone(services.timezone).date() - timedelta(days=days_ago)
    return datetime(today.year, today.month, today.day, hour, tzinfo=services.timezone)


async def past_meeting(
    http: BotHttp,
    meeting_id: str = "m-past",
    days_ago: int = 1,
    title: str = "Journée régionale psychosociale",
    presenter: str = "",
    committees: tuple[str, ...] = ("clsc",),
) -> Meeting:
    services = services_of(http)
    starts = local(services, days_ago, 9)
    meeting = Meeting(
        id=meeting_id,
        title=title,
        committee_ids=committees,
        starts_at=starts,
        ends_at=starts + timedelta(hours=7),
        mode="hybride",
        agenda=(
            AgendaEntry("09:00", "09:15", "accueil", "Accueil"),
            AgendaEntry("09:15", "10:30", "atelier_conference", "Le deuil", presenter),
        ),
    )
    await meeting_repository(services).save(meeting)
    return meeting


async def rsvp(http: BotHttp, meeting_id: str, aad: str, choice: str) -> None:
    services = services_of(http)
    await meeting_repository(services).set_rsvp(
        Rsvp(meeting_id, aad.casefold(), choice, services.clock())
    )


async def on_roster(http: BotHttp, *aads: str) -> None:
    """Onboarding profiles, so these members may take follow-ups."""
    repository = profile_repository(services_of(http))
    for aad in aads:
        await repository.save(
            MemberProfile(key=aad.casefold(), name=NAMES[aad], committee_ids=("clsc",))
        )


async def introduce(http: BotHttp, *aads: str) -> None:
    """Members say hello once, so the bot knows how to reach them (as in Teams)."""
    for aad in aads:
        await say(http, "aide", aad=aad)
