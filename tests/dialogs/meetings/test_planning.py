"""Planning a cycle (dialogs/meetings/planning.py), with a test year computed by hand.

The year: cycle 2027-2028 (1 September 2027 to 30 June 2028), planned on 15 June 2027.
Usable months (July and August out), L = 10:
  0 Sep 2027, 1 Oct, 2 Nov, 3 Dec, 4 Jan 2028, 5 Feb, 6 Mar, 7 Apr, 8 May, 9 Jun.
Aims floor((2i + 1) × L / 2n):
  n = 3 (a committee): 10//6 = 1, 30//6 = 5, 50//6 = 8 → October, February, May;
  n = 2 (joint):       10//4 = 2, 30//4 = 7          → November, April.
Calendar facts used: 1 Oct 2027 is a Friday, 1 Nov 2027 a Monday, 1 Feb 2028 a Tuesday,
1 Apr 2028 a Saturday, 1 May 2028 a Monday. Easter 2028 is 16 April (Good Friday 14, Easter
Monday 17). Labour Day 6 Sep 2027, Thanksgiving 11 Oct 2027. 25 Dec 2027 and 1 Jan 2028 are
Saturdays: closed weeks Mon 20 – Sun 26 Dec and Mon 27 Dec – Sun 2 Jan. First Monday of March
2028 is the 6th: spring break Mon 6 – Fri 10 March.

Joint first, then « ch », then « clsc », each at the first free Tuesday–Thursday of its month:
  joint: Nov → Tue 2 Nov 2027;           Apr → Tue 4 Apr 2028 (before Easter)
  ch:    Oct → Tue 5 Oct 2027;           Feb → Tue 1 Feb 2028;   May → Tue 2 May 2028
  clsc:  Oct → Wed 6 Oct (5 is taken);   Feb → Wed 2 Feb;        May → Wed 3 May
Venues A, B alternate in date order.
"""

from __future__ import annotations

import re
from datetime import date

from dialogs.cycles import Cycle
from dialogs.meetings.planning import (
    MAX_ENTRIES,
    Held,
    Plan,
    PlanEntry,
    aims,
    closed_days,
    coming_cycle,
    day_problem,
    decode_entries,
    encode_entries,
    entries_of,
    entry_problem,
    fingerprint,
    joint_count,
    line_meeting_id,
    propose,
    rotate_venues,
    usable_months,
)

CYCLE = Cycle().starting(2027)
TODAY = date(2027, 6, 15)
TWO = (("ch", 3), ("clsc", 3))
BOTH = ("ch", "clsc")


def days(plan: Plan) -> list[tuple[date, tuple[str, ...]]]:
    return [(p.day, p.committee_ids) for p in plan.proposals]


def test_the_months_and_the_aims() -> None:
    assert len(usable_months(CYCLE)) == 10
    assert (2028, 7) not in usable_months(CYCLE)
    assert aims(3, 10) == [1, 5, 8]
    assert aims(2, 10) == [2, 7]
    assert joint_count(2, None) == 2
    assert joint_count(1, None) == 0
    assert joint_count(3, 1) == 1


def test_closed_days_christmas_spring_break_and_holidays() -> None:
    closed = closed_days(CYCLE)
    assert {date(2027, 12, d) for d in range(20, 32)} <= closed
    assert {date(2028, 1, d) for d in (1, 2)} <= closed
    assert date(2028, 1, 3) not in closed
    assert {date(2028, 3, d) for d in range(6, 11)} <= closed  # spring break
    assert date(2028, 3, 1) not in closed
    assert date(2028, 3, 13) not in closed
    assert {date(2027, 9, 6), date(2027, 10, 11), date(2028, 4, 14), date(2028, 4, 17)} <= closed
    assert date(2028, 6, 24) in closed


