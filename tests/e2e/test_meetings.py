"""Meetings, end to end through the Agents Playground: an animateur plans a hybrid joint
meeting in the channel from the Annexe C template, members answer (a double click counts once),
the .ics invite downloads, the meeting chat gets the agenda and the rules at the start event,
and cancelling tells those who said they would come. Bad input: a member cannot plan; a link
that is not a Teams meeting comes back on the form.

Reminders (J-7, J-1) need an injected clock, which a bot in another process does not have:
they are covered by tests/dialogs/meetings/test_http.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import aiohttp
from icalendar import Calendar

from cards.i18n import Translator
from tests.cards.card_schema import schema_errors
from tests.e2e.client import (
    BotMessage,
    PlaygroundClient,
    card_actions,
    card_inputs,
    card_strings,
    card_texts,
)
from tests.e2e.playground import ISABELLE, JEAN_FRANCOIS, NATHALIE, SOPHIE

FR = Translator("fr-CA")
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZTJlLXBsYXk%40thread.v2/0"
VENUE = "Hôpital Charles-Le Moyne, salle 2-110"


def _walk(node: Any) -> Iterable[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def execute_data(card: dict[str, Any] | None, verb: str) -> dict[str, Any]:
    for action in card_actions(card):
        if action.get("type") == "Action.Execute" and action.get("verb") == verb:
            return dict(action["data"])
    raise AssertionError(f"no {verb} on the card")


def is_form(message: BotMessage) -> bool:
    return FR("meetings.form.new_title") in card_texts(message.card)


def card_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer.get("type") == "application/vnd.microsoft.card.adaptive", answer
    return dict(answer["value"])


def counts(card: dict[str, Any] | None) -> str:
    for node in _walk(card):
        items = node.get("items") or []
        if items and items[0].get("text") == FR("meetings.card.answers"):
            return str(items[1]["text"])
    raise AssertionError("no answers on the card")


def expected_counts(salle: int, en_ligne: int, absent: int) -> str:
    return FR("meetings.card.counts_separator").join(
        FR("meetings.card.count", label=FR(f"meetings.choice.{c}"), count=n)
        for c, n in (("salle", salle), ("en_ligne", en_ligne), ("absent", absent))
    )


async def open_form(client: PlaygroundClient) -> BotMessage:
    await client.send_text(FR("command.meeting.word"), user=ISABELLE, conversation="channel")
    return await client.expect_message(is_form, conversation="channel")


def filled(form: BotMessage, day: date, **changes: str) -> dict[str, Any]:
    data = {**execute_data(form.card, "meetings.save"), **card_inputs(form.card)}
    data.update(
        title="Journée régionale psychosociale (e2e)",
        committees="ch,clsc",
        day=day.isoformat(),
        mode="hybride",
        venue=VENUE,
        join_url=JOIN_URL,
    )
    data.update(changes)
    return data


async def propose_and_schedule(
    client: PlaygroundClient, title: str, presenter: str, meeting_id: str
) -> None:
    """Through the topic bank's own cards: Isabelle proposes a training topic, then puts it on
    the meeting's agenda."""
    await client.send_text(f"{FR('command.topic.word')} {title}", user=ISABELLE)
    proposal = await client.expect_message(
        lambda m: "topics.submit" in {a.get("verb") for a in card_actions(m.card)}, user=ISABELLE
    )
    data = {**execute_data(proposal.card, "topics.submit"), **card_inputs(proposal.card)}
    data.update(title=title, kind="formatif", presenter=presenter, description="")
    detail = card_of(await client.click_execute(proposal, "topics.submit", data, user=ISABELLE))
    schedule = {**execute_data(detail, "topics.schedule"), "meeting": meeting_id}
    answer = await client.click_execute(proposal, "topics.schedule", schedule, user=ISABELLE)
    assert answer.get("type") == "application/vnd.microsoft.card.adaptive", answer


async def latest_update(client: PlaygroundClient, form: BotMessage) -> BotMessage:
    """The newest content of the card message (each update is one WebSocket message)."""
    return await client.expect_message(
        lambda m: m.message_id == form.message_id, conversation="channel", action="updateMessage"
    )


