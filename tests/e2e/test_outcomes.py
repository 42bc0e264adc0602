"""« Retombées et apprentissages » end to end, through the Agents Playground: an animateur
launches the outcomes survey in the channel (« sondage retombées », built from the community's
objectives), five members answer it, and ``bilan`` shows the « Efficacité » section with the
objectives reached, the practice changes and the value for the organisations.

The report is asked for today only (``bilan <today>``): the survey, posted today, is in it
whatever the date (between two cycles, the cycle's report would not hold it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cards.i18n import Translator
from tests.card_walk import facts_of, nodes
from tests.cards.card_schema import schema_errors
from tests.e2e.client import BotMessage, PlaygroundClient, card_strings, card_texts, find_action
from tests.e2e.playground import (
    ETIENNE,
    ISABELLE,
    JEAN_FRANCOIS,
    MARC_ANDRE,
    NATHALIE,
    SOPHIE,
    BotProcess,
)

FR = Translator("fr-CA")
CARD = "application/vnd.microsoft.card.adaptive"
ZONE = ZoneInfo("America/Montreal")


def is_outcomes_draft(message: BotMessage) -> bool:
    return message.card is not None and FR("polls.draft.heading.outcomes") in card_texts(
        message.card
    )


def input_value(card: dict[str, Any] | None, ident: str) -> str:
    found = [
        str(n.get("value", ""))
        for n in nodes(card)
        if n.get("id") == ident and str(n.get("type", "")).startswith("Input.")
    ]
    assert found, ident
    return found[0]


def facts(card: dict[str, Any] | None) -> dict[str, str]:
    return {f["title"]: f["value"] for f in facts_of(card)}


async def test_the_outcomes_survey_feeds_the_effectiveness_section(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await client.send_text("sondage retombées", user=ISABELLE, conversation="channel")
    draft = await client.expect_message(is_outcomes_draft, conversation="channel")
    strings = card_strings(draft.card)
    objectives = [
        "Soutenir l'évolution, l'harmonisation et la mise à jour des pratiques exemplaires en "
        "cancérologie.",
        "Mettre en place un réseau de développement et de soutien des compétences des "
        "intervenants psychosociaux.",
        "Favoriser le soutien, le partage et l'échange entre pairs.",
    ]
    for objective in objectives:
        label = FR("polls.template.outcomes.objective", objective=objective)
        assert any(label in s for s in strings), objective
    assert input_value(draft.card, "anonymous") == "true"

    publish = find_action(draft.card, verb="polls.publish")
    deadline = datetime.now(ZONE) + timedelta(days=3)
    posted = await client.click_execute(
        draft,
        "polls.publish",
        publish["data"],
        user=ISABELLE,
        inputs={
            "title": input_value(draft.card, "title"),
            "anonymous": "true",
            "visibility": "after_close",
            "audience": "channel",
            "deadline_date": deadline.date().isoformat(),
            "deadline_time": "17:00",
        },
    )
    assert posted["type"] == CARD, posted
    poll_id = find_action(posted["value"], verb="polls.answer")["data"]["poll_id"]

    # Five members answer: objective 1 at 4 by all, objective 2 at 5, 4, 5, 4, 5, objective 3
    # at 3; everyone uses a new clinical tool, three also pass on what they learned.
    people = [SOPHIE, JEAN_FRANCOIS, ETIENNE, MARC_ANDRE, NATHALIE]
    for i, who in enumerate(people):
        answer = await client.click_execute(
            draft,
            "polls.answer",
            {"verb": "polls.answer", "poll_id": poll_id},
            user=who,
            inputs={
                "o1": "4",
                "o2": "5" if i % 2 == 0 else "4",
                "o3": "3",
                "practice": "c1,c5" if i < 3 else "c1",
                "value": "c3",
                "practice_text": "J'utilise la grille de repérage avec mon équipe",
            },
        )
        assert answer["type"] == CARD, answer
        assert FR("polls.answer.recorded") in card_texts(answer["value"])

    today = datetime.now(ZONE).date().isoformat()
    await client.send_text(f"{FR('command.report.word')} {today}", user=ISABELLE)
    report = await client.expect_message(lambda m: m.card is not None, user=ISABELLE)
    card = report.card
    assert card is not None
    assert schema_errors(card) == []
    assert FR("vitality.section.effectiveness") in card_texts(card)
    found = facts(card)
    assert found[FR("vitality.figure.effectiveness.respondents")] == "5"
    # Objective 1: 4,0 / 5; objective 2: (5 + 4 + 5 + 4 + 5) / 5 = 4,6 / 5; objective 3: 3,0.
    assert found[objectives[0]].startswith(FR("vitality.mean_on_5", mean="4"))
    assert found[objectives[1]].startswith(FR("vitality.mean_on_5", mean="4,6"))
    assert found[objectives[2]].startswith(FR("vitality.mean_on_5", mean="3"))
    assert found[FR("polls.template.outcomes.practice.1")] == "5"
    assert found[FR("polls.template.outcomes.practice.5")] == FR("vitality.suppressed", threshold=5)
    assert found[FR("polls.template.outcomes.value.3")] == "5"
