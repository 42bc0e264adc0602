"""Meetings through the bot's HTTP endpoint, as Teams drives it: plan from the channel, the card
updated in place, answers, reminders (injected clock), changes, the meeting chat, the invite."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.app import create_app
from bot.settings import Settings
from cards.dates import cycle_text, long_date
from cards.i18n import Translator
from cards.render import MAX_CARD_BYTES
from dialogs.cycles import Cycle
from dialogs.meetings import jobs as meeting_jobs
from dialogs.meetings import notify, privacy, queries, views
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, card_of, texts_of
from tests.cards.card_schema import schema_errors
from tests.cards.inputs import blocking_inputs
from tests.dialogs.meetings.conftest import (
    CHANNEL,
    JOIN_URL,
    MEMBERS,
    Planned,
    action_data,
    answer,
    card_updates,
    click,
    future_day,
    in_channel,
    inputs_of,
    introduce,
    open_form,
    plan_meeting,
    rsvp_choices,
    runtime_of,
    say_in_channel,
    sent_to,
    services_of,
    set_clock,
    settle,
    use_roster,
    verbs_of,
    walk,
)
from tests.dialogs.meetings.conftest import invoke_card as card_in
from tests.dialogs.meetings.conftest import invoke_text as text_in

FR = Translator("fr-CA")
EN = Translator("en")
pytestmark = pytest.mark.integration
MEETING_CHAT = "19:meeting_NjQ5ZjE2@thread.v2"


def counts_line(card: dict[str, Any]) -> str:
    """The line under « Réponses »."""
    for node in walk(card):
        items = node.get("items") or []
        if items and items[0].get("text") == FR("meetings.card.answers"):
            return str(items[1]["text"])
    raise AssertionError("no answers on the card")


def cards_with(http: BotHttp, name: str, text: str) -> list[dict[str, Any]]:
    """The cards sent to this member's 1:1 chat that say ``text``."""
    sent = [card_of(a) for a in sent_to(http, MEMBERS.get(name, name)) if a.get("attachments")]
    return [card for card in sent if text in texts_of(card)]


def expected_counts(salle: int, en_ligne: int, absent: int) -> str:
    parts = [
        FR("meetings.card.count", label=FR(f"meetings.choice.{c}"), count=n)
        for c, n in (("salle", salle), ("en_ligne", en_ligne), ("absent", absent))
    ]
    return FR("meetings.card.counts_separator").join(parts)


def size_of(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


# ---- planning ----------------------------------------------------------------------------


async def test_the_form_starts_from_annexe_c(bot_http: BotHttp) -> None:
    form = await open_form(bot_http)
    assert schema_errors(form) == []
    values = inputs_of(form)
    assert (values["start"], values["end"]) == ("09:00", "16:00")
    rows = [(values[f"a_{n}_start"], values[f"a_{n}_kind"]) for n in range(1, 7)]
    assert rows == [
        ("08:30", "accueil"),
        ("09:00", "tour_de_table"),
        ("09:45", "affaires_diverses"),
        ("10:15", "supervision"),
        ("12:00", "repas"),
        ("13:15", "atelier_conference"),
    ]
    assert values["a_6_title"] == FR("meetings.kind.atelier_conference")
    assert values["remind_unanswered"] == "7"
    assert values["remind_coming"] == "1"


async def test_planning_is_done_in_the_channel(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("rencontre", aad=ANIMATEUR_AAD))
    assert bot_http.replies()[-1]["text"] == FR("meetings.plan.use_channel")


async def test_a_member_cannot_plan_or_edit(bot_http: BotHttp) -> None:
    await bot_http.post(say_in_channel(bot_http, "rencontre", MEMBER_AAD))
    assert bot_http.replies(CHANNEL)[-1]["text"] == FR("errors.forbidden")
    planned = await plan_meeting(bot_http)
    for verb in ("meetings.save", "meetings.edit", "meetings.cancel", "meetings.add_rows"):
        data = {"meeting_id": planned.meeting_id, "editing": True, "rows": 0, "title": "Piraté"}
        _, body = await bot_http.post(click(bot_http, verb, data, aad=MEMBER_AAD))
        assert text_in(body) == FR("errors.forbidden")
    meeting = await queries.get(services_of(bot_http), planned.meeting_id)
    assert meeting is not None
    assert meeting.title == "Journée régionale psychosociale"
    assert meeting.status == "planned"


async def test_publishing_turns_the_form_into_the_meeting_card(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    shared = card_updates(bot_http, planned.card_id)[-1]
    assert schema_errors(shared) == []
    texts = texts_of(shared)
    assert "Journée régionale psychosociale" in texts
    committees = FR("meetings.card.committee_separator").join(
        ["Comité des centres hospitaliers", "Comité des CLSC"]
    )
    assert FR("meetings.card.joint", committees=committees) in texts
    assert FR("meetings.span", start="9 h 00", end="16 h 00") in texts
    assert FR("meetings.mode.hybride") in texts
    assert FR("meetings.agenda.end_of_day") in texts
    assert rsvp_choices(shared) == ["salle", "en_ligne", "absent"]
    assert "meetings.edit" not in verbs_of(shared)  # the shared card has no animateur actions
    assert any(n.get("url") == JOIN_URL for n in walk(shared))
    # The animateur's own view (the invoke answer) has the management actions.
    mine = card_in(planned.response)
    assert {"meetings.edit", "meetings.cancel"} <= set(verbs_of(mine))
    # Stored with its card, and found by the queries other features use.
    services = services_of(bot_http)
    ref = await queries.get(services, planned.meeting_id)
    assert ref is not None
    assert ref.committee_ids == ("ch", "clsc")
    assert ref.mode == "hybride"
    assert [slot.kind for slot in ref.agenda][-1] == "atelier_conference"
    assert await queries.find_by_join_url(services, JOIN_URL.split("?")[0]) == ref
    assert [m.id for m in await queries.upcoming(services, services.clock())] == [ref.id]
    assert [j for j in runtime_of(bot_http).scheduler.job_ids() if j.startswith("meeting:")] == [
        f"meeting:{ref.id}:-1d",
        f"meeting:{ref.id}:-7d",
    ]


async def test_publishing_twice_makes_one_meeting(bot_http: BotHttp) -> None:
    form = await open_form(bot_http)
    data = {**action_data(form, "meetings.save"), **inputs_of(form)}
    data.update(title="Rencontre", committees="ch", day=future_day(), mode="virtuel")
    data.update(join_url=JOIN_URL)
    for _ in range(2):
        _, body = await bot_http.post(
            click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD, reply_to="form-x")
        )
        assert "Rencontre" in texts_of(card_in(body))
    assert len(await queries.upcoming(services_of(bot_http), services_of(bot_http).clock())) == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"day": "2020-01-07"}, ["date_past"]),
        ({"join_url": ""}, ["link_required"]),
        ({"join_url": "https://zoom.us/j/123"}, ["link_not_teams"]),
        ({"venue": "", "place": ""}, ["place_required"]),
        ({"start": "16:00", "end": "09:00"}, ["end_before_start"]),
        ({"committees": ""}, ["committee_required"]),
        ({"a_2_start": "07:00"}, ["agenda_outside"]),
    ],
)
async def test_form_problems_come_back_on_the_form(
    bot_http: BotHttp, changes: dict[str, str], errors: list[str]
) -> None:
    planned = await plan_meeting(bot_http, overrides=changes)
    form = card_in(planned.response)
    texts = texts_of(form)
    assert FR("meetings.form.errors_title") in texts
    for code in errors:
        message = FR(f"meetings.error.{code}", row=2)
        assert FR("meetings.form.error_line", error=message) in texts
    assert inputs_of(form)["title"] == "Journée régionale psychosociale"  # typed data kept
    assert await queries.get(services_of(bot_http), planned.meeting_id) is None
    assert card_updates(bot_http, planned.card_id) == []


