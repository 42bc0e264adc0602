"""The library, end to end through the Agents Playground.

Jean-François shares a tool; Nathalie finds it with an accent and plural variant of a theme and
double-clicks « Utile », which counts once; a description naming a patient with a NAM is refused
with its findings and nothing of it reaches the bot's data folder. With validation on in the
community profile, Jean-François's next share waits: Isabelle (animateur) gets it in her 1:1
chat, validates it, Jean-François is told; she marks it « essentiel » and Nathalie's welcome
dossier links it. Every reply is compared with the catalogs, never with pasted text.
"""

from __future__ import annotations

import tomllib

from cards.i18n import Translator
from cards.library import LibraryVerb
from storage.community import parse_profile
from tests.e2e.client import PlaygroundClient, card_strings, find_action
from tests.e2e.playground import ISABELLE, JEAN_FRANCOIS, NATHALIE, BotProcess
from tests.e2e.test_topics import card_of, executes, inputs, saying, showing, shows

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


GUIDE = {
    **VALUES,
    "title": "Guide des critères d'orientation vers les soins psychosociaux",
    "url": "https://cdep.sharepoint.com/sites/cdep/Documents/criteres-orientation.pdf",
    "kind": "document",
    "themes": "orientation, soins psychosociaux",
    "volet": "echange",
    "description": "Pour décider, avec l'équipe, quand orienter vers les soins psychosociaux.",
}


async def _validation(client: PlaygroundClient, bot_server: BotProcess, on: bool) -> None:
    """Set ``[library] validation`` in the bot's community profile; Isabelle types
    « recharger »."""
    path = bot_server.data_dir / "community.toml"
    before, after = ("false", "true") if on else ("true", "false")
    text = path.read_text("utf-8")
    path.write_text(text.replace(f"validation = {before}", f"validation = {after}"), "utf-8")
    await client.send_text(FR("command.reload.word"), user=ISABELLE)
    profile = parse_profile(tomllib.loads(path.read_text("utf-8")))
    assert profile.library_validation is on
    done = FR("reload.done", name=profile.name, version=profile.rules.version)
    await client.expect_message(lambda m: m.text == done, user=ISABELLE)


async def test_validation_then_essential_in_the_welcome_dossier(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    await _validation(client, bot_server, True)
    try:
        await client.send_text(FR("command.resource.word"), user=JEAN_FRANCOIS)
        form = await client.expect_message(showing("library.form.title"), user=JEAN_FRANCOIS)
        assert shows(form.card, "library.form.intro_pending")
        submit = find_action(form.card, verb=LibraryVerb.submit)
        waiting = card_of(
            await client.click_execute(
                form,
                LibraryVerb.submit,
                submit["data"],
                user=JEAN_FRANCOIS,
                inputs={**inputs(form.card or {}), **GUIDE},
            )
        )
        assert shows(waiting, "library.notice.pending")
        assert GUIDE["title"] not in card_strings(waiting)

        # Isabelle gets the resource to validate in her 1:1 chat.
        review = await client.expect_message(
            lambda m: m.card is not None and GUIDE["title"] in card_strings(m.card),
            user=ISABELLE,
            timeout=15,
        )
        assert shows(review.card, "library.notice.new_pending")
        [approve] = executes(review.card or {}, LibraryVerb.approve)
        forbidden = await client.click_execute(review, LibraryVerb.approve, approve, user=NATHALIE)
        assert forbidden["value"] in {FR("errors.forbidden"), EN("errors.forbidden")}
        done = card_of(
            await client.click_execute(review, LibraryVerb.approve, approve, user=ISABELLE)
        )
        assert shows(done, "library.notice.approved")
        await client.expect_message(
            saying("library.review.approved", title=GUIDE["title"]),
            user=JEAN_FRANCOIS,
            timeout=15,
        )
    finally:
        await _validation(client, bot_server, False)

    await client.send_text(f"{FR('command.resources.word')} orientation", user=ISABELLE)
    found = await client.expect_message(
        lambda m: m.card is not None and GUIDE["title"] in card_strings(m.card), user=ISABELLE
    )
    [essential] = executes(found.card or {}, LibraryVerb.essential)
    marked = card_of(
        await client.click_execute(found, LibraryVerb.essential, essential, user=ISABELLE)
    )
    assert shows(marked, "library.notice.essential_on")

    await client.send_text(FR("command.welcome.word"), user=NATHALIE)
    welcome = await client.expect_message(showing("onboarding.welcome.essentials"), user=NATHALIE)
    assert f"[{GUIDE['title']}]({GUIDE['url']})" in card_strings(welcome.card)
