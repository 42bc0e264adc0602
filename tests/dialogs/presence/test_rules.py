"""Presence rules, table-driven: intervals, training portions, credited hours, matching,
live-event pairing, check-in intervals, reconciliation, the retry schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.cycles import Cycle, hours_year
from dialogs.presence import rules
from dialogs.presence.rules import CreditPolicy, Interval, KnownPerson, Override, Sighting, Slot

TZ = ZoneInfo("America/Montreal")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, 7, hour, minute, tzinfo=TZ)


def span(a: tuple[int, int], b: tuple[int, int]) -> Interval:
    return Interval(at(*a), at(*b))


START, END = at(9), at(16)
AGENDA = (
    Slot(time(9, 0), time(9, 15), "accueil"),
    Slot(time(9, 15), time(10, 30), "tour_de_table"),
    Slot(time(10, 30), time(12, 0), "supervision"),
    Slot(time(12, 0), time(13, 0), "repas"),
    Slot(time(13, 0), time(16, 0), "atelier_conference"),
)


@pytest.mark.parametrize(
    ("intervals", "merged"),
    [
        ([], []),
        ([span((9, 0), (10, 0))], [span((9, 0), (10, 0))]),
        ([span((9, 0), (10, 0)), span((9, 30), (11, 0))], [span((9, 0), (11, 0))]),
        (
            [span((13, 0), (14, 0)), span((9, 0), (10, 0))],
            [span((9, 0), (10, 0)), span((13, 0), (14, 0))],
        ),
        ([span((9, 0), (10, 0)), span((10, 0), (11, 0))], [span((9, 0), (11, 0))]),
        ([span((9, 0), (12, 0)), span((10, 0), (11, 0))], [span((9, 0), (12, 0))]),
        ([span((10, 0), (9, 0))], []),
    ],
)
def test_merge(intervals: list[Interval], merged: list[Interval]) -> None:
    assert rules.merge(intervals) == merged


@pytest.mark.parametrize(
    ("intervals", "minutes"),
    [
        ([span((9, 0), (10, 0)), span((9, 30), (10, 30))], 90),  # overlap counted once
        ([span((9, 0), (9, 0))], 0),
        ([Interval(at(9), at(9) + timedelta(seconds=119))], 1),  # whole minutes, floor
    ],
)
def test_minutes_of(intervals: list[Interval], minutes: int) -> None:
    assert rules.minutes_of(intervals) == minutes


def test_training_portions_exclude_lunch() -> None:
    portions = rules.training_portions(START, END, AGENDA, TZ, frozenset({"repas"}))
    assert portions == [span((9, 0), (12, 0)), span((13, 0), (16, 0))]
    assert rules.minutes_of(portions) == 360


def test_training_portions_without_agenda_is_the_whole_meeting() -> None:
    assert rules.training_portions(START, END, (), TZ, frozenset({"repas"})) == [
        Interval(START, END)
    ]


def test_training_portions_more_exclusions() -> None:
    portions = rules.training_portions(START, END, AGENDA, TZ, frozenset({"repas", "accueil"}))
    assert rules.minutes_of(portions) == 345


@pytest.mark.parametrize(
    ("training", "policy", "credited"),
    [
        (0, CreditPolicy(), 0),
        (59, CreditPolicy(), 0),  # below the minimum
        (60, CreditPolicy(), 60),
        (74, CreditPolicy(), 60),  # rounded down to the quarter hour
        (75, CreditPolicy(), 75),
        (359, CreditPolicy(), 345),
        (360, CreditPolicy(), 360),
        (44, CreditPolicy(minimum_minutes=30), 30),
        (44, CreditPolicy(minimum_minutes=0, rounding_minutes=30), 30),
        (29, CreditPolicy(minimum_minutes=0, rounding_minutes=30), 0),
    ],
)
def test_credited_minutes(training: int, policy: CreditPolicy, credited: int) -> None:
    assert rules.credited_minutes(training, policy) == credited


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, CreditPolicy()),
        ({}, CreditPolicy()),
        ({"minimum_minutes": 90}, CreditPolicy(minimum_minutes=90)),
        ({"minimum_minutes": "90"}, CreditPolicy()),  # invalid: default kept
        ({"rounding_minutes": 0}, CreditPolicy()),
        (
            {"excluded_kinds": ["repas", "accueil"]},
            CreditPolicy(excluded_kinds=frozenset({"repas", "accueil"})),
        ),
        ({"excluded_kinds": "repas"}, CreditPolicy()),
        ({"checkin_grace_minutes": True}, CreditPolicy()),
    ],
)
def test_policy_from_profile(raw: object, expected: CreditPolicy) -> None:
    assert CreditPolicy.from_mapping(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("events", "intervals"),
    [
        ([("join", at(9)), ("leave", at(10))], [span((9, 0), (10, 0))]),
        ([("join", at(9))], [span((9, 0), (16, 0))]),  # still there at the end
        ([("leave", at(10))], []),
        ([("join", at(9)), ("join", at(9, 5)), ("leave", at(10))], [span((9, 0), (10, 0))]),
        (
            [("join", at(13)), ("leave", at(14)), ("join", at(9)), ("leave", at(12))],
            [span((9, 0), (12, 0)), span((13, 0), (14, 0))],
        ),
        ([("leave", at(10)), ("join", at(10))], [span((10, 0), (16, 0))]),
    ],
)
def test_live_intervals(events: list[tuple[str, datetime]], intervals: list[Interval]) -> None:
    assert rules.live_intervals(events, END) == intervals


@pytest.mark.parametrize(
    ("checked_in", "start"),
    [(at(8, 50), at(9)), (at(9, 30), at(9)), (at(9, 31), at(9, 31)), (at(13), at(13))],
)
def test_checkin_interval(checked_in: datetime, start: datetime) -> None:
    assert rules.checkin_interval(checked_in, START, END, CreditPolicy()) == Interval(start, END)


@pytest.mark.parametrize(
    ("now", "mode", "open_"),
    [
        (at(8, 29), "hybride", False),
        (at(8, 30), "hybride", True),
        (at(15, 59), "presentiel", True),
        (at(16), "presentiel", False),
        (at(10), "virtuel", False),
    ],
)
def test_checkin_open(now: datetime, mode: str, open_: bool) -> None:
    assert rules.checkin_open(now, START, END, mode) is open_


@pytest.mark.parametrize(
    ("typed", "expected", "ok"),
    [
        ("1234", "1234", True),
        (" 12 34 ", "1234", True),
        ("1235", "1234", False),
        ("", "", False),
        ("abcd", "1234", False),
    ],
)
def test_code_matches(typed: str, expected: str, ok: bool) -> None:
    assert rules.code_matches(typed, expected) is ok


PEOPLE = [
    KnownPerson("aad-1", "AAD-1", "sophie@x.example"),
    KnownPerson("aad-2", "aad-2", "Jean@X.example"),
    KnownPerson("guest-key", "", "nathalie@y.example"),
    KnownPerson("twin-a", "", "shared@z.example"),
    KnownPerson("twin-b", "", "shared@z.example"),
]


@pytest.mark.parametrize(
    ("identity", "email", "member"),
    [
        ("aad-1", "", "aad-1"),  # by AAD id, case-insensitive
        ("AAD-2", "other@x.example", "aad-2"),  # AAD wins over e-mail
        ("guest-id-in-other-tenant", "NATHALIE@y.example", "guest-key"),  # then by e-mail
        ("", "jean@x.example", "aad-2"),
        ("nobody", "nobody@x.example", None),
        ("", "shared@z.example", None),  # ambiguous e-mail matches no one
        ("", "not-an-email", None),
    ],
)
def test_match_attendee(identity: str, email: str, member: str | None) -> None:
    assert rules.match_attendee(identity, email, PEOPLE) == member


@pytest.mark.parametrize(
    ("identity", "email", "name", "key"),
    [
        ("ABC", "a@b.example", "A", "aad:abc"),
        ("", "A@B.example", "A", "email:a@b.example"),
        ("", "", " Invité  X ", "name:invité x"),
    ],
)
def test_attendee_key(identity: str, email: str, name: str, key: str) -> None:
    assert rules.attendee_key(identity, email, name) == key


FRAME = rules.MeetingFrame(
    START, END, tuple(rules.training_portions(START, END, AGENDA, TZ, frozenset({"repas"})))
)


def test_reconcile_merges_sources_without_double_counting() -> None:
    sightings = [
        Sighting("a", rules.SOURCE_TEAMS, span((9, 0), (12, 30))),
        Sighting("a", rules.SOURCE_GRAPH, span((9, 5), (12, 0))),  # inside the live one
        Sighting("a", rules.SOURCE_GRAPH, span((13, 10), (16, 30))),  # past the end: clipped
        Sighting("b", rules.SOURCE_ROOM, span((9, 0), (16, 0))),
        Sighting("c", rules.SOURCE_GRAPH, span((9, 0), (9, 50))),  # below the minimum
    ]
    lines = {
        line.member_key: line for line in rules.reconcile(FRAME, sightings, {}, CreditPolicy())
    }
    a, b, c = lines["a"], lines["b"], lines["c"]
    assert (a.minutes, a.training_minutes, a.credited_minutes) == (210 + 170, 180 + 170, 345)
    assert a.mode == rules.MODE_ONLINE
    assert a.sources == ("graph", "teams")
    assert (b.minutes, b.training_minutes, b.credited_minutes, b.mode) == (420, 360, 360, "salle")
    assert (c.minutes, c.credited_minutes) == (50, 0)
    assert c.present


def test_reconcile_overrides() -> None:
    sightings = [Sighting("a", rules.SOURCE_TEAMS, span((9, 0), (16, 0)))]
    overrides = {"a": Override(None), "d": Override(500, "salle"), "e": Override(100, "bogus")}
    lines = {
        line.member_key: line
        for line in rules.reconcile(FRAME, sightings, overrides, CreditPolicy())
    }
    assert (lines["a"].minutes, lines["a"].credited_minutes, lines["a"].corrected) == (0, 0, True)
    assert lines["a"].sources == ("manuel", "teams")
    assert (lines["d"].minutes, lines["d"].training_minutes, lines["d"].credited_minutes) == (
        500,
        360,
        360,
    )
    assert lines["d"].mode == "salle"
    assert (lines["e"].credited_minutes, lines["e"].mode) == (90, rules.MODE_ONLINE)


@pytest.mark.parametrize(
    ("attempt", "delay"),
    [
        (0, timedelta(0)),
        (1, timedelta(minutes=5)),
        (2, timedelta(minutes=15)),
        (3, timedelta(hours=1)),
        (7, timedelta(hours=24)),
        (8, None),
        (-1, None),
    ],
)
def test_import_schedule(attempt: int, delay: timedelta | None) -> None:
    anchor = datetime(2024, 5, 7, 20, tzinfo=UTC)
    due = rules.import_due(anchor, attempt)
    assert (due - anchor if due else None) == delay


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("2026-09-01", "2027-06-30")),
        ("2024", ("2024-09-01", "2025-06-30")),
        (" 2025-2026 ", ("2025-09-01", "2026-06-30")),
        ("2025-2027", None),
        ("24", None),
        ("abcd", None),
        ("1850", None),
    ],
)
def test_parse_period_by_cycle(text: str, expected: tuple[str, str] | None) -> None:
    period = rules.parse_period(text, Cycle(), date(2026, 12, 6))
    found = (period.start.isoformat(), period.end.isoformat()) if period else None
    assert found == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # An order counting April to March: 12 months, the year a date falls in.
        ("2026-12-06", "", ("2026-04-01", "2027-03-31")),
        ("2027-03-31", "", ("2026-04-01", "2027-03-31")),
        ("2027-04-01", "", ("2027-04-01", "2028-03-31")),
        ("2026-12-06", "2025-2026", ("2025-04-01", "2026-03-31")),
        ("2026-12-06", "2025", ("2025-04-01", "2026-03-31")),
    ],
)
def test_parse_period_by_hours_year(today: str, text: str, expected: tuple[str, str]) -> None:
    period = rules.parse_period(text, hours_year(Cycle(), 4), date.fromisoformat(today))
    assert period is not None
    assert (period.start.isoformat(), period.end.isoformat()) == expected


def test_the_organizer_written_in_a_join_link() -> None:
    oid = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e03"
    link = (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
        "?context=%7b%22Tid%22%3a%22909c6581%22%2c%22Oid%22%3a%22" + oid + "%22%7d"
    )
    assert rules.join_url_organizer(link) == oid
    assert rules.join_url_organizer(link.split("?")[0]) == ""
    assert rules.join_url_organizer(link.replace(oid, "not-a-guid")) == ""
    assert rules.organizer_candidates("", link, ["A", oid, "b"]) == (oid, "a", "b")
