"""Action.Execute answers are written without msrest walking the card, and read exactly as
botbuilder's serializer would write them (every card of every feature, and a message)."""

from __future__ import annotations

import json

import pytest
from botbuilder.core import serializer_helper
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.teams_bot import MessageInvokeResponse, invoke_body_json
from cards.i18n import Translator
from tests.cards.fixtures import all_cards

CARD = "application/vnd.microsoft.card.adaptive"


@pytest.mark.parametrize("locale", ["fr-CA", "en"])
def test_every_card_answer_matches_the_sdk_serializer(locale: str) -> None:
    cards = [
        (name, card) for name, found in all_cards(Translator(locale)).items() for card in found
    ]
    assert len(cards) > 50
    for name, card in cards:
        body = AdaptiveCardInvokeResponse(status_code=200, type=CARD, value=card)
        fast = json.dumps(invoke_body_json(body), sort_keys=True)
        assert fast == json.dumps(serializer_helper(body), sort_keys=True), name


def test_a_message_answer_matches_the_sdk_serializer() -> None:
    body = MessageInvokeResponse(
        status_code=200, type="application/vnd.microsoft.activity.message", value="Merci !"
    )
    assert invoke_body_json(body) == serializer_helper(body)
    assert invoke_body_json(body) == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "Merci !",
    }
