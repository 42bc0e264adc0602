"""The vitality report's figures against hand-computed tables.

The « tiny CdeP » below is small enough to count on paper; every expected value is worked out
in the comments next to it.
"""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.vitality import rules
from dialogs.vitality.rules import (
    ArgsError,
    Attendance,
    CaseFacts,
    Figure,
    MeetingFacts,
    MemberSpan,
    Period,
    PollFacts,
    ProjectFacts,
    ReportRequest,
    TopicFacts,
    VitalityInputs,
    compute_report,
    cycle_starting,
)

TODAY = date(2026, 3, 15)
CYCLE = cycle_starting(2025)  # 2025-09-01 .. 2026-06-30
AFTER = date(2026, 7, 15)  # a report made once the cycle is over
WORDS = {"comité", "committee"}
COMMITTEES = ["ch", "clsc"]


def d(text: str) -> date:
    return date.fromisoformat(text)


# ---- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        ("2025-09-01", 2025),
        ("2025-08-31", 2024),  # August: the cycle that just ended
        ("2025-07-01", 2024),
        ("2025-12-31", 2025),
        ("2026-01-10", 2025),
        ("2026-06-30", 2025),
        ("2026-07-15", 2025),
    ],
)
def test_cycle_of(day: str, start_year: int) -> None:
    assert rules.cycle_of(d(day)) == Period(date(start_year, 9, 1), date(start_year + 1, 6, 30))


def test_previous_and_next_cycle() -> None:
    assert rules.previous_cycle(CYCLE) == cycle_starting(2024)
    assert rules.next_cycle(CYCLE) == cycle_starting(2026)
    # Any period: the cycles around the one its start falls in.
    assert rules.previous_cycle(Period(d("2026-02-01"), d("2026-03-01"))) == cycle_starting(2024)


@pytest.mark.parametrize(
    ("args", "start", "end", "committee"),
    [
        ("", "2025-09-01", "2026-06-30", ""),
        ("2024-2025", "2024-09-01", "2025-06-30", ""),
        ("2024/2025", "2024-09-01", "2025-06-30", ""),
        ("2025-09-01 2025-12-31", "2025-09-01", "2025-12-31", ""),
        ("2026-01-01", "2026-01-01", "2026-03-15", ""),  # one date: until today
        ("comité clsc", "2025-09-01", "2026-06-30", "clsc"),
        ("comite CLSC", "2025-09-01", "2026-06-30", "clsc"),
        ("COMMITTEE ch 2024-2025", "2024-09-01", "2025-06-30", "ch"),
        ("clsc", "2025-09-01", "2026-06-30", "clsc"),
        ("2025-10-01 2025-11-30 ch", "2025-10-01", "2025-11-30", "ch"),
        ("ch comité ch", "2025-09-01", "2026-06-30", "ch"),
    ],
)
def test_parse_request(args: str, start: str, end: str, committee: str) -> None:
    request = rules.parse_request(args, TODAY, COMMITTEES, WORDS)
    assert request == ReportRequest(Period(d(start), d(end)), committee)