def test_the_hand_computed_year_for_two_committees() -> None:
    plan = propose(CYCLE, committees=TWO, joint=2, held=[], venues=["A", "B"], today=TODAY)
    assert days(plan) == [
        (date(2027, 10, 5), ("ch",)),
        (date(2027, 10, 6), ("clsc",)),
        (date(2027, 11, 2), BOTH),
        (date(2028, 2, 1), ("ch",)),
        (date(2028, 2, 2), ("clsc",)),
        (date(2028, 4, 4), BOTH),
        (date(2028, 5, 2), ("ch",)),
        (date(2028, 5, 3), ("clsc",)),
    ]
    assert [p.venue for p in plan.proposals] == ["A", "B"] * 4
    assert plan.unplaced == 0
    assert all(p.day.weekday() in (1, 2, 3) for p in plan.proposals)


def test_joint_meetings_stay_out_of_a_committees_week() -> None:
    # Three joint meetings aim at the committees' months too (October, February, May).
    # Joint first: Tue 5 Oct, Tue 1 Feb, Tue 2 May. The committees then skip those ISO weeks
    # (4–10 Oct, 31 Jan–6 Feb, 1–7 May): ch Tue 12 Oct, Tue 8 Feb, Tue 9 May; clsc the next day.
    plan = propose(CYCLE, committees=TWO, joint=3, held=[], venues=[], today=TODAY)
    assert days(plan) == [
        (date(2027, 10, 5), BOTH),
        (date(2027, 10, 12), ("ch",)),
        (date(2027, 10, 13), ("clsc",)),
        (date(2028, 2, 1), BOTH),
        (date(2028, 2, 8), ("ch",)),
        (date(2028, 2, 9), ("clsc",)),
        (date(2028, 5, 2), BOTH),
        (date(2028, 5, 9), ("ch",)),
        (date(2028, 5, 10), ("clsc",)),
    ]
    joint_weeks = {p.day.isocalendar()[:2] for p in plan.proposals if p.joint}
    own_weeks = {p.day.isocalendar()[:2] for p in plan.proposals if not p.joint}
    assert not joint_weeks & own_weeks


def test_spacing_with_an_existing_meeting_and_christmas() -> None:
    # Four meetings for ch aim at 10//8 = 1, 30//8 = 3, 50//8 = 6, 70//8 = 8: Oct, Dec, Mar, May.
    # The existing Wed 24 Nov (month 2) stands for the nearest aim: Oct and Dec tie, the earlier
    # (Oct) goes. Dec: six weeks after 24 Nov is Wed 5 Jan; December before the 20th is too near,
    # 20 Dec–2 Jan is closed, Mon 3 is not preferred, Tue 4 Jan is 41 days → Wed 5 Jan.
    # Mar: Wed 1 Mar (spring break is 6–10). May: Tue 2 May.
    held = [Held(date(2027, 11, 24), ("ch",))]
    plan = propose(CYCLE, committees=[("ch", 4)], joint=0, held=held, venues=[], today=TODAY)
    assert [p.day for p in plan.proposals] == [date(2028, 1, 5), date(2028, 3, 1), date(2028, 5, 2)]


def test_no_meeting_in_july_or_august() -> None:
    # A May–October cycle planned on Wed 30 June 2027: the June aim starts on 1 July, skips the
    # summer and lands on Wed 1 Sep (Labour Day is Mon 6). The October aim: six weeks after
    # 1 Sep is Wed 13 Oct (Tue 5 is too near, Mon 11 is Thanksgiving) → Wed 13 Oct.
    period = Cycle(5, 10).starting(2027)
    plan = propose(
        period, committees=[("ch", 2)], joint=0, held=[], venues=[], today=date(2027, 6, 30)
    )
    assert [p.day for p in plan.proposals] == [date(2027, 9, 1), date(2027, 10, 13)]


def test_a_late_plan_avoids_the_fete_nationale_and_counts_what_does_not_fit() -> None:
    # Cycle 2026-2027 planned on Wed 23 June 2027: every aim has passed, days start on Thu 24
    # (Fête nationale, closed), Fri 25 is not preferred, Tue 29 fits. Nothing else fits six
    # weeks later before 30 June.
    period = Cycle().starting(2026)
    plan = propose(
        period, committees=[("ch", 3)], joint=0, held=[], venues=[], today=date(2027, 6, 23)
    )
    assert [p.day for p in plan.proposals] == [date(2027, 6, 29)]
    assert plan.unplaced == 2


