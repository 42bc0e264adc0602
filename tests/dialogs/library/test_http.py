"""The library through the bot's HTTP endpoint, as Teams drives it: share, search, « utile »,
the guard, English, « mes données » and erasure."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cards.i18n import Translator
from cards.library import LibraryVerb
from dialogs.library import routes, rules
from dialogs.library.repositories import resource_repository
from tests.dialogs.topics.conftest import (
    MEMBER_AAD,
    SECOND_AAD,
    THIRD_AAD,
    BotHttp,
    actions,
    card,
    card_of,
    click,
    data_files,
    inputs,
    say,
    services_of,
    texts,
)

FR = Translator("fr-CA")
EN = Translator("en")
pytestmark = pytest.mark.integration

TOOL = {
    "title": "Outil de détection de la détresse",
    "url": "https://publications.msss.gouv.qc.ca/outil-detresse.pdf",
    "kind": "tool",
    "themes": "Détresse, soins palliatifs",
    "volet": "formatif",
    "description": "Au premier contact avec une personne en fin de vie et ses proches.",
}


async def share(
    http: BotHttp, values: dict[str, Any], aad: str = MEMBER_AAD, locale: str = "fr-CA"
) -> dict[str, Any]:
    """``ressource``, then the form's « Partager »: returns the invoke body."""
    word = (FR if locale == "fr-CA" else EN)("command.resource.word")
    form = card_of(await say(http, word, aad=aad, locale=locale))
    submit = actions(form, LibraryVerb.submit)[0]
    return await click(
        http, LibraryVerb.submit, {**submit, **inputs(form), **values}, aad=aad, locale=locale
    )


async def stored(http: BotHttp) -> list[Any]:
    return await resource_repository(services_of(http)).all()


async def test_a_member_shares_a_resource_another_finds_it_and_marks_it_useful_once(
    bot_http: BotHttp,
) -> None:
    form = card_of(await say(bot_http, "ressource Outil de détection"))
    assert inputs(form)["title"] == "Outil de détection"
    # Without validation too, the form says a file of the team's Files tab can be shared.
    assert FR("library.form.intro") in texts(form)
    assert "onglet Fichiers" in FR("library.form.intro")
    assert "Files tab" in EN("library.form.intro")
    assert await stored(bot_http) == []  # nothing before the confirmation

    listed = card(await share(bot_http, TOOL))
    assert FR("library.notice.shared") in texts(listed)
    # Nobody marked it yet: said in words, not « 0 personne l'a trouvée utile ».
    assert FR("library.list.useful_none") in texts(listed)
    assert not any(line.startswith("0 ") for line in texts(listed))
    assert TOOL["title"] in texts(listed)  # listed at once
    [saved] = await stored(bot_http)
    assert (saved.author_name, saved.themes, saved.volet) == (
        "Sophie Bergeron",
        ("Détresse", "soins palliatifs"),
        "formatif",
    )

    found = card_of(await say(bot_http, "ressources soin palliatif", aad=SECOND_AAD))
    assert TOOL["title"] in texts(found)
    [mark] = actions(found, LibraryVerb.useful)
    assert mark["query"] == "soin palliatif"
    for _ in range(2):  # a double click counts once
        body = await click(bot_http, LibraryVerb.useful, mark, aad=SECOND_AAD)
    refreshed = card(body)
    assert FR.plural("library.list.useful_count", 1) in texts(refreshed)
    assert actions(refreshed, LibraryVerb.useful) == []  # no button once marked
    [saved] = await stored(bot_http)
    assert saved.useful_by == (SECOND_AAD,)

    # The sharer sees no « Utile » on their own resource, and a click (stale card) counts nothing.
    own = card_of(await say(bot_http, "ressources soin palliatif"))
    assert actions(own, LibraryVerb.useful) == []
    told = card(await click(bot_http, LibraryVerb.useful, mark))
    assert FR("library.notice.own") in texts(told)
    [saved] = await stored(bot_http)
    assert saved.useful_by == (SECOND_AAD,)

    nothing = card_of(await say(bot_http, "ressources cardiologie", aad=THIRD_AAD))
    assert FR("library.list.empty") in texts(nothing)


async def test_most_useful_first(bot_http: BotHttp) -> None:
    await share(bot_http, {**TOOL, "title": "Guide du deuil", "themes": "deuil"})
    await share(bot_http, {**TOOL, "title": "Repères sur le deuil", "themes": "deuils"})
    second = next(r for r in await stored(bot_http) if r.title == "Repères sur le deuil")
    await click(
        bot_http, LibraryVerb.useful, {"resource_id": second.id, "query": ""}, aad=THIRD_AAD
    )
    found = texts(card_of(await say(bot_http, "ressources DEUIL", aad=SECOND_AAD)))
    assert found.index("Repères sur le deuil") < found.index("Guide du deuil")