@pytest.mark.parametrize(
    ("args", "code", "values"),
    [
        ("hier", "vitality.errors.bad_args", {"text": "hier"}),
        ("n'importe quoi", "vitality.errors.bad_args", {"text": "n'importe quoi"}),
        ("2025-02-30", "vitality.errors.bad_date", {"text": "2025-02-30"}),
        ("2024-2026", "vitality.errors.bad_cycle", {"text": "2024-2026"}),
        ("2024-2025 2023-2024", "vitality.errors.bad_cycle", {"text": "2023-2024"}),
        ("comité", "vitality.errors.committee_missing", {}),
        ("comité soins", "vitality.errors.unknown_committee", {"committee": "soins"}),
        ("ch clsc", "vitality.errors.two_committees", {}),
        ("2024-2025 2025-01-01", "vitality.errors.too_many_dates", {}),
        ("2025-01-01 2025-02-01 2025-03-01", "vitality.errors.too_many_dates", {}),
        ("2025-12-31 2025-09-01", "vitality.errors.start_after_end", {}),
        ("2027-01-01", "vitality.errors.start_after_end", {}),  # from then until today
        ("2010-01-01 2026-01-01", "vitality.errors.too_long", {}),
    ],
)
def test_parse_request_refusals(args: str, code: str, values: dict[str, str]) -> None:
    with pytest.raises(ArgsError) as refused:
        rules.parse_request(args, TODAY, COMMITTEES, WORDS)
    assert refused.value.code == code
    assert refused.value.values == values


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"start": "2025-09-01", "end": "2026-06-30", "committee": ""}, ("2025-09-01", "")),
        ({"start": "2025-09-01", "end": "2026-06-30"}, ("2025-09-01", "")),
        ({"start": "2025-09-01", "end": "2026-06-30", "committee": "clsc"}, ("2025-09-01", "clsc")),
        ({"start": "2026-06-30", "end": "2025-09-01", "committee": ""}, None),
        ({"start": "2025-13-01", "end": "2026-06-30", "committee": ""}, None),
        ({"start": "2025-09-01", "end": "2026-06-30", "committee": "x"}, None),
        ({"start": 20250901, "end": "2026-06-30", "committee": ""}, None),
        ({"start": "2025-09-01", "end": "2026-06-30", "committee": ["ch"]}, None),
        ({"end": "2026-06-30"}, None),
        ({"start": "1990-01-01", "end": "2026-06-30"}, None),
    ],
)
def test_request_from_card(data: dict[str, object], expected: tuple[str, str] | None) -> None:
    if expected is None:
        with pytest.raises(ArgsError) as refused:
            rules.request_from_card(data, COMMITTEES)
        assert refused.value.code == "errors.bad_card_data"
        return
    request = rules.request_from_card(data, COMMITTEES)
    assert (request.period.start.isoformat(), request.committee_id) == expected
    assert request.period.end == d("2026-06-30")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "Outil de repérage | Grille du comité",
            ("Outil de repérage", "Grille du comité", "2026-03-15"),
        ),
        ("2025-12-04 Guide d'accueil", ("Guide d'accueil", "", "2025-12-04")),
        ("  Guide   d'accueil  |  un   texte  ", ("Guide d'accueil", "un texte", "2026-03-15")),
        ("2026-03-15 Aujourd'hui", ("Aujourd'hui", "", "2026-03-15")),
    ],
)
def test_parse_project(args: str, expected: tuple[str, str, str]) -> None:
    draft = rules.parse_project(args, TODAY)
    assert (draft.title, draft.description, draft.done_on.isoformat()) == expected


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("2027-01-01 Futur", "vitality.errors.project_future"),
        ("ab", "vitality.errors.project_title"),
        ("| une description seule", "vitality.errors.project_title"),
        ("x" * 121, "vitality.errors.project_title"),
        ("Titre | " + "d" * 501, "vitality.errors.project_description"),
        ("2025-02-30 Titre", "vitality.errors.bad_date"),
    ],
)
def test_parse_project_refusals(args: str, code: str) -> None:
    with pytest.raises(ArgsError) as refused:
        rules.parse_project(args, TODAY)
    assert refused.value.code == code


# ---- small groups -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "population", "threshold", "expected"),
    [
        (3, 4, 5, Figure(None, 4, True)),  # four people: hidden
        (0.5, 1, 5, Figure(None, 1, True)),
        (3, 5, 5, Figure(3, 5, False)),  # exactly the threshold: shown
        (3, 4, 3, Figure(3, 4, False)),  # another community's threshold
        (None, 0, 5, Figure(None, 0, False)),  # nobody: nothing to hide
        (0, 0, 5, Figure(0, 0, False)),
        (2, None, 5, Figure(2, None, False)),  # not a figure about people
    ],
)
def test_guarded(
    value: float | None, population: int | None, threshold: int, expected: Figure
) -> None:
    assert rules.guarded(value, population, threshold) == expected


