"""The .ics invite of a meeting (RFC 5545, METHOD:PUBLISH, times in UTC), served through the
bot's expiring download links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

from cards.dates import short_time
from cards.i18n import Translator
from cards.meetings import AgendaLine, agenda_text, mode_label
from dialogs.meetings import rules
from storage.meeting_repository import Meeting

ICS_CONTENT_TYPE = "text/calendar"
PRODID = "-//Veilleuse//Rencontres CdeP//FR"


def invite_filename(t: Translator, local_day: str) -> str:
    return t("meetings.invite.filename", date=local_day) + ".ics"


def calendar_filename(t: Translator, label: str) -> str:
    return t("meetings.calendar.filename", year=label) + ".ics"


@dataclass(frozen=True)
class IcsEvent:
    """A meeting with what its event needs besides the stored record."""

    meeting: Meeting
    address: str
    agenda_lines: Sequence[str]


def _calendar(name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def build_ics(
    meeting: Meeting,
    t: Translator,
    *,
    now: datetime,
    address: str,
    agenda_lines: Sequence[str],
    uid_domain: str = "veilleuse.cdep",
) -> bytes:
    """The calendar file: one event with the place (and address), the Teams link as URL and in
    the description, the objectives and the timed agenda."""
    calendar = _calendar()
    calendar.add_component(_event(meeting, t, now, address, agenda_lines, uid_domain))
    return calendar.to_ical()


def build_cycle_ics(
    events: Sequence[IcsEvent],
    t: Translator,
    *,
    now: datetime,
    name: str,
    uid_domain: str = "veilleuse.cdep",
) -> bytes:
    """One file with every meeting of a cycle (the same events, same UIDs, as each meeting's
    own invite: importing both updates rather than duplicates; a cancelled one is CANCELLED)."""
    calendar = _calendar(name)
    for item in events:
        calendar.add_component(
            _event(item.meeting, t, now, item.address, item.agenda_lines, uid_domain)
        )
    return calendar.to_ical()


def _event(
    meeting: Meeting,
    t: Translator,
    now: datetime,
    address: str,
    agenda_lines: Sequence[str],
    uid_domain: str,
) -> Event:
    event = Event()
    event.add("uid", f"{meeting.id}@{uid_domain}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.title)
    event.add("sequence", meeting.revision)
    cancelled = meeting.status == rules.STATUS_CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    location = meeting.place
    if location and address:
        location = t("meetings.card.place_address", place=meeting.place, address=address)
    if not location and meeting.join_url:
        location = t("meetings.invite.teams_location")
    if location:
        event.add("location", location)
    if meeting.join_url:
        event.add("url", meeting.join_url)
    description = [t("meetings.invite.mode", mode=mode_label(meeting.mode, t))]
    if meeting.join_url:
        description.append(t("meetings.invite.join", url=meeting.join_url))
    if meeting.general_objective:
        description += ["", t("meetings.card.general_objective"), meeting.general_objective]
    if meeting.specific_objectives:
        description += ["", t("meetings.card.specific_objectives")]
        description += [f"- {o}" for o in meeting.specific_objectives]
    if agenda_lines:
        description += ["", t("meetings.card.agenda"), *agenda_lines]
    event.add("description", "\n".join(description))
    return event


def agenda_lines_for_ics(lines: Sequence[AgendaLine], t: Translator) -> list[str]:
    """``9 h 00 – 10 h 00  Tour de table`` for each agenda line (cards.meetings.AgendaLine)."""
    return [
        t(
            "meetings.invite.agenda_line",
            start=short_time(line.start, t),
            end=short_time(line.end, t),
            text=agenda_text(line, t),
        )
        for line in lines
    ]
