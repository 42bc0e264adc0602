"""Ad hoc supervision's pure rules, with hand-computed expectations: the form, the delays per
urgency (local days, DST), routing by themes, first-wins, the counts of ``bilan``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.onboarding.queries import themes_match
from dialogs.supervision import rules
from storage.supervision_repository import SupervisionRequest, forget_in

TZ = ZoneInfo("America/Montreal")

FORM = {
    "title": "Proche aidant épuisé",
    "context": "Un homme âgé soigne son épouse et refuse le répit.",
    "question": "Comment aborder le répit avec lui ?",
    "urgency": "week",
    "themes": "proches aidants; Soins palliatifs, proches aidants",
}


def request(**changes: object) -> SupervisionRequest:
    base = SupervisionRequest(
        id="r1",
        title="Proche aidant épuisé",
        context="…",
        question="…",
        urgency="today",
        themes=("deuil",),
        requester_key="asker",
        requester_name="Sophie Bergeron",
        created_at="2027-03-10T14:00:00+00:00",
        remind_at="2027-03-10T17:00:00+00:00",
        ask_at="2027-03-10T20:00:00+00:00",
        routed_to=("anim", "res1", "res2"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ---- the form --------------------------------------------------------------------------------


def test_form_is_read_and_themes_folded_once() -> None:
    draft, problem = rules.read_form(FORM)
    assert problem == ""
    assert draft.themes == ("proches aidants", "Soins palliatifs")
    assert draft.urgency == "week"
    assert list(draft.texts()) == ["title", "context", "question"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"title": "ab"}, "title_length"),
        ({"context": "court"}, "context_length"),
        ({"question": "?"}, "question_length"),
        ({"urgency": ""}, "urgency_missing"),
        ({"themes": " , ;"}, "themes_missing"),
    ],
)
def test_form_problems(change: dict[str, str], problem: str) -> None:
    assert rules.read_form({**FORM, **change})[1] == problem


@pytest.mark.parametrize(
    "tampered",
    [{"urgency": "yesterday"}, {"title": ["a"]}, {"themes": 3}, {"context": {"x": 1}}],
)
def test_tampered_form_data_is_refused(tampered: dict[str, object]) -> None:
    with pytest.raises(rules.BadCardData):
        rules.read_form({**FORM, **tampered})


@pytest.mark.parametrize("value", [None, "", 5, "a" * 41, "ab/../c", "x y"])
def test_request_ids_are_checked(value: object) -> None:
    with pytest.raises(rules.BadCardData):
        rules.request_id_of({"request_id": value})


# ---- delays ----------------------------------------------------------------------------------


def test_today_is_a_few_hours() -> None:
    created = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
    due = rules.deadlines("today", created, TZ)
    assert due.remind_at == datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    assert due.ask_at == datetime(2027, 3, 10, 20, 0, tzinfo=UTC)


def test_this_week_is_two_local_days_across_spring_forward() -> None:
    # Friday 12 March 2027, 10:00 EST (15:00 UTC); clocks go forward on Sunday 14 March.
    created = datetime(2027, 3, 12, 15, 0, tzinfo=UTC)
    due = rules.deadlines("week", created, TZ)
    # Sunday 14 March 10:00 EDT = 14:00 UTC: 47 hours later, same wall-clock time.
    assert due.remind_at == datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    assert due.remind_at - created == timedelta(hours=47)
    assert due.ask_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)


def test_this_week_across_fall_back_and_new_year() -> None:
    created = datetime(2027, 11, 6, 14, 0, tzinfo=UTC)  # Saturday 10:00 EDT
    due = rules.deadlines("week", created, TZ)
    assert due.remind_at == datetime(2027, 11, 8, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
    # 31 December 23:30 local is already 1 January in UTC: local days count, and the night
    # of 2 January waits for the morning of the 3rd (8:00 EST = 13:00 UTC).
    late = datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
    assert rules.deadlines("week", late, TZ).remind_at == datetime(2027, 1, 3, 13, 0, tzinfo=UTC)


def test_a_request_made_in_the_evening_waits_for_the_morning() -> None:
    # Wednesday 10 March 2027, 21:00 EST (11 March 02:00 UTC), « aujourd'hui »: 3 hours later is
    # midnight, so the animateurs are reminded at 8:00 (13:00 UTC) and the requester asked at
    # 11:00 (16:00 UTC).
    created = datetime(2027, 3, 11, 2, 0, tzinfo=UTC)
    due = rules.deadlines("today", created, TZ)
    assert due.remind_at == datetime(2027, 3, 11, 13, 0, tzinfo=UTC)
    assert due.ask_at == datetime(2027, 3, 11, 16, 0, tzinfo=UTC)
    # At 16:00 EST: reminded at 19:00, asked the next morning at 8:00 rather than at 22:00.
    afternoon = datetime(2027, 3, 10, 21, 0, tzinfo=UTC)
    due = rules.deadlines("today", afternoon, TZ)
    assert due.remind_at == datetime(2027, 3, 11, 0, 0, tzinfo=UTC)
    assert due.ask_at == datetime(2027, 3, 11, 13, 0, tzinfo=UTC)
    # On the night clocks go forward (Sunday 14 March 2027), 8:00 is EDT (12:00 UTC).
    night = datetime(2027, 3, 14, 5, 0, tzinfo=UTC)  # 0:00 EST
    assert rules.deadlines("today", night, TZ).remind_at == datetime(2027, 3, 14, 12, 0, tzinfo=UTC)


def test_next_meeting_is_reminded_days_before_it_at_nine() -> None:
    created = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
    meeting = datetime(2027, 3, 16, 13, 0, tzinfo=UTC)  # Tuesday 9:00 EDT
    due = rules.deadlines("meeting", created, TZ, meeting)
    assert due.remind_at == datetime(2027, 3, 13, 14, 0, tzinfo=UTC)  # Saturday 9:00 EST
    assert due.ask_at == datetime(2027, 3, 14, 13, 0, tzinfo=UTC)  # Sunday 9:00 EDT


def test_a_meeting_too_close_is_never_reminded_at_once() -> None:
    created = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)
    meeting = datetime(2027, 3, 16, 13, 0, tzinfo=UTC)
    due = rules.deadlines("meeting", created, TZ, meeting)
    assert due.remind_at == created + rules.MIN_DELAY
    assert due.ask_at == due.remind_at + rules.TODAY_GRACE


def test_next_meeting_without_a_planned_one_follows_this_week() -> None:
    created = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
    assert rules.deadlines("meeting", created, TZ) == rules.deadlines("week", created, TZ)


# ---- routing ---------------------------------------------------------------------------------


def test_themes_match_expertise_folded_and_plural_tolerant() -> None:
    assert themes_match(["Soins palliatifs"], ["soin palliatif pédiatrique"])
    assert themes_match(["deuil périnatal"], ["Deuil"])
    assert themes_match(["proches aidants", "douleur"], ["douleurs chroniques"])
    assert not themes_match(["deuil"], ["soins palliatifs", "proches aidants"])
    assert not themes_match([], ["deuil"])
    assert not themes_match(["deuil"], [])


def test_recipients_are_animateurs_then_resource_persons_once_never_the_requester() -> None:
    assert rules.recipients(["anim", "res1"], ["res1", "asker", "res2"], "asker") == (
        "anim",
        "res1",
        "res2",
    )


def test_who_may_accept() -> None:
    r = request()
    assert rules.may_accept(r, "res1", False)
    assert rules.may_accept(r, "other-anim", True)
    assert not rules.may_accept(r, "stranger", False)
    assert not rules.may_accept(r, "asker", True)


def test_first_accept_wins() -> None:
    first = rules.taken(request(), "res1", "Julien", "2027-03-10T15:00:00+00:00")
    assert first is not None
    assert (first.status, first.taker_key, first.taker_name) == ("taken", "res1", "Julien")
    assert rules.taken(first, "res2", "Nadia", "2027-03-10T15:00:01+00:00") is None
    assert rules.cancelled(first, "x") is None
    assert rules.reminded(first, "x") is None


def test_offer_and_decline_only_once_asked() -> None:
    r = request()
    assert rules.offered(r, "c1", "x") is None
    assert rules.expired(r, "x") is None
    asked = rules.asked(r, "2027-03-10T20:00:00+00:00")
    assert asked is not None
    assert rules.asked(asked, "later") is None
    offered = rules.offered(asked, "c1", "2027-03-10T21:00:00+00:00")
    assert offered is not None
    assert (offered.status, offered.case_id) == ("offered", "c1")
    expired = rules.expired(asked, "y")
    assert expired is not None
    assert expired.status == "expired"


def test_chat_link() -> None:
    assert rules.chat_link("julien.pelletier@cisss.example") == (
        "https://teams.microsoft.com/l/chat/0/0?users=julien.pelletier@cisss.example"
    )
    assert rules.chat_link("a b", "Bonjour !") == (
        "https://teams.microsoft.com/l/chat/0/0?users=a%20b&message=Bonjour%20%21"
    )


# ---- counts ----------------------------------------------------------------------------------


def test_stats_count_outcomes_and_median_time_to_answer() -> None:
    day = "2027-03-10T"
    requests = [
        request(id="a", status="taken", taken_at=f"{day}15:00:00+00:00"),  # 1 h
        request(id="b", status="taken", taken_at=f"{day}17:00:00+00:00"),  # 3 h
        request(id="c", status="taken", taken_at=f"{day}20:00:00+00:00"),  # 6 h
        request(id="d", status="offered"),
        request(id="e", status="cancelled"),
        request(id="f", status="expired"),
        request(id="g"),  # still open
        request(id="h", status="taken", created_at="2027-02-01T12:00:00+00:00"),  # before
    ]
    found = rules.stats(
        requests, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
    )
    assert found.requests == 7
    assert found.taken == 3
    assert found.median_hours_to_answer == 3.0
    assert dict(found.outcomes) == {"taken": 3, "offered": 1, "cancelled": 1, "expired": 1}
    empty = rules.stats([], datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    assert (empty.requests, empty.median_hours_to_answer) == (0, None)


def test_erasure_keeps_counts_without_content_or_identity() -> None:
    taken = request(status="taken", taker_key="res1", taker_name="Julien")
    as_requester = forget_in(taken, "asker")
    assert (as_requester.title, as_requester.context, as_requester.requester_name) == ("", "", "")
    assert (as_requester.status, as_requester.taken_at) == ("taken", "")
    as_taker = forget_in(taken, "res1")
    assert (as_taker.taker_key, as_taker.taker_name, as_taker.routed_to) == (
        "",
        "",
        ("anim", "res2"),
    )
    assert as_taker.title == taken.title
    assert forget_in(request(), "asker").status == "cancelled"
