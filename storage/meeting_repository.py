"""Meetings (rencontres) and the members' answers to them (RSVPs).

One data set, ``meetings``, with two tables: ``meetings`` (one row per meeting, agenda included)
and ``rsvps`` (one row per meeting and member). Times are stored as UTC ISO strings and come
back as aware datetimes; agenda times are local wall-clock ``HH:MM`` of the meeting's day.

An RSVP row holds only the member key, the choice and when it was given: names are read from
the member records when a card is drawn, so erasing a member erases their answers here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from tinydb import Query, TinyDB

from storage.store import Database
from storage.times import parse_utc, utc_iso

_MEETINGS = "meetings"
_RSVPS = "rsvps"
_CALENDARS = "calendars"


_iso = utc_iso
_parse = parse_utc


@dataclass(frozen=True)
class AgendaEntry:
    """One line of the timed agenda. ``start``/``end`` are ``HH:MM`` on the meeting's day.
    ``source``/``source_id`` name the topic or case of the bank it came from, if any."""

    start: str
    end: str
    kind: str
    title: str
    presenter: str = ""
    source: str = ""
    source_id: str = ""


@dataclass(frozen=True)
class Meeting:
    id: str
    title: str
    committee_ids: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    mode: str  # presentiel | virtuel | hybride
    place: str = ""
    join_url: str = ""
    general_objective: str = ""
    specific_objectives: tuple[str, ...] = ()
    agenda: tuple[AgendaEntry, ...] = ()
    status: str = "planned"  # planned | cancelled (done is derived from the clock)
    # Days before the meeting: reminder to those without an answer, to those coming (0 = off).
    remind_unanswered_days: int = 7
    remind_coming_days: int = 1
    # Where the meeting card was posted (channel), to update it in place.
    card_conversation_id: str = ""
    card_activity_id: str = ""
    # The Teams meeting chat and ids, learnt from the meeting-start event or the Graph.
    chat_conversation_id: str = ""
    teams_meeting_id: str = ""
    organizer_aad_id: str = ""
    online_meeting_id: str = ""
    created_by: str = ""  # member key
    revision: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Start/end events already handled (so a redelivered event posts nothing twice).
    started_posted: bool = False
    survey_offered: bool = False
    # Reminders already sent for the current date ("unanswered-7d", "coming-1d").
    reminders_sent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rsvp:
    meeting_id: str
    member_key: str
    choice: str  # salle | en_ligne | absent
    at: datetime


def meeting_to_row(meeting: Meeting) -> dict[str, Any]:
    row = asdict(meeting)
    row["committee_ids"] = list(meeting.committee_ids)
    row["specific_objectives"] = list(meeting.specific_objectives)
    row["reminders_sent"] = list(meeting.reminders_sent)
    row["agenda"] = [asdict(entry) for entry in meeting.agenda]
    for name in ("starts_at", "ends_at", "created_at", "updated_at"):
        value = getattr(meeting, name)
        row[name] = _iso(value) if value is not None else ""
    return row


def meeting_from_row(row: Any) -> Meeting:
    data = dict(row)
    data["committee_ids"] = tuple(data.get("committee_ids", ()))
    data["specific_objectives"] = tuple(data.get("specific_objectives", ()))
    data["reminders_sent"] = tuple(data.get("reminders_sent", ()))
    data["agenda"] = tuple(AgendaEntry(**entry) for entry in data.get("agenda", ()))
    for name in ("starts_at", "ends_at"):
        data[name] = _parse(data[name])
    for name in ("created_at", "updated_at"):
        data[name] = _parse(data[name]) if data.get(name) else None
    known = Meeting.__dataclass_fields__
    return Meeting(**{k: v for k, v in data.items() if k in known})


def _rsvp_row(rsvp: Rsvp) -> dict[str, Any]:
    return {
        "meeting_id": rsvp.meeting_id,
        "member_key": rsvp.member_key,
        "choice": rsvp.choice,
        "at": _iso(rsvp.at),
    }


def _rsvp(row: Any) -> Rsvp:
    return Rsvp(row["meeting_id"], row["member_key"], row["choice"], _parse(row["at"]))


@dataclass(frozen=True)
class CycleCalendar:
    """The calendar card of a cycle posted in the channel (one per cycle), to redraw it when
    one of the cycle's meetings changes. ``label`` is the cycle's (« 2027-2028 »)."""

    label: str
    conversation_id: str
    activity_id: str


class MeetingRepository(Protocol):
    async def save(self, meeting: Meeting) -> None:
        """Insert or replace the meeting with this id."""
        ...

    async def get(self, meeting_id: str) -> Meeting | None: ...

    async def all(self) -> list[Meeting]:
        """Every meeting, by start time."""
        ...

    async def starting_between(self, start: datetime, end: datetime) -> list[Meeting]:
        """Meetings with ``start <= starts_at < end``, by start time, any status."""
        ...

    async def find_by_chat(self, conversation_id: str) -> Meeting | None: ...

    async def set_rsvp(self, rsvp: Rsvp) -> str | None:
        """Record the answer; returns the previous choice (None when it is the first)."""
        ...

    async def rsvps(self, meeting_id: str) -> list[Rsvp]: ...

    async def rsvps_of(self, member_key: str) -> list[Rsvp]: ...

    async def remove_rsvps(self, meeting_id: str, choices: Iterable[str]) -> list[str]:
        """Remove the answers with one of ``choices``; returns the member keys affected."""
        ...

    async def forget_member(self, member_key: str) -> int:
        """Remove every answer of the member; returns how many."""
        ...

    async def calendar(self, label: str) -> CycleCalendar | None: ...

    async def save_calendar(self, calendar: CycleCalendar) -> None: ...


class TinyDbMeetingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def save(self, meeting: Meeting) -> None:
        row = meeting_to_row(meeting)
        await self._db.run(lambda db: db.table(_MEETINGS).upsert(row, Query().id == meeting.id))

    async def get(self, meeting_id: str) -> Meeting | None:
        row = await self._db.run(lambda db: db.table(_MEETINGS).get(Query().id == meeting_id))
        return meeting_from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[Meeting]:
        meetings = await self._db.parsed_all(_MEETINGS, meeting_from_row)
        return sorted(meetings, key=lambda m: (m.starts_at, m.id))

    async def starting_between(self, start: datetime, end: datetime) -> list[Meeting]:
        low, high = _iso(start), _iso(end)
        rows = await self._db.run(
            lambda db: db.table(_MEETINGS).search(
                (Query().starts_at >= low) & (Query().starts_at < high)
            )
        )
        return sorted((meeting_from_row(r) for r in rows), key=lambda m: (m.starts_at, m.id))

    async def find_by_chat(self, conversation_id: str) -> Meeting | None:
        if not conversation_id:
            return None
        row = await self._db.run(
            lambda db: db.table(_MEETINGS).get(Query().chat_conversation_id == conversation_id)
        )
        return meeting_from_row(row) if isinstance(row, dict) else None

    async def set_rsvp(self, rsvp: Rsvp) -> str | None:
        row = _rsvp_row(rsvp)
        key = (Query().meeting_id == rsvp.meeting_id) & (Query().member_key == rsvp.member_key)

        def write(db: TinyDB) -> str | None:
            table = db.table(_RSVPS)
            found = table.get(key)
            previous = found["choice"] if isinstance(found, dict) else None
            if previous != rsvp.choice:
                table.upsert(row, key)
            return previous

        return await self._db.run(write)

    async def rsvps(self, meeting_id: str) -> list[Rsvp]:
        rows = await self._db.run(
            lambda db: db.table(_RSVPS).search(Query().meeting_id == meeting_id)
        )
        return sorted((_rsvp(r) for r in rows), key=lambda r: (r.at, r.member_key))

    async def rsvps_of(self, member_key: str) -> list[Rsvp]:
        rows = await self._db.run(
            lambda db: db.table(_RSVPS).search(Query().member_key == member_key)
        )
        return sorted((_rsvp(r) for r in rows), key=lambda r: (r.at, r.meeting_id))

    async def remove_rsvps(self, meeting_id: str, choices: Iterable[str]) -> list[str]:
        wanted = list(choices)
        condition = (Query().meeting_id == meeting_id) & (Query().choice.one_of(wanted))

        def remove(db: TinyDB) -> list[str]:
            table = db.table(_RSVPS)
            keys = sorted(row["member_key"] for row in table.search(condition))
            if keys:
                table.remove(condition)
            return keys

        return await self._db.run(remove)

    async def forget_member(self, member_key: str) -> int:
        removed = await self._db.run(
            lambda db: db.table(_RSVPS).remove(Query().member_key == member_key)
        )
        await self._db.erase_history()
        return len(removed)

    async def calendar(self, label: str) -> CycleCalendar | None:
        row = await self._db.run(lambda db: db.table(_CALENDARS).get(Query().label == label))
        return CycleCalendar(**dict(row)) if isinstance(row, dict) else None

    async def save_calendar(self, calendar: CycleCalendar) -> None:
        row = asdict(calendar)
        await self._db.run(
            lambda db: db.table(_CALENDARS).upsert(row, Query().label == calendar.label)
        )


class FakeMeetingRepository:
    def __init__(self) -> None:
        self.meetings: dict[str, Meeting] = {}
        self.answers: dict[tuple[str, str], Rsvp] = {}
        self.calendars: dict[str, CycleCalendar] = {}

    async def calendar(self, label: str) -> CycleCalendar | None:
        return self.calendars.get(label)

    async def save_calendar(self, calendar: CycleCalendar) -> None:
        self.calendars[calendar.label] = calendar

    async def save(self, meeting: Meeting) -> None:
        # Round-trip through the row shape so the fake stores what the TinyDB one would.
        self.meetings[meeting.id] = meeting_from_row(meeting_to_row(meeting))

    async def get(self, meeting_id: str) -> Meeting | None:
        return self.meetings.get(meeting_id)

    async def all(self) -> list[Meeting]:
        return sorted(self.meetings.values(), key=lambda m: (m.starts_at, m.id))

    async def starting_between(self, start: datetime, end: datetime) -> list[Meeting]:
        return [m for m in await self.all() if start <= m.starts_at < end]

    async def find_by_chat(self, conversation_id: str) -> Meeting | None:
        if not conversation_id:
            return None
        return next(
            (m for m in self.meetings.values() if m.chat_conversation_id == conversation_id), None
        )

    async def set_rsvp(self, rsvp: Rsvp) -> str | None:
        key = (rsvp.meeting_id, rsvp.member_key)
        found = self.answers.get(key)
        previous = found.choice if found else None
        if previous != rsvp.choice:
            self.answers[key] = replace(rsvp, at=_parse(_iso(rsvp.at)))
        return previous

    async def rsvps(self, meeting_id: str) -> list[Rsvp]:
        found = [r for r in self.answers.values() if r.meeting_id == meeting_id]
        return sorted(found, key=lambda r: (r.at, r.member_key))

    async def rsvps_of(self, member_key: str) -> list[Rsvp]:
        found = [r for r in self.answers.values() if r.member_key == member_key]
        return sorted(found, key=lambda r: (r.at, r.meeting_id))

    async def remove_rsvps(self, meeting_id: str, choices: Iterable[str]) -> list[str]:
        wanted = set(choices)
        doomed = [
            k for k, r in self.answers.items() if r.meeting_id == meeting_id and r.choice in wanted
        ]
        for key in doomed:
            del self.answers[key]
        return sorted(key[1] for key in doomed)

    async def forget_member(self, member_key: str) -> int:
        doomed = [k for k in self.answers if k[1] == member_key]
        for key in doomed:
            del self.answers[key]
        return len(doomed)