# ---- membership ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-11-15", 3, "2026-02-15"),
        ("2025-12-31", 6, "2026-06-30"),
        ("2025-10-31", 3, "2026-01-31"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2025-08-31", -6, "2025-02-28"),
    ],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert rules.add_months(d(day), months) == d(expected)


MEMBERS = (
    MemberSpan("a"),  # there all along
    MemberSpan("b", arrived_on=d("2025-10-01")),  # arrival
    MemberSpan("c", departed_on=d("2026-02-01")),  # departure
    MemberSpan("d", arrived_on=d("2025-08-01"), departed_on=d("2025-12-01")),  # departure
    MemberSpan("e", arrived_on=d("2026-07-01")),  # after the cycle
    MemberSpan("f", departed_on=d("2025-08-15")),  # gone before it
    MemberSpan("g", arrived_on=d("2025-09-01")),  # arrived on its first day
    MemberSpan("h", departed_on=d("2026-06-30")),  # left on its last day
)


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        # At the start (2025-09-01): a, c, d, g, h = 5. At the end (2026-06-30): a, b, g = 3 (h
        # left that day). Arrivals b, g = 2; departures c, d, h = 3; in the period a, b, c, d, g,
        # h = 6 people. Turnover 3 / ((5 + 3) / 2) = 0.75, on an average of 4 members.
        (2, {"start": 5, "end": 3, "arrivals": 2, "departures": 3, "turnover": 0.75}),
        # Threshold 3 (issue 19): the 2 arrivals are hidden, whatever the group's size; so are
        # the departures, which the counts at the start and the end would give back with them,
        # and the turnover, which would give the departures back.
        (3, {"start": 5, "end": 3, "arrivals": None, "departures": None, "turnover": None}),
        # Threshold 5: the 3 at the end, every move and the turnover are hidden.
        (5, {"start": 5, "end": None, "arrivals": None, "departures": None, "turnover": None}),
    ],
)
def test_membership(threshold: int, expected: dict[str, float | None]) -> None:
    m = rules.membership(MEMBERS, CYCLE, AFTER, threshold)
    found = {
        "start": m.active_at_start.value,
        "end": m.active_at_end.value,
        "arrivals": m.arrivals.value,
        "departures": m.departures.value,
        "turnover": m.turnover.value,
    }
    assert found == expected
    assert m.people == 6
    assert m.active_at_end.suppressed == (threshold == 5)


def test_membership_counts_up_to_today_while_the_period_runs() -> None:
    # On 2026-01-10: c has not left yet, h neither; d has. At the end: a, b, c, g, h = 5.
    m = rules.membership(MEMBERS, CYCLE, d("2026-01-10"), 1)  # threshold 1: nothing hidden
    assert (m.active_at_end.value, m.departures.value) == (5, 1)


NEWCOMERS = (
    MemberSpan("n1", arrived_on=d("2025-09-10")),
    MemberSpan("n2", arrived_on=d("2025-10-31"), departed_on=d("2026-01-15")),
    MemberSpan("n3", arrived_on=d("2025-11-30"), departed_on=d("2026-02-28")),
    MemberSpan("n4", arrived_on=d("2026-05-20")),
    MemberSpan("n5", arrived_on=d("2025-12-01"), departed_on=d("2026-05-15")),
    MemberSpan("old"),
)


@pytest.mark.parametrize(
    ("months", "threshold", "expected", "population"),
    [
        # 3 months, on 2026-07-15: n1, n2, n3, n5 are old enough (n4's mark is 2026-08-20).
        # Marks: n2 2026-01-31 (left 01-15: no), n3 2026-02-28 (left that day: no), n5
        # 2026-03-01 (yes), n1 (yes): 2 / 4.
        (3, 3, 0.5, 4),
        # 6 months: the same four; n5's mark 2026-06-01 is after it left: only n1, 1 / 4.
        (6, 3, 0.25, 4),
        (3, 5, None, 4),  # four newcomers: hidden
    ],
)
def test_newcomer_retention(
    months: int, threshold: int, expected: float | None, population: int
) -> None:
    figure = rules.newcomer_retention(NEWCOMERS, CYCLE, AFTER, months, threshold)
    assert (figure.value, figure.population) == (expected, population)


