"""Planning a cycle's meetings in one sitting: the pure rules (no clock, no storage).

``propose`` lays out every meeting the community profile calls for in a cycle, minus those that
already exist. The choices, so an animateur can predict the result:

- **How many**: per committee, ``meetings_per_year`` meetings of its own; joint meetings (all
  committees together): ``[planning] joint_meetings_per_year``, else 2 when the community has at
  least two committees (the guide's Montérégie CdeP: three per committee and two joint, §7.3.1),
  else none. Existing meetings of the cycle count (cancelled ones do not): a committee that
  already has one of its own gets one fewer proposed.
- **Which months**: the cycle's months except July and August. A series of *n* meetings (one
  committee's own, or the joint ones) aims at month ``floor((2i + 1) × L / 2n)`` of the *L* usable
  months (i = 0…n-1), the middle of *n* equal slices: for September–June (L = 10) three meetings
  aim at October, February and May, two joint ones at November and April. An existing meeting
  takes the place of the aim nearest to it (same slice arithmetic, ties to the earlier aim).
- **Which day**: from the first day of the aimed month (never today or before), the first day
  that is a Tuesday, Wednesday or Thursday, then (second pass) a Monday or Friday, such that:
  it is no Québec statutory holiday (dialogs/holidays.py), not in the Christmas–New Year weeks
  (the Monday–Sunday weeks holding 25 December and 1 January), not in the Québec spring break
  (the Monday–Friday week starting on the first Monday of March, the school boards' usual
  week), not July or August; no other meeting (existing or proposed) that day; at least
  ``MIN_SPACING`` (six weeks) from every other meeting of the same series (a committee's own,
  or the joint ones); and a joint meeting never in the same ISO week as a committee's own
  meeting, nor the reverse. Days run to the end of the cycle; a meeting that fits nowhere is
  counted in ``unplaced``.
- **Series order**: joint meetings first, then each committee in the profile's order.
- **Venue**: proposals in date order take the profile's venues in turn (none for a virtual
  meeting); hours are the meetings' defaults (9 h to 16 h).
- **A « Disponibilités » poll** (``preferred``: its best dates, best first): for each aimed
  month, the first preferred date that lies in that aim's slice of months (months
  ``[i × L / n, (i + 1) × L / n)``) and fits every rule above is taken before the day-by-day
  search; such proposals are marked ``from_poll``.

The editable card keeps its lines as ``PlanEntry`` values encoded in the card data
(``encode_entries`` / ``decode_entries``); every line is checked again on the server
(``entry_problem``): a day inside the cycle, after today, and a known committee (or ``*`` for a
joint meeting). A published line becomes the meeting ``line_meeting_id(label, entry)``: the same
line published twice is the same meeting.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dialogs.cycles import Cycle, Period
from dialogs.holidays import quebec_holidays

MIN_SPACING = timedelta(weeks=6)
DEFAULT_JOINT = 2
SUMMER_MONTHS = (7, 8)
PREFERRED_WEEKDAYS = (1, 2, 3)  # Tuesday, Wednesday, Thursday
FALLBACK_WEEKDAYS = (0, 4)  # Monday, Friday
JOINT = ""  # the series key of joint meetings


@dataclass(frozen=True)
class Held:
    """A meeting that exists in the cycle (not cancelled): its local day and committees."""

    day: date
    committee_ids: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    day: date
    committee_ids: tuple[str, ...]  # one committee, or all of them for a joint meeting
    venue: str
    from_poll: bool = False  # a best date of the cycle's « Disponibilités » poll

    @property
    def joint(self) -> bool:
        return len(self.committee_ids) > 1


@dataclass(frozen=True)
class Plan:
    proposals: tuple[Proposal, ...]
    unplaced: int  # meetings the rules found no day for


def coming_cycle(cycle: Cycle, today: date) -> Period:
    """The cycle ``planifier`` plans by default: the current one during its first month (it may
    still be planned then), else the next one (between two cycles, the one about to start)."""
    current = cycle.of(today)
    first_month = (current.start.year, current.start.month)
    if current.contains(today) and (today.year, today.month) == first_month:
        return current
    return cycle.next(current)


def joint_count(committees: int, configured: int | None) -> int:
    """Joint meetings per cycle: the profile's number, else 2 with two committees or more."""
    if committees < 2:
        return 0
    return DEFAULT_JOINT if configured is None else configured


