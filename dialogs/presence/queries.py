"""Presence as other features (and this one's handlers) read it.

:func:`meeting_attendance` gathers every source of one meeting (live events, check-ins, Graph
attendees, corrections), matches Graph attendees to members and reconciles them with
``rules.reconcile``. The vitality report uses :func:`attendance_in_range` and
:func:`certificates_in_range`.

Other features are read through their ``queries``: meetings, and onboarding (for names,
e-mails, disciplines, institutions).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dialogs.meetings import queries as meetings
from dialogs.meetings.queries import MeetingRef
from dialogs.onboarding import queries as onboarding
from dialogs.onboarding.queries import RosterEntry
from dialogs.presence import rules
from dialogs.turn import Services
from storage.presence_repository import (
    ImportState,
    PresenceRepository,
    TinyDbPresenceRepository,
)

logger = logging.getLogger(__name__)

_NEVER = datetime(9999, 1, 1, tzinfo=UTC)
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
CANCELLED = "cancelled"


def presence_repository(services: Services) -> PresenceRepository:
    return services.component(
        "presence", lambda s: TinyDbPresenceRepository(s.store.database("presence"))
    )


def credit_policy(services: Services) -> rules.CreditPolicy:
    """The ``[presence]`` section of the community profile, else the documented defaults."""
    return rules.CreditPolicy.from_mapping(services.profile.current.presence)


async def get_meeting(services: Services, meeting_id: str) -> MeetingRef | None:
    if not meeting_id:
        return None
    return await meetings.get(services, meeting_id)


async def meetings_between(services: Services, start: datetime, end: datetime) -> list[MeetingRef]:
    return [m for m in await meetings.in_range(services, start, end) if m.status != CANCELLED]


async def upcoming_meetings(services: Services, now: datetime) -> list[MeetingRef]:
    """Planned meetings not yet over at ``now`` (cancelled ones left out)."""
    return [m for m in await meetings.upcoming(services, now) if m.status != CANCELLED]


async def card_conversation_id(services: Services, meeting_id: str) -> str:
    """The conversation (the channel) where the meeting card was posted, without the thread
    suffix Teams adds to a channel reply; empty when unknown."""
    if not meeting_id:
        return ""
    stored = await meetings.meeting_repository(services).get(meeting_id)
    found = stored.card_conversation_id if stored else ""
    return found.split(";messageid=")[0]


# ---- who is who ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """What certificates and lists show of a member (empty strings when unknown)."""

    member_key: str
    name: str
    email: str = ""
    discipline: str = ""
    institution: str = ""
    locale: str = ""


async def roster_entries(services: Services) -> list[RosterEntry]:
    try:
        return list(await onboarding.roster(services))
    except Exception:  # another feature's failure must not stop presence
        logger.exception("presence: roster lookup failed")
        return []


async def person(services: Services, member_key: str) -> Person:
    entry = None
    try:
        entry = await onboarding.profile_of(services, member_key)
    except Exception:  # another feature's failure must not stop presence
        logger.exception("presence: profile lookup failed")
    member = await services.members.get(member_key)
    name = str(getattr(entry, "name", "") or (member.name if member else "") or "")
    return Person(
        member_key=member_key,
        name=name,
        email=str(getattr(entry, "email", "") or ""),
        discipline=str(getattr(entry, "discipline", "") or ""),
        institution=str(getattr(entry, "institution", "") or ""),
        locale=member.locale if member else "",
    )


async def known_people(
    services: Services, emails_seen: Iterable[tuple[str, str]] = ()
) -> list[rules.KnownPerson]:
    """Everyone an attendee can be matched to: the roster (onboarding), the animateurs of the
    profile, and the (member key, e-mail) pairs learnt from meeting events."""
    people: list[rules.KnownPerson] = []
    for entry in await roster_entries(services):
        key = str(getattr(entry, "member_key", "") or getattr(entry, "key", "") or "")
        if key:
            aad = key if _GUID.match(key) else ""
            people.append(rules.KnownPerson(key, aad, str(getattr(entry, "email", "") or "")))
    for animateur in services.profile.current.animateurs:
        if animateur.aad_object_id:
            key = animateur.aad_object_id.casefold()
            people.append(rules.KnownPerson(key, key, animateur.email))
    for key, email in emails_seen:
        people.append(rules.KnownPerson(key, key if _GUID.match(key) else "", email))
    return people


# ---- one meeting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedAttendee:
    key: str
    name: str
    email: str
    minutes: int


@dataclass(frozen=True)
class MeetingAttendance:
    meeting: MeetingRef  # dialogs.meetings.queries.MeetingRef
    lines: tuple[rules.MemberAttendance, ...]
    unmatched: tuple[UnmatchedAttendee, ...]
    training_minutes: int
    import_state: ImportState | None

    def line(self, member_key: str) -> rules.MemberAttendance | None:
        return next((line for line in self.lines if line.member_key == member_key), None)


def meeting_frame(
    services: Services, meeting: MeetingRef, ended_at: datetime | None = None
) -> rules.MeetingFrame:
    policy = credit_policy(services)
    slots = [rules.Slot(s.start, s.end, s.kind) for s in getattr(meeting, "agenda", ())]
    training = rules.training_portions(
        meeting.starts_at, meeting.ends_at, slots, services.timezone, policy.excluded_kinds
    )
    return rules.MeetingFrame(meeting.starts_at, meeting.ends_at, tuple(training))


async def meeting_attendance(services: Services, meeting: MeetingRef) -> MeetingAttendance:
    repository = presence_repository(services)
    policy = credit_policy(services)
    state = await repository.get_import(meeting.id)
    frame = meeting_frame(services, meeting)
    # Open intervals (a join without a leave) and in-room presence last until the meeting
    # ended in Teams, if it ended before its scheduled end.
    closes_at = meeting.ends_at
    if state is not None and meeting.starts_at < state.ended_at < meeting.ends_at:
        closes_at = state.ended_at
    live = await repository.live_events(meeting.id)
    emails_seen = [(e.member_key, e.email) for e in live if e.email]
    corrections = await repository.corrections(meeting.id)
    assigned: dict[str, str] = {}
    overrides: dict[str, rules.Override] = {}
    for correction in corrections:  # oldest first: the latest wins
        if correction.kind == "assign":
            assigned[correction.attendee_key] = correction.member_key
        elif correction.kind == "remove":
            overrides[correction.member_key] = rules.Override(None)
        elif correction.kind in ("add", "adjust"):
            overrides[correction.member_key] = rules.Override(correction.minutes, correction.mode)

    sightings: list[rules.Sighting] = []
    people = await known_people(services, emails_seen)
    # A Graph attendee matched to a member under another identity (a guest who joined from
    # their home tenant, matched by e-mail) carries that identity's live events along.
    aliases: dict[str, str] = {}
    unmatched: dict[str, list[rules.Interval]] = {}
    unmatched_who: dict[str, tuple[str, str]] = {}
    for attendee in await repository.graph_attendees(meeting.id):
        key = rules.attendee_key(attendee.identity_id, attendee.email, attendee.name)
        member = assigned.get(key) or rules.match_attendee(
            attendee.identity_id, attendee.email, people
        )
        intervals = [rules.Interval(a, b) for a, b in attendee.intervals]
        if member:
            sightings.extend(rules.Sighting(member, rules.SOURCE_GRAPH, i) for i in intervals)
            if attendee.identity_id and attendee.identity_id.casefold() != member:
                aliases[attendee.identity_id.casefold()] = member
        else:
            unmatched.setdefault(key, []).extend(intervals)
            unmatched_who[key] = (attendee.name, attendee.email)

    by_member: dict[str, list[tuple[str, datetime]]] = {}
    for event in live:
        owner = aliases.get(event.member_key, event.member_key)
        by_member.setdefault(owner, []).append((event.kind, event.at))
    for key, events in by_member.items():
        for interval in rules.live_intervals(events, closes_at):
            sightings.append(rules.Sighting(key, rules.SOURCE_TEAMS, interval))

    for checkin in await repository.checkins(meeting.id):
        interval = rules.checkin_interval(checkin.at, meeting.starts_at, closes_at, policy)
        sightings.append(rules.Sighting(checkin.member_key, rules.SOURCE_ROOM, interval))

    lines = rules.reconcile(frame, sightings, overrides, policy)
    loose = tuple(
        UnmatchedAttendee(
            key,
            unmatched_who[key][0],
            unmatched_who[key][1],
            rules.minutes_of(rules.clip(spans, meeting.starts_at, meeting.ends_at)),
        )
        for key, spans in sorted(unmatched.items(), key=lambda kv: unmatched_who[kv[0]][0])
    )
    return MeetingAttendance(
        meeting=meeting,
        lines=tuple(lines),
        unmatched=loose,
        training_minutes=frame.training_minutes,
        import_state=state,
    )


# ---- for the vitality report ---------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    meeting_id: str
    member_key: str
    mode: str  # "salle" | "en_ligne"
    minutes: int
    credited_hours: float


async def attendance_in_range(
    services: Services, start: datetime, end: datetime
) -> list[AttendanceSummary]:
    """One line per member present at a meeting starting in ``[start, end)``."""
    found: list[AttendanceSummary] = []
    for meeting in await meetings_between(services, start, end):
        attendance = await meeting_attendance(services, meeting)
        found.extend(
            AttendanceSummary(
                meeting.id, line.member_key, line.mode, line.minutes, line.credited_hours
            )
            for line in attendance.lines
            if line.present
        )
    return found


async def certificates_in_range(services: Services, start: datetime, end: datetime) -> int:
    """Meeting certificates of the meetings held in ``[start, end)`` (a re-issue counts once).
    A certificate belongs to its meeting's date, not the day it was issued: a meeting on 29 June
    certified on 2 July counts in the cycle that ends on 30 June."""
    tz = services.timezone
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    # Issued at or after the meeting, so never before ``start``; any time after.
    issued = await presence_repository(services).certificates_issued(start, _NEVER)
    return sum(1 for c in issued if first <= date.fromisoformat(c.held_on) < last)
