"""Ad hoc supervision, end to end through the Agents Playground.

Sophie asks for help on an exhausted caregiver; the request reaches Jean-François (resource
person for « proches aidants ») and the animateur Isabelle in their 1:1 chats. Jean-François
takes it first, Isabelle then sees it is taken; Sophie is told who, with a Teams chat link.
Nathalie's request on a theme no resource person covers is not taken: the animateurs are
reminded, then Nathalie is asked and agrees to bring it to the next meeting as a case, which
« mes cas » lists. The bot runs as ``tests/e2e/supervision_bot.py`` (delays of seconds).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from cards.i18n import Translator
from cards.supervision import SupervisionVerb
from tests.e2e.client import BotMessage, PlaygroundClient, card_strings, find_action
from tests.e2e.playground import (
    ISABELLE,
    JEAN_FRANCOIS,
    NATHALIE,
    SOPHIE,
    BotProcess,
    PlaygroundProcess,
    PlaygroundUser,
)
from tests.e2e.standin import running_bot, running_playground, teams_session
from tests.e2e.test_topics import card_of, executes, inputs, showing, shows

FR = Translator("fr-CA")
DELAY_SECONDS = 6
CAREGIVER = {
    "title": "Proche aidant épuisé qui refuse le répit",
    "context": "Un homme âgé soigne son épouse à domicile depuis deux ans et refuse toute aide.",
    "question": "Comment ouvrir la discussion sur le répit sans le braquer ?",
    "urgency": "today",
    "themes": "proches aidants",
}
GRIEF = {
    **CAREGIVER,
    "title": "Deuil compliqué chez une adolescente",
    "context": "Une adolescente a perdu sa mère il y a un an et ne va plus à l'école.",
    "question": "Quand orienter vers un suivi spécialisé en deuil ?",
    "themes": "deuil",
}


@pytest.fixture(scope="module")
def supervision_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    env = {"SUPERVISION_E2E_DELAY": str(DELAY_SECONDS)}
    with running_bot(tmp_path_factory, "supervision", env) as bot:
        yield bot


@pytest.fixture(scope="module")
def supervision_playground(
    supervision_bot: BotProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlaygroundProcess]:
    with running_playground(supervision_bot, tmp_path_factory, "supervision") as process:
        yield process


@pytest.fixture
async def teams(
    supervision_playground: PlaygroundProcess,
    supervision_bot: BotProcess,
    request: pytest.FixtureRequest,
) -> AsyncIterator[PlaygroundClient]:
    async with teams_session(
        supervision_playground, supervision_bot, request, "supervision"
    ) as session:
        yield session


def about(title: str, key: str) -> Callable[[BotMessage], bool]:
    """A card of that request showing the catalog message ``key``."""
    return lambda m: m.card is not None and title in card_strings(m.card) and shows(m.card, key)


def links(card: dict[str, Any] | None) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.OpenUrl":
                found.append(str(node["url"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def ask(teams: PlaygroundClient, who: PlaygroundUser, values: dict[str, str]) -> None:
    await teams.send_text(FR("command.supervision.word"), user=who)
    form = await teams.expect_message(showing("supervision.form.title"), user=who)
    send = find_action(form.card, verb=SupervisionVerb.submit)
    sent = card_of(
        await teams.click_execute(
            form,
            SupervisionVerb.submit,
            send["data"],
            user=who,
            inputs={**inputs(form.card or {}), **values},
        )
    )
    assert values["title"] in card_strings(sent)


async def test_a_request_is_taken_once_and_the_requester_gets_the_chat_link(
    teams: PlaygroundClient,
) -> None:
    for person in (JEAN_FRANCOIS, ISABELLE):  # Veilleuse can reach those who talked to her
        await teams.send_text(FR("command.help.word"), user=person)
        await teams.expect_message(user=person)
    await ask(teams, SOPHIE, CAREGIVER)
    title = CAREGIVER["title"]

    offer = await teams.expect_message(about(title, "supervision.offer.title"), user=JEAN_FRANCOIS)
    late = await teams.expect_message(about(title, "supervision.offer.title"), user=ISABELLE)
    accept = executes(offer.card or {}, SupervisionVerb.accept)[0]
    mine = card_of(
        await teams.click_execute(offer, SupervisionVerb.accept, accept, user=JEAN_FRANCOIS)
    )
    assert shows(mine, "supervision.notice.accepted")
    assert links(mine) == [f"https://teams.microsoft.com/l/chat/0/0?users={SOPHIE.email}"]
    taken = card_of(
        await teams.click_execute(
            late,
            SupervisionVerb.accept,
            executes(late.card or {}, SupervisionVerb.accept)[0],
            user=ISABELLE,
        )
    )
    assert shows(taken, "supervision.notice.already_taken")
    assert shows(taken, "supervision.offer.taken_by", name=JEAN_FRANCOIS.name)

    told = await teams.expect_message(about(title, "supervision.notice.taken"), user=SOPHIE)
    assert shows(told.card, "supervision.request.taken_by", name=JEAN_FRANCOIS.name)
    assert links(told.card) == [
        f"https://teams.microsoft.com/l/chat/0/0?users={JEAN_FRANCOIS.email}"
    ]
    # Taken: nobody is reminded of it.
    await teams.expect_no_message(
        about(title, "supervision.offer.reminder_title"), within=DELAY_SECONDS + 2, user=ISABELLE
    )


async def test_an_unanswered_request_is_reminded_then_offered_as_a_case(
    teams: PlaygroundClient,
) -> None:
    await teams.send_text(FR("command.help.word"), user=ISABELLE)
    await teams.expect_message(user=ISABELLE)
    await ask(teams, NATHALIE, GRIEF)
    title = GRIEF["title"]
    await teams.expect_message(about(title, "supervision.offer.title"), user=ISABELLE)

    reminder = await teams.expect_message(
        about(title, "supervision.offer.reminder_title"), timeout=DELAY_SECONDS + 10, user=ISABELLE
    )
    assert executes(reminder.card or {}, SupervisionVerb.accept)
    question = await teams.expect_message(
        about(title, "supervision.request.ask"), timeout=DELAY_SECONDS + 10, user=NATHALIE
    )
    yes = next(
        a for a in executes(question.card or {}, SupervisionVerb.consent) if a["answer"] == "yes"
    )
    offered = card_of(
        await teams.click_execute(question, SupervisionVerb.consent, yes, user=NATHALIE)
    )
    assert shows(offered, "supervision.notice.offered")

    await teams.send_text(FR("command.cases.mine.word"), user=NATHALIE)
    cases = await teams.expect_message(showing("topics.case.mine_title"), user=NATHALIE)
    assert title in card_strings(cases.card)
