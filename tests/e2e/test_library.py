"""The library, end to end through the Agents Playground.

Jean-François shares a tool; Nathalie finds it with an accent and plural variant of a theme and
double-clicks « Utile », which counts once; a description naming a patient with a NAM is refused
with its findings and nothing of it reaches the bot's data folder. Every reply is compared with
the catalogs, never with pasted text.
"""

from __future__ import annotations

from cards.i18n import Translator
from cards.library import LibraryVerb
from tests.e2e.client import PlaygroundClient, card_strings, find_action
from tests.e2e.playground import JEAN_FRANCOIS, NATHALIE, BotProcess
from tests.e2e.test_topics import card_of, executes, inputs, showing, shows

FR = Translator("fr-CA")
EN = Translator("en")
TITLE = "Outil de détection de la détresse"
VALUES = {
    "title": TITLE,
    "url": "https://publications.msss.gouv.qc.ca/outil-detresse.pdf",
    "kind": "tool",
    "themes": "Détresse, soins palliatifs",
    "volet": "formatif",
    "description": "Au premier contact avec une personne en fin de vie et ses proches.",
}
IDENTIFYING = "Utilisé avec Mme Tremblay, NAM TREM 5203 1512, à domicile."


async def test_share_find_and_mark_useful_once(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await client.send_text(FR("command.resource.word"), user=JEAN_FRANCOIS)
    form = await client.expect_message(showing("library.form.title"), user=JEAN_FRANCOIS)
    submit = find_action(form.card, verb=LibraryVerb.submit)

    refused = card_of(
        await client.click_execute(
            form,
            LibraryVerb.submit,
            submit["data"],
            user=JEAN_FRANCOIS,
            inputs={**inputs(form.card or {}), **VALUES, "description": IDENTIFYING},
        )
    )
    assert shows(refused, "library.finding.intro")

    shared = card_of(
        await client.click_execute(
            form,
            LibraryVerb.submit,
            submit["data"],
            user=JEAN_FRANCOIS,
            inputs={**inputs(form.card or {}), **VALUES},
        )
    )
    assert shows(shared, "library.notice.shared")
    assert TITLE in card_strings(shared)

    await client.send_text(f"{FR('command.resources.word')} soin palliatif", user=NATHALIE)
    found = await client.expect_message(
        lambda m: m.card is not None and TITLE in card_strings(m.card), user=NATHALIE
    )
    mark = executes(found.card or {}, LibraryVerb.useful)[0]
    await client.click_execute(found, LibraryVerb.useful, mark, user=NATHALIE)
    twice = card_of(await client.click_execute(found, LibraryVerb.useful, mark, user=NATHALIE))
    counted = {tr.plural("library.list.useful_count", 1) for tr in (FR, EN)}
    assert counted & set(card_strings(twice))

    for path in bot_server.data_dir.rglob("*"):
        if path.is_file():
            assert "TREM 5203" not in path.read_text("utf-8", errors="replace"), path
