"""Teams events as plain values, whatever the casing of the payload (docs/PLATFORM.md §3.6).

The bot turns raw activities into these and calls the matching optional function of every
feature's ``routes`` module:

- ``async def on_members_added(turn, people: list[Person]) -> None`` (humans added to the team or
  chat the bot is in; the bot itself is never in the list);
- ``async def on_members_removed(turn, people: list[Person]) -> None``;
- ``async def on_bot_installed(turn, scope: str) -> bool`` (``personal``, ``team``,
  ``groupChat``): return True when the feature greeted, so the default greeting is skipped;
- ``async def on_meeting_event(turn, event: MeetingEvent) -> None``.

Features read each other through the lower feature's ``queries.py`` (the order is an
import-linter contract in pyproject.toml). When a lower feature needs a higher one, it does not
import it: it calls the hook every feature may offer in its ``routes`` module, found with
``dialogs.feature.feature_hooks(services, name)``:

- ``async def agenda_items(services, meeting_id) -> list`` (topics): what the bank scheduled for
  a meeting, shown on the meeting card (read by meetings);
- ``async def on_agenda_changed(services, meeting_id) -> None`` (meetings): raised by the topic
  bank when a meeting's agenda changed, so its card is redrawn;
- ``async def upcoming_meetings(services, now) -> list[MeetingRef]`` (meetings): read by
  onboarding for the welcome dossier;
- ``async def meeting_card_sections(services, meeting, t) -> list[cards.meetings.CardSection]``
  (any feature above meetings): sections shown under a meeting card's agenda, worded with the
  card's translator ``t`` (« Ce qu'on retient », the presenters' resources…); raise
  ``on_agenda_changed`` to redraw the card when what a section shows changes (the library's
  « Ressources de l'ordre du jour »);
- ``async def welcome_resources(services) -> list`` (library): the essential resources (anything
  with ``title`` and an https ``url``), linked from onboarding's welcome dossier as « Outils
  essentiels »;
- ``async def topic_resources(services, topic_id) -> list`` (library): resources attached to a
  topic of the bank (``title``, https ``url``), listed on the topic's card (read by topics);
- ``async def availability_dates(services, period: dialogs.cycles.Period) -> list[date]``
  (polls): the best dates of the latest « Disponibilités » poll about that cycle, best first
  ([] without one, or before anyone answered); read by meetings' ``planifier``, which tries
  them first;
- ``async def launch_availability(turn, dates: list[date]) -> None`` (polls): posts, where the
  turn is, the draft of a « Disponibilités » poll pre-filled with ``dates`` (the first nine);
  raised by the « Lancer un sondage Disponibilités » button of meetings' ``planifier`` card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class MeetingEventKind(StrEnum):
    start = "start"
    end = "end"
    # The member shadows str.join on instances (mypy flags the override); nothing here joins
    # with a kind, and the name is the one the features use.
    join = "join"  # type: ignore[assignment]
    leave = "leave"


EVENT_NAMES = {
    "application/vnd.microsoft.meetingstart": MeetingEventKind.start,
    "application/vnd.microsoft.meetingend": MeetingEventKind.end,
    "application/vnd.microsoft.meetingparticipantjoin": MeetingEventKind.join,
    "application/vnd.microsoft.meetingparticipantleave": MeetingEventKind.leave,
}


@dataclass(frozen=True)
class Person:
    teams_user_id: str
    aad_object_id: str = ""
    name: str = ""
    email: str = ""
    tenant_id: str = ""


@dataclass(frozen=True)
class Participant:
    person: Person
    role: str = ""
    in_meeting: bool | None = None


@dataclass(frozen=True)
class MeetingEvent:
    kind: MeetingEventKind
    at: datetime  # when the event happened (activity timestamp), aware
    conversation_id: str  # the meeting chat
    meeting_id: str = ""  # Teams meeting id (channelData.meeting.id or value.Id)
    join_url: str = ""
    title: str = ""
    meeting_type: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    participants: tuple[Participant, ...] = ()


def ci_get(data: Any, *names: str) -> Any:
    """The first of ``names`` present in a mapping, ignoring key case."""
    if not isinstance(data, Mapping):
        return None
    folded = {str(k).casefold(): v for k, v in data.items()}
    for name in names:
        if name.casefold() in folded:
            return folded[name.casefold()]
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def person_from(data: Any) -> Person | None:
    user_id = _text(ci_get(data, "id"))
    if not user_id:
        return None
    return Person(
        teams_user_id=user_id,
        aad_object_id=_text(ci_get(data, "aadObjectId", "aad_object_id")),
        name=_text(ci_get(data, "name")),
        email=_text(ci_get(data, "email", "userPrincipalName", "user_principal_name")),
        tenant_id=_text(ci_get(data, "tenantId", "tenant_id")),
    )


def meeting_event_from(
    name: str,
    value: Any,
    channel_data: Any,
    conversation_id: str,
    at: datetime,
) -> MeetingEvent | None:
    """Parse a meeting event activity; None when it is not one or is unusable."""
    kind = EVENT_NAMES.get((name or "").casefold())
    if kind is None:
        return None
    meeting = ci_get(channel_data, "meeting")
    meeting_id = _text(ci_get(value, "id", "meetingId")) or _text(ci_get(meeting, "id"))
    participants: list[Participant] = []
    members = ci_get(value, "members")
    for member in members if isinstance(members, list) else []:
        person = person_from(ci_get(member, "user"))
        if person is None:
            continue
        details = ci_get(member, "meeting")
        in_meeting = ci_get(details, "inMeeting")
        participants.append(
            Participant(
                person,
                role=_text(ci_get(details, "role")),
                in_meeting=in_meeting if isinstance(in_meeting, bool) else None,
            )
        )
    return MeetingEvent(
        kind=kind,
        at=at,
        conversation_id=conversation_id,
        meeting_id=meeting_id,
        join_url=_text(ci_get(value, "joinUrl")),
        title=_text(ci_get(value, "title")),
        meeting_type=_text(ci_get(value, "meetingType")),
        start_time=_time(ci_get(value, "startTime", "scheduledStartTime")),
        end_time=_time(ci_get(value, "endTime", "scheduledEndTime")),
        participants=tuple(participants),
    )