# ---- meetings -----------------------------------------------------------------------------------


def test_invited_keys() -> None:
    members = (
        MemberSpan("x", frozenset({"clsc"})),
        MemberSpan("y", frozenset({"ch"})),
        MemberSpan("z", frozenset({"clsc"}), departed_on=d("2025-10-01")),
        MemberSpan("w", frozenset({"clsc"}), arrived_on=d("2025-10-10")),
        MemberSpan("v", frozenset({"ch", "clsc"})),
    )
    day = d("2025-10-09")
    assert rules.invited_keys(day, {"clsc"}, members, ()) == {"x", "v"}
    assert rules.invited_keys(day, {"clsc"}, members, ("y", "q")) == {"x", "v", "y", "q"}
    assert rules.invited_keys(day, (), members, ()) == {"x", "y", "v"}  # a CdeP-wide meeting


@pytest.mark.parametrize(
    ("attended", "invited", "level"),
    [
        (3, 4, rules.CORE),  # exactly 75 %
        (4, 5, rules.CORE),
        (1, 1, rules.CORE),
        (2, 3, rules.ACTIVE),
        (2, 4, rules.ACTIVE),
        (1, 4, rules.ACTIVE),  # exactly 25 %
        (1, 5, rules.PERIPHERAL),
        (0, 4, rules.PERIPHERAL),
        (0, 1, rules.PERIPHERAL),
    ],
)
def test_engagement_level(attended: int, invited: int, level: str) -> None:
    assert rules.engagement_level(attended, invited) == level


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([], None),
        ([0.5, 0.6], None),
        ([0.5, 0.5, 0.5], rules.STABLE),
        ([0.5, 0.51, 0.52], rules.STABLE),  # +1 point a meeting
        ([0.5, 0.53, 0.56], rules.RISING),  # +3 points
        ([0.4, 0.5, 0.6], rules.RISING),
        ([0.6, 0.5, 0.4], rules.FALLING),
        ([2 / 3, 1.0, 0.5], rules.FALLING),  # slope -1/12
    ],
)
def test_trend(rates: list[float], expected: str | None) -> None:
    assert rules.trend(rates) == expected


# ---- the tiny CdeP ------------------------------------------------------------------------------
#
# Committee « ch »: c1…c6 (c6 leaves on 2026-03-01); « clsc »: l1…l5. g1 is a guest, on no roster.
# Meetings of the 2025-2026 cycle:
#   M1 2025-09-18 ch     invited c1-c6 (6)     present c1 c2 (room), c3 c4 (online)
#   M2 2025-10-09 clsc   invited l1-l5 (5)     present l1 l2 l3 (room), l4 l5 (online)
#   M3 2025-11-20 joint  invited c1-c6 l1-l5   present c1 l1 l2 (room), c2 l5 g1 (online)
#   M4 2026-01-22 ch     cancelled
#   M6 2026-02-12 clsc   invited l1-l4 only    present l1 l2 (room)   -> 4 invited: hidden

CH = frozenset({"ch"})
CLSC = frozenset({"clsc"})
BOTH = frozenset({"ch", "clsc"})
TINY_MEMBERS = (
    *(MemberSpan(f"c{i}", CH) for i in range(1, 6)),
    MemberSpan("c6", CH, departed_on=d("2026-03-01")),
    *(MemberSpan(f"l{i}", CLSC) for i in range(1, 6)),
)


