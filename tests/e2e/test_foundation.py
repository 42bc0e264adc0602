"""Foundation, end to end: help, language, roles, unknown text, installation, bad requests.

Everything the bot says is compared with the catalogs, never with pasted text.
"""

from __future__ import annotations

import io
import json

import aiohttp
import pytest

from bot.commands import COMMANDS
from cards.i18n import Translator
from cards.verbs import Verb
from dialogs.roles import Role
from tests.e2e.client import (
    BotMessage,
    PlaygroundClient,
    card_strings,
    card_texts,
    find_action,
    template_pattern,
)
from tests.e2e.playground import (
    ISABELLE,
    JEAN_FRANCOIS,
    MARC_ANDRE,
    NATHALIE,
    BotProcess,
    PlaygroundUser,
)

FR = Translator("fr-CA")
EN = Translator("en")

# A command with a ``help_role`` is placed by the community profile; with the example profile
# the bot runs here (e.g. ``[polls] members_can_create = false``) it stays with the animateurs.
MEMBER_COMMANDS = [c for c in COMMANDS if c.min_role == Role.MEMBER and c.help_role is None]
ANIMATEUR_COMMANDS = [
    c for c in COMMANDS if c.min_role == Role.ANIMATEUR or c.help_role is not None
]


def has_card(message: BotMessage) -> bool:
    return message.card is not None


def listed(strings: list[str], tr: Translator, command_id: str) -> bool:
    """The help card lists a command as a line of its own: the word, or its description."""
    word = tr(f"command.{command_id}.word")
    description = tr(f"command.{command_id}.description")
    return any(s in (word, description) for s in strings)


def describe(message: BotMessage) -> str:
    return json.dumps(message.card or {"text": message.text}, ensure_ascii=False, indent=1)


async def test_member_gets_the_french_help_card(client: PlaygroundClient) -> None:
    await client.send_text(FR("command.help.word"), locale="fr-CA")

    message = await client.expect_message(has_card, conversation="personal")
    strings = card_strings(message.card)
    assert FR("help.title") in card_texts(message.card), describe(message)
    for command in MEMBER_COMMANDS:
        assert listed(strings, FR, command.id), f"{command.id} missing:\n{describe(message)}"
    for command in ANIMATEUR_COMMANDS:
        assert not listed(strings, FR, command.id), f"{command.id} shown:\n{describe(message)}"


async def test_english_client_gets_french_then_the_offer_of_english(
    client: PlaygroundClient,
) -> None:
    """The community's language (fr-CA) comes before the client's (the Playground says en-US);
    English is offered once, in English, and one click makes it the member's choice."""
    await client.send_text(EN("command.help.word"), locale="en-US")

    message = await client.expect_message(has_card, conversation="personal")
    assert FR("help.title") in card_texts(message.card), describe(message)
    offer = await client.expect_message(has_card, conversation="personal")
    assert EN("language.offer.title") in card_texts(offer.card), describe(offer)
    switch = offer.card["actions"][0]
    answer = await client.click_execute(offer, Verb.set_language, switch["data"], locale="en-US")
    strings = card_strings(answer["value"])
    assert EN("help.title") in card_texts(answer["value"])
    for command in MEMBER_COMMANDS:
        assert listed(strings, EN, command.id), f"{command.id} missing:\n{answer}"
    # Back to French for the tests that follow (the choice is kept).
    back = await client.click_execute(
        offer, Verb.set_language, {**switch["data"], "locale": "fr-CA"}, locale="en-US"
    )
    assert FR("help.title") in card_texts(back["value"])


@pytest.mark.parametrize(
    ("animateur", "conversation"),
    [(ISABELLE, "personal"), (MARC_ANDRE, "channel")],
    ids=["isabelle-personal", "marc-andre-channel"],
)
async def test_animateur_sees_the_animateur_commands(
    client: PlaygroundClient, animateur: PlaygroundUser, conversation: str
) -> None:
    await client.send_text(FR("command.help.word"), user=animateur, conversation=conversation)

    message = await client.expect_message(
        has_card, conversation=conversation, user=animateur if conversation == "personal" else None
    )
    strings = card_strings(message.card)
    assert FR("help.title") in card_texts(message.card), describe(message)
    for command in [*MEMBER_COMMANDS, *ANIMATEUR_COMMANDS]:
        assert listed(strings, FR, command.id), f"{command.id} missing:\n{describe(message)}"