async def test_plan_answer_invite_start_and_cancel(client: PlaygroundClient) -> None:
    day = date.today() + timedelta(days=45)
    form = await open_form(client)
    assert card_inputs(form.card)["a_6_kind"] == "atelier_conference"  # the Annexe C day

    mine = card_of(
        await client.click_execute(form, "meetings.save", filled(form, day), user=ISABELLE)
    )
    assert {"meetings.edit", "meetings.cancel"} <= {a.get("verb") for a in card_actions(mine)}
    shared = await latest_update(client, form)
    assert schema_errors(shared.card or {}) == []
    strings = card_strings(shared.card)
    assert "Journée régionale psychosociale (e2e)" in strings
    assert FR("meetings.span", start="9 h 00", end="16 h 00") in strings
    assert FR("meetings.kind.atelier_conference") in strings  # the template's free workshop
    meeting_id = execute_data(shared.card, "meetings.invite")["meeting_id"]

    # A training topic proposed to the bank and scheduled for this meeting fills the afternoon
    # workshop (volet formatif -> atelier-conférence), with its presenter.
    topic = "Accueillir la diversité de genre"
    await propose_and_schedule(client, topic, "Karine Michel", meeting_id)
    # Scheduling redraws the channel card at once (through the messenger), topic included.
    shared = await client.expect_message(
        lambda m: m.message_id == form.message_id and topic in " ".join(card_strings(m.card)),
        conversation="channel",
        action="updateMessage",
        timeout=15,
    )

    # Three members answer in three modes; Sophie clicks twice (each answer redraws the card).
    for person, choice in ((SOPHIE, "salle"), (JEAN_FRANCOIS, "en_ligne"), (NATHALIE, "absent")):
        answer = await client.click_execute(
            shared, "meetings.rsvp", {"meeting_id": meeting_id, "choice": choice}, user=person
        )
        label = FR(f"meetings.choice.{choice}")
        assert FR("meetings.card.my_choice", label=label) in card_texts(card_of(answer))
        shared = await latest_update(client, form)
    await client.click_execute(
        shared, "meetings.rsvp", {"meeting_id": meeting_id, "choice": "salle"}, user=SOPHIE
    )
    await client.expect_no_message(
        lambda m: m.message_id == form.message_id, conversation="channel", action="updateMessage"
    )
    assert counts(shared.card) == expected_counts(1, 1, 1)
    workshop = FR(
        "meetings.agenda.presented_by",
        text=FR(
            "meetings.agenda.kind_title", kind=FR("meetings.kind.atelier_conference"), title=topic
        ),
        presenter="Karine Michel",
    )
    facts = {f["title"]: f["value"] for n in _walk(shared.card) for f in n.get("facts", [])}
    assert facts[FR("meetings.span", start="13 h 15", end="16 h 00")] == workshop

    # The invite: an expiring link to a calendar file with the Teams link and the place.
    answer = card_of(
        await client.click_execute(
            shared, "meetings.invite", {"meeting_id": meeting_id}, user=NATHALIE
        )
    )
    link = next(
        a["url"]
        for a in card_actions(answer)
        if a.get("title") == FR("meetings.card.download_invite")
    )
    async with aiohttp.ClientSession() as session, session.get(link) as response:
        assert response.status == 200
        calendar = Calendar.from_ical(await response.read())
    event = next(iter(calendar.walk("VEVENT")))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["URL"]) == JOIN_URL
    assert VENUE in str(event["LOCATION"])
    assert event.decoded("DTSTART").date() in (day, day + timedelta(days=1))

    # Teams starts the meeting in its chat: the agenda and the rules of the frame.
    await client.send_custom_activity(
        "event",
        name="application/vnd.microsoft.meetingStart",
        value={
            "Id": "e2e-meeting",
            "JoinUrl": JOIN_URL,
            "Title": "Réunion Teams",
            "StartTime": f"{day.isoformat()}T14:00:00+00:00",  # the meeting's day, 9 h in Québec
        },
        conversation="group",
        user=ISABELLE,
    )
    started = await client.expect_message(conversation="group")
    texts = card_texts(started.card)
    assert FR("meetings.start.title", title="Journée régionale psychosociale (e2e)") in texts
    assert FR("meetings.start.rules_title") in texts

    # Cancelling: the card says so, and Sophie and Jean-François (coming) are told in 1:1.
    for person in (SOPHIE, JEAN_FRANCOIS, NATHALIE):
        await client.personal_chat(person)
    answer = await client.click_execute(
        shared, "meetings.cancel", {"meeting_id": meeting_id}, user=ISABELLE
    )
    assert FR("meetings.card.cancelled_banner") in card_texts(card_of(answer))
    shared = await latest_update(client, form)
    assert FR("meetings.card.cancelled_banner") in card_texts(shared.card)
    headline = FR(
        "meetings.notice.cancelled_headline", title="Journée régionale psychosociale (e2e)"
    )
    for person in (SOPHIE, JEAN_FRANCOIS):
        notice = await client.expect_message(
            lambda m: headline in card_texts(m.card), user=person, timeout=15
        )
        assert notice.card is not None
    await client.expect_no_message(
        lambda m: headline in card_texts(m.card), user=NATHALIE, within=1.0
    )


async def test_bad_input_changes_nothing(client: PlaygroundClient) -> None:
    # A member cannot plan.
    await client.send_text(FR("command.meeting.word"), user=SOPHIE, conversation="channel")
    refusal = await client.expect_message(conversation="channel")
    assert refusal.text == FR("errors.forbidden")

    # A link that is not a Teams meeting, and a date in the past: the form comes back.
    form = await open_form(client)
    data = filled(form, date.today() - timedelta(days=1), join_url="https://zoom.us/j/123")
    answer = card_of(await client.click_execute(form, "meetings.save", data, user=ISABELLE))
    texts = card_texts(answer)
    for code in ("date_past", "link_not_teams"):
        error = FR(f"meetings.error.{code}")
        assert FR("meetings.form.error_line", error=error) in texts
    assert card_inputs(answer)["title"] == "Journée régionale psychosociale (e2e)"
    await client.expect_no_message(
        lambda m: m.message_id == form.message_id, conversation="channel", action="updateMessage"
    )

    # A forged answer is refused.
    forged = await client.click_execute(
        form, "meetings.rsvp", {"meeting_id": "000000000000", "choice": "peut-être"}, user=SOPHIE
    )
    assert forged["value"] == FR("errors.bad_card_data")