def _meeting(mid: str, day: str, committees: frozenset[str], held: bool = True) -> MeetingFacts:
    invited = rules.invited_keys(d(day), committees, TINY_MEMBERS, ())
    return MeetingFacts(mid, d(day), committees, held, invited)


TINY_MEETINGS = (
    _meeting("M1", "2025-09-18", CH),
    _meeting("M2", "2025-10-09", CLSC),
    _meeting("M3", "2025-11-20", BOTH),
    _meeting("M4", "2026-01-22", CH, held=False),
    MeetingFacts("M6", d("2026-02-12"), CLSC, True, frozenset({"l1", "l2", "l3", "l4"})),
)


def _present(mid: str, room: str, online: str, hours: float = 6.0) -> list[Attendance]:
    return [Attendance(mid, k, rules.IN_ROOM, hours) for k in room.split()] + [
        Attendance(mid, k, rules.ONLINE, hours) for k in online.split()
    ]


TINY_ATTENDANCE = (
    *_present("M1", "c1 c2", "c3"),
    Attendance("M1", "c4", rules.ONLINE, 5.0),
    *_present("M2", "l1 l2 l3", "l4 l5"),
    *_present("M3", "c1 l1 l2", "c2 g1"),
    Attendance("M3", "l5", rules.ONLINE, 3.0),
    *_present("M6", "l1 l2", "", hours=2.0),
)
TINY_POLLS = (
    PollFacts("P1", "satisfaction", d("2025-09-19"), 6, 5, "M1", "", 4.2, (0, 0, 1, 2, 2)),
    PollFacts("P2", "satisfaction", d("2025-11-21"), 12, 4, "M3", "", 3.0, (1, 0, 1, 1, 1)),
    PollFacts("P3", "needs", d("2025-10-01"), 11, 8),
    PollFacts("P4", "poll", d("2026-02-13"), 4, 4, "M6"),
    PollFacts("P5", "poll", None, 11, 2),  # still open
    PollFacts("P6", "satisfaction", d("2026-08-01"), 11, 9, "", "", 4.9, (0, 0, 0, 1, 8)),
    PollFacts("P7", "availability", d("2025-10-20"), 0, 6, "", "clsc"),  # audience unknown
)
TINY_TOPICS = (
    TopicFacts("T1", d("2025-09-03"), 3, d("2025-11-20"), BOTH),
    TopicFacts("T2", d("2025-10-02"), 0),
    TopicFacts("T3", d("2025-08-20"), 1, d("2025-09-18"), CH),  # proposed before the cycle
    TopicFacts("T4", d("2026-02-01"), 2),
)
TINY_CASES = (
    CaseFacts("C1", d("2025-10-20"), d("2025-11-20"), BOTH),
    CaseFacts("C2", d("2026-03-02")),
)
TINY_PROJECTS = (
    ProjectFacts("J1", "Outil", "", d("2025-12-04")),
    ProjectFacts("J0", "Ancien", "", d("2025-05-01")),  # before the cycle
)
TINY = VitalityInputs(
    members=TINY_MEMBERS,
    meetings=TINY_MEETINGS,
    attendance=TINY_ATTENDANCE,
    certificates=7,
    polls=TINY_POLLS,
    topics=TINY_TOPICS,
    cases=TINY_CASES,
    projects=TINY_PROJECTS,
)


def tiny(committee: str = "", threshold: int = 5) -> rules.VitalityReport:
    return compute_report(TINY, ReportRequest(CYCLE, committee), AFTER, threshold)


def values(*figures: Figure | None) -> list[float | None]:
    return [
        None if f is None else (round(f.value, 4) if f.value is not None else None) for f in figures
    ]