def usable_months(period: Period) -> list[tuple[int, int]]:
    """(year, month) of the cycle, July and August left out."""
    months = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        if month not in SUMMER_MONTHS:
            months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def aims(count: int, months: int) -> list[int]:
    """Indexes of the aimed months for a series of ``count`` meetings over ``months``."""
    return [(2 * i + 1) * months // (2 * count) for i in range(count)] if months else []


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def closed_days(period: Period) -> set[date]:
    """Days no meeting is proposed: statutory holidays, Christmas–New Year weeks, spring break."""
    closed: set[date] = set()
    for year in range(period.start.year, period.end.year + 1):
        closed |= quebec_holidays(year)
        for anchor in (date(year, 12, 25), date(year, 1, 1)):
            monday = _monday(anchor)
            closed |= {monday + timedelta(days=d) for d in range(7)}
        march_1 = date(year, 3, 1)
        first_monday = march_1 + timedelta(days=(7 - march_1.weekday()) % 7)
        closed |= {first_monday + timedelta(days=d) for d in range(5)}
    return closed


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def _series_of(committee_ids: Sequence[str]) -> str:
    return committee_ids[0] if len(committee_ids) == 1 else JOINT


def propose(
    period: Period,
    *,
    committees: Sequence[tuple[str, int]],
    joint: int,
    held: Sequence[Held],
    venues: Sequence[str],
    today: date,
    preferred: Sequence[date] = (),
) -> Plan:
    """The meetings to add to ``period`` (see the module docstring for every rule)."""
    months = usable_months(period)
    closed = closed_days(period)
    all_ids = tuple(c for c, _ in committees)
    taken: list[Held] = sorted(held, key=lambda h: h.day)
    series: list[tuple[str, int]] = []
    if joint > 0 and len(all_ids) > 1:
        series.append((JOINT, joint))
    series.extend((c, n) for c, n in committees if n > 0)

    placed: list[tuple[date, tuple[str, ...]]] = []
    polled: set[date] = set()
    unplaced = 0
    for key, count in series:
        ids = all_ids if key == JOINT else (key,)
        targets = aims(count, len(months))
        existing = [h.day for h in taken if _series_of(h.committee_ids) == key]
        for day in existing:  # an existing meeting stands for the aim nearest to it
            if not targets:
                break
            index = months.index((day.year, day.month)) if (day.year, day.month) in months else 0
            nearest = min(targets, key=lambda t: (abs(t - index), t))
            targets.remove(nearest)
        for target in targets:
            year, month = months[target]
            start = max(date(year, month, 1), today + timedelta(days=1))
            day_found = _preferred_day(
                preferred, _slice(target, count, months), key, ids, closed, taken, today
            )
            if day_found is not None:
                polled.add(day_found)
            else:
                day_found = _first_day(start, period, key, ids, closed, taken)
            if day_found is None:
                unplaced += 1
                continue
            taken.append(Held(day_found, ids))
            placed.append((day_found, ids))

    placed.sort()
    proposals = tuple(
        Proposal(day, ids, venues[i % len(venues)] if venues else "", day in polled)
        for i, (day, ids) in enumerate(placed)
    )
    return Plan(proposals, unplaced)


def _slice(target: int, count: int, months: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """The months of the aim ``target`` belongs to: ``[i × L / n, (i + 1) × L / n)``."""
    size = len(months)
    index = next(i for i in range(count) if (2 * i + 1) * size // (2 * count) == target)
    low, high = index * size // count, (index + 1) * size // count
    return set(months[low : max(high, low + 1)])


def _preferred_day(
    preferred: Sequence[date],
    months: set[tuple[int, int]],
    key: str,
    ids: tuple[str, ...],
    closed: set[date],
    taken: Sequence[Held],
    today: date,
) -> date | None:
    for day in preferred:
        if day > today and (day.year, day.month) in months and _fits(day, key, ids, closed, taken):
            return day
    return None


def _first_day(
    start: date,
    period: Period,
    key: str,
    ids: tuple[str, ...],
    closed: set[date],
    taken: Sequence[Held],
) -> date | None:
    for weekdays in (PREFERRED_WEEKDAYS, FALLBACK_WEEKDAYS):
        day = start
        while day <= period.end:
            if day.weekday() in weekdays and _fits(day, key, ids, closed, taken):
                return day
            day += timedelta(days=1)
    return None


def _fits(
    day: date, key: str, ids: tuple[str, ...], closed: set[date], taken: Sequence[Held]
) -> bool:
    if day in closed or day.month in SUMMER_MONTHS:
        return False
    for other in taken:
        if other.day == day:
            return False
        other_key = _series_of(other.committee_ids)
        if other_key == key and abs(other.day - day) < MIN_SPACING:
            return False
        joint_vs_own = (key == JOINT) != (other_key == JOINT)
        shared = set(ids) & set(other.committee_ids)
        if joint_vs_own and shared and _week(other.day) == _week(day):
            return False
    return True


# ---- the editable proposal -------------------------------------------------------------------

JOINT_CODE = "*"  # a joint meeting's line in the card data
MAX_ENTRIES = 30  # lines a proposal card holds at most (Teams' card size limit)
_ENTRY = re.compile(r"^(\d{4}-\d{2}-\d{2})@([A-Za-z0-9_.-]{1,60}|\*)$")


@dataclass(frozen=True, order=True)
class PlanEntry:
    """One line of the editable proposal: a day and its series (a committee id, or ``*``)."""

    day: date
    series: str

    @property
    def joint(self) -> bool:
        return self.series == JOINT_CODE

    def committee_ids(self, all_ids: Sequence[str]) -> tuple[str, ...]:
        return tuple(all_ids) if self.joint else (self.series,)


def entries_of(plan: Plan, all_ids: Sequence[str]) -> list[PlanEntry]:
    return [
        PlanEntry(p.day, JOINT_CODE if p.joint and len(all_ids) > 1 else p.committee_ids[0])
        for p in plan.proposals
    ]


def encode_entries(entries: Sequence[PlanEntry]) -> str:
    return ";".join(f"{e.day.isoformat()}@{e.series}" for e in entries)


def decode_entries(text: object) -> list[PlanEntry] | None:
    """The lines the card carries, or None when the text is not what a card could hold."""
    if not isinstance(text, str) or len(text) > MAX_ENTRIES * 80:
        return None
    if not text:
        return []
    entries = []
    for part in text.split(";"):
        match = _ENTRY.match(part)
        if match is None:
            return None
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            return None
        entries.append(PlanEntry(day, match.group(2)))
    return entries if len(entries) <= MAX_ENTRIES else None


def entry_problem(entry: PlanEntry, period: Period, all_ids: Sequence[str], today: date) -> str:
    """Why a line cannot be planned (a ``meetings.plan.error.<code>``), or ""."""
    if entry.joint and len(all_ids) < 2:
        return "committee"
    if not entry.joint and entry.series not in all_ids:
        return "committee"
    if not period.contains(entry.day):
        return "outside"
    if entry.day <= today:
        return "past"
    return ""


def day_problem(day: date, period: Period) -> str:
    """Why a day typed on the card is no meeting day (a ``meetings.plan.error.<code>``), or "":
    a Saturday or Sunday, a statutory holiday, the Christmas–New Year weeks or spring break."""
    if day.weekday() >= 5:
        return "weekend"
    if day in quebec_holidays(day.year):
        return "holiday"
    if day in closed_days(period):
        return "closed"
    return ""


def rotate_venues(entries: Sequence[PlanEntry], venues: Sequence[str]) -> list[str]:
    """The venue of each line (same order as ``entries``): the profile's venues in turn, in date
    order, as ``propose`` assigns them."""
    order = sorted(range(len(entries)), key=lambda i: entries[i])
    chosen = [""] * len(entries)
    if venues:
        for rank, i in enumerate(order):
            chosen[i] = venues[rank % len(venues)]
    return chosen


def line_meeting_id(label: str, entry: PlanEntry) -> str:
    """The meeting a published line becomes (12 hex digits, like every meeting id)."""
    text = f"plan:{label}:{entry.day.isoformat()}:{entry.series}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def fingerprint(meeting_ids: Sequence[str]) -> str:
    """What existed in the cycle when the card was drawn (a stale card publishes nothing)."""
    return hashlib.sha256(",".join(sorted(meeting_ids)).encode()).hexdigest()[:16]
