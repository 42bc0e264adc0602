"""Vitality report, end to end through the Agents Playground: an animateur's « bilan » (the card
validated against the 1.5 schema, charts aside; the CSV and PDF links downloaded), another
scope from the card's buttons, a project added, and the refusals: a member, bad arguments, a
forged button. Everything the bot says is compared with the catalogs."""

from __future__ import annotations

import csv
import io

import aiohttp

from cards.i18n import Translator
from cards.vitality import VitalityVerb
from tests.cards.card_schema import schema_errors
from tests.e2e.client import BotMessage, PlaygroundClient, card_actions, card_texts, find_action
from tests.e2e.playground import ISABELLE, MARC_ANDRE, SOPHIE, BotProcess

FR = Translator("fr-CA")
EN = Translator("en")
COMMUNITY = "CdeP Montérégie"


def has_card(message: BotMessage) -> bool:
    return message.card is not None


async def fetch(bot_server: BotProcess, url: str) -> tuple[int, str, bytes]:
    """A link of the card, fetched as the user's browser would (from the bot's own server)."""
    path = url[url.index("/files/") :]
    async with aiohttp.ClientSession() as session, session.get(bot_server.url + path) as answer:
        return answer.status, answer.headers.get("Content-Type", ""), await answer.read()


async def test_an_animateur_reads_the_report_and_downloads_it(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await client.send_text(FR("command.report.word"), user=ISABELLE)

    message = await client.expect_message(has_card, user=ISABELLE)
    card = message.card
    assert card is not None
    assert schema_errors(card) == []
    texts = card_texts(card)
    assert FR("vitality.title", community=COMMUNITY) in texts
    assert FR("vitality.privacy", threshold=5) in texts
    assert FR("vitality.section.participation") in texts

    links = [a for a in card_actions(card) if a["type"] == "Action.OpenUrl"]
    assert [a["title"] for a in links] == [
        FR("vitality.csv_button"),
        FR("vitality.pdf_button", language=FR("language.name.fr-CA")),
    ]
    status, content_type, body = await fetch(bot_server, links[0]["url"])
    assert (status, content_type.split(";")[0]) == (200, "text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        FR("vitality.csv.section"),
        FR("vitality.csv.indicator"),
        FR("vitality.csv.value"),
    ]
    status, content_type, body = await fetch(bot_server, links[1]["url"])
    assert (status, content_type) == (200, "application/pdf")
    assert body.startswith(b"%PDF-")

    # The committee button of the card, clicked in the Playground (en-US, as it always says):
    # the answer stays in the community's language.
    button = find_action(card, verb=VitalityVerb.show, title="Comité des CLSC")
    answer = await client.click_execute(
        message, VitalityVerb.show, button["data"], user=ISABELLE, locale="en-US"
    )
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    assert schema_errors(answer["value"]) == []
    assert any("Comité des CLSC" in text for text in card_texts(answer["value"]))


async def test_an_animateur_adds_a_project_in_english(client: PlaygroundClient) -> None:
    await client.send_text(f"{EN('command.language.word')} english", user=MARC_ANDRE)
    chosen = await client.expect_message(user=MARC_ANDRE)
    assert chosen.all_text() == EN("language.current")
    await client.send_text(
        f"{EN('command.report.project.word')} Distress screening grid | Made by the CLSC committee",
        user=MARC_ANDRE,
        locale="en-US",
    )
    message = await client.expect_message(has_card, user=MARC_ANDRE)
    texts = card_texts(message.card)
    assert EN("vitality.projects.title") in texts
    assert "Distress screening grid" in texts
    find_action(message.card, verb=VitalityVerb.remove_project)
    await client.send_text(f"{FR('command.language.word')} français", user=MARC_ANDRE)
    assert (await client.expect_message(user=MARC_ANDRE)).all_text() == FR("language.current")


async def test_a_member_is_politely_refused(client: PlaygroundClient) -> None:
    await client.send_text(FR("command.report.word"), user=SOPHIE)
    message = await client.expect_message(user=SOPHIE)
    assert message.all_text() == FR("command.report.forbidden")


async def test_bad_arguments_are_explained(client: PlaygroundClient) -> None:
    await client.send_text(f"{FR('command.report.word')} 2024-2026", user=ISABELLE)
    message = await client.expect_message(user=ISABELLE)
    assert message.all_text() == FR("vitality.errors.bad_cycle", text="2024-2026")


async def test_a_forged_button_changes_nothing(client: PlaygroundClient) -> None:
    await client.send_text(FR("command.report.word"), user=ISABELLE)
    message = await client.expect_message(has_card, user=ISABELLE)
    forged = {"verb": VitalityVerb.show, "start": "2026-06-30", "end": "2025-09-01"}
    answer = await client.click_execute(
        message, VitalityVerb.show, forged, user=ISABELLE, locale="en-US"
    )
    assert answer["type"] == "application/vnd.microsoft.activity.message", answer
    assert answer["value"] == FR("errors.bad_card_data")  # the community's language