async def test_a_long_list_says_it_is_cut_and_how_to_narrow_it(bot_http: BotHttp) -> None:
    await share(bot_http, TOOL)
    [base] = await stored(bot_http)
    repository = resource_repository(services_of(bot_http))
    for n in range(rules.MAX_RESULTS + 2):
        await repository.add(replace(base, id=f"r{n:02d}", title=f"Outil {n:02d}"))
    total = rules.MAX_RESULTS + 3
    found = card_of(await say(bot_http, "ressources détresse", aad=SECOND_AAD))
    # Cut to the first MAX_RESULTS, and it says so (it was cut silently).
    assert FR.plural("library.list.more", total, shown=rules.MAX_RESULTS) in texts(found)
    assert len(actions(found, LibraryVerb.useful)) == rules.MAX_RESULTS
    few = texts(card_of(await say(bot_http, "ressources Outil 01", aad=SECOND_AAD)))
    assert "Outil 01" in few
    assert not any(str(total) in line for line in few)


async def test_kind_and_volet_words_filter(bot_http: BotHttp) -> None:
    await share(bot_http, {**TOOL, "title": "Guide du deuil", "kind": "guide", "themes": "deuil"})
    await share(
        bot_http, {**TOOL, "title": "Outil du deuil", "themes": "deuil", "volet": "echange"}
    )
    found = texts(card_of(await say(bot_http, "ressources outil deuil")))
    assert "Outil du deuil" in found
    assert "Guide du deuil" not in found
    found = texts(card_of(await say(bot_http, "ressources formatif")))
    assert "Guide du deuil" in found
    assert "Outil du deuil" not in found


async def test_form_problems_are_shown_and_nothing_is_saved(bot_http: BotHttp) -> None:
    body = await share(bot_http, {**TOOL, "url": "http://example.org/outil"})
    assert FR("library.problem.link") in texts(card(body))
    body = await share(bot_http, {**TOOL, "kind": ""})
    assert FR("library.problem.kind_missing") in texts(card(body))
    assert await stored(bot_http) == []
    body = await click(bot_http, LibraryVerb.submit, {**TOOL, "kind": "affiche"})
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert await stored(bot_http) == []


@pytest.mark.parametrize(
    "description",
    [
        "Utilisé avec Mme Tremblay, NAM TREM 5203 1512, en fin de vie.",
        "Utile pour M. Lavoie, 92 ans, né le 12 mars 1932.",
    ],
)
async def test_identifying_descriptions_are_refused_and_nothing_is_stored(
    bot_http: BotHttp, description: str
) -> None:
    body = await share(bot_http, {**TOOL, "description": description})
    refused = card(body)
    assert FR("library.finding.intro") in texts(refused)
    assert inputs(refused)["description"] == description  # to edit, not lost
    assert await stored(bot_http) == []
    for path, content in data_files(bot_http).items():
        assert description not in content, path


async def test_english_words_work(bot_http: BotHttp) -> None:
    await bot_http.choose_language(MEMBER_AAD, "en")
    await bot_http.choose_language(SECOND_AAD, "en")
    body = await share(bot_http, {**TOOL, "title": "Grief toolkit", "themes": "grief"}, locale="en")
    assert EN("library.notice.shared") in texts(card(body))
    found = card_of(await say(bot_http, "resources griefs", locale="en", aad=SECOND_AAD))
    assert "Grief toolkit" in texts(found)
    assert EN("library.action.useful") in texts(found)


async def test_my_data_shows_the_library_and_erasure_removes_marks_and_name(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    await share(bot_http, TOOL)
    await share(bot_http, {**TOOL, "title": "Guide du deuil"}, aad=SECOND_AAD)
    other = next(r for r in await stored(bot_http) if r.title == "Guide du deuil")
    await click(bot_http, LibraryVerb.useful, {"resource_id": other.id, "query": ""})

    data = await routes.member_data(services, MEMBER_AAD)
    assert [r["resource_title"] for r in data["resources_shared"]] == [TOOL["title"]]
    assert data["resources_useful"] == [{"resource_title": "Guide du deuil"}]
    assert await routes.member_data(services, THIRD_AAD) == {}
    shown = texts(card_of(await say(bot_http, "mes données")))
    assert FR("mydata.section.resources_shared") in shown
    assert FR("mydata.section.resources_useful") in shown

    body = await click(bot_http, "onboarding.erase_my_data", {"confirm": "yes"})
    assert FR("onboarding.erase.done") in texts(card(body))
    assert await routes.member_data(services, MEMBER_AAD) == {}
    kept = {r.title: r for r in await stored(bot_http)}
    assert kept[TOOL["title"]].author_name == ""  # the resource stays, without its author
    assert kept["Guide du deuil"].useful_by == ()
    for path, content in data_files(bot_http).items():
        if path.name.startswith("library"):
            assert MEMBER_AAD not in content
            assert "Sophie Bergeron" not in content
