"""The CdeP's year: the cycle (September to June by default) and the continuing-education hours
year, one definition for every feature (meetings per year, presence exports and yearly hours,
certificates, the vitality report).

A community meets by cycle, not by calendar year. ``[cycle]`` in ``community.toml`` sets the
first and last month (defaults 9 and 6, so « 2026-2027 » runs from 1 September 2026 to 30 June
2027). A day in the months between two cycles (July and August by default) belongs to the cycle
that just ended, so nothing held then is ever counted nowhere.

Some professional orders count continuing-education hours from April to March: ``[presence]
hours_year_start_month`` gives the hours year its own twelve months; without it the hours year
is the cycle.

Pure functions: no clock, no storage. "Today" is always an argument.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from storage.community import CommunityProfile

DEFAULT_START_MONTH = 9
DEFAULT_END_MONTH = 6


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_of(self, today: date) -> date:
        """The last day counted: the end, or today while the period is not over."""
        return min(self.end, today)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """Local midnight of the first day and of the day after the last (end excluded)."""
        after = date.fromordinal(self.end.toordinal() + 1)
        return datetime.combine(self.start, time(), tz), datetime.combine(after, time(), tz)

    @property
    def label(self) -> str:
        """« 2026-2027 », or « 2026 » for a period within one calendar year."""
        if self.start.year == self.end.year:
            return str(self.start.year)
        return f"{self.start.year}-{self.end.year}"

    @property
    def key(self) -> str:
        """A stable identifier (the first day), for stored records such as yearly summaries."""
        return self.start.isoformat()


@dataclass(frozen=True)
class Cycle:
    """How a community cuts its time: first and last month, both included."""

    start_month: int = DEFAULT_START_MONTH
    end_month: int = DEFAULT_END_MONTH

    def __post_init__(self) -> None:
        for month in (self.start_month, self.end_month):
            if not 1 <= month <= 12:
                raise ValueError("a month is between 1 and 12")

    @property
    def months(self) -> int:
        """How many months a cycle lasts (1 to 12)."""
        return (self.end_month - self.start_month) % 12 + 1

    def starting(self, year: int) -> Period:
        """The cycle whose first month falls in ``year``."""
        last_month_index = self.start_month - 1 + self.months - 1  # 0-based, may pass December
        end_year = year + last_month_index // 12
        end_month = last_month_index % 12 + 1
        end_day = calendar.monthrange(end_year, end_month)[1]
        return Period(date(year, self.start_month, 1), date(end_year, end_month, end_day))

    def of(self, day: date) -> Period:
        """The cycle containing ``day``; between two cycles, the one that just ended."""
        year = day.year if day.month >= self.start_month else day.year - 1
        return self.starting(year)

    def previous(self, period: Period) -> Period:
        return self.starting(self.of(period.start).start.year - 1)

    def next(self, period: Period) -> Period:
        return self.starting(self.of(period.start).start.year + 1)

    def reach(self, period: Period, tz: tzinfo) -> tuple[datetime, datetime]:
        """What counts toward ``period``: from its first day to the first day of the next
        cycle (so the months between two cycles belong to the one that just ended), as local
        midnights, end excluded."""
        start, _ = period.bounds(tz)
        following = self.next(period)
        return start, datetime.combine(following.start, time(), tz)

    def parse(self, text: str) -> Period | None:
        """« 2026-2027 » (the cycle starting in 2026; only the right second year), « 2026 » (the
        cycle that starts in 2026), ``None`` for anything else."""
        text = text.strip()
        single = _YEAR.match(text)
        if single:
            year = int(single[1])
            return self.starting(year) if _plausible(year) else None
        pair = _PAIR.match(text)
        if pair:
            first, second = int(pair[1]), int(pair[2])
            period = self.starting(first) if _plausible(first) else None
            if period is not None and period.end.year == second:
                return period
        return None


_YEAR = re.compile(r"^(\d{4})$")
_PAIR = re.compile(r"^(\d{4})\s*[-/–]\s*(\d{4})$")


def _plausible(year: int) -> bool:
    return 2000 <= year <= 2100


def hours_year(cycle: Cycle, start_month: int | None) -> Cycle:
    """The continuing-education hours year: twelve months from ``start_month``, or the cycle."""
    if start_month is None:
        return cycle
    return Cycle(start_month, (start_month - 2) % 12 + 1)


def of_community(profile: CommunityProfile) -> Cycle:
    """The community's cycle (``[cycle]`` in community.toml)."""
    return Cycle(profile.cycle_start_month, profile.cycle_end_month)


def hours_year_of_community(profile: CommunityProfile) -> Cycle:
    """The community's hours year (``[presence] hours_year_start_month``, else the cycle)."""
    return hours_year(of_community(profile), profile.presence.get("hours_year_start_month"))
