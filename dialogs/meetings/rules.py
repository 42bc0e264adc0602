"""The meetings' rules as plain functions: no I/O, no clock, no wording.

They take values (``now`` included) and return values or codes; the cards turn codes into
sentences (``meetings.error.<code>``, ``meetings.kind.<kind>``…).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from storage.meeting_repository import AgendaEntry, Meeting
from storage.meeting_vocabulary import AGENDA_KINDS, MODES, MeetingMode

# ---- vocabulary --------------------------------------------------------------------------

MODE_IN_PERSON = MeetingMode.IN_PERSON
MODE_VIRTUAL = MeetingMode.VIRTUAL
MODE_HYBRID = MeetingMode.HYBRID

KINDS = AGENDA_KINDS

IN_ROOM = "salle"
ONLINE = "en_ligne"
ABSENT = "absent"
CHOICES = (IN_ROOM, ONLINE, ABSENT)
COMING = (IN_ROOM, ONLINE)

STATUS_PLANNED = "planned"
STATUS_CANCELLED = "cancelled"
STATUS_DONE = "done"

# The topic bank's volets and where they go in the day (issue #6, guide 7.3.2).
VOLET_SLOT = {
    "formatif": "atelier_conference",
    "reflexif": "supervision",
    "echange": "tour_de_table",
    "divers": "affaires_diverses",
}
# Slots that one talk or one case fills; the others get the scheduled item as an extra line.
_FILLABLE = ("atelier_conference", "supervision")

DEFAULT_START = time(9, 0)
DEFAULT_END = time(16, 0)
DEFAULT_REMIND_UNANSWERED = 7
DEFAULT_REMIND_COMING = 1
MAX_REMINDER_DAYS = 30
MAX_AGENDA_ITEMS = 30
MAX_OBJECTIVES = 10
# Agenda lines may start this long before the meeting (the 8 h 30 welcome of a 9 h day).
AGENDA_LEAD = timedelta(hours=1)
REFRESH_USER_CAP = 60  # Teams: at most 60 userIds in a card's refresh

LIMITS = {
    "title": 120,
    "place": 200,
    "general_objective": 600,
    "objective": 300,
    "agenda_title": 200,
    "presenter": 120,
}

# Annexe C of the MSSS guide (Montérégie, 7 mai 2024): 8 h 30 accueil; 9 h tour de table,
# affaires diverses, supervision de situations cliniques complexes; 12 h repas; 13 h 15
# atelier-conférence; 16 h fin.
ANNEXE_C = (
    (time(8, 30), time(9, 0), "accueil"),
    (time(9, 0), time(9, 45), "tour_de_table"),
    (time(9, 45), time(10, 15), "affaires_diverses"),
    (time(10, 15), time(12, 0), "supervision"),
    (time(12, 0), time(13, 15), "repas"),
    (time(13, 15), time(16, 0), "atelier_conference"),
)


def allowed_choices(mode: str) -> tuple[str, ...]:
    """The RSVP answers a meeting of this mode offers."""
    if mode == MODE_IN_PERSON:
        return (IN_ROOM, ABSENT)
    if mode == MODE_VIRTUAL:
        return (ONLINE, ABSENT)
    return CHOICES


def invalidated_choices(old_mode: str, new_mode: str) -> tuple[str, ...]:
    """Answers that no longer make sense after a change of mode (to be asked again)."""
    still = allowed_choices(new_mode)
    return tuple(c for c in allowed_choices(old_mode) if c not in still)


def effective_status(status: str, ends_at: datetime, now: datetime) -> str:
    if status == STATUS_PLANNED and ends_at <= now:
        return STATUS_DONE
    return status


def is_open_for_answers(meeting: Meeting, now: datetime) -> bool:
    return meeting.status == STATUS_PLANNED and now < meeting.ends_at


def counts(choices: Iterable[str]) -> dict[str, int]:
    found = Counter(choices)
    return {choice: found.get(choice, 0) for choice in CHOICES}


def coming(answers: Mapping[str, str]) -> list[str]:
    """Member keys of those who said they will come (in the room or online)."""
    return sorted(key for key, choice in answers.items() if choice in COMING)


def unanswered(invited: Iterable[str], answers: Mapping[str, str]) -> list[str]:
    return sorted(set(invited) - set(answers))


# ---- times and links ---------------------------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*$")


def parse_hhmm(text: Any) -> time | None:
    """``09:00``, ``9:00``, ``9 h 00``, ``13h15``, ``9h`` → time; anything else → None."""
    if not isinstance(text, str):
        return None
    match = _HHMM.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def hhmm(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def parse_day(text: Any) -> date | None:
    """``YYYY-MM-DD`` (what Input.Date sends) → date; anything else → None."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def at_local(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