@pytest.mark.parametrize(
    "data",
    [
        {"meeting_id": "../etc"},
        {"meeting_id": "a1b2c3d4e5f6", "rows": 999},
        {"meeting_id": "a1b2c3d4e5f6", "rows": 1, "sources": {"1": "patient:x"}},
        {"meeting_id": "a1b2c3d4e5f6", "rows": 0, "title": ["liste"]},
        {"meeting_id": "a1b2c3d4e5f6", "rows": 0, "editing": "oui"},
    ],
)
async def test_tampered_form_data_changes_nothing(bot_http: BotHttp, data: dict[str, Any]) -> None:
    _, body = await bot_http.post(click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD))
    assert text_in(body) == FR("errors.bad_card_data")
    assert await queries.upcoming(services_of(bot_http), services_of(bot_http).clock()) == []


async def test_adding_lines_to_a_fresh_form_is_not_blocked(bot_http: BotHttp) -> None:
    """Issue 19: « Ajouter 5 lignes » was blocked until title, committees, date and mode were
    filled. No input of the form blocks it (or « Publier »: the bot checks and answers on
    the form)."""
    form = await open_form(bot_http)
    assert blocking_inputs(form, "meetings.add_rows") == set()
    data = {**action_data(form, "meetings.add_rows"), **inputs_of(form)}
    assert (data.get("title"), data.get("day"), data.get("mode")) == ("", "", "")
    _, body = await bot_http.post(click(bot_http, "meetings.add_rows", data, aad=ANIMATEUR_AAD))
    more = card_in(body)

    def rows(card: dict[str, Any]) -> int:
        return sum(1 for n in walk(card) if str(n.get("id", "")).endswith("_title"))

    assert rows(more) == rows(form) + 5
    # Publishing the empty form is refused by the bot, on the form.
    data = {**action_data(more, "meetings.save"), **inputs_of(more)}
    _, body = await bot_http.post(click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD))
    assert f"• {FR('meetings.error.title_required')}" in texts_of(card_in(body))
    assert await queries.upcoming(services_of(bot_http), services_of(bot_http).clock()) == []


async def test_a_long_agenda_stays_under_the_size_limit(bot_http: BotHttp) -> None:
    form = await open_form(bot_http)
    for rows in (13, 18, 23, 25):  # 6 template lines + 2 blank, then "Ajouter 5 lignes" x 4
        data = {**action_data(form, "meetings.add_rows"), **inputs_of(form)}
        data["a_1_title"] = "Accueil et café"  # what was typed is kept
        _, body = await bot_http.post(click(bot_http, "meetings.add_rows", data, aad=ANIMATEUR_AAD))
        form = card_in(body)
        assert sum(1 for n in walk(form) if str(n.get("id", "")).endswith("_title")) == rows
        assert inputs_of(form)["a_1_title"] == "Accueil et café"
    assert "meetings.add_rows" not in verbs_of(form)  # the form offers 25 lines at most
    data = {**action_data(form, "meetings.save"), **inputs_of(form)}
    data.update(title="Longue journée", committees="ch", day=future_day(), mode="virtuel")
    data.update(join_url=JOIN_URL)
    for n in range(1, 26):
        data.update(
            {
                f"a_{n}_start": "09:00",
                f"a_{n}_end": "16:00",
                f"a_{n}_kind": "autre",
                f"a_{n}_title": f"Point {n} " + "é" * 190,
                f"a_{n}_presenter": "Présentatrice " + "x" * 105,
            }
        )
    assert size_of(form) < MAX_CARD_BYTES
    _, body = await bot_http.post(
        click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD, reply_to="form-long")
    )
    mine = card_in(body)
    shared = card_updates(bot_http, "form-long")[-1]
    _, body = await bot_http.post(
        click(bot_http, "meetings.edit", {"meeting_id": data["meeting_id"]}, aad=ANIMATEUR_AAD)
    )
    edit_form = card_in(body)  # 25 long lines, to edit
    assert inputs_of(edit_form)["a_25_title"].startswith("Point ")
    for card in (mine, shared, edit_form):
        assert schema_errors(card) == []
        assert size_of(card) < MAX_CARD_BYTES
    ref = await queries.get(services_of(bot_http), data["meeting_id"])
    assert ref is not None
    assert len(ref.agenda) == 25


# ---- answers -----------------------------------------------------------------------------


