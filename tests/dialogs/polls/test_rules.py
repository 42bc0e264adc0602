"""The rules of polls, as tables of cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs import holidays as holidays_of
from dialogs.polls import rules
from storage.poll_repository import Choice, Poll, Question

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2024, 5, 7, 13, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=3)

SINGLE = Question(
    "q1", "single", "Mode préféré?", (Choice("c1", "Présentiel"), Choice("c2", "Virtuel"))
)
MULTIPLE = Question(
    "q2",
    "multiple",
    "Thèmes?",
    (Choice("c1", "Deuil"), Choice("c2", "Anxiété"), Choice("c3", "Suicide")),
    max_choices=2,
)
SCALE = Question("q3", "scale", "Satisfaction?", low_label="Pas du tout", high_label="Très")
TEXT = Question("q4", "text", "Commentaire", required=False)
DATES = Question(
    "q5",
    "multiple",
    "Dates?",
    (Choice("c1", "mardi"), Choice("c2", "mercredi"), Choice("c3", "Aucune", exclusive=True)),
    required=False,
)


def make_poll(*questions: Question, **changes: object) -> Poll:
    poll = Poll(
        id="p1",
        kind="poll",
        title="Sondage",
        questions=questions or (SINGLE,),
        status="open",
        anonymous=False,
        visibility="live",
        audience="channel",
        deadline=DEADLINE.isoformat(),
        created_by="anim",
        created_at=NOW.isoformat(),
        locale="fr-CA",
    )
    return replace(poll, **changes)


@pytest.mark.parametrize(
    ("configured", "expected"), [(None, 5), (0, 5), (5, 5), (2, 3), (3, 3), (8, 8)]
)
def test_small_group_threshold_never_below_three(configured: int | None, expected: int) -> None:
    assert rules.small_group_threshold(configured) == expected


@pytest.mark.parametrize(
    ("text", "labels", "codes"),
    [
        ("Oui\nNon", ["Oui", "Non"], []),
        ("- Oui\n* Non\n\n• Peut-être", ["Oui", "Non", "Peut-être"], []),
        ("1. Oui\n2) Non", ["Oui", "Non"], []),
        ("Oui\n-\nNon", ["Oui", "Non"], ["empty_choice"]),
        ("Oui\noui", ["Oui"], ["duplicate_choice"]),
        ("x" * 151 + "\nNon", ["Non"], ["choice_too_long"]),
    ],
)
def test_choice_lines(text: str, labels: list[str], codes: list[str]) -> None:
    found, problems = rules.parse_choice_lines(text)
    assert found == labels
    assert [p.code for p in problems] == codes


def test_empty_choice_reports_its_line() -> None:
    _, problems = rules.parse_choice_lines("Oui\n\n -  \nNon")
    assert problems == [rules.Problem("empty_choice", line=3)]


@pytest.mark.parametrize(
    ("kind", "fields", "codes"),
    [
        ("single", {"label": "Q", "choices_text": "A\nB"}, []),
        ("single", {"label": " ", "choices_text": "A\nB"}, ["label_required"]),
        ("single", {"label": "Q", "choices_text": "A"}, ["too_few_choices"]),
        ("single", {"label": "Q", "choices_text": ""}, ["too_few_choices"]),
        (
            "single",
            {"label": "Q", "choices_text": "\n".join(f"C{i}" for i in range(11))},
            ["too_many_choices"],
        ),
        ("single", {"label": "Q", "choices_text": "A\n-\nB"}, ["empty_choice"]),
        ("multiple", {"label": "Q", "choices_text": "A\nB\nC", "max_text": "2"}, []),
        ("multiple", {"label": "Q", "choices_text": "A\nB\nC", "max_text": ""}, []),
        (
            "multiple",
            {"label": "Q", "choices_text": "A\nB", "max_text": "3"},
            ["max_choices_invalid"],
        ),
        (
            "multiple",
            {"label": "Q", "choices_text": "A\nB", "max_text": "deux"},
            ["max_choices_invalid"],
        ),
        ("scale", {"label": "Q", "low_label": "Bas", "high_label": "Haut"}, []),
        ("scale", {"label": "Q", "low_label": "x" * 81}, ["scale_label_too_long"]),
        ("text", {"label": "Commentaire"}, []),
        ("text", {"label": "x" * 301}, ["label_too_long"]),
        ("matrix", {"label": "Q"}, ["tampered"]),
    ],
)
def test_build_question(kind: str, fields: dict[str, str], codes: list[str]) -> None:
    question, problems = rules.build_question("q1", kind, **fields)
    assert [p.code for p in problems] == codes
    assert (question is None) == bool(codes)


def test_built_question_numbers_its_choices() -> None:
    question, _ = rules.build_question(
        "q7", "multiple", "Thèmes", choices_text="A\nB", max_text="1"
    )
    assert question == Question(
        "q7", "multiple", "Thèmes", (Choice("c1", "A"), Choice("c2", "B")), max_choices=1
    )


def test_next_question_id() -> None:
    assert rules.next_question_id([]) == "q1"
    assert rules.next_question_id([SINGLE, SCALE]) == "q4"


@pytest.mark.parametrize(
    ("date_text", "time_text", "expected"),
    [
        ("2024-05-14", "17:00", datetime(2024, 5, 14, 17, 0, tzinfo=TZ)),
        ("2024-05-14", "17:00:30", datetime(2024, 5, 14, 17, 0, tzinfo=TZ)),
        ("2024-05-14", "", None),
        ("", "17:00", None),
        ("14/05/2024", "17:00", None),
        ("2024-02-30", "17:00", None),
    ],
)
def test_parse_deadline(date_text: str, time_text: str, expected: datetime | None) -> None:
    assert rules.parse_deadline(date_text, time_text, TZ) == expected


@pytest.mark.parametrize(
    ("deadline", "codes"),
    [
        (None, ["deadline_invalid"]),
        (NOW, ["deadline_past"]),
        (NOW - timedelta(minutes=1), ["deadline_past"]),
        (NOW + timedelta(minutes=1), []),
        (NOW + timedelta(days=367), ["deadline_too_far"]),
    ],
)
def test_deadline_problems(deadline: datetime | None, codes: list[str]) -> None:
    assert [p.code for p in rules.deadline_problems(deadline, NOW)] == codes


def test_deadline_in_the_community_time_zone() -> None:
    """17 h in Montréal is 21 h UTC in summer: a deadline typed as 17 h on the same day is in
    the future at 20 h UTC."""
    deadline = rules.parse_deadline("2024-05-07", "17:00", TZ)
    assert rules.deadline_problems(deadline, datetime(2024, 5, 7, 20, 30, tzinfo=UTC)) == []
    assert rules.deadline_problems(deadline, datetime(2024, 5, 7, 21, 30, tzinfo=UTC))


def test_default_deadline_is_at_17h_local() -> None:
    now = datetime(2024, 5, 7, 9, 30, tzinfo=TZ)
    assert rules.default_deadline(now, 7) == datetime(2024, 5, 14, 17, 0, tzinfo=TZ)


def test_candidate_dates_skip_weekends() -> None:
    days = rules.candidate_dates(date(2024, 5, 7), count=5, weeks_ahead=3)
    assert days[0] == date(2024, 5, 28)
    assert all(d.weekday() < 5 for d in days)
    assert len(days) == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("channel", ("channel", "")),
        ("members", ("members", "")),
        ("committee:clsc", ("committee", "clsc")),
        ("committee:xyz", None),
        ("everyone", None),
        ("committee:", None),
    ],
)
def test_parse_audience(value: str, expected: tuple[str, str] | None) -> None:
    assert rules.parse_audience(value, ["ch", "clsc"]) == expected


@pytest.mark.parametrize(
    ("changes", "shared", "codes"),
    [
        ({}, True, []),
        ({"title": " "}, True, ["title_required"]),
        ({"title": "x" * 151}, True, ["title_too_long"]),
        ({"questions": ()}, True, ["no_questions"]),
        ({"questions": (SINGLE,) * 21}, True, ["too_many_questions"]),
        ({}, False, ["channel_needs_channel"]),
        ({"audience": "members"}, False, []),
        ({"audience": "committee", "committee_id": "clsc"}, False, []),
        ({"audience": "committee", "committee_id": "gone"}, False, ["committee_unknown"]),
        ({"visibility": "everyone"}, True, ["tampered"]),
        ({"deadline": ""}, True, ["deadline_invalid"]),
        ({"deadline": (NOW - timedelta(hours=1)).isoformat()}, True, ["deadline_past"]),
        (
            {"questions": (replace(SINGLE, choices=(Choice("c1", "A"), Choice("c2", " "))),)},
            True,
            ["empty_choice"],
        ),
    ],
)
def test_publish_problems(changes: dict[str, object], shared: bool, codes: list[str]) -> None:
    poll = make_poll(**{"status": "draft", **changes})
    assert [p.code for p in rules.publish_problems(poll, NOW, ["ch", "clsc"], shared)] == codes


POLL = make_poll(SINGLE, MULTIPLE, SCALE, TEXT)


@pytest.mark.parametrize(
    ("data", "answers", "codes"),
    [
        (
            {"q1": "c2", "q2": "c1,c3", "q3": "4", "q4": "Merci"},
            {"q1": "c2", "q2": ["c1", "c3"], "q3": 4, "q4": "Merci"},
            [],
        ),
        ({"q1": "c1", "q2": ["c3", "c1"], "q3": 5}, {"q1": "c1", "q2": ["c1", "c3"], "q3": 5}, []),
        ({"q1": "c1", "q2": "c1", "q3": "3", "q4": "  "}, {"q1": "c1", "q2": ["c1"], "q3": 3}, []),
        ({"q2": "c1", "q3": "3"}, {}, ["required_missing"]),
        ({"q1": "c1", "q2": "c1,c2,c3", "q3": "3"}, {}, ["too_many_selected"]),
        ({"q1": "c9", "q2": "c1", "q3": "3"}, {}, ["tampered"]),
        ({"q1": "c1,c2", "q2": "c1", "q3": "3"}, {}, ["tampered"]),
        ({"q1": "c1", "q2": "c1,c1", "q3": "3"}, {}, ["tampered"]),
        ({"q1": "c1", "q2": "c1", "q3": "6"}, {}, ["tampered"]),
        ({"q1": "c1", "q2": "c1", "q3": True}, {}, ["tampered"]),
        ({"q1": ["c1"], "q2": {"x": 1}, "q3": "3"}, {}, ["tampered"]),
        ({"q1": "c1", "q2": "c1", "q3": "3", "q4": ["a"]}, {}, ["tampered"]),
        ({"q1": "c1", "q2": "c1", "q3": "3", "q4": "x" * 2001}, {}, ["text_too_long"]),
    ],
)
def test_parse_ballot(
    data: dict[str, object], answers: dict[str, object], codes: list[str]
) -> None:
    found, problems = rules.parse_ballot(POLL, data)
    assert [p.code for p in problems] == codes
    assert found == answers


def test_ballot_ignores_other_keys_and_refuses_an_empty_one() -> None:
    poll = make_poll(TEXT)
    assert rules.parse_ballot(poll, {"verb": "polls.answer", "poll_id": "p1", "q4": "Oui"})[0] == {
        "q4": "Oui"
    }
    assert [p.code for p in rules.parse_ballot(poll, {})[1]] == ["empty_ballot"]


@pytest.mark.parametrize(
    ("value", "codes"),
    [("c1,c2", []), ("c3", []), ("c1,c3", ["exclusive_combined"])],
)
def test_none_of_these_stands_alone(value: str, codes: list[str]) -> None:
    _, problems = rules.parse_ballot(make_poll(DATES), {"q5": value})
    assert [p.code for p in problems] == codes


@pytest.mark.parametrize(
    ("changes", "now", "expected"),
    [
        ({}, NOW, True),
        ({}, DEADLINE, False),
        ({"status": "closed"}, NOW, False),
        ({"status": "draft"}, NOW, False),
    ],
)
def test_is_open(changes: dict[str, object], now: datetime, expected: bool) -> None:
    assert rules.is_open(make_poll(**changes), now) is expected


@pytest.mark.parametrize(
    ("changes", "member", "in_conversation", "expected"),
    [
        ({}, "anyone", False, True),  # audience unknown
        ({"audience_keys": ("m1", "m2")}, "m1", False, True),
        ({"audience_keys": ("m1", "m2")}, "m3", False, False),
        ({"audience_keys": ("m1", "m2")}, "m3", True, True),  # joined the channel later
        ({"audience": "committee", "audience_keys": ("m1",)}, "m3", True, False),
    ],
)
def test_in_audience(
    changes: dict[str, object], member: str, in_conversation: bool, expected: bool
) -> None:
    assert rules.in_audience(make_poll(**changes), member, in_conversation) is expected


def test_tally_counts_shares_means_and_texts() -> None:
    answers = [
        ("Ana", {"q1": "c1", "q2": ["c1", "c2"], "q3": 4, "q4": "Bien"}),
        ("Ben", {"q1": "c1", "q2": ["c2"], "q3": 2}),
        ("Chloé", {"q1": "c2", "q2": ["c2", "c3"], "q3": 5}),
    ]
    results = rules.tally(POLL, answers, audience_size=6, threshold=5)
    assert (results.answers, results.hidden, results.participation) == (3, False, 0.5)
    single, multiple, scale, text = results.questions
    assert [(c.choice.id, c.count) for c in single.counts] == [("c1", 2), ("c2", 1)]
    assert single.counts[0].share == pytest.approx(2 / 3)
    assert [c.count for c in multiple.counts] == [1, 3, 1]
    assert multiple.counts[1].share == 1.0
    assert scale.mean == pytest.approx(11 / 3)
    assert [c.count for c in scale.counts] == [0, 1, 0, 1, 1]
    assert text.texts == (("Ana", "Bien"),)
    assert text.respondents == 1


@pytest.mark.parametrize(("count", "hidden"), [(0, True), (4, True), (5, False), (6, False)])
def test_anonymous_results_hidden_below_the_threshold(count: int, hidden: bool) -> None:
    poll = make_poll(SINGLE, TEXT, anonymous=True)
    answers = [("", {"q1": "c1"}) for _ in range(count)]
    results = rules.tally(poll, answers, audience_size=20, threshold=5)
    assert results.hidden is hidden
    # The optional question, answered by nobody, is hidden on its own.
    assert results.questions[1].hidden is True


def test_named_results_are_never_hidden() -> None:
    results = rules.tally(make_poll(SINGLE), [("Ana", {"q1": "c1"})], 20, 5)
    assert not results.hidden
    assert not results.questions[0].hidden


def test_participation_unknown_without_audience_and_capped() -> None:
    assert rules.tally(make_poll(), [("a", {"q1": "c1"})], 0, 5).participation is None
    assert rules.tally(make_poll(), [("a", {"q1": "c1"})] * 3, 2, 5).participation == 1.0


def test_dates_ranked_best_first_without_none_of_these() -> None:
    poll = make_poll(DATES, kind="availability")
    answers = [("a", {"q5": ["c2"]}), ("b", {"q5": ["c1", "c2"]}), ("c", {"q5": ["c3"]})]
    result = rules.tally(poll, answers, 3, 5).questions[0]
    assert [c.choice.id for c in rules.ranked(result)] == ["c2", "c1"]
    assert [c.choice.id for c in rules.best_choices(result)] == ["c2"]
    tie = rules.tally(poll, [("a", {"q5": ["c1", "c2"]})], 3, 5).questions[0]
    assert [c.choice.id for c in rules.best_choices(tie)] == ["c1", "c2"]
    nobody = rules.tally(poll, [], 3, 5).questions[0]
    assert rules.best_choices(nobody) == []


@pytest.mark.parametrize(
    ("visibility", "is_manager", "answered", "closed", "expected"),
    [
        ("live", False, False, False, False),
        ("live", False, True, False, True),
        ("live", False, False, True, True),
        ("after_close", False, True, False, False),
        ("after_close", False, False, True, True),
        ("animateurs", False, True, True, False),
        ("animateurs", True, False, False, True),
        ("after_close", True, False, False, True),
    ],
)
def test_results_visible(
    visibility: str, is_manager: bool, answered: bool, closed: bool, expected: bool
) -> None:
    poll = make_poll(visibility=visibility, status="closed" if closed else "open")
    assert (
        rules.results_visible(poll, is_manager=is_manager, answered=answered, now=NOW) is expected
    )


def test_scale_means_only_from_the_threshold() -> None:
    poll = make_poll(SCALE, anonymous=True)
    few = rules.tally(poll, [("", {"q3": 4})] * 4, 10, 5)
    assert rules.scale_means(few) == {}
    enough = rules.tally(poll, [("", {"q3": 4})] * 3 + [("", {"q3": 5})] * 2, 10, 5)
    assert rules.scale_means(enough) == {"Satisfaction?": 4.4}
    named = rules.tally(make_poll(SCALE), [("a", {"q3": 3})], 10, 5)
    assert rules.scale_means(named) == {}


@pytest.mark.parametrize(
    ("before_deadline", "done", "code", "expected"),
    [
        (timedelta(hours=50), (), "48h", False),  # too early
        (timedelta(hours=47), (), "48h", True),
        (timedelta(hours=47), ("48h",), "48h", False),  # already sent
        (timedelta(hours=3), (), "48h", False),  # the 4 h one is due: send that one only
        (timedelta(hours=3), (), "4h", True),
        (timedelta(hours=5), (), "4h", False),
        (timedelta(hours=-1), (), "4h", False),  # past the deadline
        (timedelta(hours=3), (), "1h", False),  # unknown reminder
    ],
)
def test_reminder_due(
    before_deadline: timedelta, done: tuple[str, ...], code: str, expected: bool
) -> None:
    poll = make_poll(reminders_done=done)
    assert rules.reminder_due(poll, code, DEADLINE - before_deadline) is expected


def test_reminder_times_skip_those_done_and_closed_polls() -> None:
    poll = make_poll(reminders_done=("48h",))
    assert rules.reminder_times(poll) == [("4h", DEADLINE - timedelta(hours=4))]
    assert rules.reminder_times(make_poll(status="closed")) == []


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        ("open", DEADLINE, True),
        ("open", DEADLINE - timedelta(seconds=1), False),
        ("closed", DEADLINE, False),
    ],
)
def test_close_due(status: str, now: datetime, expected: bool) -> None:
    assert rules.close_due(make_poll(status=status), now) is expected


def test_the_48_hour_reminder_keeps_its_local_time_across_daylight_saving() -> None:
    tz = ZoneInfo("America/Montreal")
    # Deadline Monday 15 March 2027, 17 h (EDT); the clocks sprang forward on the 14th.
    deadline = datetime(2027, 3, 15, 17, 0, tzinfo=tz)
    poll = make_poll(deadline=deadline.astimezone(UTC).isoformat())
    times = dict(rules.reminder_times(poll, tz))
    assert times["48h"] == datetime(2027, 3, 13, 17, 0, tzinfo=tz)  # Saturday 17 h EST
    assert times["48h"].astimezone(tz).hour == 17
    assert deadline - times["48h"] == timedelta(hours=47)  # one real hour less
    assert times["4h"] == deadline - timedelta(hours=4)
    # Due from its local time on, and not an hour early.
    assert not rules.reminder_due(poll, "48h", times["48h"] - timedelta(minutes=1), tz)
    assert rules.reminder_due(poll, "48h", times["48h"], tz)


def test_candidate_dates_skip_quebec_statutory_holidays() -> None:
    from datetime import date as day

    assert holidays_of.easter(2027) == day(2027, 3, 28)
    holidays = holidays_of.quebec_holidays(2027)
    assert {day(2027, 1, 1), day(2027, 3, 26), day(2027, 3, 29), day(2027, 5, 24)} <= holidays
    assert {day(2027, 6, 24), day(2027, 7, 1), day(2027, 9, 6), day(2027, 10, 11)} <= holidays
    assert day(2027, 12, 25) in holidays
    # Three weeks after 2027-03-04: Thursday 25, then Good Friday and Easter Monday are skipped.
    assert rules.candidate_dates(day(2027, 3, 4), count=3) == [
        day(2027, 3, 25),
        day(2027, 3, 30),
        day(2027, 3, 31),
    ]