_TEAMS_HOSTS = (
    "teams.microsoft.com",
    "teams.live.com",
    "gov.teams.microsoft.us",
    "dod.teams.microsoft.us",
    "teams.microsoft.us",
)
_TEAMS_PATHS = ("/l/meetup-join/", "/meet/")


def is_teams_join_url(url: str) -> bool:
    """An https link to a Teams meeting (``/l/meetup-join/…`` or ``/meet/<id>``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").casefold()
    return (
        parts.scheme == "https"
        and host in _TEAMS_HOSTS
        and any(parts.path.startswith(p) and len(parts.path) > len(p) for p in _TEAMS_PATHS)
        and not re.search(r"\s", url.strip())
    )


def join_url_key(url: str) -> str:
    """What identifies a Teams meeting in its join link, whatever the encoding: the meeting
    thread (``19:meeting_…@thread.v2``) or the ``/meet/<id>`` number; "" when not a link."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    path = unquote(unquote(parts.path))
    thread = re.search(r"(19:meeting_[^/]+)", path)
    if thread:
        return thread.group(1).casefold()
    if not parts.hostname:
        return ""
    return f"{parts.hostname.casefold()}{path.rstrip('/').casefold()}"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


# How far from its scheduled window a meeting-start event may be and still be that meeting.
LINK_TOLERANCE = timedelta(hours=24)


def window_distance(meeting: Meeting, at: datetime) -> timedelta:
    """How far ``at`` is from the meeting's scheduled window (zero inside it)."""
    if at < meeting.starts_at:
        return meeting.starts_at - at
    if at > meeting.ends_at:
        return at - meeting.ends_at
    return timedelta(0)


@dataclass(frozen=True)
class EventMatch:
    """The planned meeting an event is about, or the meetings it could be about when the
    link alone cannot tell (a recurring Teams link reused by several meetings)."""

    meeting: Meeting | None = None
    ambiguous: tuple[Meeting, ...] = ()


def match_by_link(meetings: Sequence[Meeting], join_url: str, at: datetime) -> EventMatch:
    """Planned meetings with this Teams link whose window is within ``LINK_TOLERANCE`` of
    ``at``: the one running at ``at`` or the only one near it; several near it and none
    running is ambiguous (nothing is guessed)."""
    wanted = join_url_key(join_url)
    if not wanted:
        return EventMatch()
    near = sorted(
        (
            m
            for m in meetings
            if m.status == STATUS_PLANNED
            and m.join_url
            and join_url_key(m.join_url) == wanted
            and window_distance(m, at) <= LINK_TOLERANCE
        ),
        key=lambda m: (window_distance(m, at), m.starts_at),
    )
    if len(near) == 1:
        return EventMatch(near[0])
    running = [m for m in near if window_distance(m, at) == timedelta(0)]
    if len(running) == 1:
        return EventMatch(running[0])
    return EventMatch(ambiguous=tuple(near))


def match_event_meeting(
    meetings: Sequence[Meeting], join_url: str, title: str, at: datetime, tz: tzinfo
) -> EventMatch:
    """The planned meeting a meeting-start event is about: same join link and a scheduled
    window near the event (see :func:`match_by_link`), else same title on the same day
    (local time)."""
    by_link = match_by_link(meetings, join_url, at)
    if by_link.meeting is not None or by_link.ambiguous:
        return by_link
    if title:
        day = at.astimezone(tz).date()
        for meeting in meetings:
            if meeting.status != STATUS_PLANNED:
                continue
            same_day = meeting.starts_at.astimezone(tz).date() == day
            if same_day and fold(meeting.title) == fold(title):
                return EventMatch(meeting)
    return EventMatch()


# ---- the agenda --------------------------------------------------------------------------


def annexe_c_agenda() -> tuple[AgendaEntry, ...]:
    """The template day of Annexe C; titles left empty (the card names the kind)."""
    return tuple(AgendaEntry(hhmm(s), hhmm(e), kind, "") for s, e, kind in ANNEXE_C)