async def test_three_members_answer_counts_are_right_and_a_double_click_counts_once(
    bot_http: BotHttp,
) -> None:
    planned = await plan_meeting(bot_http)
    mine = card_in(await answer(bot_http, planned, "alice", "salle"))
    assert FR("meetings.card.my_choice", label=FR("meetings.choice.salle")) in texts_of(mine)
    assert FR("meetings.rsvp.selected", label=FR("meetings.choice.salle")) in texts_of(mine)
    assert "meetings.edit" not in verbs_of(mine)  # a member's view
    await answer(bot_http, planned, "benoit", "en_ligne")
    updates_before = len(card_updates(bot_http, planned.card_id))
    await answer(bot_http, planned, "chloe", "absent")
    await answer(bot_http, planned, "chloe", "absent")  # double click
    updates = card_updates(bot_http, planned.card_id)
    assert len(updates) == updates_before + 1  # the double click changed nothing
    assert counts_line(updates[-1]) == expected_counts(1, 1, 1)
    assert await queries.rsvps(services_of(bot_http), planned.meeting_id) == {
        MEMBERS["alice"].casefold(): "salle",
        MEMBERS["benoit"].casefold(): "en_ligne",
        MEMBERS["chloe"].casefold(): "absent",
    }
    # Whoever answered gets their own view automatically (refresh), animateur first.
    refresh = updates[-1]["refresh"]
    assert refresh["action"]["verb"] == "meetings.view"
    assert refresh["userIds"][0] == f"29:{ANIMATEUR_AAD}"
    assert {f"29:{MEMBERS[n]}" for n in ("alice", "benoit", "chloe")} <= set(refresh["userIds"])
    # The animateur sees names by answer; a member does not.
    _, body = await bot_http.post(
        click(bot_http, "meetings.view", {"meeting_id": planned.meeting_id}, aad=ANIMATEUR_AAD)
    )
    names = FR(
        "meetings.card.names", label=FR("meetings.choice.salle"), count=1, names="Alice Tremblay"
    )
    assert names in texts_of(card_in(body))
    _, body = await bot_http.post(
        click(bot_http, "meetings.view", {"meeting_id": planned.meeting_id}, aad=MEMBERS["denis"])
    )
    assert names not in texts_of(card_in(body))
    assert not any("Alice Tremblay" in t for t in texts_of(updates[-1]))