def test_meetings_of_the_whole_cdep() -> None:
    report = tiny()
    assert report.meetings is not None
    stats = {s.meeting_id: s for s in report.meetings}
    assert list(stats) == ["M1", "M2", "M3", "M6"]  # M4 was cancelled
    assert [s.invited for s in stats.values()] == [6, 5, 12, 4]  # g1 came to M3 uninvited
    # Every count of fewer than 5 people is hidden (issue 19): 4 present at M1, 3 and 3 at M3.
    assert values(stats["M1"].in_room, stats["M1"].online, stats["M1"].present) == [None] * 3
    assert values(stats["M3"].in_room, stats["M3"].online, stats["M3"].present) == [None, None, 6]
    assert values(*(s.rate for s in stats.values())) == [0.6667, 1.0, 0.5, None]
    assert stats["M6"].rate.suppressed
    assert stats["M6"].present.suppressed
    # Pooled over the meetings shown: (4 + 5 + 6) / (6 + 5 + 12) = 15 / 23, on 12 people.
    assert report.participation_rate == Figure(15 / 23, 12, False)
    assert report.trend == rules.FALLING  # 2/3, 1, 1/2: slope -1/12 a meeting


def test_engagement_of_the_whole_cdep() -> None:
    # Meetings invited to / attended: c1 2/2, c2 2/2, l1 3/3, l2 3/3, l5 2/2, g1 1/1: core (6);
    # c3 2/1, c4 2/1, l3 3/1, l4 3/1: active (4); c5 2/0, c6 2/0: peripheral (2).
    e = tiny().engagement
    assert e is not None
    # 4 and 2 are fewer than 5 people: hidden (issue 19); together they are 6, so neither can
    # be recovered from the 12 minus the core.
    assert (values(e.core, e.active, e.peripheral), e.people) == ([6, None, None], 12)
    assert not e.active.complement


def test_training_of_the_whole_cdep() -> None:
    # Hours: M1 6+6+6+5 = 23, M2 5 x 6 = 30, M3 5 x 6 + 3 = 33, M6 2 + 2 = 4: 90, for 10 people
    # present at least once (c1-c4, l1-l5, g1).
    t = tiny().training
    assert t is not None
    assert values(t.hours_total, t.hours_per_person, t.certificates) == [90, 9.0, 7]
    assert t.people == 10


def test_membership_of_the_whole_cdep() -> None:
    # 11 at the start, 10 at the end (c6 left), 1 departure: 1 / 10.5.
    report = tiny()
    m = report.membership
    assert m is not None
    # One departure is hidden (issue 19); 11 - 10 would give it back with the 0 arrivals, so
    # those are hidden too, and the turnover (1 / 10.5) with them.
    assert values(m.active_at_start, m.active_at_end, m.arrivals, m.departures, m.turnover) == [
        11,
        10,
        None,
        None,
        None,
    ]
    assert (m.arrivals.complement, m.departures.complement) == (True, False)


def test_polls_and_satisfaction_of_the_whole_cdep() -> None:
    report = tiny()
    polls = report.polls
    assert polls is not None
    # Closed in the cycle: P1, P3, P7, P2, P4 (P5 is open, P6 closed after the cycle).
    assert [p.poll_id for p in polls.polls] == ["P1", "P3", "P7", "P2", "P4"]
    assert polls.by_kind == {"satisfaction": 2, "needs": 1, "availability": 1, "poll": 1}
    assert values(*(p.rate for p in polls.polls)) == [0.8333, 0.7273, None, 0.3333, None]
    assert [p.rate.suppressed for p in polls.polls] == [False, False, False, False, True]
    # Pooled over P1, P3, P2 (P7: audience unknown; P4: hidden): 17 / 29, largest audience 12.
    assert polls.response_rate == Figure(17 / 29, 12, False)

    sat = report.satisfaction
    assert sat is not None
    assert [(p.poll_id, p.respondents) for p in sat.points] == [("P1", 5), ("P2", 4)]
    assert values(sat.points[0].mean, sat.points[1].mean) == [4.2, None]
    assert sat.points[1].mean.suppressed  # four answers
    assert sat.points[1].distribution is not None
    assert all(share.suppressed for share in sat.points[1].distribution)
    # Only P1 counts: mean 4.2, answers 0, 0, 1, 2, 2 out of 5.
    assert values(sat.mean) == [4.2]
    assert sat.distribution is not None
    assert values(*sat.distribution) == [0.0, 0.0, 0.2, 0.4, 0.4]


