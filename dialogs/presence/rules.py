"""Presence rules: intervals, matching, reconciliation and credited hours. No I/O, no clock.

How attended time becomes credited hours (the rule printed on every certificate):

1. Every source gives intervals per person: Teams join/leave events in the meeting chat
   (``teams``), the Microsoft Graph attendance reports (``graph``) and in-room check-ins
   (``salle``). A check-in counts from the meeting start when it was made within
   ``checkin_grace_minutes`` of the start, else from the check-in time, until the meeting end.
2. A member's intervals from all sources are merged (overlaps count once) and clipped to the
   meeting's start and end: that is the *attended* time, in whole minutes.
3. The *training* portions are the agenda slots whose kind is not in ``excluded_kinds``
   (default: ``repas``, the lunch); a meeting without an agenda is training from start to end.
   Attended time overlapping the training portions is rounded **down** to the quarter hour
   (``rounding_minutes``). Below ``minimum_minutes`` of training time, nothing is credited.
4. An animateur's correction replaces what the sources say for that member: a number of
   attended minutes (capped at the training time) or "absent".

Attendees of a Graph report are matched to members by AAD object id, then by e-mail (guests
from other institutions are common), else left "unmatched" for an animateur to assign.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dialogs.cycles import Cycle, Period
from storage.meeting_vocabulary import ROOM_MODES

SOURCE_TEAMS = "teams"
SOURCE_GRAPH = "graph"
SOURCE_ROOM = "salle"
SOURCE_MANUAL = "manuel"
MODE_ROOM = "salle"
MODE_ONLINE = "en_ligne"
MODES = (MODE_ROOM, MODE_ONLINE)

# The retry schedule of the Graph import, counted from the meeting end (attempt 0 runs at once).
IMPORT_SCHEDULE = (
    timedelta(0),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)

CHECKIN_CODE_LENGTH = 4
MAX_CHECKIN_FAILURES = 5
# How long before its start a meeting accepts check-ins.
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class CreditPolicy:
    """The ``[presence]`` section of the community profile, with its documented defaults."""

    excluded_kinds: frozenset[str] = frozenset({"repas"})
    rounding_minutes: int = 15
    minimum_minutes: int = 60
    checkin_grace_minutes: int = 30

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> CreditPolicy:
        """Build from a profile section; absent or invalid values keep their default."""
        if not isinstance(raw, Mapping):
            return cls()
        default = cls()
        kinds = raw.get("excluded_kinds")
        excluded = (
            frozenset(str(k) for k in kinds)
            if isinstance(kinds, list | tuple) and all(isinstance(k, str) for k in kinds)
            else default.excluded_kinds
        )

        def number(name: str, low: int, high: int) -> int:
            value = raw.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                return int(value)
            return int(getattr(default, name))

        return cls(
            excluded_kinds=excluded,
            rounding_minutes=number("rounding_minutes", 1, 60),
            minimum_minutes=number("minimum_minutes", 0, 24 * 60),
            checkin_grace_minutes=number("checkin_grace_minutes", 0, 240),
        )


@dataclass(frozen=True, order=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


@dataclass(frozen=True)
class Slot:
    """An agenda line on the meeting's day: local wall-clock times and its kind."""

    start: time
    end: time
    kind: str


# ---- intervals ------------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of intervals, sorted, overlapping or touching ones joined."""
    merged: list[Interval] = []
    for current in sorted(i for i in intervals if i.end > i.start):
        if merged and current.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, current.end))
        else:
            merged.append(current)
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    clipped = (Interval(max(i.start, start), min(i.end, end)) for i in intervals)
    return [i for i in clipped if i.end > i.start]


