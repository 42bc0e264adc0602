"""What the notes read from the features below them, through their ``queries``: meetings
(past ones, RSVPs), presence (who was there), the topic bank (presenters), the library (the
presenters' resources) and onboarding (who may take a follow-up, names).

Another feature's failure never stops the notes: each read falls back to nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from cards.dates import day_month_year
from cards.i18n import Translator
from dialogs import cycles
from dialogs.library import queries as library
from dialogs.library.queries import ResourceRef
from dialogs.meetings import queries as meetings
from dialogs.meetings.queries import MeetingRef
from dialogs.notes import rules
from dialogs.onboarding import queries as onboarding
from dialogs.presence import queries as presence
from dialogs.topics import queries as topics
from dialogs.turn import Services

logger = logging.getLogger(__name__)

# How far back ``rencontre notes <date>`` and the recent choice look.
LOOK_BACK = timedelta(days=730)


def heading(meeting: MeetingRef, services: Services, t: Translator) -> str:
    day = day_month_year(meeting.starts_at.astimezone(services.timezone), t)
    return t("notes.meeting", title=meeting.title, day=day)


async def get(services: Services, meeting_id: str) -> MeetingRef | None:
    if not meeting_id:
        return None
    return await meetings.get(services, meeting_id)


def cycle_period(services: Services, now: datetime, text: str = "") -> cycles.Period | None:
    """The cycle named by ``text`` (« 2026-2027 »), or the one of today (between two cycles,
    the one that just ended); None when ``text`` names none."""
    cycle = cycles.of_community(services.profile.current)
    if text.strip():
        return cycle.parse(text)
    return cycle.of(now.astimezone(services.timezone).date())


async def archive(services: Services, now: datetime, period: cycles.Period) -> list[MeetingRef]:
    """The period's past meetings, newest first (numbered from 1 in the archive)."""
    start, end = cycles.of_community(services.profile.current).reach(period, services.timezone)
    return rules.past(await meetings.in_range(services, start, end), now)


async def current_archive(
    services: Services, now: datetime
) -> tuple[cycles.Period, list[MeetingRef]]:
    """The archive of today's cycle or, while that cycle has no past meeting yet (its first
    weeks), of the previous one."""
    cycle = cycles.of_community(services.profile.current)
    period = cycle.of(now.astimezone(services.timezone).date())
    listed = await archive(services, now, period)
    if not listed:
        previous = cycle.previous(period)
        earlier = await archive(services, now, previous)
        if earlier:
            return previous, earlier
    return period, listed


async def in_range(services: Services, start: datetime, end: datetime) -> list[MeetingRef]:
    return await meetings.in_range(services, start, end)


async def recent_past(services: Services, now: datetime) -> list[MeetingRef]:
    """Past meetings of the last two years, newest first."""
    return rules.past(await meetings.in_range(services, now - LOOK_BACK, now), now)


async def all_meetings(services: Services, now: datetime) -> list[MeetingRef]:
    """Meetings from two years back to a year ahead (for plans and follow-up reminders)."""
    return await meetings.in_range(services, now - LOOK_BACK, now + timedelta(days=400))


async def present_keys(services: Services, meeting: MeetingRef) -> list[str]:
    try:
        attendance = await presence.meeting_attendance(services, meeting)
    except Exception:  # presence failing: fall back on the RSVPs
        logger.exception("notes: attendance of meeting %s failed", meeting.id)
        return []
    return [line.member_key for line in attendance.lines if line.present]


async def rsvps(services: Services, meeting_id: str) -> dict[str, str]:
    try:
        return await meetings.rsvps(services, meeting_id)
    except Exception:
        logger.exception("notes: RSVPs of meeting %s failed", meeting_id)
        return {}


async def presenters(services: Services, meeting: MeetingRef) -> list[str]:
    """Names of the meeting's presenters: its agenda slots' and its scheduled topics'."""
    try:
        scheduled = await topics.scheduled_for(services, meeting.id)
    except Exception:
        logger.exception("notes: scheduled topics of meeting %s failed", meeting.id)
        scheduled = []
    return rules.presenter_names(
        (slot.presenter for slot in meeting.agenda), (item.presenter for item in scheduled)
    )


async def presenters_resources(
    services: Services, meeting: MeetingRef, now: datetime
) -> list[ResourceRef]:
    """What the presenters shared in the library, from a month before the meeting to now."""
    names = await presenters(services, meeting)
    if not names:
        return []
    try:
        found = await library.resources_shared_by(services, names=names)
    except Exception:
        logger.exception("notes: library lookup failed")
        return []
    since = meeting.starts_at - rules.RESOURCES_BEFORE
    kept = [r for r in found if _after(r.created_at, since)]
    return kept[: rules.RESOURCES_MAX]


def _after(iso: str, since: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.tzinfo is not None and moment >= since


@dataclass(frozen=True)
class Person:
    key: str
    name: str


async def people(services: Services, *also: tuple[str, str]) -> list[Person]:
    """Who may take a follow-up: the roster's current members, the animateurs, and ``also``
    (the caller, those already named), by name."""
    found: dict[str, str] = {}
    try:
        for entry in await onboarding.roster(services):
            if entry.departed_on is None and entry.member_key:
                found[entry.member_key] = entry.name or entry.member_key
    except Exception:
        logger.exception("notes: roster lookup failed")
    for animateur in services.profile.current.animateurs:
        if animateur.aad_object_id:
            found.setdefault(animateur.aad_object_id.casefold(), animateur.name)
    for key, name in also:
        if key:
            found.setdefault(key, name or key)
    return sorted((Person(k, n) for k, n in found.items()), key=lambda p: p.name.casefold())


async def meeting_people(
    services: Services, meeting: MeetingRef, *also: tuple[str, str]
) -> list[Person]:
    """The meeting's people (its committees' members and whoever answered it), the animateurs
    and ``also``, by name: who may take a follow-up when the roster is too long to list."""
    try:
        keys = await meetings.invited_member_keys(services, meeting.id)
    except Exception:
        logger.exception("notes: people of meeting %s failed", meeting.id)
        keys = []
    found = {key: await name_of(services, key) for key in keys}
    for animateur in services.profile.current.animateurs:
        if animateur.aad_object_id:
            found.setdefault(animateur.aad_object_id.casefold(), animateur.name)
    for key, name in also:
        if key:
            found.setdefault(key, name or key)
    return sorted(
        (Person(k, n or k) for k, n in found.items() if k), key=lambda p: p.name.casefold()
    )


async def name_of(services: Services, member_key: str) -> str:
    if not member_key:
        return ""
    try:
        entry = await onboarding.profile_of(services, member_key)
    except Exception:
        logger.exception("notes: profile lookup failed")
        entry = None
    if entry is not None and entry.name:
        return entry.name
    member = await services.members.get(member_key)
    if member is not None and member.name:
        return member.name
    for animateur in services.profile.current.animateurs:
        if animateur.aad_object_id and animateur.aad_object_id.casefold() == member_key:
            return animateur.name
    return ""


async def known_names(services: Services, caller_name: str = "") -> list[str]:
    """Names the de-identification guard looks for besides its own lists (never fails)."""
    return await onboarding.guard_names(services, caller_name)
