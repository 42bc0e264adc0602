"""Onboarding, end to end through the Agents Playground, as the people of the CdeP live it.

Étienne joins the team: his welcome dossier arrives in his personal chat; he fills his profile,
which survives a restart and shows in the animateurs' `membres`; a colleague finds him with
`qui soins palliatifs`; Isabelle names his mentor; the leads raise the rules' version and he is
asked again; finally `mes données` shows, exports and erases what Veilleuse keeps about him.
Replies are compared with the catalogs, never with pasted text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cards.i18n import Translator
from tests.e2e.client import (
    BotMessage,
    PlaygroundClient,
    card_actions,
    card_strings,
    find_action,
    template_pattern,
)
from tests.e2e.playground import (
    ETIENNE,
    ISABELLE,
    JEAN_FRANCOIS,
    NATHALIE,
    BotProcess,
    PlaygroundUser,
)

FR = Translator("fr-CA")
EN = Translator("en")
COMMUNITY = "CdeP Montérégie"
PROFILE = {
    "discipline": "spiritual_care",
    "institution": "Maison de soins palliatifs Source Bleue",
    "institution_kind": "palliative_home",
    "territory": "Boucherville",
    "committees": "clsc",
    "expertise": "Soins palliatifs, accompagnement spirituel",
    "locale": "fr-CA",
    "in_directory": "true",
}


def showing(text: str) -> Callable[[BotMessage], bool]:
    return lambda message: message.card is not None and text in card_strings(message.card)


def showing_any(key: str, **values: str) -> Callable[[BotMessage], bool]:
    """A card showing this catalog message, in either language."""
    texts = {FR(key, **values), EN(key, **values)}
    return lambda m: m.card is not None and bool(texts & set(card_strings(m.card)))


async def join_team(client: PlaygroundClient, person: PlaygroundUser) -> None:
    """What Teams sends the bot when someone is added to the CdeP's team."""
    await client.send_custom_activity(
        "conversationUpdate",
        conversation="general",
        template="userAdded",
        user=ISABELLE,
        membersAdded=[person.account()],
    )


async def welcome_of(client: PlaygroundClient, person: PlaygroundUser) -> BotMessage:
    await client.personal_chat(person)
    return await client.expect_message(
        showing(FR("onboarding.welcome.title", community=COMMUNITY)), user=person
    )


async def ensure_member(client: PlaygroundClient, person: PlaygroundUser) -> None:
    """``person`` is on the team and has been welcomed (once, whatever ran before)."""
    await join_team(client, person)
    await client.personal_chat(person)
    try:
        await client.expect_message(
            showing(FR("onboarding.welcome.title", community=COMMUNITY)), 2.0, user=person
        )
    except AssertionError:
        pass  # welcomed by an earlier test: a member is never welcomed twice


async def restart(bot: BotProcess) -> None:
    """Stop the bot and start it again on the same port and data folder."""

    def stop_and_start() -> None:
        bot.stop()
        bot.start()

    await asyncio.to_thread(stop_and_start)


async def download(bot: BotProcess, link: str) -> tuple[int, bytes]:
    path = link[link.index("/files/") :]
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}{path}") as response:
        return response.status, await response.read()