def sort_agenda(entries: Iterable[AgendaEntry]) -> tuple[AgendaEntry, ...]:
    """By start time; lines starting together keep their order."""
    return tuple(sorted(entries, key=lambda e: e.start))


class ScheduledLike(Protocol):
    """What the topic bank gives (``dialogs.topics.queries.ScheduledItem``)."""

    @property
    def source(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def presenter(self) -> str: ...


def place_scheduled(
    agenda: Sequence[AgendaEntry], items: Sequence[ScheduledLike]
) -> tuple[AgendaEntry, ...]:
    """Put the topics and cases scheduled for the meeting in their slots: volet formatif →
    atelier-conférence, réflexif → supervision, échange → tour de table, divers → affaires
    diverses. A free atelier or supervision slot (no presenter, from no topic) takes the item;
    otherwise the item is a new line with the slot's times, after the slot's lines. Items
    already in the agenda (same source and id) are not placed twice."""
    entries = list(agenda)
    for item in items:
        if any(e.source == item.source and e.source_id == item.item_id for e in entries):
            continue
        kind = VOLET_SLOT.get(item.kind, "autre")
        placed = AgendaEntry(
            start="",
            end="",
            kind=kind,
            title=item.title,
            presenter=item.presenter,
            source=item.source,
            source_id=item.item_id,
        )
        same_kind = [i for i, e in enumerate(entries) if e.kind == kind]
        if not same_kind:
            start, end = _template_times(kind)
            entries.append(replace(placed, start=start, end=end))
            continue
        first = entries[same_kind[0]]
        if kind in _FILLABLE and not first.source and not first.presenter:
            entries[same_kind[0]] = replace(placed, start=first.start, end=first.end)
        else:
            entries.insert(same_kind[-1] + 1, replace(placed, start=first.start, end=first.end))
    return sort_agenda(entries)


def _template_times(kind: str) -> tuple[str, str]:
    for start, end, slot in ANNEXE_C:
        if slot == kind:
            return hhmm(start), hhmm(end)
    return hhmm(DEFAULT_START), hhmm(DEFAULT_END)


# ---- planning: checking the form ---------------------------------------------------------


@dataclass(frozen=True)
class AgendaRowInput:
    start: str = ""
    end: str = ""
    kind: str = ""
    title: str = ""
    presenter: str = ""
    source: str = ""
    source_id: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.title.strip() or self.presenter.strip())


@dataclass(frozen=True)
class PlanInput:
    """The planning form as typed (strings), before any check."""

    title: str = ""
    committee_ids: tuple[str, ...] = ()
    day: str = ""
    start: str = ""
    end: str = ""
    mode: str = ""
    venue: str = ""  # a venue's name from the profile, or "" / OTHER_VENUE
    place: str = ""  # free text (used when no venue is chosen)
    join_url: str = ""
    general_objective: str = ""
    specific_objectives: str = ""  # one per line
    remind_unanswered: str = ""
    remind_coming: str = ""
    agenda: tuple[AgendaRowInput, ...] = ()


OTHER_VENUE = "_other"


@dataclass(frozen=True)
class Problem:
    """A refusal of the form: ``code`` names ``meetings.error.<code>``; ``row`` is 1-based."""

    code: str
    row: int = 0


@dataclass(frozen=True)
class Plan:
    """A checked plan, ready to store."""

    title: str
    committee_ids: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    mode: str
    place: str
    join_url: str
    general_objective: str
    specific_objectives: tuple[str, ...]
    agenda: tuple[AgendaEntry, ...]
    remind_unanswered_days: int
    remind_coming_days: int