async def test_member_switches_to_english_with_the_card_button(client: PlaygroundClient) -> None:
    # Nathalie, in her own personal chat; her choice is kept by the bot, so the test puts it
    # back at the end (the bot is shared by every e2e test).
    await client.send_text(FR("command.help.word"), user=NATHALIE)
    card = await client.expect_message(has_card, user=NATHALIE)
    button = find_action(card.card, verb=Verb.set_language)

    answer = await client.click_execute(card, Verb.set_language, button["data"], user=NATHALIE)
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    assert EN("help.title") in card_texts(answer["value"])

    # Her choice now beats the French locale her Teams client sends.
    await client.send_text(FR("command.help.word"), user=NATHALIE, locale="fr-CA")
    again = await client.expect_message(has_card, user=NATHALIE)
    assert EN("help.title") in card_texts(again.card), describe(again)

    back = find_action(again.card, verb=Verb.set_language)
    restored = await client.click_execute(again, Verb.set_language, back["data"], user=NATHALIE)
    assert FR("help.title") in card_texts(restored["value"])


async def test_forged_language_button_is_refused(client: PlaygroundClient) -> None:
    await client.send_text(FR("command.help.word"), user=JEAN_FRANCOIS)
    card = await client.expect_message(has_card, user=JEAN_FRANCOIS)
    find_action(card.card, verb=Verb.set_language)

    answer = await client.click_execute(
        card, Verb.set_language, {"verb": Verb.set_language, "locale": "xx"}, user=JEAN_FRANCOIS
    )
    assert answer["type"] == "application/vnd.microsoft.activity.message", answer
    assert answer["value"] == FR("errors.bad_card_data")


# The community's language, whatever the client's (Sophie never chose one).
@pytest.mark.parametrize(("locale", "tr"), [("fr-CA", FR), ("en-US", FR)], ids=["fr", "en"])
async def test_unknown_text_gets_the_hint(
    client: PlaygroundClient, locale: str, tr: Translator
) -> None:
    await client.send_text("xyzzy plugh", locale=locale)

    hint = template_pattern(tr("errors.unknown_command"))
    message = await client.expect_message(conversation="personal")
    assert hint.fullmatch(message.all_text()), f"expected {hint.pattern!r}, got {message}"


async def test_installing_in_the_personal_chat_greets_once(client: PlaygroundClient) -> None:
    await client.install_app(locale="fr-CA")  # installationUpdate, then conversationUpdate

    greeting = template_pattern(FR("greeting.personal"))
    message = await client.expect_message(conversation="personal")
    assert greeting.search(message.all_text()), f"expected {greeting.pattern!r}, got {message}"
    # Teams sends both activities on install; one welcome is enough.
    await client.expect_no_message(conversation="personal", within=1.5)


async def test_installing_in_a_team_greets_the_team(client: PlaygroundClient) -> None:
    await client.install_app(conversation="general", locale="fr-CA")

    greeting = template_pattern(FR("greeting.team"))
    message = await client.expect_message(conversation="general")
    assert greeting.search(message.all_text()), f"expected {greeting.pattern!r}, got {message}"


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b"aide", 415),
        ("application/json", b'{"type": "message", "text": ', 400),
        (
            "application/json",
            json.dumps({"type": "message", "text": "x" * (2 * 1024 * 1024)}).encode(),
            413,
        ),
    ],
    ids=["not-json", "broken-json", "too-large"],
)
async def test_malformed_posts_are_refused(
    bot_server: BotProcess, content_type: str, body: bytes, status: int
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            bot_server.messages_url,
            data=io.BytesIO(body),  # raw bytes this large make aiohttp warn
            headers={"Content-Type": content_type},
        ) as response:
            assert response.status == status, await response.text()
        async with session.get(f"{bot_server.url}/healthz") as health:
            assert health.status == 200
