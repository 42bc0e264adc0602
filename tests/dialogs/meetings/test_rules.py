"""The meetings' rules, as tables of cases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.meetings import rules
from dialogs.meetings.rules import AgendaRowInput, PlanInput, Problem
from storage.meeting_repository import AgendaEntry, Meeting

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2030, 4, 1, 12, 0, tzinfo=UTC)
JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"
VENUE = "Hôpital Charles-Le Moyne, salle 2-110"


def meeting(**fields: object) -> Meeting:
    base = Meeting(
        id="a1b2c3d4e5f6",
        title="Journée régionale",
        committee_ids=("ch",),
        starts_at=datetime(2030, 5, 7, 9, 0, tzinfo=TZ),
        ends_at=datetime(2030, 5, 7, 16, 0, tzinfo=TZ),
        mode="hybride",
        place=VENUE,
        join_url=JOIN,
        created_at=NOW,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mode", "choices"),
    [
        ("presentiel", ("salle", "absent")),
        ("virtuel", ("en_ligne", "absent")),
        ("hybride", ("salle", "en_ligne", "absent")),
    ],
)
def test_answers_offered_by_mode(mode: str, choices: tuple[str, ...]) -> None:
    assert rules.allowed_choices(mode) == choices


@pytest.mark.parametrize(
    ("before", "after", "asked_again"),
    [
        ("hybride", "virtuel", ("salle",)),
        ("hybride", "presentiel", ("en_ligne",)),
        ("presentiel", "virtuel", ("salle",)),
        ("virtuel", "hybride", ()),
        ("hybride", "hybride", ()),
    ],
)
def test_answers_invalidated_by_a_change_of_mode(
    before: str, after: str, asked_again: tuple[str, ...]
) -> None:
    assert rules.invalidated_choices(before, after) == asked_again


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9:00", time(9, 0)),
        ("9 h 00", time(9, 0)),
        ("13h15", time(13, 15)),
        ("9h", time(9, 0)),
        ("24:00", None),
        ("9:75", None),
        ("neuf heures", None),
        ("", None),
        (None, None),
        (900, None),
    ],
)
def test_parse_hhmm(text: object, expected: time | None) -> None:
    assert rules.parse_hhmm(text) == expected


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        (JOIN, True),
        ("https://teams.microsoft.com/meet/2345678901234?p=abc", True),
        ("https://teams.live.com/meet/9345678901234", True),
        ("http://teams.microsoft.com/l/meetup-join/19%3ameeting_abc", False),
        ("https://teams.microsoft.com/", False),
        ("https://teams.microsoft.com/l/meetup-join/", False),
        ("https://zoom.us/j/123456", False),
        ("https://teams.microsoft.com.evil.example/l/meetup-join/x", False),
        ("https://teams.microsoft.com/l/meetup-join/19 x", False),
        ("pas un lien", False),
    ],
)
def test_teams_link_check(url: str, ok: bool) -> None:
    assert rules.is_teams_join_url(url) is ok


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (JOIN, "https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0", True),
        (
            JOIN,
            "https://teams.microsoft.com/l/meetup-join/19%253ameeting_ABC%2540thread.v2/0",
            True,
        ),
        (JOIN, "https://teams.microsoft.com/l/meetup-join/19%3ameeting_xyz%40thread.v2/0", False),
        ("https://teams.microsoft.com/meet/123?p=a", "https://teams.microsoft.com/meet/123/", True),
        ("https://teams.microsoft.com/meet/123", "https://teams.microsoft.com/meet/124", False),
    ],
)
def test_join_links_compare_whatever_the_encoding(a: str, b: str, same: bool) -> None:
    assert (rules.join_url_key(a) == rules.join_url_key(b)) is same
    assert rules.join_url_key(a)


def test_annexe_c_template() -> None:
    agenda = rules.annexe_c_agenda()
    assert [(e.start, e.kind) for e in agenda] == [
        ("08:30", "accueil"),
        ("09:00", "tour_de_table"),
        ("09:45", "affaires_diverses"),
        ("10:15", "supervision"),
        ("12:00", "repas"),
        ("13:15", "atelier_conference"),
    ]
    assert agenda[-1].end == "16:00"


@dataclass(frozen=True)
class Item:
    source: str
    item_id: str
    title: str
    kind: str
    presenter: str = ""


def test_scheduled_topic_fills_the_free_afternoon_workshop() -> None:
    placed = rules.place_scheduled(
        rules.annexe_c_agenda(), [Item("topic", "t1", "Diversité de genre", "formatif", "Karine")]
    )
    workshop = [e for e in placed if e.kind == "atelier_conference"]
    assert workshop == [
        AgendaEntry(
            "13:15", "16:00", "atelier_conference", "Diversité de genre", "Karine", "topic", "t1"
        )
    ]
    assert len(placed) == 6


@pytest.mark.parametrize(
    ("volet", "slot"),
    [
        ("formatif", "atelier_conference"),
        ("reflexif", "supervision"),
        ("echange", "tour_de_table"),
        ("divers", "affaires_diverses"),
    ],
)
def test_each_volet_goes_to_its_slot(volet: str, slot: str) -> None:
    placed = rules.place_scheduled(rules.annexe_c_agenda(), [Item("case", "c9", "Cas", volet)])
    entry = next(e for e in placed if e.source_id == "c9")
    assert entry.kind == slot
    template = next(e for e in rules.annexe_c_agenda() if e.kind == slot)
    assert (entry.start, entry.end) == (template.start, template.end)


def test_second_case_is_a_new_line_after_the_first() -> None:
    placed = rules.place_scheduled(
        rules.annexe_c_agenda(),
        [Item("case", "c1", "Cas A", "reflexif"), Item("case", "c2", "Cas B", "reflexif")],
    )
    supervision = [e for e in placed if e.kind == "supervision"]
    assert [e.source_id for e in supervision] == ["c1", "c2"]
    assert placed.index(supervision[1]) == placed.index(supervision[0]) + 1
    assert placed[placed.index(supervision[1]) + 1].kind == "repas"


def test_echange_topic_keeps_the_round_table_line() -> None:
    placed = rules.place_scheduled(
        rules.annexe_c_agenda(), [Item("topic", "t", "Sujet", "echange")]
    )
    round_table = [e for e in placed if e.kind == "tour_de_table"]
    assert [e.source for e in round_table] == ["", "topic"]


def test_a_named_presenter_keeps_the_workshop() -> None:
    agenda = list(rules.annexe_c_agenda())
    agenda[-1] = replace(agenda[-1], title="Conférence", presenter="Karine Michel")
    placed = rules.place_scheduled(agenda, [Item("topic", "t", "Autre sujet", "formatif")])
    workshop = [e for e in placed if e.kind == "atelier_conference"]
    assert [(e.title, e.source_id) for e in workshop] == [("Conférence", ""), ("Autre sujet", "t")]


def test_placing_twice_changes_nothing() -> None:
    items = [Item("topic", "t1", "Diversité", "formatif")]
    once = rules.place_scheduled(rules.annexe_c_agenda(), items)
    assert rules.place_scheduled(once, items) == once


def test_missing_slot_is_added_with_template_times() -> None:
    placed = rules.place_scheduled((), [Item("topic", "t1", "Diversité", "formatif")])
    assert [(e.start, e.end, e.kind) for e in placed] == [("13:15", "16:00", "atelier_conference")]


def form(**fields: object) -> PlanInput:
    base = PlanInput(
        title="Journée régionale",
        committee_ids=("ch", "clsc"),
        day="2030-05-07",
        start="09:00",
        end="16:00",
        mode="hybride",
        venue=VENUE,
        join_url=JOIN,
        specific_objectives="- Favoriser le soutien\n\n• Maîtriser le vocabulaire\n",
        remind_unanswered="7",
        remind_coming="1",
        agenda=(
            AgendaRowInput("13:15", "16:00", "atelier_conference", "Atelier", "Karine"),
            AgendaRowInput("08:30", "09:00", "accueil", "Accueil"),
            AgendaRowInput("", "", "autre", "", ""),
        ),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def check(f: PlanInput, current_start: datetime | None = None) -> tuple[object, list[Problem]]:
    return rules.check_plan(
        f,
        now=NOW,
        tz=TZ,
        committee_ids=["ch", "clsc"],
        venue_names=[VENUE],
        current_start=current_start,
    )


def test_a_good_plan() -> None:
    plan, problems = check(form())
    assert problems == []
    assert isinstance(plan, rules.Plan)
    assert plan.starts_at == datetime(2030, 5, 7, 9, 0, tzinfo=TZ)
    assert plan.ends_at.astimezone(UTC) == datetime(2030, 5, 7, 20, 0, tzinfo=UTC)
    assert plan.place == VENUE
    assert plan.specific_objectives == ("Favoriser le soutien", "Maîtriser le vocabulaire")
    assert [e.start for e in plan.agenda] == ["08:30", "13:15"]  # sorted, blank line dropped
    assert (plan.remind_unanswered_days, plan.remind_coming_days) == (7, 1)


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        ({"title": "  "}, ["title_required"]),
        ({"title": "x" * 121}, ["title_too_long"]),
        ({"committee_ids": ()}, ["committee_required"]),
        ({"committee_ids": ("ch", "autre")}, ["committee_unknown"]),
        ({"day": ""}, ["date_required"]),
        ({"day": "2030-02-30"}, ["date_invalid"]),
        ({"day": "07/05/2030"}, ["date_invalid"]),
        ({"day": "2030-03-01"}, ["date_past"]),
        ({"start": "dix heures"}, ["time_invalid"]),
        ({"start": "16:00", "end": "09:00"}, ["end_before_start"]),
        ({"mode": ""}, ["mode_required"]),
        ({"mode": "sur la lune"}, ["mode_unknown"]),
        ({"venue": "", "place": ""}, ["place_required"]),
        ({"mode": "presentiel", "venue": "", "place": "  "}, ["place_required"]),
        ({"venue": "Un lieu inventé"}, ["venue_unknown"]),
        ({"join_url": ""}, ["link_required"]),
        ({"mode": "virtuel", "join_url": ""}, ["link_required"]),
        ({"join_url": "https://zoom.us/j/1"}, ["link_not_teams"]),
        ({"remind_unanswered": "45"}, ["reminder_range"]),
        ({"remind_coming": "-1"}, ["reminder_range"]),
        ({"remind_unanswered": "1", "remind_coming": "2"}, ["reminder_order"]),
        ({"specific_objectives": "\n".join(f"o{i}" for i in range(11))}, ["too_many_objectives"]),
    ],
)
def test_plan_problems(fields: dict[str, object], codes: list[str]) -> None:
    plan, problems = check(form(**fields))
    assert plan is None
    assert [p.code for p in problems] == codes


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (AgendaRowInput("", "10:00", "autre", "Sujet"), "agenda_time"),
        (AgendaRowInput("11:00", "10:00", "autre", "Sujet"), "agenda_order"),
        (AgendaRowInput("07:00", "08:00", "autre", "Trop tôt"), "agenda_outside"),
        (AgendaRowInput("15:00", "17:00", "autre", "Trop tard"), "agenda_outside"),
        (AgendaRowInput("10:00", "11:00", "karaoke", "Sujet"), "agenda_kind"),
        (AgendaRowInput("10:00", "11:00", "autre", "x" * 201), "agenda_text_too_long"),
    ],
)
def test_agenda_problems_name_the_line(row: AgendaRowInput, code: str) -> None:
    plan, problems = check(form(agenda=(AgendaRowInput("09:00", "10:00", "autre", "ok"), row)))
    assert plan is None
    assert problems == [Problem(code, 2)]


def test_too_many_agenda_lines() -> None:
    rows = tuple(AgendaRowInput("10:00", "11:00", "autre", f"l{i}") for i in range(41))
    assert check(form(agenda=rows))[1] == [Problem("agenda_too_long")]


def test_virtual_meeting_needs_no_place_and_keeps_none() -> None:
    plan, problems = check(form(mode="virtuel", venue=VENUE))
    assert problems == []
    assert isinstance(plan, rules.Plan)
    assert plan.place == ""


def test_in_person_meeting_needs_no_link_and_other_place_is_free_text() -> None:
    plan, problems = check(form(mode="presentiel", join_url="", venue="_other", place="CLSC X"))
    assert problems == []
    assert isinstance(plan, rules.Plan)
    assert (plan.place, plan.join_url) == ("CLSC X", "")


def test_blank_reminders_mean_none() -> None:
    plan, _ = check(form(remind_unanswered="", remind_coming=""))
    assert isinstance(plan, rules.Plan)
    assert (plan.remind_unanswered_days, plan.remind_coming_days) == (0, 0)


def test_an_edit_may_keep_a_start_now_past() -> None:
    past = form(day="2030-04-01", start="08:00", end="16:00")
    kept = datetime(2030, 4, 1, 8, 0, tzinfo=TZ)
    assert check(past, current_start=kept)[1] == []
    assert [p.code for p in check(past)[1]] == ["date_past"]


def test_sources_survive_only_with_an_id() -> None:
    rows = (
        AgendaRowInput("13:15", "16:00", "atelier_conference", "A", "", "topic", "t1"),
        AgendaRowInput("10:15", "12:00", "supervision", "B", "", "patient", "x"),
        AgendaRowInput("09:00", "09:45", "tour_de_table", "C", "", "case", ""),
    )
    plan, _ = check(form(agenda=rows))
    assert isinstance(plan, rules.Plan)
    assert [(e.source, e.source_id) for e in plan.agenda] == [("", ""), ("", ""), ("topic", "t1")]


@pytest.mark.parametrize(
    ("status", "ends", "expected"),
    [
        ("planned", NOW + timedelta(hours=1), "planned"),
        ("planned", NOW, "done"),
        ("cancelled", NOW - timedelta(days=1), "cancelled"),
    ],
)
def test_effective_status(status: str, ends: datetime, expected: str) -> None:
    assert rules.effective_status(status, ends, NOW) == expected


def test_counts_and_audiences() -> None:
    answers = {"a": "salle", "b": "en_ligne", "c": "absent", "d": "salle"}
    assert rules.counts(answers.values()) == {"salle": 2, "en_ligne": 1, "absent": 1}
    assert rules.coming(answers) == ["a", "b", "d"]
    assert rules.unanswered(["a", "e", "f"], answers) == ["e", "f"]


@pytest.mark.parametrize(
    ("fields", "now", "expected"),
    [
        ({}, NOW, [("-7d", "unanswered"), ("-1d", "coming")]),
        ({"reminders_sent": ("unanswered-7d",)}, NOW, [("-1d", "coming")]),
        ({"remind_unanswered_days": 0}, NOW, [("-1d", "coming")]),
        ({"status": "cancelled"}, NOW, []),
        ({}, datetime(2030, 5, 7, 14, 0, tzinfo=UTC), []),  # already started
        # planned 3 days ahead: no J-7
        ({"created_at": datetime(2030, 5, 4, 9, 0, tzinfo=TZ)}, NOW, [("-1d", "coming")]),
        # the bot was down at J-7 (now J-5): still due, runs at once
        ({}, datetime(2030, 5, 2, 9, 0, tzinfo=TZ), [("-7d", "unanswered"), ("-1d", "coming")]),
    ],
)
def test_reminders_due(
    fields: dict[str, object], now: datetime, expected: list[tuple[str, str]]
) -> None:
    plans = rules.reminders_due(meeting(**fields), now)
    assert [(p.code, p.audience) for p in plans] == expected
    for plan in plans:
        days = int(plan.code[1:-1])
        assert plan.run_at == meeting().starts_at - timedelta(days=days)


def test_refresh_ids_animateurs_first_capped_at_60() -> None:
    ids = rules.refresh_user_ids(["29:a", ""], ["29:a"] + [f"29:m{i}" for i in range(80)])
    assert ids[0] == "29:a"
    assert len(ids) == 60
    assert len(set(ids)) == 60


def test_event_matching() -> None:
    planned = meeting()
    other = meeting(id="b" * 12, title="Autre", join_url="")
    at = planned.starts_at
    same = "https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0"
    assert rules.match_event_meeting([other, planned], same, "", at, TZ).meeting == planned
    assert rules.match_event_meeting([planned, other], "", "autre ", at, TZ).meeting == other
    assert rules.match_event_meeting([planned], "", "Autre", at, TZ).meeting is None
    next_day = at + timedelta(days=1)
    assert (
        rules.match_event_meeting([planned], "", "Journée régionale", next_day, TZ).meeting is None
    )
    cancelled = replace(planned, status="cancelled")
    assert rules.match_event_meeting([cancelled], same, "", at, TZ).meeting is None


def test_a_shared_link_matches_the_meeting_near_the_event() -> None:
    same = "https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0"
    december = meeting(join_url=same)
    january = replace(
        december,
        id="c" * 12,
        starts_at=december.starts_at + timedelta(days=37),
        ends_at=december.ends_at + timedelta(days=37),
    )
    eve = december.starts_at - timedelta(hours=14)
    assert rules.match_by_link([january, december], same, eve).meeting == december
    # Far from both: nothing guessed.
    far = december.starts_at - timedelta(days=10)
    assert rules.match_by_link([january, december], same, far) == rules.EventMatch()
    # Two meetings near the event, neither running: ask instead of guessing.
    afternoon = replace(
        december,
        id="d" * 12,
        starts_at=december.starts_at + timedelta(hours=8),
        ends_at=december.ends_at + timedelta(hours=8),
    )
    both = rules.match_by_link([december, afternoon], same, eve)
    assert both.meeting is None
    assert set(both.ambiguous) == {december, afternoon}
    # The one running at the event wins.
    assert rules.match_by_link([december, afternoon], same, december.starts_at).meeting == december


def test_logistics_change() -> None:
    before = meeting()
    assert not rules.changed_logistics(before, replace(before, title="Autre titre"))
    assert rules.changed_logistics(before, replace(before, mode="virtuel"))
    assert rules.changed_logistics(
        before, replace(before, starts_at=before.starts_at + timedelta(days=1))
    )


def test_committee_year() -> None:
    meetings = [
        meeting(committee_ids=("ch",)),
        meeting(committee_ids=("ch",), status="cancelled"),
        meeting(committee_ids=("ch", "clsc")),
        meeting(committee_ids=("clsc",)),
    ]
    lines = rules.committee_year(meetings, {"ch": 3, "clsc": 1})
    assert [(c.committee_id, c.own, c.joint, c.on_track) for c in lines] == [
        ("ch", 1, 1, False),
        ("clsc", 1, 1, True),
    ]


@pytest.mark.parametrize(
    ("starts", "expected_j7", "expected_j1"),
    [
        # Spring forward on 14 March 2027: J-7 of a 9 h meeting on the 16th is 9 h EST on the 9th.
        (
            datetime(2027, 3, 16, 9, 0, tzinfo=TZ),
            datetime(2027, 3, 9, 9, 0, tzinfo=TZ),
            datetime(2027, 3, 15, 9, 0, tzinfo=TZ),
        ),
        # Fall back on 7 November 2027.
        (
            datetime(2027, 11, 8, 9, 0, tzinfo=TZ),
            datetime(2027, 11, 1, 9, 0, tzinfo=TZ),
            datetime(2027, 11, 7, 9, 0, tzinfo=TZ),
        ),
        # A meeting on the switch day itself.
        (
            datetime(2027, 3, 14, 9, 0, tzinfo=TZ),
            datetime(2027, 3, 7, 9, 0, tzinfo=TZ),
            datetime(2027, 3, 13, 9, 0, tzinfo=TZ),
        ),
    ],
)
def test_reminders_keep_their_local_time_across_daylight_saving(
    starts: datetime, expected_j7: datetime, expected_j1: datetime
) -> None:
    planned = meeting(
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(hours=7)).astimezone(UTC),
        created_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    plans = {p.code: p.run_at for p in rules.reminders_due(planned, planned.created_at, TZ)}
    assert plans == {"-7d": expected_j7.astimezone(UTC), "-1d": expected_j1.astimezone(UTC)}
    for run_at in plans.values():
        assert run_at.astimezone(TZ).hour == 9


def test_a_full_day_on_a_switch_day_lasts_seven_hours() -> None:
    for day in (14, 15):
        start = datetime(2027, 3, day, 9, 0, tzinfo=TZ).astimezone(UTC)
        end = datetime(2027, 3, day, 16, 0, tzinfo=TZ).astimezone(UTC)
        assert end - start == timedelta(hours=7)
    # A night that crosses the switch really is one hour shorter.
    start = datetime(2027, 3, 14, 1, 0, tzinfo=TZ).astimezone(UTC)
    end = datetime(2027, 3, 14, 4, 0, tzinfo=TZ).astimezone(UTC)
    assert end - start == timedelta(hours=2)