def test_exchanges_and_projects_of_the_whole_cdep() -> None:
    report = tiny()
    e = report.exchanges
    # Proposed in the cycle: T1, T2, T4; of those supported: T1, T4; treated in it: T1, T3.
    assert values(e.topics_proposed, e.topics_supported, e.topics_treated) == [3, 2, 2]
    assert values(e.cases_submitted, e.cases_discussed) == [2, 1]
    assert [p.id for p in report.projects] == ["J1"]


def test_a_committee_counts_its_own_members_and_meetings() -> None:
    report = tiny("clsc")
    assert report.meetings is not None
    # M2, M3 (joint) and M6; at M3 only l1, l2 (room) and l5 (online) of the 5 clsc members.
    assert [(s.meeting_id, s.invited) for s in report.meetings] == [("M2", 5), ("M3", 5), ("M6", 4)]
    m3 = report.meetings[1]
    assert values(m3.in_room, m3.online, m3.rate) == [None, None, 0.6]  # 3 present: hidden
    assert report.participation_rate == Figure(8 / 10, 5, False)
    assert report.trend is None  # two meetings shown
    e = report.engagement
    assert e is not None
    # l1 l2 l5 / l3 l4: both fewer than 5 people, hidden (issue 19); 0 shows nobody.
    assert values(e.core, e.active, e.peripheral) == [None, None, 0]
    t = report.training
    assert t is not None
    # M2 30 h, M3 6 + 6 + 3 = 15 h, M6 4 h: 49 h for 5 people. Certificates: CdeP-wide only.
    assert values(t.hours_total, t.hours_per_person) == [49, 9.8]
    assert t.certificates is None
    assert report.exchanges.topics_proposed == Figure(1, 5, False)  # T1, through M3
    assert values(report.exchanges.cases_submitted, report.exchanges.cases_discussed) == [1, 1]
    polls = report.polls
    assert polls is not None
    # P7 (addressed to clsc), P2 (M3), P4 (M6): only P2 counts in the pooled rate.
    assert [p.poll_id for p in polls.polls] == ["P7", "P2", "P4"]
    assert polls.response_rate == Figure(4 / 12, 12, False)
    sat = report.satisfaction
    assert sat is not None
    assert sat.mean == Figure(None, 4, True)  # its only survey had four answers
    assert sat.distribution is None


def test_the_other_committee() -> None:
    report = tiny("ch")
    assert report.meetings is not None
    assert [(s.meeting_id, s.invited) for s in report.meetings] == [("M1", 6), ("M3", 6)]
    assert report.participation_rate == Figure(6 / 12, 6, False)
    m = report.membership
    assert m is not None
    # 6 at the start, 5 at the end: 1 departure, hidden (issue 19), and so the turnover
    # (1 / 5.5), which would give it back.
    assert values(m.active_at_start, m.active_at_end, m.turnover) == [6, 5, None]


