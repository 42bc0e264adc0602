"""The notes' pure rules, with hand-computed expectations: when the takeaway is asked (DST
included), who is asked, when a follow-up is reminded, which meeting a command names, the form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.notes import rules

TZ = ZoneInfo("America/Montreal")


@dataclass(frozen=True)
class M:
    id: str
    starts_at: datetime
    ends_at: datetime
    committee_ids: tuple[str, ...] = ("clsc",)
    status: str = "planned"


def meeting(mid: str, day: date, committees: tuple[str, ...] = ("clsc",), **kw: str) -> M:
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ)
    return M(mid, start, start + timedelta(hours=7), committees, **kw)


# ---- when the takeaway is asked ------------------------------------------------------------


def test_takeaway_asked_at_ten_the_next_local_day() -> None:
    ends = datetime(2026, 11, 12, 16, 0, tzinfo=TZ)  # 21:00 UTC
    assert rules.takeaway_ask_at(ends, TZ) == datetime(2026, 11, 13, 15, 0, tzinfo=UTC)


def test_a_meeting_ending_late_evening_local_is_asked_the_next_local_day_not_two_days_later() -> (
    None
):
    ends = datetime(2026, 11, 13, 4, 30, tzinfo=UTC)  # 23:30 on 12 November in Montréal
    assert rules.takeaway_ask_at(ends, TZ) == datetime(2026, 11, 13, 10, 0, tzinfo=TZ)


def test_takeaway_ask_time_on_the_fall_back_day_is_ten_eastern_standard_time() -> None:
    ends = datetime(2027, 11, 6, 16, 0, tzinfo=TZ)  # Saturday, daylight time (UTC-4)
    asked = rules.takeaway_ask_at(ends, TZ)
    assert asked == datetime(2027, 11, 7, 15, 0, tzinfo=UTC)  # 10:00 EST (UTC-5)
    assert asked.astimezone(TZ).hour == 10


def test_takeaway_ask_time_on_the_spring_forward_day_is_ten_daylight_time() -> None:
    ends = datetime(2027, 3, 13, 16, 0, tzinfo=TZ)  # Saturday, standard time (UTC-5)
    assert rules.takeaway_ask_at(ends, TZ) == datetime(2027, 3, 14, 14, 0, tzinfo=UTC)


def test_takeaway_is_due_from_the_ask_time_for_three_days_only() -> None:
    ends = datetime(2026, 11, 12, 16, 0, tzinfo=TZ)
    ask = datetime(2026, 11, 13, 10, 0, tzinfo=TZ)
    assert not rules.takeaway_ask_due(ends, ask - timedelta(seconds=1), TZ)
    assert rules.takeaway_ask_due(ends, ask, TZ)
    assert rules.takeaway_ask_due(ends, ask + timedelta(days=2, hours=23), TZ)
    assert not rules.takeaway_ask_due(ends, ask + timedelta(days=3), TZ)


def test_takeaways_are_accepted_after_the_meeting_for_thirty_days() -> None:
    ends = datetime(2026, 11, 12, 21, 0, tzinfo=UTC)
    assert not rules.takeaway_open(ends, ends - timedelta(minutes=1))
    assert rules.takeaway_open(ends, ends + timedelta(days=29))
    assert not rules.takeaway_open(ends, ends + timedelta(days=30))


# ---- who is asked --------------------------------------------------------------------------


def test_those_present_are_asked_rsvps_ignored_then() -> None:
    asked = rules.to_ask(["b", "a"], {"c": "salle", "a": "absent"}, already=[])
    assert asked == ["a", "b"]


def test_without_presence_those_who_said_they_would_come_are_asked() -> None:
    rsvps = {"a": "salle", "b": "en_ligne", "c": "absent"}
    assert rules.to_ask([], rsvps, already=[]) == ["a", "b"]


def test_nobody_who_already_answered_is_asked_again() -> None:
    assert rules.to_ask(["a", "b"], {}, already=["b"]) == ["a"]


def test_presenters_are_split_and_counted_once() -> None:
    found = rules.presenter_names(["Sophie Bergeron et Julien Pelletier", ""], ["sophie bergeron"])
    assert found == ["Sophie Bergeron", "Julien Pelletier"]


# ---- follow-up reminders -------------------------------------------------------------------


def test_a_follow_up_with_a_due_day_is_reminded_at_nine_that_day() -> None:
    assert rules.follow_up_remind_at(date(2026, 12, 1), None, TZ) == datetime(
        2026, 12, 1, 14, 0, tzinfo=UTC
    )


def test_without_due_day_a_week_before_the_next_meeting_of_the_committee() -> None:
    held = meeting("m1", date(2026, 11, 12), ("clsc",))
    other = meeting("m2", date(2026, 12, 3), ("ch",))
    following = meeting("m3", date(2027, 1, 14), ("clsc", "ch"))
    cancelled = meeting("m4", date(2026, 12, 10), ("clsc",), status="cancelled")
    found = rules.next_meeting_of_committee(held, [other, following, cancelled, held])
    assert found == following
    assert rules.follow_up_remind_at(None, following.starts_at, TZ) == datetime(
        2027, 1, 7, 9, 0, tzinfo=TZ
    )


def test_a_week_before_a_meeting_just_after_spring_forward_is_nine_local_time() -> None:
    following = datetime(2027, 3, 18, 9, 0, tzinfo=TZ)  # daylight time
    at = rules.follow_up_remind_at(None, following, TZ)
    assert at == datetime(2027, 3, 11, 14, 0, tzinfo=UTC)  # 9:00 EST, before the switch


def test_no_due_day_and_no_next_meeting_means_no_reminder_yet() -> None:
    assert rules.follow_up_remind_at(None, None, TZ) is None


def test_a_reminder_is_due_for_two_weeks_after_its_time() -> None:
    at = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert not rules.remind_due(at, at - timedelta(minutes=1))
    assert rules.remind_due(at, at)
    assert not rules.remind_due(at, at + timedelta(days=14))


# ---- which meeting -------------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
OLD = meeting("old", date(2026, 10, 8))
LAST = meeting("last", date(2026, 11, 17))
SOON = meeting("soon", date(2026, 12, 3))


def test_past_leaves_out_cancelled_and_future_meetings_newest_first() -> None:
    gone = meeting("gone", date(2026, 11, 1), status="cancelled")
    assert rules.past([OLD, SOON, gone, LAST], NOW) == [LAST, OLD]


def test_without_argument_the_only_recent_meeting_is_picked() -> None:
    assert rules.pick([LAST, OLD], "", NOW, TZ).meeting == LAST


def test_without_argument_and_two_recent_meetings_a_choice_is_offered() -> None:
    other = meeting("other", date(2026, 11, 18))
    picked = rules.pick([other, LAST, OLD], "", NOW, TZ)
    assert picked.meeting is None
    assert picked.choices == (other, LAST)


def test_without_argument_and_nothing_recent_the_latest_are_offered() -> None:
    picked = rules.pick([OLD], "", NOW + timedelta(days=60), TZ)
    assert picked.choices == (OLD,)


def test_a_number_or_a_day_names_a_meeting() -> None:
    assert rules.pick([LAST, OLD], "2", NOW, TZ).meeting == OLD
    assert rules.pick([LAST, OLD], "2026-10-08", NOW, TZ).meeting == OLD
    assert rules.pick([LAST, OLD], "3", NOW, TZ).problem == "not_found"
    assert rules.pick([LAST, OLD], "0", NOW, TZ).problem == "not_found"
    assert rules.pick([LAST, OLD], "2026-02-30", NOW, TZ).problem == "not_found"
    assert rules.pick([LAST, OLD], "demain", NOW, TZ).problem == "not_found"
    assert rules.pick([], "", NOW, TZ).problem == "none"


# ---- the form ------------------------------------------------------------------------------


def form(**values: object) -> dict[str, object]:
    return {"meeting_id": "m1", "rows": 3, "fu_ids": ["f1"], **values}


def test_the_form_is_read_with_follow_ups_and_resources() -> None:
    draft, problem = rules.read_form(
        form(
            key_points="  Repérer  la détresse \n\n Les proches ",
            fu_text_0="Préparer la capsule",
            fu_who_0="k1",
            fu_due_0="2026-12-01",
            fu_text_1="",
            fu_who_1="k2",
            resources="Outil https://example.org/outil.pdf",
        ),
        {"k1": "key-1", "k2": "key-2"},
    )
    assert problem == ""
    assert draft.key_points == "Repérer la détresse\nLes proches"
    assert draft.rows == (rules.FollowUpRow("f1", "Préparer la capsule", "key-1", "2026-12-01"),)
    assert rules.split_link(rules.resource_lines(draft.resources)[0]) == (
        "Outil",
        "https://example.org/outil.pdf",
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, "empty"),
        ({"fu_text_0": "Appeler le CLSC"}, "who"),
        ({"key_points": "x", "fu_due_0": "demain"}, "due"),
        ({"resources": "le guide du MSSS"}, "link"),
        ({"resources": "http://example.org/guide"}, "link"),
    ],
)
def test_form_problems(values: dict[str, object], problem: str) -> None:
    assert rules.read_form(form(**values), {"k1": "key-1"})[1] == problem


@pytest.mark.parametrize(
    "values",
    [
        {"meeting_id": "../../etc"},
        {"meeting_id": 7},
        {"rows": 99},
        {"rows": True},
        {"fu_ids": "f1"},
        {"fu_ids": ["f1", "f2", "f3", "f4"]},
        {"fu_ids": ["bad id!"]},
        {"fu_text_0": "x", "fu_who_0": "someone-not-listed"},
        {"fu_due_0": ["2026-12-01"]},
        {"key_points": {"a": 1}},
        {"key_points": "x" * 5000},
    ],
)
def test_tampered_form_data_is_refused(values: dict[str, object]) -> None:
    with pytest.raises(rules.BadCardData):
        rules.read_form(form(**values), {"k1": "key-1"})


def test_member_tokens_are_short_stable_and_map_back() -> None:
    key = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e04"
    token = rules.member_token(key)
    assert len(token) == rules.TOKEN_LENGTH
    assert token == rules.member_token(key)
    assert rules.tokens_of([key, ""]) == {token: key}


@pytest.mark.parametrize(
    ("existing", "people", "rows"),
    [
        (0, 10, 3),  # three blank rows for a first writing
        (3, 10, 4),  # one more than the follow-ups already named
        (8, 10, 8),  # at most eight
        (0, 100, 3),  # 3 x 100 = 300 choices: within the budget
        (0, 200, 1),  # a long list: one blank row
        (5, 200, 5),  # never fewer rows than the follow-ups named
    ],
)
def test_rows_for(existing: int, people: int, rows: int) -> None:
    assert rules.rows_for(existing, people) == rows


def test_summary_keeps_the_first_three_lines() -> None:
    assert rules.summary_lines("- a\n- b", "c\nd") == [
        ("point", "a"),
        ("point", "b"),
        ("decision", "c"),
    ]


def test_takeaway_reading() -> None:
    assert rules.read_takeaway({"meeting_id": "m1", "takeaway": " Nommer  tôt "}) == (
        "m1",
        "Nommer tôt",
        "",
    )
    assert rules.read_takeaway({"meeting_id": "m1", "takeaway": "ok"})[2] == "too_short"
    with pytest.raises(rules.BadCardData):
        rules.read_takeaway({"meeting_id": "m1", "takeaway": 3})