def test_replanning_proposes_only_what_is_missing() -> None:
    # ch already meets on Tue 5 Oct (month 1, its first aim): ch's October line goes, the rest
    # is the hand-computed year unchanged (clsc still skips the 5th, which is taken).
    held = [Held(date(2027, 10, 5), ("ch",))]
    plan = propose(CYCLE, committees=TWO, joint=2, held=held, venues=[], today=TODAY)
    assert days(plan) == [
        (date(2027, 10, 6), ("clsc",)),
        (date(2027, 11, 2), BOTH),
        (date(2028, 2, 1), ("ch",)),
        (date(2028, 2, 2), ("clsc",)),
        (date(2028, 4, 4), BOTH),
        (date(2028, 5, 2), ("ch",)),
        (date(2028, 5, 3), ("clsc",)),
    ]
    everything = [*held, Held(date(2027, 10, 6), ("clsc",))]
    everything += [Held(d, ids) for d, ids in days(plan)[1:]]
    again = propose(CYCLE, committees=TWO, joint=2, held=everything, venues=[], today=TODAY)
    assert again.proposals == ()
    assert again.unplaced == 0


def test_the_coming_cycle() -> None:
    cycle = Cycle()
    # Planned in June, July or August: the cycle that starts in September.
    assert coming_cycle(cycle, date(2027, 6, 15)).label == "2027-2028"
    assert coming_cycle(cycle, date(2027, 8, 31)).label == "2027-2028"
    # During its first month a cycle may still be planned; from October on, the next one.
    assert coming_cycle(cycle, date(2027, 9, 1)).label == "2027-2028"
    assert coming_cycle(cycle, date(2027, 10, 1)).label == "2028-2029"
    assert coming_cycle(cycle, date(2028, 2, 29)).label == "2028-2029"


# ---- a « Disponibilités » poll's dates -------------------------------------------------------
#
# Slices of months (L = 10): joint n = 2 → [0, 5) Sep–Jan and [5, 10) Feb–Jun; a committee
# n = 3 → [0, 3) Sep–Nov, [3, 6) Dec–Feb, [6, 10) Mar–Jun.