def minutes_of(intervals: Iterable[Interval]) -> int:
    """Whole minutes covered by the union of the intervals."""
    return int(sum(i.seconds for i in merge(intervals)) // 60)


def overlap_minutes(attended: Iterable[Interval], portions: Iterable[Interval]) -> int:
    """Whole minutes of ``attended`` that fall inside ``portions``."""
    merged = merge(attended)
    seconds = 0.0
    for portion in merge(portions):
        for piece in merged:
            seconds += Interval(
                max(piece.start, portion.start), min(piece.end, portion.end)
            ).seconds
    return int(seconds // 60)


def training_portions(
    starts_at: datetime,
    ends_at: datetime,
    agenda: Sequence[Slot],
    zone: tzinfo,
    excluded_kinds: frozenset[str],
) -> list[Interval]:
    """The meeting's training time: its agenda slots except excluded kinds, inside the
    meeting; the whole meeting when it has no usable agenda."""
    day: date = starts_at.astimezone(zone).date()
    slots = [
        (
            Interval(
                datetime.combine(day, slot.start, tzinfo=zone),
                datetime.combine(day, slot.end, tzinfo=zone),
            ),
            slot.kind,
        )
        for slot in agenda
        if slot.end > slot.start
    ]
    if not slots:
        return [Interval(starts_at, ends_at)]
    kept = [portion for portion, kind in slots if kind not in excluded_kinds]
    return clip(merge(kept), starts_at, ends_at)


def credited_minutes(training_minutes: int, policy: CreditPolicy) -> int:
    """Training minutes rounded down to the policy's step; 0 below the minimum."""
    if training_minutes <= 0 or training_minutes < policy.minimum_minutes:
        return 0
    step = max(1, policy.rounding_minutes)
    return (training_minutes // step) * step


def hours(minutes: int) -> float:
    """Minutes as hours: the one conversion (wording, plurals, credited hours)."""
    return minutes / 60


def live_intervals(events: Iterable[tuple[str, datetime]], closes_at: datetime) -> list[Interval]:
    """Pair one person's ``("join"|"leave", at)`` events into intervals. A join without a
    leave lasts until ``closes_at`` (the meeting end); a leave without a join is ignored;
    a repeated join keeps the first."""
    intervals: list[Interval] = []
    opened: datetime | None = None
    # At the same instant a leave comes before a join (a reconnection).
    for kind, at in sorted(events, key=lambda e: (e[1], e[0] == "join")):
        if kind == "join" and opened is None:
            opened = at
        elif kind == "leave" and opened is not None:
            if at > opened:
                intervals.append(Interval(opened, at))
            opened = None
    if opened is not None and closes_at > opened:
        intervals.append(Interval(opened, closes_at))
    return intervals


def checkin_interval(
    checked_in_at: datetime, starts_at: datetime, ends_at: datetime, policy: CreditPolicy
) -> Interval:
    grace = timedelta(minutes=policy.checkin_grace_minutes)
    start = starts_at if checked_in_at <= starts_at + grace else checked_in_at
    return Interval(start, max(start, ends_at))


# ---- check-in -------------------------------------------------------------------------------


def checkin_open(now: datetime, starts_at: datetime, ends_at: datetime, mode: str) -> bool:
    return mode in ROOM_MODES and starts_at - CHECKIN_OPENS_BEFORE <= now < ends_at


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def code_matches(typed: str, expected: str) -> bool:
    wanted = normalize_code(expected)
    return bool(wanted) and normalize_code(typed) == wanted


# ---- matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownPerson:
    member_key: str
    aad_object_id: str = ""
    email: str = ""


def normalize_email(text: str) -> str:
    text = (text or "").strip().casefold()
    return text if _EMAIL.match(text) else ""


def attendee_key(identity_id: str, email: str, name: str) -> str:
    """A stable key for a Graph attendee across reports (before matching)."""
    if identity_id:
        return f"aad:{identity_id.casefold()}"
    mail = normalize_email(email)
    if mail:
        return f"email:{mail}"
    return f"name:{' '.join(name.split()).casefold()}"


def match_attendee(identity_id: str, email: str, people: Iterable[KnownPerson]) -> str | None:
    """The member key of an attendee: by AAD object id first, then by e-mail; None if no
    known person matches (an e-mail shared by two people matches neither)."""
    known = list(people)
    aad = (identity_id or "").casefold()
    if aad:
        for person in known:
            if person.aad_object_id and person.aad_object_id.casefold() == aad:
                return person.member_key
    mail = normalize_email(email)
    if mail:
        found = {p.member_key for p in known if normalize_email(p.email) == mail}
        if len(found) == 1:
            return found.pop()
    return None


# ---- reconciliation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sighting:
    """One interval of one member from one source."""

    member_key: str
    source: str
    interval: Interval


@dataclass(frozen=True)
class Override:
    """An animateur's correction in force: attended minutes, or None for "absent"."""

    minutes: int | None
    mode: str = ""


@dataclass(frozen=True)
class MemberAttendance:
    member_key: str
    mode: str
    minutes: int
    training_minutes: int
    credited_minutes: int
    sources: tuple[str, ...]
    corrected: bool = False

    @property
    def credited_hours(self) -> float:
        return round(hours(self.credited_minutes), 2)

    @property
    def present(self) -> bool:
        return self.minutes > 0


@dataclass(frozen=True)
class MeetingFrame:
    """What reconciliation needs to know of a meeting."""

    starts_at: datetime
    ends_at: datetime
    training: tuple[Interval, ...] = field(default_factory=tuple)

    @property
    def training_minutes(self) -> int:
        return minutes_of(self.training)


def reconcile(
    frame: MeetingFrame,
    sightings: Iterable[Sighting],
    overrides: Mapping[str, Override],
    policy: CreditPolicy,
) -> list[MemberAttendance]:
    """One line per member seen by any source or corrected by hand, sorted by member key."""
    by_member: dict[str, list[Sighting]] = {}
    for sighting in sightings:
        by_member.setdefault(sighting.member_key, []).append(sighting)
    keys = sorted(set(by_member) | set(overrides))
    lines: list[MemberAttendance] = []
    for key in keys:
        seen = by_member.get(key, [])
        attended = clip((s.interval for s in seen), frame.starts_at, frame.ends_at)
        sources = sorted({s.source for s in seen})
        mode = MODE_ROOM if SOURCE_ROOM in sources else MODE_ONLINE
        minutes = minutes_of(attended)
        training = overlap_minutes(attended, frame.training)
        override = overrides.get(key)
        if override is not None:
            sources = sorted({*sources, SOURCE_MANUAL})
            minutes = max(0, override.minutes or 0)
            training = min(minutes, frame.training_minutes)
            mode = override.mode if override.mode in MODES else mode
        lines.append(
            MemberAttendance(
                member_key=key,
                mode=mode,
                minutes=minutes,
                training_minutes=training,
                credited_minutes=credited_minutes(training, policy),
                sources=tuple(sources),
                corrected=override is not None,
            )
        )
    return lines


def import_due(ended_at: datetime, attempt: int) -> datetime | None:
    """When attempt ``attempt`` (0-based) of the Graph import runs; None past the schedule."""
    if attempt < 0 or attempt >= len(IMPORT_SCHEDULE):
        return None
    return ended_at + IMPORT_SCHEDULE[attempt]


def parse_period(text: str, cycle: Cycle, today: date) -> Period | None:
    """``""`` → the hours year (or cycle) containing ``today``; ``2026-2027`` → that one;
    ``2026`` → the one starting in 2026; anything else → None."""
    text = text.strip()
    if not text:
        return cycle.of(today)
    return cycle.parse(text)


# ---- the organizer of the online meeting ---------------------------------------------------

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def join_url_organizer(join_url: str) -> str:
    """The organizer's Entra object id written in a Teams join link: its ``context`` query
    parameter is JSON such as ``{"Tid":"<tenant>","Oid":"<organizer>"}``; "" when absent."""
    if not join_url:
        return ""
    try:
        query = parse_qs(urlsplit(join_url.strip()).query)
    except ValueError:
        return ""
    for raw in query.get("context", []):
        try:
            context = json.loads(raw)
        except ValueError:
            continue
        if isinstance(context, dict):
            oid = next((v for k, v in context.items() if str(k).casefold() == "oid"), "")
            if isinstance(oid, str) and _GUID.match(oid):
                return oid.casefold()
    return ""


def organizer_candidates(stored: str, join_url: str, animateurs: Iterable[str]) -> tuple[str, ...]:
    """Whom to ask Graph under, in order: the organizer already known for the meeting, the one
    in the join link, then each animateur (app-only calls go through ``/users/{organizer}``
    and find only that user's meetings)."""
    seen: list[str] = []
    for candidate in (stored, join_url_organizer(join_url), *animateurs):
        key = (candidate or "").strip().casefold()
        if key and key not in seen:
            seen.append(key)
    return tuple(seen)
