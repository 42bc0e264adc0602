"""Every text input has a length limit, in the card (maxLength) and server-side: a field longer
than its input allows gets « trop long (N caractères au plus) », stores nothing, and the card,
with what was typed, stays as it was (the Execute answer is a message, not a new card)."""

from __future__ import annotations

from typing import Any

import pytest

from cards.i18n import Translator
from cards.render import MAX_CARD_BYTES, _clamp_inputs, input_limit, load_template, template_names
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp
from tests.bot.edge import settle, snapshot
from tests.card_walk import of_type

FR = Translator("fr-CA")
EN = Translator("en")
HUGE = "x" * 100_000


def _inputs(node: Any) -> list[dict[str, Any]]:
    return of_type(node, "Input.Text")


@pytest.mark.parametrize("template", template_names())
def test_every_text_input_has_a_max_length(template: str) -> None:
    for field in _inputs(load_template(template)):
        assert field.get("maxLength"), f"{template}: {field.get('id')} has no maxLength"


def test_the_server_knows_each_literal_limit() -> None:
    assert input_limit("institution") == 120
    assert input_limit("a_7_title") == 200
    assert input_limit("context") == 3000
    assert input_limit("some_other_field") == 64_000


def test_a_re_rendered_input_never_carries_more_than_its_limit() -> None:
    card = {"body": [{"type": "Input.Text", "id": "t", "maxLength": 10, "value": HUGE}]}
    _clamp_inputs(card)
    assert card["body"][0]["value"] == "x" * 10


@pytest.mark.parametrize(
    ("verb", "field", "limit"),
    [
        ("onboarding.save_profile", "institution", 120),
        ("onboarding.save_profile", "expertise", 600),
        ("topics.submit", "description", 1500),
        ("topics.case_submit", "context", 3000),
        ("polls.save_question", "label", 300),
        ("polls.publish", "title", 150),
        ("meetings.save", "title", 150),
        ("meetings.save", "a_1_title", 200),
        ("presence.checkin", "code", 12),
        ("polls.answer", "q1", 64_000),
    ],
)
async def test_a_too_long_field_is_refused_in_words_with_nothing_stored(
    bot_http: BotHttp, verb: str, field: str, limit: int
) -> None:
    # A first contact records the caller and the conversation; then nothing may change.
    await bot_http.post(bot_http.activity("aide", aad=ANIMATEUR_AAD))
    await settle(bot_http.data_dir)
    before = snapshot(bot_http.data_dir)
    status, body = await bot_http.post(
        bot_http.execute(verb, {"verb": verb, field: HUGE}, aad=ANIMATEUR_AAD)
    )
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == FR("errors.too_long", limit=limit)
    assert f"trop long ({limit} caractères au plus)" in body["value"]
    assert snapshot(bot_http.data_dir) == before


async def test_the_notice_is_in_english_for_english_speakers(bot_http: BotHttp) -> None:
    await bot_http.choose_language(MEMBER_AAD, "en")  # the member's own choice (language policy)
    status, body = await bot_http.post(
        bot_http.execute("topics.submit", {"title": HUGE}, locale="en-US")
    )
    assert status == 200
    assert body["value"] == EN("errors.too_long", limit=150)
    assert "too long (150 characters at most)" in body["value"]


async def test_a_submit_fallback_gets_the_same_answer(bot_http: BotHttp) -> None:
    activity = bot_http.activity(None, value={"verb": "topics.submit", "title": HUGE})
    status, _ = await bot_http.post(activity)
    assert status == 201
    assert bot_http.replies()[-1]["text"] == FR("errors.too_long", limit=150)


def test_the_card_limit_is_80_kb() -> None:
    assert MAX_CARD_BYTES == 80 * 1024


async def test_a_too_long_message_is_refused_in_words(bot_http: BotHttp) -> None:
    status, _ = await bot_http.post(bot_http.activity("qui " + "x" * 100_000))
    assert status == 201
    assert bot_http.replies()[-1]["text"] == FR("errors.too_long", limit=28_000)
