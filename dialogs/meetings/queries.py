"""What other features may ask about meetings (topics, presence, vitality…).

Everything here returns frozen values (:class:`MeetingRef`, :class:`AgendaSlot`) and changes
nothing, but :func:`remember_online_meeting`, which keeps the Graph ids another feature found.
(A changed agenda reaches the channel card through the ``on_agenda_changed`` hook, views.py.)
The meeting chat is linked to its meeting by the meeting-start
event (handlers.py), so :func:`find_by_chat` works from then on.

Status: ``planned`` and ``cancelled`` are stored; a planned meeting whose end has passed is
reported as ``done``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from dialogs.meetings import rules
from dialogs.onboarding import queries as onboarding
from dialogs.turn import Services
from storage.meeting_repository import Meeting, MeetingRepository, TinyDbMeetingRepository

logger = logging.getLogger(__name__)

# A test (or another feature) may put ``async def roster(services, committee_ids) -> list`` of
# member-like objects (with ``key``) under this component name instead of the onboarding one.
ROSTER_COMPONENT = "meetings.roster"


@dataclass(frozen=True)
class AgendaSlot:
    start: time
    end: time
    kind: str  # accueil|tour_de_table|affaires_diverses|supervision|repas|atelier_conference|autre
    title: str
    presenter: str


@dataclass(frozen=True)
class MeetingRef:
    id: str
    title: str
    committee_ids: tuple[str, ...]
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    status: str  # "planned" | "cancelled" | "done"
    mode: str  # "presentiel" | "virtuel" | "hybride"
    place: str
    join_url: str
    general_objective: str
    specific_objectives: tuple[str, ...]
    agenda: tuple[AgendaSlot, ...]
    chat_conversation_id: str  # the meeting chat, once known
    organizer_aad_id: str
    online_meeting_id: str  # Graph onlineMeeting id when known


def meeting_repository(services: Services) -> MeetingRepository:
    return services.component(
        "meetings", lambda s: TinyDbMeetingRepository(s.store.database("meetings"))
    )


def to_ref(meeting: Meeting, now: datetime) -> MeetingRef:
    return MeetingRef(
        id=meeting.id,
        title=meeting.title,
        committee_ids=meeting.committee_ids,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=rules.effective_status(meeting.status, meeting.ends_at, now),
        mode=meeting.mode,
        place=meeting.place,
        join_url=meeting.join_url,
        general_objective=meeting.general_objective,
        specific_objectives=meeting.specific_objectives,
        agenda=tuple(
            AgendaSlot(
                start=rules.parse_hhmm(e.start) or time(0, 0),
                end=rules.parse_hhmm(e.end) or time(0, 0),
                kind=e.kind,
                title=e.title,
                presenter=e.presenter,
            )
            for e in meeting.agenda
        ),
        chat_conversation_id=meeting.chat_conversation_id,
        organizer_aad_id=meeting.organizer_aad_id,
        online_meeting_id=meeting.online_meeting_id,
    )


async def upcoming(services: Services, now: datetime) -> list[MeetingRef]:
    """Planned meetings not yet over at ``now``, soonest first (cancelled ones left out)."""
    found = await meeting_repository(services).all()
    return [to_ref(m, now) for m in found if m.status == rules.STATUS_PLANNED and m.ends_at > now]


async def get(services: Services, meeting_id: str) -> MeetingRef | None:
    found = await meeting_repository(services).get(meeting_id)
    return to_ref(found, services.clock()) if found else None


async def in_range(services: Services, start: datetime, end: datetime) -> list[MeetingRef]:
    """Meetings starting in ``[start, end)``, any status (``status`` tells the cancelled ones),
    by start time."""
    found = await meeting_repository(services).starting_between(start, end)
    now = services.clock()
    return [to_ref(m, now) for m in found]


async def find_by_join_url(
    services: Services, join_url: str, at: datetime | None = None
) -> MeetingRef | None:
    """The meeting with this Teams link, whatever its URL encoding or trailing parameters.
    Several meetings may share a (recurring) link: with ``at``, the planned one whose window
    is near that moment (None when two are plausible); without, only a link no other meeting
    uses."""
    if at is not None:
        match = rules.match_by_link(await meeting_repository(services).all(), join_url, at)
        found = match.meeting
    else:
        found = await _meeting_by_join_url(services, join_url)
    return to_ref(found, services.clock()) if found else None


async def find_by_chat(services: Services, conversation_id: str) -> MeetingRef | None:
    found = await meeting_repository(services).find_by_chat(conversation_id)
    return to_ref(found, services.clock()) if found else None


async def rsvps(services: Services, meeting_id: str) -> dict[str, str]:
    """member_key -> "salle" | "en_ligne" | "absent"."""
    answers = await meeting_repository(services).rsvps(meeting_id)
    return {a.member_key: a.choice for a in answers}


async def invited_member_keys(services: Services, meeting_id: str) -> list[str]:
    """Members of the meeting's committees (from the onboarding profiles when that feature is
    installed), plus everyone who answered. Sorted."""
    meeting = await meeting_repository(services).get(meeting_id)
    if meeting is None:
        return []
    keys = {a.member_key for a in await meeting_repository(services).rsvps(meeting_id)}
    keys |= {_key_of(m) for m in await committee_members(services, meeting.committee_ids)}
    keys.discard("")
    return sorted(keys)


async def remember_online_meeting(
    services: Services, meeting_id: str, online_meeting_id: str, organizer_aad_id: str = ""
) -> MeetingRef | None:
    """Keep the Graph onlineMeeting id (and its organizer) once another feature found them
    (e.g. presence, from the join link), so later lookups need no Graph call."""
    repository = meeting_repository(services)
    meeting = await repository.get(meeting_id)
    if meeting is None:
        return None
    changed = replace(
        meeting,
        online_meeting_id=online_meeting_id or meeting.online_meeting_id,
        organizer_aad_id=organizer_aad_id or meeting.organizer_aad_id,
    )
    if changed != meeting:
        await repository.save(changed)
    return to_ref(changed, services.clock())


async def committee_members(services: Services, committee_ids: Sequence[str]) -> list[Any]:
    """Member records (anything with ``key``) of these committees, from the onboarding
    profiles (a test may put another roster under ``ROSTER_COMPONENT``)."""
    roster = services.components.get(ROSTER_COMPONENT) or onboarding.members_of_committees
    try:
        return list(await roster(services, list(committee_ids)))
    except Exception:  # another feature's failure must not stop reminders or cards
        logger.exception("committee roster lookup failed")
        return []


async def committees_of_member(services: Services, member_key: str) -> set[str]:
    """The committees in the member's onboarding profile (empty when unknown)."""
    try:
        found = await onboarding.profile_of(services, member_key)
    except Exception:  # another feature's failure must not stop the meeting list
        logger.exception("member profile lookup failed")
        return set()
    return set(found.committee_ids) if found is not None else set()


def _key_of(member: Any) -> str:
    key = getattr(member, "key", None) or getattr(member, "member_key", None) or ""
    return str(key)


async def _meeting_by_join_url(services: Services, join_url: str) -> Meeting | None:
    wanted = rules.join_url_key(join_url)
    if not wanted:
        return None
    same = [
        m
        for m in await meeting_repository(services).all()
        if m.join_url and rules.join_url_key(m.join_url) == wanted
    ]
    return same[0] if len(same) == 1 else None
