"""``planifier`` after the proposal: editing its lines, « Publier tout », the cycle calendar
and its .ics, and the « Disponibilités » poll hooks — through the bot's HTTP endpoint at an
injected clock (the cycle 2027-2028 computed by hand in test_planning.py)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from cards.dates import long_date
from cards.i18n import Translator
from cards.render import MAX_CARD_BYTES
from dialogs.cycles import Cycle
from dialogs.meetings import jobs as meeting_jobs
from dialogs.meetings import planning, queries, rules
from dialogs.polls.audience import poll_repository
from dialogs.polls.availability import availability_dates
from dialogs.polls.surveys import availability
from storage.poll_repository import Poll, iso
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, card_of, texts_of
from tests.card_walk import actions_of
from tests.cards.card_schema import schema_errors
from tests.dialogs.meetings.conftest import (
    CHANNEL,
    action_data,
    click,
    inputs_of,
    plan_meeting,
    say_in_channel,
    services_of,
    set_clock,
    settle,
    verbs_of,
    walk,
)
from tests.dialogs.meetings.conftest import invoke_card as card_in
from tests.dialogs.meetings.conftest import invoke_text as text_in
from tests.dialogs.meetings.test_plan_http import NOON, section

FR = Translator("fr-CA")
pytestmark = pytest.mark.integration
HAND_COMPUTED = [
    (date(2027, 10, 5), ("ch",)),
    (date(2027, 10, 6), ("clsc",)),
    (date(2027, 11, 2), ("ch", "clsc")),
    (date(2028, 2, 1), ("ch",)),
    (date(2028, 2, 2), ("clsc",)),
    (date(2028, 4, 4), ("ch", "clsc")),
    (date(2028, 5, 2), ("ch",)),
    (date(2028, 5, 3), ("clsc",)),
]


async def plan_card(http: BotHttp, text: str = "planifier") -> dict[str, Any]:
    await http.post(say_in_channel(http, text))
    return card_of(http.replies(CHANNEL)[-1])


def proposed(card: dict[str, Any]) -> list[str]:
    return section(card, FR("meetings.plan.proposed"))


async def act(
    http: BotHttp,
    card: dict[str, Any],
    verb: str,
    *,
    aad: str = ANIMATEUR_AAD,
    reply_to: str = "plan-card",
    **changes: Any,
) -> Any:
    """Click ``verb`` on the card with its inputs as shown, then ``changes`` typed/tampered."""
    data = {**inputs_of(card), **action_data(card, verb), **changes}
    data.pop("verb", None)
    if verb == "meetings.plan_edit" and "op" not in changes:  # « Appliquer les dates »
        data["op"] = "redraw"
    status, body = await http.post(click(http, verb, data, aad=aad, reply_to=reply_to))
    assert status == 200
    return body


async def cycle_meetings(http: BotHttp) -> list[Any]:
    return [
        m
        for m in await queries.meeting_repository(services_of(http)).all()
        if date(2027, 9, 1) <= m.starts_at.date() <= date(2028, 6, 30)
    ]


# ---- editing the proposal --------------------------------------------------------------------


async def test_lines_are_moved_removed_and_added(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    assert schema_errors(card) == []
    assert len(str(card).encode("utf-16-le")) < MAX_CARD_BYTES
    assert {"meetings.plan_edit", "meetings.plan_publish"} <= set(verbs_of(card))
    assert [n["value"] for n in walk(card) if n.get("type") == "Input.Date" and n.get("value")] == [
        day.isoformat() for day, _ in HAND_COMPUTED
    ]

    # Move the first line to Thursday 7 October, then apply: the lines stay in date order.
    moved = card_in(await act(bot_http, card, "meetings.plan_edit", day_0="2027-10-07"))
    assert schema_errors(moved) == []
    assert long_date(date(2027, 10, 6), FR) in proposed(moved)[0]
    assert long_date(date(2027, 10, 7), FR) in proposed(moved)[1]
    assert "Comité des centres hospitaliers" in proposed(moved)[1]
    assert len(proposed(moved)) == 8
    # « Par comité » keeps the profile's order though the CLSC's line now comes first.
    (per_committee,) = [
        t for t in texts_of(moved) if t.startswith(FR("meetings.plan.per_committee", items=""))
    ]
    assert per_committee.index("centres hospitaliers") < per_committee.index("CLSC")

    # Tick « Retirer » on the first line (the CLSC on 6 October), then apply.
    removed = card_in(await act(bot_http, moved, "meetings.plan_edit", drop_0="true"))
    assert len(proposed(removed)) == 7
    assert not any(long_date(date(2027, 10, 6), FR) in text for text in proposed(removed))

    # Add a CLSC meeting on Wednesday 15 March 2028: it takes its place in date order.
    added = card_in(
        await act(
            bot_http,
            removed,
            "meetings.plan_edit",
            op="add",
            add_series="clsc",
            add_day="2028-03-15",
        )
    )
    lines = proposed(added)
    assert len(lines) == 8
    assert long_date(date(2028, 3, 15), FR) in lines[4]
    assert "Comité des CLSC" in lines[4]

    # A typed date outside the cycle keeps the line's date and says why; so does an added one.
    refused = card_in(await act(bot_http, added, "meetings.plan_edit", day_0="2028-08-01"))
    assert schema_errors(refused) == []
    assert FR(
        "meetings.plan.error.outside",
        number=1,
        date=long_date(date(2028, 8, 1), FR),
        year="2027-2028",
    ) in texts_of(refused)
    assert long_date(date(2027, 10, 7), FR) in proposed(refused)[0]  # kept
    late = card_in(
        await act(
            bot_http, added, "meetings.plan_edit", op="add", add_series="*", add_day="2029-01-09"
        )
    )
    assert len(proposed(late)) == 8
    assert FR(
        "meetings.plan.error.add_outside", date=long_date(date(2029, 1, 9), FR), year="2027-2028"
    ) in texts_of(late)
    assert await cycle_meetings(bot_http) == []  # editing publishes nothing


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (date(2027, 10, 11), "holiday"),  # Action de grâces, a Monday
        (date(2027, 10, 9), "weekend"),  # a Saturday
        (date(2027, 12, 29), "closed"),  # the Christmas week
        (date(2028, 3, 8), "closed"),  # spring break
    ],
)
async def test_a_date_moved_or_added_on_a_closed_day_is_refused(
    bot_http: BotHttp, typed: date, code: str
) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    refused = card_in(await act(bot_http, card, "meetings.plan_edit", day_0=typed.isoformat()))
    assert FR(f"meetings.plan.error.{code}", number=1, date=long_date(typed, FR)) in texts_of(
        refused
    )
    assert long_date(date(2027, 10, 5), FR) in proposed(refused)[0]  # kept
    assert not any(long_date(typed, FR) in line for line in proposed(refused))
    added = card_in(
        await act(
            bot_http,
            card,
            "meetings.plan_edit",
            op="add",
            add_series="ch",
            add_day=typed.isoformat(),
        )
    )
    assert FR(f"meetings.plan.error.add_{code}", date=long_date(typed, FR)) in texts_of(added)
    assert len(proposed(added)) == len(HAND_COMPUTED)


async def test_the_card_holds_at_most_its_lines_and_stays_under_the_size_limit(
    bot_http: BotHttp,
) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    day = date(2027, 9, 1)
    while len(proposed(card)) < planning.MAX_ENTRIES:
        day += timedelta(days=7)
        card = card_in(
            await act(
                bot_http,
                card,
                "meetings.plan_edit",
                op="add",
                add_series="*",
                add_day=day.isoformat(),
            )
        )
    assert len(str(card).encode("utf-16-le")) < MAX_CARD_BYTES
    assert schema_errors(card) == []
    full = card_in(
        await act(
            bot_http, card, "meetings.plan_edit", op="add", add_series="ch", add_day="2028-06-01"
        )
    )
    assert FR("meetings.plan.error.too_many") in texts_of(full)
    assert len(proposed(full)) == planning.MAX_ENTRIES


@pytest.mark.parametrize(
    "tampered",
    [
        {"lines": "2027-10-05@zz"},  # a committee the profile does not have
        {"lines": "2029-10-05@ch"},  # a line outside the cycle
        {"lines": "2027-06-01@ch"},  # a day already past
        {"lines": "not a line"},
        {"lines": 7},
        {"plan": "1999-2000x"},
        {"plan": "2028-2029x"},
        {"seen": "../../etc"},
        {"op": "explode"},
        {"op": "remove", "index": 99},
        {"op": "add", "add_series": "zz", "add_day": "2027-10-20"},
        {"day_0": ["2027-10-05"]},
        {"drop_0": "yes"},
    ],
)
async def test_tampered_card_data_is_refused(bot_http: BotHttp, tampered: dict[str, Any]) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    body = await act(bot_http, card, "meetings.plan_edit", **tampered)
    assert text_in(body) == FR("errors.bad_card_data")
    if not {"op", "index", "add_series"} & set(tampered):  # what only editing reads
        body = await act(bot_http, card, "meetings.plan_publish", **tampered)
        assert text_in(body) == FR("errors.bad_card_data")
    assert await cycle_meetings(bot_http) == []


async def test_a_card_older_than_its_first_date_asks_for_a_new_proposal(
    bot_http: BotHttp,
) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    # The card is left in the channel until after its first line's day (5 October 2027).
    set_clock(bot_http, datetime(2027, 10, 6, 16, 0, tzinfo=UTC))
    for verb in ("meetings.plan_edit", "meetings.plan_publish"):
        body = await act(bot_http, card, verb)
        assert text_in(body) == FR("meetings.plan.outdated")  # not « données non reconnues »
    assert await cycle_meetings(bot_http) == []


async def test_a_member_cannot_edit_or_publish(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    for verb in ("meetings.plan_edit", "meetings.plan_publish", "meetings.plan_poll"):
        body = await act(bot_http, card, verb, aad=MEMBER_AAD)
        assert text_in(body) == FR("errors.forbidden")
    assert await cycle_meetings(bot_http) == []


# ---- publishing ------------------------------------------------------------------------------


async def test_publish_all_creates_every_meeting_once_with_cards_and_reminders(
    bot_http: BotHttp,
) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    posted_before = len(bot_http.replies(CHANNEL))
    result = card_in(await act(bot_http, card, "meetings.plan_publish"))
    assert schema_errors(result) == []

    meetings = await cycle_meetings(bot_http)
    assert [(m.starts_at.date(), m.committee_ids) for m in meetings] == HAND_COMPUTED
    services = services_of(bot_http)
    for meeting in meetings:
        assert meeting.agenda == rules.annexe_c_agenda()  # as ``rencontre`` pre-fills it
        assert meeting.starts_at.astimezone(services.timezone).hour == 9
        assert meeting.mode == "hybride"
        assert meeting.place
        assert meeting.card_activity_id
        assert meeting.card_conversation_id == CHANNEL
    joint_title = FR(
        "meetings.card.joint", committees="Comité des centres hospitaliers et Comité des CLSC"
    )
    assert meetings[2].title == joint_title  # not « Rencontre – Rencontre conjointe : … »
    assert meetings[0].title == FR(
        "meetings.plan.title", committees="Comité des centres hospitaliers"
    )
    # Each meeting's reminders (J-7, J-1), as the scheduler plans them at the injected clock
    # (under ``--at`` the real scheduler may already have sent some: they count as planned).
    jobs = {job.id for job in await meeting_jobs.plan_jobs(services, services.clock())}
    for meeting in await cycle_meetings(bot_http):
        for audience, code in ((rules.REMIND_UNANSWERED, "-7d"), (rules.REMIND_COMING, "-1d")):
            sent = rules.reminder_key(audience, code) in meeting.reminders_sent
            assert sent or f"meeting:{meeting.id}:{code}" in jobs
    # Eight meeting cards and one calendar card went to the channel.
    posted = bot_http.replies(CHANNEL)[posted_before:]
    assert len(posted) == 9
    for meeting, post in zip(meetings, posted, strict=False):
        assert meeting.title in texts_of(card_of(post))
    assert FR("meetings.calendar.heading", year="2027-2028") in texts_of(card_of(posted[8]))
    # The calendar and the « Déjà prévues » lines name each meeting's committees once.
    calendar = texts_of(card_of(posted[8]))
    assert joint_title in calendar
    assert meetings[0].title in calendar
    for text in calendar + texts_of(result):
        assert "Rencontre – Rencontre" not in text
        assert text.count("Comité des centres hospitaliers") <= 1, text
    # The proposal now says the cycle is complete, and lists the eight.
    assert FR("meetings.plan.complete") in texts_of(result)
    assert any(FR.plural("meetings.plan.published", 8) in text for text in texts_of(result))
    # Nothing left to propose: the card's one action posts (or redraws) the calendar.
    assert [a["title"] for a in actions_of(result) if a.get("verb") == "meetings.plan_publish"] == [
        FR("meetings.plan.publish_calendar")
    ]

    # A double click (the same card again) publishes nothing more, and neither does re-planning.
    again = card_in(await act(bot_http, card, "meetings.plan_publish"))
    assert FR("meetings.plan.stale") in texts_of(again)
    assert len(await cycle_meetings(bot_http)) == 8
    assert len(bot_http.replies(CHANNEL)) == posted_before + 9
    replanned = await plan_card(bot_http, "planifier 2027-2028")
    assert proposed(replanned) == []
    assert FR("meetings.plan.complete") in texts_of(replanned)
    assert len(section(replanned, FR.plural("meetings.plan.existing", 8))) == 8


async def test_a_line_already_published_is_not_published_again(bot_http: BotHttp) -> None:
    """Even with a fresh fingerprint (the cycle changed elsewhere in between), a line whose
    meeting exists is skipped: its id comes from the line."""
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    await act(bot_http, card, "meetings.plan_publish")
    meetings = await cycle_meetings(bot_http)
    seen = planning.fingerprint([m.id for m in meetings])
    body = await act(bot_http, card, "meetings.plan_publish", seen=seen)
    assert FR("meetings.plan.calendar_posted") in texts_of(card_in(body))
    assert len(await cycle_meetings(bot_http)) == 8


async def test_publishing_from_a_personal_chat_is_refused(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    await bot_http.post(bot_http.activity("planifier", aad=ANIMATEUR_AAD))
    card = card_of(bot_http.replies()[-1])
    data = {**inputs_of(card), **action_data(card, "meetings.plan_edit"), "op": "redraw"}
    data.pop("verb")
    _, body = await bot_http.post(
        click(bot_http, "meetings.plan_publish", data, aad=ANIMATEUR_AAD, channel=False)
    )
    assert text_in(body) == FR("meetings.plan.in_personal")
    assert await cycle_meetings(bot_http) == []


# ---- the cycle calendar ----------------------------------------------------------------------


async def calendar_file(http: BotHttp, card: dict[str, Any]) -> Calendar:
    _, body = await http.post(
        click(http, "meetings.calendar", {"plan": "2027-2028"}, aad=ANIMATEUR_AAD)
    )
    shown = card_in(body)
    link = next(t for t in texts_of(shown) if "/files/" in t)
    path = "/files/" + link.rsplit("/files/", 1)[1].split(")")[0]
    response = await http.client.get(path)
    assert response.status == 200
    assert response.content_type == "text/calendar"
    return Calendar.from_ical(await response.read())


async def test_the_calendar_lists_the_cycle_and_follows_its_changes(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    await act(bot_http, card, "meetings.plan_publish")
    meetings = await cycle_meetings(bot_http)
    stored = await queries.meeting_repository(services_of(bot_http)).calendar("2027-2028")
    assert stored is not None
    assert stored.conversation_id == CHANNEL
    calendar_card = card_of(bot_http.replies(CHANNEL)[-1])
    assert schema_errors(calendar_card) == []
    texts = texts_of(calendar_card)
    for meeting in meetings:
        assert any(long_date(meeting.starts_at.date(), FR) in t for t in texts)
    assert any("Hôpital Charles-Le Moyne" in t for t in texts)
    assert "meetings.calendar" in verbs_of(calendar_card)

    ics = await calendar_file(bot_http, calendar_card)
    events = list(ics.walk("VEVENT"))
    assert len(events) == 8
    assert [str(e["UID"]).split("@")[0] for e in events] == [m.id for m in meetings]
    assert [e.decoded("DTSTART") for e in events] == [m.starts_at for m in meetings]
    assert {str(e["STATUS"]) for e in events} == {"CONFIRMED"}

    # Cancelling a meeting on its card redraws the calendar (through the messenger).
    first = meetings[0]
    status, _ = await bot_http.post(
        click(
            bot_http,
            "meetings.cancel",
            {"meeting_id": first.id},
            aad=ANIMATEUR_AAD,
            reply_to=first.card_activity_id,
        )
    )
    assert status == 200
    await settle(bot_http)
    redrawn = card_of(bot_http.connector.updated[stored.activity_id][-1])
    assert FR("meetings.card.cancelled_banner") in texts_of(redrawn)
    ics = await calendar_file(bot_http, redrawn)
    statuses = {str(e["UID"]).split("@")[0]: str(e["STATUS"]) for e in ics.walk("VEVENT")}
    assert statuses[first.id] == "CANCELLED"

    # Editing another from a 1:1 (the form's Execute) redraws it through the messenger.
    second = meetings[1]
    _, body = await bot_http.post(
        click(bot_http, "meetings.edit", {"meeting_id": second.id}, aad=ANIMATEUR_AAD)
    )
    form = card_in(body)
    data = {**action_data(form, "meetings.save"), **inputs_of(form)}
    data.pop("verb")
    data.update(
        day="2027-10-14",
        join_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
    )
    before = len(bot_http.connector.updated[stored.activity_id])
    status, _ = await bot_http.post(
        click(bot_http, "meetings.save", data, aad=ANIMATEUR_AAD, channel=False)
    )
    assert status == 200
    await settle(bot_http)
    updates = bot_http.connector.updated[stored.activity_id]
    assert len(updates) > before
    assert any(long_date(date(2027, 10, 14), FR) in t for t in texts_of(card_of(updates[-1])))

    # A meeting planned by hand in that cycle joins the calendar too.
    await asyncio.sleep(2.1)  # the connector stub keeps Teams' 8 messages in 2 s per chat
    await plan_meeting(bot_http, committees="ch", day="2027-12-07")
    await settle(bot_http)
    updates = bot_http.connector.updated[stored.activity_id]
    assert any(long_date(date(2027, 12, 7), FR) in t for t in texts_of(card_of(updates[-1])))
    assert len(list((await calendar_file(bot_http, redrawn)).walk("VEVENT"))) == 9


async def test_a_cycle_planned_by_hand_gets_its_calendar_from_the_complete_card(
    bot_http: BotHttp,
) -> None:
    set_clock(bot_http, NOON)
    planned = await plan_meeting(bot_http, committees="ch", day="2027-10-05")
    card = await plan_card(bot_http)
    before = len(bot_http.replies(CHANNEL))
    # Tick « Retirer » on every proposed line: the card keeps the meeting that exists, and can
    # post the calendar of the cycle as it is.
    ticked = {f"drop_{i}": "true" for i in range(len(proposed(card)))}
    card = card_in(await act(bot_http, card, "meetings.plan_edit", **ticked))
    assert proposed(card) == []
    assert [a["title"] for a in actions_of(card) if a.get("verb") == "meetings.plan_publish"] == [
        FR("meetings.plan.publish_calendar")
    ]
    result = card_in(await act(bot_http, card, "meetings.plan_publish"))
    assert FR("meetings.plan.calendar_posted") in texts_of(result)
    assert [m.id for m in await cycle_meetings(bot_http)] == [planned.meeting_id]
    [calendar_post] = bot_http.replies(CHANNEL)[before:]
    texts = texts_of(card_of(calendar_post))
    assert FR("meetings.calendar.heading", year="2027-2028") in texts
    assert any(long_date(date(2027, 10, 5), FR) in t for t in texts)


# ---- the « Disponibilités » poll ---------------------------------------------------------------


async def test_without_a_poll_the_card_offers_one_with_the_proposed_dates(
    bot_http: BotHttp,
) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    assert FR("meetings.plan.poll_none") in texts_of(card)
    assert "meetings.plan_poll" in verbs_of(card)
    before = len(bot_http.replies(CHANNEL))
    body = await act(bot_http, card, "meetings.plan_poll")
    after = card_in(body)
    assert FR("meetings.plan.poll_launched") in texts_of(after)
    # The redrawn proposal neither says « no poll yet » nor offers a second draft.
    assert FR("meetings.plan.poll_none") not in texts_of(after)
    assert "meetings.plan_poll" not in verbs_of(after)
    drafts = [
        p for p in await poll_repository(services_of(bot_http)).all() if p.kind == "availability"
    ]
    assert len(drafts) == 1
    assert drafts[0].status == "draft"
    # Titled for the cycle's meetings, not « Disponibilités pour la prochaine rencontre ».
    assert drafts[0].title == FR("polls.template.availability.title_cycle", year="2027-2028")
    labels = [c.label for c in drafts[0].questions[0].choices]
    assert labels[:8] == [long_date(day, FR) for day, _ in HAND_COMPUTED]
    # The draft card was posted below the proposal, for the animateur to check and publish.
    assert len(bot_http.replies(CHANNEL)) == before + 1
    assert "polls.publish" in verbs_of(card_of(bot_http.replies(CHANNEL)[-1]))


async def test_the_polls_best_dates_come_first(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    card = await plan_card(bot_http)
    await act(bot_http, card, "meetings.plan_poll")
    services = services_of(bot_http)
    repository = poll_repository(services)
    [draft] = [p for p in await repository.all() if p.kind == "availability"]
    # The poll as published, its choices replaced by other dates (a Thursday of October,
    # one in November), answered by three members.
    question = draft.questions[0]
    choices = (
        replace(question.choices[0], label=long_date(date(2027, 10, 14), FR)),
        replace(question.choices[1], label=long_date(date(2027, 11, 18), FR)),
        *question.choices[2:],
    )
    poll = replace(
        draft,
        status="open",
        published_at=iso(services.clock()),
        questions=(replace(question, choices=choices), *draft.questions[1:]),
    )
    await repository.save(poll)
    one, two = choices[0].id, choices[1].id
    for n, picked in enumerate(([one, two], [one], [two, one])):
        await repository.record_named(
            poll.id, f"m{n}", f"Membre {n}", {question.id: picked}, services.clock()
        )

    shown = await plan_card(bot_http)
    lines = proposed(shown)
    assert FR.plural("meetings.plan.poll_used", 2) in texts_of(shown)
    assert "meetings.plan_poll" not in verbs_of(shown)
    # Joint meetings are placed first: the first takes the best date (its slice of months is
    # September to January); the hospital centres' first meeting (September to November) the
    # second best. Every rule is still kept, and the other lines are the usual ones.
    marker = FR("meetings.plan.from_poll", line="").strip()
    polled = [t for t in lines if t.endswith(marker)]
    assert len(polled) == 2
    assert long_date(date(2027, 10, 14), FR) in polled[0]
    assert "conjointe" in polled[0]
    assert long_date(date(2027, 11, 18), FR) in polled[1]
    assert "Comité des centres hospitaliers" in polled[1]
    assert long_date(date(2027, 10, 5), FR) in lines[0]  # the CLSC's, as before
    assert [a.get("verb") for a in actions_of(shown)].count("meetings.plan_publish") == 1


async def test_the_polls_hook_reads_dates_in_the_polls_language_and_skips_drafts(
    bot_http: BotHttp,
) -> None:
    set_clock(bot_http, NOON)
    services = services_of(bot_http)
    period = Cycle().starting(2027)
    repository = poll_repository(services)
    english = Translator("en")
    days = [date(2027, 10, 13), date(2027, 10, 20), date(2028, 9, 5)]  # the last: next cycle
    blueprint = availability(english, services.now(), days)
    base = Poll(
        id="p-en",
        kind="availability",
        title=blueprint.title,
        questions=blueprint.questions,
        status="open",
        anonymous=False,
        visibility="live",
        audience="channel",
        deadline=iso(services.clock() + timedelta(days=5)),
        created_by="someone",
        created_at=iso(services.clock()),
        locale="en",
        published_at=iso(services.clock()),
    )
    question = base.questions[0]
    await repository.save(replace(base, id="p-draft", status="draft", published_at=""))
    assert await availability_dates(services, period) == []
    await repository.save(base)
    assert await availability_dates(services, period) == []  # no answers yet
    c1, c2, c3 = (c.id for c in question.choices[:3])
    await repository.record_named(base.id, "m1", "M 1", {question.id: [c2, c3]}, services.clock())
    await repository.record_named(base.id, "m2", "M 2", {question.id: [c2, c1]}, services.clock())
    # Best first; 5 September 2028 is not in the 2027-2028 cycle.
    assert await availability_dates(services, period) == [date(2027, 10, 20), date(2027, 10, 13)]