async def test_a_newcomer_is_welcomed_fills_the_profile_and_is_found(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await join_team(client, ETIENNE)
    welcome = await welcome_of(client, ETIENNE)
    strings = card_strings(welcome.card)
    assert FR("greeting.personal", name="Étienne", community=COMMUNITY) in strings
    assert FR("onboarding.welcome.napperon") in strings
    assert FR("onboarding.rules.ack_button") in strings

    form = await client.click_execute(
        welcome,
        "onboarding.open_profile",
        find_action(welcome.card, verb="onboarding.open_profile")["data"],
        user=ETIENNE,
    )
    assert FR("onboarding.profile.title") in card_strings(form["value"])
    review = await client.click_execute(
        welcome,
        "onboarding.review_profile",
        {"verb": "onboarding.review_profile"},
        user=ETIENNE,
        inputs=PROFILE,
    )
    assert FR("onboarding.profile.review_title") in card_strings(review["value"])
    confirm = find_action(review["value"], verb="onboarding.save_profile")
    saved = await client.click_execute(
        welcome, "onboarding.save_profile", confirm["data"], user=ETIENNE
    )
    assert FR("onboarding.profile.saved_title") in card_strings(saved["value"])
    accepted = await client.click_execute(
        welcome,
        "onboarding.ack_rules",
        find_action(welcome.card, verb="onboarding.ack_rules")["data"],
        user=ETIENNE,
    )
    assert any(
        s.startswith(FR("onboarding.rules.acknowledged", version=1, date="")[:20])
        for s in card_strings(accepted["value"])
    )

    await restart(bot_server)

    await client.send_text(FR("command.members.word"), user=ISABELLE)
    roster = await client.expect_message(
        showing(FR("onboarding.roster.title", community=COMMUNITY)), user=ISABELLE
    )
    assert "Étienne Pelletier" in card_strings(roster.card)

    await client.send_text("qui soins palliatifs", user=JEAN_FRANCOIS)
    found = await client.expect_message(
        showing(FR("onboarding.who.title", query="soins palliatifs")), user=JEAN_FRANCOIS
    )
    assert "Étienne Pelletier" in card_strings(found.card)
    chats = [a["url"] for a in card_actions(found.card) if a.get("type") == "Action.OpenUrl"]
    assert f"https://teams.microsoft.com/l/chat/0/0?users={ETIENNE.email}" in chats


async def test_an_animateur_names_a_mentor_and_both_are_told(client: PlaygroundClient) -> None:
    await ensure_member(client, ETIENNE)
    await ensure_member(client, NATHALIE)
    bot = {"id": client.config.bot_id, "name": client.config.bot_name}
    entities = [
        {"type": "mention", "text": f"<at>{bot['name']}</at>", "mentioned": bot},
        *(
            {
                "type": "mention",
                "text": f"<at>{p.name}</at>",
                "mentioned": {"id": p.id, "name": p.name},
            }
            for p in (ETIENNE, NATHALIE)
        ),
    ]
    await client.send_custom_activity(
        "message",
        conversation="channel",
        user=ISABELLE,
        text=f"<at>{bot['name']}</at> mentor <at>{ETIENNE.name}</at> <at>{NATHALIE.name}</at>",
        textFormat="plain",
        extra_entities=entities,
    )
    reply = await client.expect_message(conversation="channel")
    assert template_pattern(FR("onboarding.mentor.assigned")).fullmatch(reply.all_text()), reply
    # Each is told in their own language (Nathalie may have chosen English earlier).
    await client.expect_message(
        showing_any("onboarding.mentor.notice_newcomer_title", mentor=NATHALIE.name), user=ETIENNE
    )
    await client.expect_message(
        showing_any("onboarding.mentor.notice_mentor_title", newcomer=ETIENNE.name), user=NATHALIE
    )


async def test_raising_the_rules_version_asks_members_again(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await ensure_member(client, ETIENNE)
    path: Path = bot_server.data_dir / "community.toml"
    original = await asyncio.to_thread(path.read_text, "utf-8")
    changed = original.replace("version = 1", "version = 2").replace(
        'changes = ""',
        'changes = { fr-CA = "Caméras ouvertes en tout temps.", en = "Cameras on." }',
    )
    assert changed != original
    try:
        await asyncio.to_thread(path.write_text, changed, "utf-8")
        await restart(bot_server)  # the change is noticed at start-up (and after « recharger »)
        asked = await client.expect_message(
            showing(FR("onboarding.rules.heading", version=2)), 15.0, user=ETIENNE
        )
        strings = card_strings(asked.card)
        assert (
            FR("onboarding.rules.intro_again") in strings or FR("onboarding.rules.intro") in strings
        )
        assert FR("onboarding.rules.changes", changes="Caméras ouvertes en tout temps.") in strings
    finally:
        await asyncio.to_thread(path.write_text, original, "utf-8")
        await restart(bot_server)


async def test_members_get_clear_refusals_and_bad_rows_are_reported(
    client: PlaygroundClient,
) -> None:
    for word in (FR("command.members.word"), FR("command.mentor.word")):
        await client.send_text(word, user=JEAN_FRANCOIS)
        refusal = await client.expect_message(user=JEAN_FRANCOIS)
        assert refusal.text == FR("errors.forbidden")

    await client.send_text(FR("command.profile.word"), user=JEAN_FRANCOIS)
    form = await client.expect_message(showing(FR("onboarding.profile.title")), user=JEAN_FRANCOIS)
    forged = await client.click_execute(
        form,
        "onboarding.save_profile",
        {"verb": "onboarding.save_profile", **PROFILE, "committees": "secret"},
        user=JEAN_FRANCOIS,
    )
    assert forged["value"] == FR("errors.bad_card_data")
    missing = await client.click_execute(
        form,
        "onboarding.review_profile",
        {"verb": "onboarding.review_profile"},
        inputs={**PROFILE, "institution": ""},
        user=JEAN_FRANCOIS,
    )
    assert FR("onboarding.profile.error.required") in card_strings(missing["value"])

    await client.send_text(FR("command.members.word"), user=ISABELLE)
    roster = await client.expect_message(
        showing(FR("onboarding.roster.title", community=COMMUNITY)), user=ISABELLE
    )
    opened = await client.click_execute(
        roster, "onboarding.open_import", {"verb": "onboarding.open_import"}, user=ISABELLE
    )
    assert FR("onboarding.import.title") in card_strings(opened["value"])
    rows = (
        "Nom;Courriel;Comités\n"
        "Luc Caron;luc.caron@example.org;CLSC\n"
        "Sans courriel;pas-un-courriel;CH\n"
    )
    report = await client.click_execute(
        roster,
        "onboarding.import_roster",
        {"verb": "onboarding.import_roster"},
        inputs={"csv": rows},
        user=ISABELLE,
    )
    strings = card_strings(report["value"])
    assert (
        FR(
            "onboarding.import.summary",
            created=FR.plural("onboarding.import.count_created", 1),
            updated=FR.plural("onboarding.import.count_updated", 0),
            unchanged=FR.plural("onboarding.import.count_unchanged", 0),
            rejected=FR.plural("onboarding.import.count_rejected", 1),
        )
        in strings
    )
    assert any(FR("onboarding.import.reason.bad_email") in s for s in strings)


async def test_installing_in_the_team_records_its_members(client: PlaygroundClient) -> None:
    await client.install_app(conversation="general")
    await client.expect_message(conversation="general")  # the team greeting
    await client.send_text(FR("command.members.word"), user=ISABELLE)
    roster = await client.expect_message(
        showing(FR("onboarding.roster.title", community=COMMUNITY)), user=ISABELLE
    )
    strings = card_strings(roster.card)
    for person in client.config.everyone:
        assert person.name in strings, f"{person.name} missing from the roster"


async def test_my_data_is_shown_exported_and_erased(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await ensure_member(client, ETIENNE)
    await client.send_text(FR("command.my_data.word"), user=ETIENNE)
    mine = await client.expect_message(showing(FR("onboarding.mydata.title")), user=ETIENNE)
    assert FR("mydata.section.onboarding_account") in card_strings(mine.card)

    exported = await client.click_execute(
        mine, "onboarding.export_my_data", {"verb": "onboarding.export_my_data"}, user=ETIENNE
    )
    (link,) = [
        a["url"] for a in card_actions(exported["value"]) if a.get("type") == "Action.OpenUrl"
    ]
    status, content = await download(bot_server, link)
    assert status == 200
    document: dict[str, Any] = json.loads(content)
    assert document["data"]["onboarding"]["onboarding_account"]["name"] == ETIENNE.name

    confirm = await client.click_execute(
        mine, "onboarding.ask_erase", {"verb": "onboarding.ask_erase"}, user=ETIENNE
    )
    data = find_action(confirm["value"], verb="onboarding.erase_my_data")["data"]
    erased = await client.click_execute(mine, "onboarding.erase_my_data", data, user=ETIENNE)
    assert FR("onboarding.erase.done") in card_strings(erased["value"])

    await client.send_text(FR("command.my_data.word"), user=ETIENNE)
    after = await client.expect_message(showing(FR("onboarding.mydata.title")), user=ETIENNE)
    assert FR("mydata.section.onboarding_profile") not in card_strings(after.card)
    assert (await download(bot_server, link))[0] == 404  # the export went with the rest


@pytest.fixture(autouse=True)
def _french_client(client: PlaygroundClient) -> None:
    assert client.default_locale == "fr-CA"
