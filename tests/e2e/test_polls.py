"""Polls end to end, through the Agents Playground as Teams users would use them.

Happy paths: an animateur posts a named single-choice poll in the channel (draft card →
question form → « Publier », the draft message becomes the poll for everyone); members vote,
one changes their vote, one double-clicks; the results show 3 answers with the right counts.
An anonymous poll shows no results at 4 answers, shows them at 5, and the bot's data file
holds no person↔answer link. Bad input: a member trying to create a poll, a forged answer.

Closing at the deadline and reminders need an injected clock, which a bot subprocess does not
have: they are covered through the HTTP endpoint (tests/dialogs/polls/test_http_jobs.py).
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cards.i18n import Translator
from storage.community import parse_profile
from tests.card_walk import facts_of
from tests.e2e.client import BotMessage, PlaygroundClient, card_strings, card_texts, find_action
from tests.e2e.playground import (
    ETIENNE,
    ISABELLE,
    JEAN_FRANCOIS,
    MARC_ANDRE,
    NATHALIE,
    SOPHIE,
    BotProcess,
    PlaygroundUser,
)

FR = Translator("fr-CA")
CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"


def deadline_inputs() -> dict[str, str]:
    local = datetime.now(ZoneInfo("America/Montreal")) + timedelta(days=3)
    return {"deadline_date": local.date().isoformat(), "deadline_time": "17:00"}


def has_card(message: BotMessage) -> bool:
    return message.card is not None


def is_draft(message: BotMessage) -> bool:
    return message.card is not None and FR("polls.draft.publish") in card_strings(message.card)


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {f["title"]: f["value"] for f in facts_of(card)}


def says_answers(card: dict[str, Any], count: int) -> bool:
    """« 3 réponses », or « 3 réponses sur 6 membres (…) » once member profiles exist."""
    answers = FR.plural("polls.results.answers", count)
    return any(t == answers or t.startswith(f"{answers} ") for t in card_texts(card))


def count_of(card: dict[str, Any], choice: str) -> int:
    """The count in a result line « ███░░ 2 (67 %) »."""
    return int(facts(card)[choice].split()[1])


async def post_poll(
    client: PlaygroundClient,
    animateur: PlaygroundUser,
    *,
    title: str,
    anonymous: bool,
) -> tuple[BotMessage, str]:
    """Type « sondage nouveau » in the channel and build the poll with the cards."""
    await client.send_text("sondage nouveau", user=animateur, conversation="channel")
    draft = await client.expect_message(is_draft, conversation="channel")
    add = find_action(draft.card, verb="polls.add_question", title=FR("polls.draft.add.single"))
    form = await client.click_execute(draft, "polls.add_question", add["data"], user=animateur)
    assert form["type"] == CARD, form
    save = find_action(form["value"], verb="polls.save_question")
    saved = await client.click_execute(
        draft,
        "polls.save_question",
        save["data"],
        user=animateur,
        inputs={
            "label": "Mode préféré?",
            "choices": "Présentiel\nVirtuel\nHybride",
            "required": "true",
        },
    )
    assert FR("polls.draft.question_saved") in card_texts(saved["value"]), saved
    publish = find_action(saved["value"], verb="polls.publish")
    posted = await client.click_execute(
        draft,
        "polls.publish",
        publish["data"],
        user=animateur,
        inputs={
            "title": title,
            "anonymous": "true" if anonymous else "false",
            "visibility": "live",
            "audience": "channel",
            **deadline_inputs(),
        },
    )
    assert posted["type"] == CARD, posted
    assert FR("polls.published") in card_texts(posted["value"])
    poll_id = find_action(posted["value"], verb="polls.answer")["data"]["poll_id"]
    # The draft message became the poll, for everyone in the channel.
    update = await client.expect_message(
        lambda m: m.message_id == draft.message_id and title in card_texts(m.card),
        conversation="channel",
        action="updateMessage",
    )
    assert find_action(update.card, verb="polls.answer")
    return draft, poll_id


async def vote(
    client: PlaygroundClient, poll: BotMessage, poll_id: str, who: PlaygroundUser, choice: str
) -> dict[str, Any]:
    return await client.click_execute(
        poll,
        "polls.answer",
        {"verb": "polls.answer", "poll_id": poll_id},
        user=who,
        inputs={"q1": choice},
    )


async def test_named_poll_in_the_channel(client: PlaygroundClient) -> None:
    poll, poll_id = await post_poll(
        client, MARC_ANDRE, title="Mode des rencontres", anonymous=False
    )

    first = await vote(client, poll, poll_id, SOPHIE, "c1")
    assert FR("polls.answer.created") in card_texts(first["value"])
    assert facts(first["value"])["Mode préféré?"] == "Présentiel"
    await vote(client, poll, poll_id, JEAN_FRANCOIS, "c2")
    await vote(client, poll, poll_id, ETIENNE, "c2")
    changed = await vote(client, poll, poll_id, ETIENNE, "c3")  # changes his mind
    assert FR("polls.answer.changed") in card_texts(changed["value"])
    again = await vote(client, poll, poll_id, JEAN_FRANCOIS, "c2")  # double click
    assert FR("polls.answer.same") in card_texts(again["value"])

    results = await client.click_execute(
        poll, "polls.view", {"verb": "polls.view", "poll_id": poll_id}, user=MARC_ANDRE
    )
    card = results["value"]
    assert says_answers(card, 3)
    assert [count_of(card, c) for c in ("Présentiel", "Virtuel", "Hybride")] == [1, 1, 1]


async def test_anonymous_poll_shows_results_from_five_answers(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    poll, poll_id = await post_poll(client, ISABELLE, title="Sondage anonyme e2e", anonymous=True)
    voters = [(SOPHIE, "c1"), (JEAN_FRANCOIS, "c2"), (ETIENNE, "c1"), (MARC_ANDRE, "c3")]
    for who, choice in voters:
        answer = await vote(client, poll, poll_id, who, choice)
        assert answer["type"] == CARD, answer
    view = {"verb": "polls.view", "poll_id": poll_id}
    hidden = (await client.click_execute(poll, "polls.view", view, user=ISABELLE))["value"]
    assert FR("polls.results.hidden", threshold=5, answers=4) in card_texts(hidden)
    assert "Présentiel" not in facts(hidden)

    await vote(client, poll, poll_id, NATHALIE, "c1")
    shown = (await client.click_execute(poll, "polls.view", view, user=ISABELLE))["value"]
    assert [count_of(shown, c) for c in ("Présentiel", "Virtuel", "Hybride")] == [3, 1, 1]

    raw = json.loads((bot_server.data_dir / "polls.json").read_text("utf-8"))
    [stored] = [row for row in raw["anonymous"].values() if row["poll_id"] == poll_id]
    assert all(set(answer) == {"q1"} for answer in stored["answers"])
    people = [SOPHIE, JEAN_FRANCOIS, ETIENNE, MARC_ANDRE, NATHALIE]
    text = json.dumps(stored, ensure_ascii=False)
    assert not any(p.aad_object_id in text or p.name in text for p in people)
    assert not any(row["poll_id"] == poll_id for row in raw.get("ballots", {}).values())


async def test_a_member_cannot_create_and_forged_answers_are_refused(
    client: PlaygroundClient,
) -> None:
    await client.send_text("sondage", user=JEAN_FRANCOIS, conversation="channel")
    refusal = await client.expect_message(lambda m: m.card is None, conversation="channel")
    assert refusal.text == FR("command.poll.forbidden")

    poll, poll_id = await post_poll(
        client, MARC_ANDRE, title="Sondage à falsifier", anonymous=False
    )
    forged = await vote(client, poll, poll_id, SOPHIE, "c99")
    assert forged["type"] == MESSAGE, forged
    assert forged["value"] == FR("polls.errors.tampered")
    results = await client.click_execute(
        poll, "polls.view", {"verb": "polls.view", "poll_id": poll_id}, user=MARC_ANDRE
    )
    assert says_answers(results["value"], 0)


async def _members_may_create(
    client: PlaygroundClient, bot_server: BotProcess, allowed: bool
) -> None:
    """Set ``[polls] members_can_create`` in the bot's community profile; an animateur types
    « recharger »."""
    path = bot_server.data_dir / "community.toml"
    before, after = ("false", "true") if allowed else ("true", "false")
    text = path.read_text("utf-8")
    path.write_text(
        text.replace(f"members_can_create = {before}", f"members_can_create = {after}"), "utf-8"
    )
    await client.send_text(FR("command.reload.word"), user=ISABELLE)
    profile = parse_profile(tomllib.loads(path.read_text("utf-8")))
    assert profile.members_can_create_polls is allowed
    done = FR("reload.done", name=profile.name, version=profile.rules.version)
    await client.expect_message(lambda m: m.text == done, user=ISABELLE)


async def test_a_member_runs_their_own_poll_when_the_profile_allows_it(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await _members_may_create(client, bot_server, True)
    try:
        poll, poll_id = await post_poll(
            client, JEAN_FRANCOIS, title="Idées de lieux", anonymous=False
        )
        await vote(client, poll, poll_id, SOPHIE, "c2")
        close = {"verb": "polls.close", "poll_id": poll_id}
        refused = await client.click_execute(poll, "polls.close", close, user=SOPHIE)
        assert (refused["type"], refused["value"]) == (MESSAGE, FR("polls.errors.not_yours"))
        closed = await client.click_execute(poll, "polls.close", close, user=JEAN_FRANCOIS)
        assert closed["type"] == CARD, closed
        assert FR("polls.manage.closed") in card_texts(closed["value"])
        assert count_of(closed["value"], "Virtuel") == 1
    finally:
        await _members_may_create(client, bot_server, False)