def objectives_from_text(text: str) -> tuple[str, ...]:
    """One objective per line; bullets and blank lines dropped."""
    lines = (line.strip().lstrip("-•*·–").strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


def _reminder_days(text: str) -> int | None:
    """Days before the meeting; a blank field means no reminder."""
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        return 0
    if not re.fullmatch(r"\d{1,2}", raw):
        return None
    days = int(raw)
    return days if days <= MAX_REMINDER_DAYS else None


def check_plan(
    form: PlanInput,
    *,
    now: datetime,
    tz: tzinfo,
    committee_ids: Sequence[str],
    venue_names: Sequence[str],
    current_start: datetime | None = None,
) -> tuple[Plan | None, list[Problem]]:
    """Check the planning form; returns the plan, or None and every problem found. The
    start must be in the future, unless it is ``current_start`` (an edited meeting that keeps
    its date)."""
    problems: list[Problem] = []
    title = " ".join(form.title.split())
    if not title:
        problems.append(Problem("title_required"))
    elif len(title) > LIMITS["title"]:
        problems.append(Problem("title_too_long"))

    chosen = tuple(dict.fromkeys(c.strip() for c in form.committee_ids if c.strip()))
    if not chosen:
        problems.append(Problem("committee_required"))
    elif any(c not in committee_ids for c in chosen):
        problems.append(Problem("committee_unknown"))

    day = parse_day(form.day)
    start, end = parse_hhmm(form.start), parse_hhmm(form.end)
    starts_at = ends_at = None
    if day is None:
        problems.append(Problem("date_required" if not form.day.strip() else "date_invalid"))
    if start is None or end is None:
        problems.append(Problem("time_invalid"))
    elif end <= start:
        problems.append(Problem("end_before_start"))
    if day is not None and start is not None and end is not None and end > start:
        starts_at, ends_at = at_local(day, start, tz), at_local(day, end, tz)
        if starts_at <= now and starts_at != current_start:
            problems.append(Problem("date_past"))

    mode = form.mode.strip()
    if mode not in MODES:
        problems.append(Problem("mode_required" if not mode else "mode_unknown"))

    place = ""
    if form.venue.strip() and form.venue != OTHER_VENUE:
        if form.venue not in venue_names:
            problems.append(Problem("venue_unknown"))
        place = form.venue
    else:
        place = " ".join(form.place.split())
    if mode == MODE_VIRTUAL:
        place = ""
    elif mode in MODES and not place:
        problems.append(Problem("place_required"))
    if len(place) > LIMITS["place"]:
        problems.append(Problem("place_too_long"))

    join_url = form.join_url.strip()
    if mode in (MODE_VIRTUAL, MODE_HYBRID) and not join_url:
        problems.append(Problem("link_required"))
    if join_url and not is_teams_join_url(join_url):
        problems.append(Problem("link_not_teams"))

    general = " ".join(form.general_objective.split())
    if len(general) > LIMITS["general_objective"]:
        problems.append(Problem("objective_too_long"))
    specifics = objectives_from_text(form.specific_objectives)
    if len(specifics) > MAX_OBJECTIVES:
        problems.append(Problem("too_many_objectives"))
    if any(len(o) > LIMITS["objective"] for o in specifics):
        problems.append(Problem("objective_too_long"))

    remind_unanswered = _reminder_days(form.remind_unanswered)
    remind_coming = _reminder_days(form.remind_coming)
    if remind_unanswered is None or remind_coming is None:
        problems.append(Problem("reminder_range"))
    elif remind_coming and remind_unanswered and remind_unanswered <= remind_coming:
        problems.append(Problem("reminder_order"))

    agenda, agenda_problems = _check_agenda(form.agenda, start, end)
    problems.extend(agenda_problems)

    if problems or starts_at is None or ends_at is None:
        return None, problems
    return (
        Plan(
            title=title,
            committee_ids=chosen,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            place=place,
            join_url=join_url,
            general_objective=general,
            specific_objectives=specifics,
            agenda=agenda,
            remind_unanswered_days=remind_unanswered or 0,
            remind_coming_days=remind_coming or 0,
        ),
        [],
    )


def _check_agenda(
    rows: Sequence[AgendaRowInput], start: time | None, end: time | None
) -> tuple[tuple[AgendaEntry, ...], list[Problem]]:
    problems: list[Problem] = []
    entries: list[AgendaEntry] = []
    filled = [(i, row) for i, row in enumerate(rows, start=1) if not row.is_blank]
    if len(filled) > MAX_AGENDA_ITEMS:
        return (), [Problem("agenda_too_long")]
    window = _agenda_window(start, end)
    for number, row in filled:
        row_start, row_end = parse_hhmm(row.start), parse_hhmm(row.end)
        if row_start is None or row_end is None:
            problems.append(Problem("agenda_time", number))
            continue
        if row_end <= row_start:
            problems.append(Problem("agenda_order", number))
            continue
        if window is not None and not (window[0] <= row_start and row_end <= window[1]):
            problems.append(Problem("agenda_outside", number))
            continue
        if row.kind not in KINDS:
            problems.append(Problem("agenda_kind", number))
            continue
        title = " ".join(row.title.split())
        presenter = " ".join(row.presenter.split())
        if len(title) > LIMITS["agenda_title"] or len(presenter) > LIMITS["presenter"]:
            problems.append(Problem("agenda_text_too_long", number))
            continue
        source = row.source if row.source in ("topic", "case") and row.source_id else ""
        entries.append(
            AgendaEntry(
                start=hhmm(row_start),
                end=hhmm(row_end),
                kind=row.kind,
                title=title,
                presenter=presenter,
                source=source,
                source_id=row.source_id if source else "",
            )
        )
    return sort_agenda(entries), problems


def _agenda_window(start: time | None, end: time | None) -> tuple[time, time] | None:
    """Agenda lines may run from an hour before the start to the end of the meeting."""
    if start is None or end is None or end <= start:
        return None
    lead = datetime.combine(date.min, max(start, time(1, 0))) - AGENDA_LEAD
    return (lead.time() if start >= time(1, 0) else time(0, 0), end)


def changed_logistics(before: Meeting, after: Meeting) -> bool:
    """Did the date, times, mode, place or link change (what attendees must be told)?"""
    fields = ("starts_at", "ends_at", "mode", "place", "join_url")
    return any(getattr(before, f) != getattr(after, f) for f in fields)


# ---- reminders ---------------------------------------------------------------------------

REMIND_UNANSWERED = "unanswered"
REMIND_COMING = "coming"


@dataclass(frozen=True)
class ReminderPlan:
    code: str  # "-7d": part of the job id and of each message's id
    audience: str  # REMIND_UNANSWERED | REMIND_COMING
    run_at: datetime


def reminder_code(days: int) -> str:
    return f"-{days}d"


def reminder_key(audience: str, code: str) -> str:
    """How a sent reminder is remembered on the meeting (``unanswered-7d``)."""
    return f"{audience}{code}"


def reminders_due(meeting: Meeting, now: datetime, tz: tzinfo = UTC) -> list[ReminderPlan]:
    """The reminders still to send for a meeting: planned, not started, not already sent,
    and due after the meeting was planned (a meeting planned 3 days ahead gets no J-7). A
    reminder whose time passed while the bot was down is still returned (it runs at once).

    J-7 and J-1 are counted in the community's days (``tz``): a 9 h meeting is reminded at
    9 h local time seven days before, even when daylight saving changed in between."""
    if meeting.status != STATUS_PLANNED or now >= meeting.starts_at:
        return []
    sent = set(meeting.reminders_sent)
    planned_at = meeting.created_at or now
    plans = []
    for days, audience in (
        (meeting.remind_unanswered_days, REMIND_UNANSWERED),
        (meeting.remind_coming_days, REMIND_COMING),
    ):
        if days <= 0:
            continue
        code = reminder_code(days)
        run_at = days_before(meeting.starts_at, days, tz)
        if reminder_key(audience, code) in sent or run_at < planned_at:
            continue
        plans.append(ReminderPlan(code, audience, run_at))
    return plans


def days_before(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """The same local time ``days`` calendar days earlier, as UTC (DST-safe)."""
    local = moment.astimezone(tz)
    earlier = (local.replace(tzinfo=None) - timedelta(days=days)).replace(tzinfo=tz)
    return earlier.astimezone(UTC)


def refresh_user_ids(first: Sequence[str], then: Sequence[str]) -> list[str]:
    """Who gets the per-user view: ``first`` (animateurs), then ``then`` (those who answered,
    latest first), without duplicates, at most 60 (Teams' limit)."""
    ids = [i for i in dict.fromkeys([*first, *then]) if i]
    return ids[:REFRESH_USER_CAP]


# ---- the year ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeYear:
    committee_id: str
    own: int  # meetings of this committee alone
    joint: int  # joint meetings it takes part in
    planned_target: int  # meetings_per_year of the profile (its own meetings)

    @property
    def on_track(self) -> bool:
        return self.own >= self.planned_target


def committee_year(meetings: Iterable[Meeting], targets: Mapping[str, int]) -> list[CommitteeYear]:
    """Per committee, its own and joint meetings (cancelled ones left out) against its
    planned number."""
    own: Counter[str] = Counter()
    joint: Counter[str] = Counter()
    for meeting in meetings:
        if meeting.status == STATUS_CANCELLED:
            continue
        if len(meeting.committee_ids) == 1:
            own[meeting.committee_ids[0]] += 1
        else:
            for committee in meeting.committee_ids:
                joint[committee] += 1
    return [CommitteeYear(c, own[c], joint[c], target) for c, target in targets.items()]
