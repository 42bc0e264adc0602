"""What other features may ask the notes (the vitality report's effectiveness figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dialogs.meetings.queries import MeetingRef
from dialogs.notes import meetings, rules
from dialogs.notes.repositories import notes_repository
from dialogs.turn import Services


@dataclass(frozen=True)
class Takeaway:
    """One anonymous takeaway: the meeting it is about, never who wrote it."""

    meeting_id: str
    held_on: date  # the meeting's local day
    text: str


@dataclass(frozen=True)
class TakeawaysStats:
    meetings: int  # past meetings starting in the range (cancelled ones left out)
    meetings_with_notes: int
    meetings_with_takeaways: int
    takeaways: int
    follow_ups: int
    follow_ups_done: int


async def _past_in(services: Services, start: datetime, end: datetime) -> list[MeetingRef]:
    return rules.past(await meetings.in_range(services, start, end), services.clock())


async def takeaways(services: Services, start: datetime, end: datetime) -> list[Takeaway]:
    """The takeaways of the past meetings starting in ``[start, end)``, by meeting date."""
    texts = await notes_repository(services).all_takeaways()
    found: list[Takeaway] = []
    for meeting in reversed(await _past_in(services, start, end)):
        day = meeting.starts_at.astimezone(services.timezone).date()
        found.extend(Takeaway(meeting.id, day, text) for text in texts.get(meeting.id, []))
    return found


async def takeaways_stats(services: Services, start: datetime, end: datetime) -> TakeawaysStats:
    """Counts for the meetings starting in ``[start, end)``: notes written, takeaways
    collected, follow-ups named and done."""
    listed = await _past_in(services, start, end)
    ids = {m.id for m in listed}
    repository = notes_repository(services)
    notes = [n for n in await repository.all() if n.id in ids]
    texts = {k: v for k, v in (await repository.all_takeaways()).items() if k in ids and v}
    follow_ups = [f for n in notes for f in n.follow_ups]
    return TakeawaysStats(
        meetings=len(listed),
        meetings_with_notes=len(notes),
        meetings_with_takeaways=len(texts),
        takeaways=sum(len(v) for v in texts.values()),
        follow_ups=len(follow_ups),
        follow_ups_done=sum(1 for f in follow_ups if f.done),
    )