def test_a_committee_of_four_shows_no_figure_about_people() -> None:
    small = (*TINY_MEMBERS, *(MemberSpan(f"s{i}", frozenset({"soins"})) for i in range(4)))
    meeting = MeetingFacts("S1", d("2025-10-15"), frozenset({"soins"}), True, frozenset())
    inputs = VitalityInputs(
        members=small,
        meetings=(meeting,),
        attendance=(
            Attendance("S1", "s0", rules.IN_ROOM, 6),
            Attendance("S1", "s1", rules.ONLINE, 6),
        ),
        certificates=0,
        polls=(),
        topics=(TopicFacts("TS", d("2025-10-01"), 1, None, frozenset({"soins"})),),
        cases=(),
    )
    report = compute_report(inputs, ReportRequest(CYCLE, "soins"), AFTER, 5)
    m = report.membership
    assert m is not None
    assert report.meetings is not None
    assert report.training is not None
    figures = [
        m.active_at_start,
        m.active_at_end,
        m.arrivals,
        m.departures,
        report.meetings[0].present,
        report.meetings[0].rate,
        report.training.hours_total,
        report.training.hours_per_person,
        report.exchanges.topics_proposed,
    ]
    assert all(f.suppressed and f.value is None for f in figures)
    assert report.meetings[0].invited == 2  # who came counts as invited (nobody answered)
    # Every meeting hidden: so is the pooled rate (not « — »).
    assert report.participation_rate == Figure(None, 2, True)
    # With a threshold of 3 the same report shows them.
    shown = compute_report(inputs, ReportRequest(CYCLE, "soins"), AFTER, 3)
    assert shown.membership is not None
    assert shown.membership.active_at_start == Figure(4, 4, False)


def test_missing_sources_give_no_figures() -> None:
    report = compute_report(VitalityInputs(), ReportRequest(CYCLE), AFTER, 5)
    assert report.membership is None
    assert report.retention is None
    assert report.meetings is None
    assert report.participation_rate is None
    assert report.engagement is None
    assert report.training is None
    assert report.polls is None
    assert report.satisfaction is None
    e = report.exchanges
    assert [e.topics_proposed, e.topics_supported, e.topics_treated] == [None, None, None]
    assert [e.cases_submitted, e.cases_discussed] == [None, None]
    assert report.projects == ()
    assert report.sources == frozenset()


def test_meetings_without_presence_give_no_rates() -> None:
    inputs = VitalityInputs(members=TINY_MEMBERS, meetings=TINY_MEETINGS)
    report = compute_report(inputs, ReportRequest(CYCLE), AFTER, 5)
    assert report.meetings is not None
    assert len(report.meetings) == 4
    assert report.participation_rate is None
    assert report.engagement is None
    assert report.training is None
    assert report.sources == {"members", "meetings"}


def test_meetings_after_today_are_not_counted_yet() -> None:
    report = compute_report(TINY, ReportRequest(CYCLE), d("2025-10-31"), 5)
    assert report.meetings is not None
    assert [s.meeting_id for s in report.meetings] == ["M1", "M2"]
    assert report.as_of == d("2025-10-31")


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ((5, 0, 1), {0, 1, 2}),  # 1 alone, then 0 + 1 is still one person: every cell
        ((6, 4, 2), {1, 2}),  # 4 + 2 = 6 people: neither can be recovered
        ((10, 3, 0), {0, 1, 2}),  # 3 and then 3 + 0: still 3 people, so the 10 goes too
        ((12, 8, 0), set()),
        ((9, 7, 2), {1, 2}),  # 2 alone: the next smallest (7) is hidden with it
    ],
)
def test_complementary_suppression(counts: tuple[int, ...], hidden: set[int]) -> None:
    figures = rules.suppressed_cells(counts, 5)
    assert {i for i, f in enumerate(figures) if f.suppressed} == hidden
    shown = [f.value for f in figures if not f.suppressed]
    kept = sum(c for i, c in enumerate(counts) if i in hidden)
    # What the total minus the shown figures gives is never one identifiable small group.
    assert kept == 0 or (len(hidden) > 1 and kept >= 5)
    assert sum(int(v or 0) for v in shown) + kept == sum(counts)


def test_a_rate_on_fewer_people_than_the_threshold_is_hidden_even_at_zero() -> None:
    # Issue 19 (`bilan comité ch`): nobody at the start, one arrival, nobody left: the counts
    # are hidden, and so is the turnover (0 %, on half a member on average).
    members = (MemberSpan("b", frozenset({"ch"}), arrived_on=d("2025-10-01")),)
    m = rules.membership(members, CYCLE, AFTER, 5)
    assert m.turnover == Figure(None, 1, True)
    assert (m.active_at_start.suppressed, m.active_at_end.suppressed) == (True, True)