def test_the_polls_dates_come_first_each_in_its_slice_of_months() -> None:
    thu_14_oct, thu_18_nov, mon_11_oct = date(2027, 10, 14), date(2027, 11, 18), date(2027, 10, 11)
    plan = propose(
        CYCLE,
        committees=TWO,
        joint=2,
        held=[],
        venues=["A"],
        today=TODAY,
        # Thanksgiving (11 Oct) is closed whatever the poll says; best first.
        preferred=[mon_11_oct, thu_14_oct, thu_18_nov],
    )
    assert days(plan) == [
        (date(2027, 10, 5), ("clsc",)),  # Tuesday 5 October is free now that ch moved
        (thu_14_oct, BOTH),  # the joint series comes first and takes the best open date
        (thu_18_nov, ("ch",)),  # ch's first slice (Sep–Nov) has the second best
        (date(2028, 2, 1), ("ch",)),
        (date(2028, 2, 2), ("clsc",)),
        (date(2028, 4, 4), BOTH),
        (date(2028, 5, 2), ("ch",)),
        (date(2028, 5, 3), ("clsc",)),
    ]
    assert [p.from_poll for p in plan.proposals] == [
        False,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_a_poll_date_outside_every_slice_or_breaking_a_rule_is_left() -> None:
    plan = propose(
        CYCLE,
        committees=(("ch", 1),),
        joint=0,
        held=[],
        venues=[],
        today=TODAY,
        # n = 1: the one slice is the whole cycle. 3 July is summer, 25 December the holidays,
        # 1 June 2027 is before today, Wednesday 8 March 2028 is in the spring break: the first
        # that fits is Thursday 16 March 2028.
        preferred=[
            date(2027, 7, 3),
            date(2027, 12, 25),
            date(2027, 6, 1),
            date(2028, 3, 8),
            date(2028, 3, 16),
        ],
    )
    assert days(plan) == [(date(2028, 3, 16), ("ch",))]
    assert plan.proposals[0].from_poll


# ---- the editable proposal -------------------------------------------------------------------


def test_lines_round_trip_and_tampered_text_is_refused() -> None:
    plan = propose(CYCLE, committees=TWO, joint=2, held=[], venues=[], today=TODAY)
    entries = entries_of(plan, BOTH)
    text = encode_entries(entries)
    assert text.split(";")[:3] == ["2027-10-05@ch", "2027-10-06@clsc", "2027-11-02@*"]
    assert decode_entries(text) == entries
    assert decode_entries("") == []
    for bad in ("2027-10-05", "2027-13-05@ch", "2027-10-05@c h", "x;2027-10-05@ch", 5, None):
        assert decode_entries(bad) is None
    assert decode_entries(";".join(["2027-10-05@ch"] * (MAX_ENTRIES + 1))) is None


def test_a_line_must_be_in_the_cycle_after_today_for_a_known_committee() -> None:
    assert entry_problem(PlanEntry(date(2027, 10, 5), "ch"), CYCLE, BOTH, TODAY) == ""
    assert entry_problem(PlanEntry(date(2027, 10, 5), "*"), CYCLE, BOTH, TODAY) == ""
    assert entry_problem(PlanEntry(date(2027, 10, 5), "*"), CYCLE, ("ch",), TODAY) == "committee"
    assert entry_problem(PlanEntry(date(2027, 10, 5), "zz"), CYCLE, BOTH, TODAY) == "committee"
    assert entry_problem(PlanEntry(date(2028, 7, 1), "ch"), CYCLE, BOTH, TODAY) == "outside"
    assert entry_problem(PlanEntry(date(2027, 8, 31), "ch"), CYCLE, BOTH, TODAY) == "outside"
    late = date(2027, 10, 5)
    assert entry_problem(PlanEntry(late, "ch"), CYCLE, BOTH, late) == "past"


def test_venues_turn_in_date_order_and_ids_are_stable() -> None:
    entries = [PlanEntry(date(2027, 11, 2), "*"), PlanEntry(date(2027, 10, 5), "ch")]
    assert rotate_venues(entries, ["A", "B"]) == ["B", "A"]
    assert rotate_venues(entries, []) == ["", ""]
    first = line_meeting_id("2027-2028", entries[0])
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert first == line_meeting_id("2027-2028", PlanEntry(date(2027, 11, 2), "*"))
    assert first != line_meeting_id("2027-2028", PlanEntry(date(2027, 11, 3), "*"))
    assert first != line_meeting_id("2028-2029", entries[0])
    assert fingerprint(["b", "a"]) == fingerprint(["a", "b"]) != fingerprint(["a"])


def test_a_typed_day_on_a_weekend_a_holiday_or_a_closed_week_is_no_meeting_day() -> None:
    assert day_problem(date(2027, 10, 5), CYCLE) == ""  # a Tuesday
    assert day_problem(date(2027, 10, 8), CYCLE) == ""  # a Friday is allowed
    assert day_problem(date(2027, 10, 9), CYCLE) == "weekend"
    assert day_problem(date(2027, 10, 10), CYCLE) == "weekend"
    assert day_problem(date(2027, 10, 11), CYCLE) == "holiday"  # Action de grâces
    assert day_problem(date(2028, 4, 14), CYCLE) == "holiday"  # Vendredi saint
    assert day_problem(date(2028, 5, 22), CYCLE) == "holiday"  # Journée nationale des patriotes
    assert day_problem(date(2027, 12, 29), CYCLE) == "closed"  # the Christmas week
    assert day_problem(date(2027, 12, 21), CYCLE) == "closed"  # Christmas falls on a Saturday
    assert day_problem(date(2028, 1, 4), CYCLE) == ""  # New Year's Day's week ended on the 2nd
    assert day_problem(date(2028, 3, 8), CYCLE) == "closed"  # spring break
