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

from datetime import date

from dialogs.cycles import Cycle
from dialogs.meetings.planning import (
    Held,
    Plan,
    aims,
    closed_days,
    coming_cycle,
    joint_count,
    propose,
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
