"""Planning a whole cycle, end to end through the Agents Playground: Isabelle (animateur) types
« planifier » with a cycle in the channel, moves one line of the proposal, publishes it all at
once; the meetings of both committees are created with their own cards in the channel (Annexe
C agenda, answer buttons), one cycle calendar card lists them with one .ics holding every
event; planning again proposes nothing, and clicking « Publier tout » again publishes nothing.

The cycle planned is the one starting two years from now, so the meetings other e2e tests
create (within weeks) are not in it. With the shipped profile (two committees, three meetings
each, two joint ones) that is 8 meetings: 5 for each committee (3 of its own and the 2 joint),
the ten committee meetings the guide's Montérégie CdeP holds. Reminders (J-7, J-1) need an
injected clock: tests/dialogs/meetings/test_plan_publish_http.py checks their jobs.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import aiohttp
from icalendar import Calendar

from cards.i18n import Translator
from tests.card_walk import nodes
from tests.cards.card_schema import schema_errors
from tests.e2e.client import (
    BotMessage,
    PlaygroundClient,
    card_actions,
    card_inputs,
    card_strings,
    card_texts,
)
from tests.e2e.playground import ISABELLE

FR = Translator("fr-CA")
COMMITTEES = ("Comité des centres hospitaliers", "Comité des CLSC")


def execute_data(card: dict[str, Any] | None, verb: str, **match: Any) -> dict[str, Any]:
    for node in nodes(card):
        if node.get("type") == "Action.Execute" and node.get("verb") == verb:
            data = dict(node["data"])
            if all(data.get(k) == v for k, v in match.items()):
                return data
    raise AssertionError(f"no {verb} on the card")


def card_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer.get("type") == "application/vnd.microsoft.card.adaptive", answer
    return dict(answer["value"])


def proposed_days(card: dict[str, Any]) -> list[str]:
    return [
        str(n["value"])
        for n in nodes(card)
        if n.get("type") == "Input.Date" and str(n.get("id", "")).startswith("day_")
    ]


def is_meeting_card(message: BotMessage) -> bool:
    return "meetings.rsvp" in {a.get("verb") for a in card_actions(message.card)}


async def test_plan_a_whole_cycle_publish_it_and_replan(client: PlaygroundClient) -> None:
    first = date.today().year + 2
    label = f"{first}-{first + 1}"
    heading = FR("meetings.plan.heading", year=label)
    await client.send_text(
        f"{FR('command.plan.word')} {label}", user=ISABELLE, conversation="channel"
    )
    plan = await client.expect_message(
        lambda m: heading in card_texts(m.card), conversation="channel"
    )
    assert schema_errors(plan.card or {}) == []
    days = proposed_days(plan.card or {})
    assert len(days) == 8
    assert FR.plural("meetings.plan.summary", 8) in card_texts(plan.card)

    # Move the first line two days later (a Thursday rather than a Tuesday), then publish all.
    moved = date.fromisoformat(days[0]) + timedelta(days=2)
    edited = card_of(
        await client.click_execute(
            plan,
            "meetings.plan_edit",
            execute_data(plan.card, "meetings.plan_edit", op="redraw"),
            user=ISABELLE,
            inputs={**card_inputs(plan.card), "day_0": moved.isoformat()},
        )
    )
    assert moved.isoformat() in proposed_days(edited)
    publish = execute_data(edited, "meetings.plan_publish")
    result = card_of(
        await client.click_execute(
            plan, "meetings.plan_publish", publish, user=ISABELLE, inputs=card_inputs(edited)
        )
    )
    assert FR("meetings.plan.complete") in card_texts(result)

    # Eight meeting cards in the channel, each with its Annexe C agenda and answer buttons.
    cards = [
        await client.expect_message(is_meeting_card, conversation="channel", timeout=20)
        for _ in range(8)
    ]
    per_committee = dict.fromkeys(COMMITTEES, 0)
    for message in cards:
        assert schema_errors(message.card or {}) == []
        text = " ".join(card_strings(message.card))
        assert (
            FR("meetings.kind.atelier_conference") in text
            or FR("meetings.agenda.end_of_day") in text
        )
        for name in COMMITTEES:
            per_committee[name] += name in text
    assert per_committee == dict.fromkeys(COMMITTEES, 5)  # 3 of its own + 2 joint, each

    # One cycle calendar card, and its .ics with every meeting.
    calendar = await client.expect_message(
        lambda m: FR("meetings.calendar.heading", year=label) in card_texts(m.card),
        conversation="channel",
        timeout=20,
    )
    assert schema_errors(calendar.card or {}) == []
    shown = card_of(
        await client.click_execute(
            calendar,
            "meetings.calendar",
            execute_data(calendar.card, "meetings.calendar"),
            user=ISABELLE,
        )
    )
    link = next(t for t in card_texts(shown) if "/files/" in t)
    url = link[link.index("(http") + 1 : link.index(")", link.index("(http"))]
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        ics = Calendar.from_ical(await response.read())
    events = list(ics.walk("VEVENT"))
    assert len(events) == 8
    assert moved in {e.decoded("DTSTART").date() for e in events}  # 9 h in Québec: same day

    # Planning again: nothing is missing. « Publier tout » on the first card again: nothing.
    await client.send_text(
        f"{FR('command.plan.word')} {label}", user=ISABELLE, conversation="channel"
    )
    again = await client.expect_message(
        lambda m: heading in card_texts(m.card), conversation="channel"
    )
    assert proposed_days(again.card or {}) == []
    assert FR("meetings.plan.complete") in card_texts(again.card)
    stale = card_of(
        await client.click_execute(
            plan, "meetings.plan_publish", publish, user=ISABELLE, inputs=card_inputs(edited)
        )
    )
    assert FR("meetings.plan.stale") in card_texts(stale)
    await client.expect_no_message(is_meeting_card, conversation="channel", within=2.0)