async def test_a_member_changes_their_answer(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    await answer(bot_http, planned, "alice", "salle")
    await answer(bot_http, planned, "alice", "en_ligne")
    assert counts_line(card_updates(bot_http, planned.card_id)[-1]) == expected_counts(0, 1, 0)


async def test_in_person_meeting_offers_no_online_answer(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http, mode="presentiel")
    assert rsvp_choices(card_updates(bot_http, planned.card_id)[-1]) == ["salle", "absent"]
    assert text_in(await answer(bot_http, planned, "alice", "en_ligne")) == FR(
        "meetings.rsvp.not_offered"
    )
    assert await queries.rsvps(services_of(bot_http), planned.meeting_id) == {}


@pytest.mark.parametrize(
    "data",
    [
        {"meeting_id": "a1b2c3d4e5f6", "choice": "peut-être"},
        {"meeting_id": "nope", "choice": "salle"},
        {"choice": "salle"},
    ],
)
async def test_tampered_answers_are_refused(bot_http: BotHttp, data: dict[str, Any]) -> None:
    _, body = await bot_http.post(click(bot_http, "meetings.rsvp", data, aad=MEMBERS["alice"]))
    assert text_in(body) == FR("errors.bad_card_data")


async def test_answer_to_an_unknown_meeting(bot_http: BotHttp) -> None:
    data = {"meeting_id": "a1b2c3d4e5f6", "choice": "salle"}
    _, body = await bot_http.post(click(bot_http, "meetings.rsvp", data, aad=MEMBERS["alice"]))
    assert text_in(body) == FR("meetings.error.not_found")


async def test_submit_fallback_keeps_the_shared_card_shared(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    submit = in_channel(bot_http.activity(None, aad=MEMBERS["alice"]))
    submit["value"] = {"verb": "meetings.rsvp", "meeting_id": planned.meeting_id, "choice": "salle"}
    submit["replyToId"] = planned.card_id
    await bot_http.post(submit)
    shared = card_updates(bot_http, planned.card_id)[-1]
    assert counts_line(shared) == expected_counts(1, 0, 0)
    assert not any(FR("meetings.card.my_choice", label="") in t for t in texts_of(shared))


async def test_english_member_sees_english(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    await bot_http.choose_language(MEMBERS["alice"])
    _, body = await bot_http.post(
        click(
            bot_http,
            "meetings.rsvp",
            {"meeting_id": planned.meeting_id, "choice": "en_ligne"},
            aad=MEMBERS["alice"],
            reply_to=planned.card_id,
            locale="en-US",
        )
    )
    texts = texts_of(card_in(body))
    assert EN("meetings.card.my_choice", label=EN("meetings.choice.en_ligne")) in texts
    assert EN("meetings.agenda.end_of_day") in texts


# ---- reminders ---------------------------------------------------------------------------


async def test_reminders_go_to_the_right_people_once(bot_http: BotHttp) -> None:
    await introduce(bot_http, "alice", "benoit", "chloe", "denis")
    use_roster(bot_http, "alice", "benoit", "chloe", "denis")
    planned = await plan_meeting(bot_http)
    await answer(bot_http, planned, "alice", "salle")
    await answer(bot_http, planned, "benoit", "en_ligne")
    await answer(bot_http, planned, "denis", "absent")
    services = services_of(bot_http)
    ref = await queries.get(services, planned.meeting_id)
    assert ref is not None
    jobs = {job.id: job for job in await meeting_jobs.plan_jobs(services, services.clock())}
    assert set(jobs) == {f"meeting:{ref.id}:-7d", f"meeting:{ref.id}:-1d"}
    assert jobs[f"meeting:{ref.id}:-7d"].run_at == ref.starts_at - timedelta(days=7)

    # J-7 (injected clock): only Chloé has not answered.
    set_clock(bot_http, ref.starts_at - timedelta(days=7))
    await jobs[f"meeting:{ref.id}:-7d"].func()
    await settle(bot_http)
    chloe = [card_of(a) for a in sent_to(bot_http, MEMBERS["chloe"]) if a.get("attachments")]
    headline = FR("meetings.notice.unanswered_headline", title=ref.title)
    assert [c for c in chloe if headline in texts_of(c)]
    assert rsvp_choices(chloe[-1]) == ["salle", "en_ligne", "absent"]
    for name in ("alice", "benoit", "denis"):
        assert not any(
            headline in texts_of(card_of(a))
            for a in sent_to(bot_http, MEMBERS[name])
            if a.get("attachments")
        )

    # J-1: those coming, with the place or the link.
    set_clock(bot_http, ref.starts_at - timedelta(days=1))
    await jobs[f"meeting:{ref.id}:-1d"].func()
    await settle(bot_http)
    coming = FR.plural("meetings.notice.coming_headline", 1, title=ref.title)
    received = {
        name: [card_of(a) for a in sent_to(bot_http, MEMBERS[name]) if a.get("attachments")]
        for name in ("alice", "benoit", "chloe", "denis")
    }
    assert [n for n, cards in received.items() if any(coming in texts_of(c) for c in cards)] == [
        "alice",
        "benoit",
    ]
    alice = next(c for c in received["alice"] if coming in texts_of(c))
    assert any("Hôpital Charles-Le Moyne" in t for t in texts_of(alice))
    benoit = next(c for c in received["benoit"] if coming in texts_of(c))
    assert any(n.get("url") == JOIN_URL for n in walk(benoit))

    # Run again (a restart, a duplicate job): nothing new goes out, nothing is planned again.
    before = sum(len(v) for v in bot_http.connector.received.values())
    for job in jobs.values():
        await job.func()
    await settle(bot_http)
    assert sum(len(v) for v in bot_http.connector.received.values()) == before
    assert await meeting_jobs.plan_jobs(services, ref.starts_at - timedelta(days=2)) == []


async def test_reminders_are_planned_again_after_a_restart(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    await bot_http.client.close()
    restarted = TestClient(TestServer(create_app(Settings(data_dir=bot_http.data_dir))))
    await restarted.start_server()
    bot_http.client = restarted
    try:
        assert f"meeting:{planned.meeting_id}:-7d" in runtime_of(bot_http).scheduler.job_ids()
        assert f"meeting:{planned.meeting_id}:-1d" in runtime_of(bot_http).scheduler.job_ids()
    finally:
        await restarted.close()


# ---- changes -----------------------------------------------------------------------------


async def edit_to(bot_http: BotHttp, planned: Planned, **changes: str) -> dict[str, Any]:
    _, body = await bot_http.post(
        click(
            bot_http,
            "meetings.edit",
            {"meeting_id": planned.meeting_id},
            aad=ANIMATEUR_AAD,
            reply_to=planned.card_id,
        )
    )
    form = card_in(body)
    data = {**action_data(form, "meetings.save"), **inputs_of(form), **changes}
    _, body = await bot_http.post(
        click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD, reply_to=planned.card_id)
    )
    return card_in(body)


async def test_a_meeting_becoming_virtual_asks_the_room_again(bot_http: BotHttp) -> None:
    await introduce(bot_http, "alice", "benoit")
    planned = await plan_meeting(bot_http)
    await answer(bot_http, planned, "alice", "salle")
    await answer(bot_http, planned, "benoit", "en_ligne")
    mine = await edit_to(bot_http, planned, mode="virtuel", venue="")
    assert rsvp_choices(mine) == ["en_ligne", "absent"]
    shared = card_updates(bot_http, planned.card_id)[-1]
    assert FR("meetings.mode.virtuel") in texts_of(shared)
    assert counts_line(shared) == FR("meetings.card.counts_separator").join(
        FR("meetings.card.count", label=FR(f"meetings.choice.{c}"), count=n)
        for c, n in (("en_ligne", 1), ("absent", 0))
    )
    await settle(bot_http)
    services = services_of(bot_http)
    assert await queries.rsvps(services, planned.meeting_id) == {
        MEMBERS["benoit"].casefold(): "en_ligne"
    }
    ask = FR("meetings.notice.ask_again_headline", title="Journée régionale psychosociale")
    changed = FR("meetings.notice.changed_headline", title="Journée régionale psychosociale")
    assert len(cards_with(bot_http, "alice", ask)) == 1
    assert cards_with(bot_http, "alice", changed) == []
    assert len(cards_with(bot_http, "benoit", changed)) == 1
    assert cards_with(bot_http, "benoit", ask) == []
    # The notice says what changed, old → new (issue 19).
    notice = texts_of(cards_with(bot_http, "benoit", changed)[0])
    assert (
        FR("meetings.change.mode", old=FR("meetings.mode.hybride"), new=FR("meetings.mode.virtuel"))
        in notice
    )
    assert (
        FR(
            "meetings.change.place",
            old="Hôpital Charles-Le Moyne, salle 2-110",
            new=FR("meetings.change.nothing"),
        )
        in notice
    )
    assert not any(t.startswith("Date :") for t in notice)  # the date did not change
    # Alice's notice lets her answer again, with what the new mode allows.
    assert rsvp_choices(cards_with(bot_http, "alice", ask)[0]) == ["en_ligne", "absent"]


async def test_a_change_notice_says_what_changed(bot_http: BotHttp) -> None:
    """Issue 19: not « La date, l'heure, le mode, le lieu ou le lien a changé », but each
    change, old → new."""
    await introduce(bot_http, "benoit")
    day = date.fromisoformat(future_day(30))
    planned = await plan_meeting(bot_http, day=day.isoformat())
    await answer(bot_http, planned, "benoit", "salle")
    later = day + timedelta(days=1)
    await edit_to(bot_http, planned, day=later.isoformat())
    await settle(bot_http)
    changed = FR("meetings.notice.changed_headline", title="Journée régionale psychosociale")
    (notice,) = cards_with(bot_http, "benoit", changed)
    assert schema_errors(notice) == []
    texts = texts_of(notice)
    assert FR("meetings.notice.changed_text") in texts
    assert FR("meetings.change.date", old=long_date(day, FR), new=long_date(later, FR)) in texts
    assert not any(t.startswith("Heure :") or t.startswith("Mode :") for t in texts)


async def test_a_title_change_updates_the_card_without_notices(bot_http: BotHttp) -> None:
    await introduce(bot_http, "alice")
    planned = await plan_meeting(bot_http)
    await answer(bot_http, planned, "alice", "salle")
    await edit_to(bot_http, planned, title="Nouveau titre")
    assert "Nouveau titre" in texts_of(card_updates(bot_http, planned.card_id)[-1])
    await settle(bot_http)
    changed = FR("meetings.notice.changed_headline", title="Nouveau titre")
    assert cards_with(bot_http, "alice", changed) == []
    await edit_to(bot_http, planned, end="16:30")
    await settle(bot_http)
    assert len(cards_with(bot_http, "alice", changed)) == 1


async def test_cancelling_notifies_those_coming(bot_http: BotHttp) -> None:
    await introduce(bot_http, "alice", "benoit", "chloe")
    planned = await plan_meeting(bot_http)
    await answer(bot_http, planned, "alice", "salle")
    await answer(bot_http, planned, "benoit", "en_ligne")
    await answer(bot_http, planned, "chloe", "absent")
    _, body = await bot_http.post(
        click(
            bot_http,
            "meetings.cancel",
            {"meeting_id": planned.meeting_id},
            aad=ANIMATEUR_AAD,
            reply_to=planned.card_id,
        )
    )
    assert FR("meetings.card.cancelled_banner") in texts_of(card_in(body))
    shared = card_updates(bot_http, planned.card_id)[-1]
    assert FR("meetings.card.cancelled_banner") in texts_of(shared)
    assert rsvp_choices(shared) == []
    await settle(bot_http)
    headline = FR("meetings.notice.cancelled_headline", title="Journée régionale psychosociale")

    def told(name: str) -> bool:
        sent = sent_to(bot_http, MEMBERS[name])
        return any(headline in texts_of(card_of(a)) for a in sent if a.get("attachments"))

    assert (told("alice"), told("benoit"), told("chloe")) == (True, True, False)
    assert not [j for j in runtime_of(bot_http).scheduler.job_ids() if planned.meeting_id in j]
    ref = await queries.get(services_of(bot_http), planned.meeting_id)
    assert ref is not None
    assert ref.status == "cancelled"
    assert text_in(await answer(bot_http, planned, "alice", "absent")) == FR("meetings.rsvp.closed")
    _, body = await bot_http.post(
        click(bot_http, "meetings.edit", {"meeting_id": planned.meeting_id}, aad=ANIMATEUR_AAD)
    )
    assert text_in(body) == FR("meetings.error.not_editable")


async def test_an_answer_from_a_1to1_updates_the_channel_card(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    before = len(card_updates(bot_http, planned.card_id))
    await answer(bot_http, planned, "alice", "en_ligne", channel=False)
    await settle(bot_http)  # updated proactively, by the messenger
    updates = bot_http.connector.updated[planned.card_id]
    assert len(updates) == before + 1
    assert updates[-1]["conversation_id"] == CHANNEL.split(";")[0]
    assert counts_line(card_of(updates[-1])) == expected_counts(0, 1, 0)


# ---- invite, list, year ------------------------------------------------------------------


async def test_the_invite_is_a_valid_calendar_file(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    _, body = await bot_http.post(
        click(bot_http, "meetings.invite", {"meeting_id": planned.meeting_id}, aad=MEMBERS["alice"])
    )
    card = card_in(body)
    link = next(
        n["url"]
        for n in walk(card)
        if n.get("type") == "Action.OpenUrl"
        and n.get("title") == FR("meetings.card.download_invite")
    )
    path = "/files/" + link.rsplit("/files/", 1)[1]
    response = await bot_http.client.get(path)
    assert response.status == 200
    assert response.content_type == "text/calendar"
    calendar = Calendar.from_ical(await response.read())
    assert str(calendar["METHOD"]) == "PUBLISH"
    event = next(iter(calendar.walk("VEVENT")))
    ref = await queries.get(services_of(bot_http), planned.meeting_id)
    assert ref is not None
    assert event.decoded("DTSTART") == ref.starts_at
    assert event.decoded("DTEND") == ref.ends_at
    assert str(event["SUMMARY"]) == ref.title
    assert str(event["URL"]) == JOIN_URL
    assert "Hôpital Charles-Le Moyne" in str(event["LOCATION"])
    assert JOIN_URL in str(event["DESCRIPTION"])
    assert FR("meetings.kind.atelier_conference") in str(event["DESCRIPTION"])
    assert (await bot_http.client.get("/files/" + "x" * 43)).status == 404


async def test_the_list_and_the_year(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http, committees="ch", mode="virtuel")
    await bot_http.post(bot_http.activity("rencontres", aad=MEMBERS["alice"]))
    listing = card_of(bot_http.replies()[-1])
    assert "Journée régionale psychosociale" in texts_of(listing)
    assert FR("meetings.list.no_answer") in texts_of(listing)
    assert "meetings.year" not in verbs_of(listing)
    await bot_http.post(bot_http.activity("rencontres année", aad=MEMBERS["alice"]))
    assert bot_http.replies()[-1]["text"] == FR("errors.forbidden")
    await bot_http.post(bot_http.activity("rencontres demain", aad=MEMBERS["alice"]))
    services = services_of(bot_http)
    current = Cycle().of(services.now().date())
    usage = FR("meetings.list.usage", example=current.label, first=current.start.year)
    assert bot_http.replies()[-1]["text"] == usage
    # « année » is the community's current cycle (September to June), whatever today is.
    await bot_http.choose_language(ANIMATEUR_AAD)
    await bot_http.post(bot_http.activity("meetings year", aad=ANIMATEUR_AAD, locale="en-US"))
    year_card = card_of(bot_http.replies()[-1])
    assert schema_errors(year_card) == []
    assert EN("meetings.year.heading", year=current.label) in texts_of(year_card)
    # The planned meeting counts in the cycle of its own date, asked for by name.
    ref = await queries.get(services, planned.meeting_id)
    assert ref is not None
    cycle = Cycle().of(ref.starts_at.astimezone(services.timezone).date())
    await bot_http.post(
        bot_http.activity(f"meetings {cycle.label}", aad=ANIMATEUR_AAD, locale="en-US")
    )
    year_card = card_of(bot_http.replies()[-1])
    assert schema_errors(year_card) == []
    assert EN("meetings.year.heading", year=cycle.label) in texts_of(year_card)
    assert cycle_text(cycle.label, cycle.start, cycle.end, EN) in texts_of(year_card)
    assert "Journée régionale psychosociale" in texts_of(year_card)
    assert EN("meetings.year.committee_missing", own=1, target=3, joint=0, missing=2) in texts_of(
        year_card
    )
    # A single year means the cycle that starts in it.
    await bot_http.choose_language(ANIMATEUR_AAD, "fr-CA")
    await bot_http.post(bot_http.activity(f"rencontres {cycle.start.year}", aad=ANIMATEUR_AAD))
    assert FR("meetings.year.heading", year=cycle.label) in texts_of(
        card_of(bot_http.replies()[-1])
    )


# ---- the topic bank ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledItem:
    source: str
    item_id: str
    title: str
    kind: str
    presenter: str


async def test_a_scheduled_topic_lands_in_the_afternoon_workshop(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    topic = ScheduledItem(
        "topic", "t-42", "Accueillir la diversité de genre", "formatif", "Karine Michel"
    )

    async def scheduled(services: Any, meeting_id: str) -> list[ScheduledItem]:
        return [topic] if meeting_id == planned.meeting_id else []

    services_of(bot_http).components[views.SCHEDULED_COMPONENT] = scheduled
    before = len(card_updates(bot_http, planned.card_id))
    await views.refresh_card(services_of(bot_http), planned.meeting_id)  # as the bank would
    await settle(bot_http)
    assert len(card_updates(bot_http, planned.card_id)) == before + 1
    shared = card_updates(bot_http, planned.card_id)[-1]
    workshop = FR(
        "meetings.agenda.presented_by",
        text=FR(
            "meetings.agenda.kind_title",
            kind=FR("meetings.kind.atelier_conference"),
            title=topic.title,
        ),
        presenter=topic.presenter,
    )
    facts = {f["title"]: f["value"] for n in walk(shared) for f in n.get("facts", [])}
    assert facts[FR("meetings.span", start="13 h 15", end="16 h 00")] == workshop
    ref = await queries.get(services_of(bot_http), planned.meeting_id)
    assert ref is not None
    # The edit form shows it in place, remembering where it came from; saving keeps one line.
    _, body = await bot_http.post(
        click(bot_http, "meetings.edit", {"meeting_id": planned.meeting_id}, aad=ANIMATEUR_AAD)
    )
    form = card_in(body)
    assert inputs_of(form)["a_6_title"] == topic.title
    assert action_data(form, "meetings.save")["sources"] == {"6": "topic:t-42"}
    data = {**action_data(form, "meetings.save"), **inputs_of(form)}
    await bot_http.post(
        click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD, reply_to=planned.card_id)
    )
    shared = card_updates(bot_http, planned.card_id)[-1]
    assert sum(1 for t in texts_of(shared) if topic.title in t) == 1


# ---- the meeting chat --------------------------------------------------------------------


def meeting_event(
    bot_http: BotHttp, name: str, value: dict[str, Any], conversation: str = MEETING_CHAT
) -> dict[str, Any]:
    activity = bot_http.activity(None, aad=ANIMATEUR_AAD, type="event", name=name, value=value)
    activity["conversation"] = {
        "id": conversation,
        "conversationType": "groupChat",
        "tenantId": "t1",
    }
    activity["channelData"] = {"tenant": {"id": "t1"}, "meeting": {"id": "MCMxOTptZWV0aW5n"}}
    return activity


def start_cards(bot_http: BotHttp, chat: str, title: str) -> list[dict]:
    """The meetings start cards posted in a meeting chat (presence posts its own check-in)."""
    wanted = FR("meetings.start.title", title=title)
    return [
        a for a in bot_http.replies(chat) if a.get("attachments") and wanted in texts_of(card_of(a))
    ]


async def test_meeting_start_posts_the_agenda_and_the_rules_once(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    ref = await queries.get(services_of(bot_http), planned.meeting_id)
    assert ref is not None
    start = {
        "Id": "MCMxOTptZWV0aW5n",
        "JoinUrl": JOIN_URL.replace("%3a", ":").replace("%40", "@"),
        "Title": "Autre titre dans Teams",
        "MeetingType": "Scheduled",
        "StartTime": ref.starts_at.isoformat(),
    }
    await bot_http.post(meeting_event(bot_http, "application/vnd.microsoft.meetingStart", start))
    posted = start_cards(bot_http, MEETING_CHAT, ref.title)
    assert len(posted) == 1
    card = card_of(posted[0])
    assert schema_errors(card) == []
    texts = texts_of(card)
    assert FR("meetings.start.title", title=ref.title) in texts
    assert FR("meetings.start.rules_title") in texts
    profile = services_of(bot_http).profile.current
    for rule in profile.rules.items:
        assert f"- {rule.get('fr-CA')}" in texts
    assert FR("meetings.kind.supervision") in texts
    linked = await queries.find_by_chat(services_of(bot_http), MEETING_CHAT)
    assert linked is not None
    assert linked.id == ref.id
    # Redelivered (new activity id) or restarted meeting: nothing posted twice.
    sent = len(bot_http.replies(MEETING_CHAT))
    await bot_http.post(meeting_event(bot_http, "application/vnd.microsoft.meetingStart", start))
    assert len(bot_http.replies(MEETING_CHAT)) == sent


async def test_meeting_start_with_lowercase_keys_matches_by_title_and_date(
    bot_http: BotHttp,
) -> None:
    planned = await plan_meeting(bot_http, mode="presentiel")
    ref = await queries.get(services_of(bot_http), planned.meeting_id)
    assert ref is not None
    start = {"title": "journée régionale PSYCHOSOCIALE", "startTime": ref.starts_at.isoformat()}
    chat = "19:meeting_other@thread.v2"
    await bot_http.post(
        meeting_event(bot_http, "application/vnd.microsoft.meetingStart", start, chat)
    )
    assert len(start_cards(bot_http, chat, ref.title)) == 1
    assert (await queries.find_by_chat(services_of(bot_http), chat)) is not None
    # An unrelated meeting of the team posts nothing.
    other = {"title": "Réunion d'équipe", "startTime": ref.starts_at.isoformat()}
    await bot_http.post(
        meeting_event(bot_http, "application/vnd.microsoft.meetingStart", other, "19:meeting_z")
    )
    assert bot_http.replies("19:meeting_z") == []


async def test_the_first_of_a_month_is_written_1er(bot_http: BotHttp) -> None:
    """Issue 19: « lundi 1er février 2027 », on the card and in the 1:1 notices."""
    soon = date.fromisoformat(future_day(40))
    first = date(soon.year + soon.month // 12, soon.month % 12 + 1, 1)
    planned = await plan_meeting(bot_http, day=first.isoformat())
    card = card_in(planned.response)
    written = FR("meetings.card.date")
    assert written in texts_of(card)
    expected = long_date(first, FR)
    assert " 1er " in expected
    assert any(expected in text for text in texts_of(card))
    assert long_date(first, EN).endswith(f" 1, {first.year}")


async def test_a_shared_link_links_the_chat_to_the_meeting_of_that_day(bot_http: BotHttp) -> None:
    """Committees reuse a recurring Teams link: the start event goes with the meeting whose
    scheduled window is near it, not the first meeting with that link."""
    services = services_of(bot_http)
    first = await queries.get(
        services, (await plan_meeting(bot_http, day=future_day(30))).meeting_id
    )
    later = await queries.get(
        services, (await plan_meeting(bot_http, day=future_day(67))).meeting_id
    )
    assert first is not None
    assert later is not None
    start = {
        "Id": "MCMx",
        "JoinUrl": JOIN_URL,
        "Title": "t",
        "StartTime": later.starts_at.isoformat(),
    }
    chat = "19:meeting_later@thread.v2"
    await bot_http.post(
        meeting_event(bot_http, "application/vnd.microsoft.meetingStart", start, chat)
    )
    linked = await queries.find_by_chat(services, chat)
    assert linked is not None
    assert linked.id == later.id
    assert len(start_cards(bot_http, chat, later.title)) == 1
    # Far from every meeting with that link: nothing is linked or posted.
    far = {**start, "StartTime": (first.starts_at - timedelta(days=10)).isoformat()}
    await bot_http.post(
        meeting_event(
            bot_http, "application/vnd.microsoft.meetingStart", far, "19:meeting_far@thread.v2"
        )
    )
    assert await queries.find_by_chat(services, "19:meeting_far@thread.v2") is None
    assert bot_http.replies("19:meeting_far@thread.v2") == []


async def test_two_plausible_meetings_the_animateur_is_asked(bot_http: BotHttp) -> None:
    await bot_http.post(
        bot_http.activity("aide", aad=ANIMATEUR_AAD, conversation="a:personal-anim")
    )
    services = services_of(bot_http)
    day = future_day(30)
    next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    first = await queries.get(services, (await plan_meeting(bot_http, day=day)).meeting_id)
    second = await queries.get(services, (await plan_meeting(bot_http, day=next_day)).meeting_id)
    assert first is not None
    assert second is not None
    # The evening between the two days: both are plausible, none is running.
    evening = first.ends_at + timedelta(hours=3)
    start = {"Id": "MCMx", "JoinUrl": JOIN_URL, "Title": "t", "StartTime": evening.isoformat()}
    chat = "19:meeting_which@thread.v2"
    # The bot was added to the meeting (that is how it receives the meeting's events).
    installed = bot_http.activity(
        None, aad=ANIMATEUR_AAD, type="conversationUpdate", membersAdded=[{"id": "28:veilleuse"}]
    )
    installed["conversation"] = {"id": chat, "conversationType": "groupChat", "tenantId": "t1"}
    await bot_http.post(installed)
    await bot_http.post(
        meeting_event(bot_http, "application/vnd.microsoft.meetingStart", start, chat)
    )
    await settle(bot_http)
    assert await queries.find_by_chat(services, chat) is None
    assert [a for a in bot_http.replies(chat) if a.get("attachments")] == []
    asked = cards_with(bot_http, ANIMATEUR_AAD, FR("meetings.which.title"))
    assert len(asked) == 1
    assert schema_errors(asked[0]) == []
    choices = [n["data"] for n in walk(asked[0]) if n.get("type") == "Action.Execute"]
    assert {c["meeting_id"] for c in choices} == {first.id, second.id}
    chosen = next(c for c in choices if c["meeting_id"] == second.id)
    status, body = await bot_http.post(
        click(bot_http, "meetings.link_chat", chosen, aad=ANIMATEUR_AAD, channel=False)
    )
    assert status == 200
    assert text_in(body) == FR(
        "meetings.which.done",
        title=second.title,
        date=long_date(second.starts_at.astimezone(services.timezone).date(), FR),
    )
    await settle(bot_http)
    linked = await queries.find_by_chat(services, chat)
    assert linked is not None
    assert linked.id == second.id
    assert len(start_cards(bot_http, chat, second.title)) == 1
    # A member cannot link a chat; a tampered chat id is refused.
    status, body = await bot_http.post(
        click(bot_http, "meetings.link_chat", chosen, aad=MEMBER_AAD, channel=False)
    )
    assert text_in(body) == FR("errors.forbidden")
    tampered = {**chosen, "meeting_id": first.id, "chat": "not-a-chat"}
    status, body = await bot_http.post(
        click(bot_http, "meetings.link_chat", tampered, aad=ANIMATEUR_AAD, channel=False)
    )
    assert text_in(body) == FR("errors.bad_card_data")
    # The chat is linked already: choosing again changes nothing.
    again = {**chosen, "meeting_id": first.id}
    status, body = await bot_http.post(
        click(bot_http, "meetings.link_chat", again, aad=ANIMATEUR_AAD, channel=False)
    )
    assert text_in(body) == FR("meetings.which.already", title=second.title)
    linked = await queries.find_by_chat(services, chat)
    assert linked is not None
    assert linked.id == second.id


async def end_meeting(bot_http: BotHttp) -> Planned:
    await bot_http.post(
        bot_http.activity("aide", aad=ANIMATEUR_AAD, conversation="a:personal-anim")
    )
    planned = await plan_meeting(bot_http)
    ref = await queries.get(services_of(bot_http), planned.meeting_id)
    assert ref is not None
    value = {"Id": "x", "JoinUrl": JOIN_URL, "Title": "t", "StartTime": ref.starts_at.isoformat()}
    await bot_http.post(meeting_event(bot_http, "application/vnd.microsoft.meetingStart", value))
    for _ in range(2):  # the end event twice: offered once
        await bot_http.post(meeting_event(bot_http, "application/vnd.microsoft.meetingEnd", value))
    await settle(bot_http)
    return planned


async def test_meeting_end_offers_the_satisfaction_survey_to_the_animateur(
    bot_http: BotHttp,
) -> None:
    assert notify.survey_available(services_of(bot_http))  # the polls feature is installed
    planned = await end_meeting(bot_http)
    offers = cards_with(bot_http, ANIMATEUR_AAD, FR("meetings.survey.title"))
    assert len(offers) == 1
    assert schema_errors(offers[0]) == []
    assert action_data(offers[0], notify.SURVEY_VERB) == {
        "verb": "polls.post_template",
        "template": "satisfaction",
        "meeting_id": planned.meeting_id,
    }


async def test_no_survey_offer_without_the_polls_feature(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    services.features = [
        f for f in services.features if notify.SURVEY_VERB not in {str(a.verb) for a in f.ACTIONS}
    ]
    await end_meeting(bot_http)
    assert cards_with(bot_http, ANIMATEUR_AAD, FR("meetings.survey.title")) == []


# ---- with the other features' real data ---------------------------------------------------


async def test_committee_members_come_from_the_onboarding_profiles(bot_http: BotHttp) -> None:
    from dialogs.onboarding.queries import profile_repository
    from storage.profile_repository import MemberProfile

    await introduce(bot_http, "alice", "benoit", "chloe", "denis")
    services = services_of(bot_http)
    for name, committees in (("alice", ("ch",)), ("benoit", ("ch",)), ("chloe", ("clsc",))):
        key = MEMBERS[name].casefold()
        await profile_repository(services).save(
            MemberProfile(
                key=key, name=name, teams_user_id=f"29:{MEMBERS[name]}", committee_ids=committees
            )
        )
    planned = await plan_meeting(bot_http, committees="ch", mode="virtuel")
    await answer(bot_http, planned, "benoit", "en_ligne")
    await answer(bot_http, planned, "denis", "absent")  # not in the committee, but answered
    invited = await queries.invited_member_keys(services, planned.meeting_id)
    assert invited == sorted(MEMBERS[n].casefold() for n in ("alice", "benoit", "denis"))
    ref = await queries.get(services, planned.meeting_id)
    assert ref is not None
    set_clock(bot_http, ref.starts_at - timedelta(days=7))
    await notify.send_reminder(services, ref.id, "unanswered", "-7d")
    await settle(bot_http)
    headline = FR("meetings.notice.unanswered_headline", title=ref.title)
    reached = [n for n in MEMBERS if cards_with(bot_http, n, headline)]
    assert reached == ["alice"]
    # The animateur sees how many have not answered yet.
    _, body = await bot_http.post(
        click(bot_http, "meetings.view", {"meeting_id": ref.id}, aad=ANIMATEUR_AAD)
    )
    assert FR("meetings.card.unanswered", count=1) in texts_of(card_in(body))
    # Chloé (CLSC) does not see a CH meeting in her list; Alice does.
    for name, sees in (("chloe", False), ("alice", True)):
        await bot_http.post(
            bot_http.activity("rencontres", aad=MEMBERS[name], conversation=f"a:personal-{name}")
        )
        listing = card_of(bot_http.replies(f"a:personal-{name}")[-1])
        assert (ref.title in texts_of(listing)) is sees


async def test_a_topic_scheduled_in_the_real_topic_bank_is_placed(bot_http: BotHttp) -> None:
    from dialogs.topics.repositories import topic_repository
    from storage.topic_repository import Topic

    planned = await plan_meeting(bot_http)
    services = services_of(bot_http)
    topic = Topic(
        id="tp1",
        title="Les deuils multiples",
        description="",
        kind="reflexif",
        presenter="Marc",
        proposer_key="k",
        proposer_name="Marc",
        created_at="2030-01-01T00:00:00+00:00",
        status="scheduled",
        meeting_id=planned.meeting_id,
    )
    await topic_repository(services).add(topic)
    ref = await queries.get(services, planned.meeting_id)
    assert ref is not None
    _, body = await bot_http.post(
        click(bot_http, "meetings.view", {"meeting_id": ref.id}, aad=MEMBERS["alice"])
    )
    facts = {f["title"]: f["value"] for n in walk(card_in(body)) for f in n.get("facts", [])}
    supervision = facts[FR("meetings.span", start="10 h 15", end="12 h 00")]
    assert "Les deuils multiples" in supervision
    assert "Marc" in supervision


# ---- personal data -----------------------------------------------------------------------


async def test_member_data_and_erasure(bot_http: BotHttp) -> None:
    planned = await plan_meeting(bot_http)
    await answer(bot_http, planned, "alice", "salle")
    services = services_of(bot_http)
    key = MEMBERS["alice"].casefold()
    data = await privacy.member_data(services, key)
    assert [(a["meeting_id"], a["meeting_answer"]) for a in data["meetings_answers"]] == [
        (planned.meeting_id, "salle")
    ]
    json.dumps(data)  # JSON-ready
    await privacy.forget_member(services, key)
    assert await queries.rsvps(services, planned.meeting_id) == {}
    assert (await privacy.member_data(services, key))["meetings_answers"] == []
    await privacy.forget_member(services, ANIMATEUR_AAD.casefold())
    assert await privacy.member_data(services, ANIMATEUR_AAD.casefold()) == {
        "meetings_answers": [],
        "meetings_planned": [],
    }


async def test_upcoming_and_range_queries(bot_http: BotHttp) -> None:
    first = await plan_meeting(bot_http, day=future_day(20))
    second = await plan_meeting(bot_http, day=future_day(40))
    services = services_of(bot_http)
    one = await queries.get(services, first.meeting_id)
    two = await queries.get(services, second.meeting_id)
    assert one is not None
    assert two is not None
    found = await queries.in_range(services, one.starts_at, two.starts_at)
    assert [m.id for m in found] == [one.id]
    later = await queries.upcoming(services, one.ends_at + timedelta(minutes=1))
    assert [m.id for m in later] == [two.id]
    kept = await queries.remember_online_meeting(services, one.id, "MSo1N2Y5", ANIMATEUR_AAD)
    assert kept is not None
    assert (kept.online_meeting_id, kept.organizer_aad_id) == ("MSo1N2Y5", ANIMATEUR_AAD)
    assert await queries.get(services, one.id) == kept
    assert await queries.remember_online_meeting(services, "f" * 12, "x") is None
    assert one.starts_at.tzinfo is not None
