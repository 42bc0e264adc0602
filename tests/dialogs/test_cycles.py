"""The CdeP's cycle and the hours year (dialogs/cycles.py): one meaning of « l'année »."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cards.dates import cycle_text, hours_year_text
from cards.i18n import Translator
from dialogs.cycles import Cycle, Period, hours_year

FR = Translator("fr-CA")
EN = Translator("en")
TZ = ZoneInfo("America/Montreal")


def span(period: Period | None) -> tuple[str, str] | None:
    return (period.start.isoformat(), period.end.isoformat()) if period else None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-09-01", ("2026-09-01", "2027-06-30")),
        ("2026-12-31", ("2026-09-01", "2027-06-30")),
        ("2027-01-01", ("2026-09-01", "2027-06-30")),
        ("2028-02-29", ("2027-09-01", "2028-06-30")),
        ("2027-06-30", ("2026-09-01", "2027-06-30")),
        # Between two cycles: the one that just ended.
        ("2027-07-01", ("2026-09-01", "2027-06-30")),
        ("2027-08-31", ("2026-09-01", "2027-06-30")),
        ("2027-09-01", ("2027-09-01", "2028-06-30")),
    ],
)
def test_the_default_cycle_of_a_day(day: str, expected: tuple[str, str]) -> None:
    assert span(Cycle().of(date.fromisoformat(day))) == expected


def test_labels_keys_and_neighbours() -> None:
    cycle = Cycle()
    period = cycle.starting(2026)
    assert period.label == "2026-2027"
    assert period.key == "2026-09-01"
    assert span(cycle.previous(period)) == ("2025-09-01", "2026-06-30")
    assert span(cycle.next(period)) == ("2027-09-01", "2028-06-30")
    assert Cycle(1, 12).starting(2027).label == "2027"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-2027", ("2026-09-01", "2027-06-30")),
        ("2026 - 2027", ("2026-09-01", "2027-06-30")),
        ("2026/2027", ("2026-09-01", "2027-06-30")),
        ("2026", ("2026-09-01", "2027-06-30")),
        ("2026-2028", None),
        ("2027-2026", None),
        ("26-27", None),
        ("1999", None),
        ("demain", None),
        ("", None),
    ],
)
def test_parsing_a_cycle(text: str, expected: tuple[str, str] | None) -> None:
    assert span(Cycle().parse(text)) == expected


def test_a_cycle_that_ends_in_february_of_a_leap_year() -> None:
    assert span(Cycle(3, 2).starting(2027)) == ("2027-03-01", "2028-02-29")
    assert span(Cycle(3, 2).starting(2026)) == ("2026-03-01", "2027-02-28")


def test_the_hours_year_is_the_cycle_unless_set() -> None:
    assert hours_year(Cycle(), None) == Cycle()
    april = hours_year(Cycle(), 4)
    assert april.months == 12
    assert span(april.of(date(2027, 3, 31))) == ("2026-04-01", "2027-03-31")
    assert span(april.of(date(2027, 4, 1))) == ("2027-04-01", "2028-03-31")


def test_a_meeting_on_29_june_certified_on_2_july_belongs_to_the_cycle_ending_30_june() -> None:
    cycle = Cycle()
    meeting_day, issued_day = date(2027, 6, 29), date(2027, 7, 2)
    assert cycle.of(meeting_day).label == "2026-2027"
    # The certificate's day would say the same here (July is between cycles) ...
    assert cycle.of(issued_day).label == "2026-2027"
    # ... but with an April-March hours year, a meeting on 30 March certified on 2 April
    # stays in the year of the meeting.
    april = hours_year(cycle, 4)
    assert april.of(date(2027, 3, 30)).label == "2026-2027"
    assert april.of(date(2027, 4, 2)).label == "2027-2028"


def test_what_counts_toward_a_cycle_reaches_the_next_one() -> None:
    cycle = Cycle()
    start, end = cycle.reach(cycle.starting(2026), TZ)
    assert start == datetime(2026, 9, 1, tzinfo=TZ)
    assert end == datetime(2027, 9, 1, tzinfo=TZ)  # July–August meetings count in 2026-2027
    first, after = cycle.starting(2026).bounds(TZ)
    assert (first, after) == (datetime(2026, 9, 1, tzinfo=TZ), datetime(2027, 7, 1, tzinfo=TZ))


def test_the_period_in_words() -> None:
    period = Cycle().starting(2026)
    assert (
        cycle_text(period.label, period.start, period.end, FR)
        == "Cycle 2026-2027, du 1er septembre 2026 au 30 juin 2027"
    )
    assert (
        cycle_text(period.label, period.start, period.end, EN)
        == "Cycle 2026-2027, from September 1, 2026 to June 30, 2027"
    )
    april = hours_year(Cycle(), 4).starting(2026)
    assert hours_year_text(april.label, april.start, april.end, FR) == (
        "Année de formation continue 2026-2027, du 1er avril 2026 au 31 mars 2027"
    )


def test_months_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="month"):
        Cycle(13, 6)
