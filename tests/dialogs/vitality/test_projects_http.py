"""Projects with a kind, the organisations that use them and a link, through the bot's HTTP
endpoint: the text command, the card's form, bad input and projects stored before these fields
existed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from dialogs.vitality.inputs import vitality_repository
from storage.vitality_repository import Project
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, card_of, texts_of
from tests.card_walk import of_type
from tests.dialogs.vitality.test_http import EN, FR, NOW, click, runtime_of, say

pytestmark = pytest.mark.integration

FORM = {
    "title": "Guide d'accueil des nouveaux intervenants",
    "done_on": "2026-02-20",
    "kind": "training",
    "description": "Remis à chaque nouvel arrivant",
    "organisations": "CISSS de la Montérégie-Centre, Maison Victor-Gadbois",
    "link": "https://example.org/guide",
}


@pytest.fixture
def http(bot_http: BotHttp) -> BotHttp:
    runtime_of(bot_http).services.clock = lambda: NOW
    return bot_http


async def projects(http: BotHttp) -> list[Project]:
    return await vitality_repository(runtime_of(http).services).projects()


def add_action(card: dict[str, Any]) -> dict[str, Any]:
    (action,) = [a for a in of_type(card, "Action.Execute") if a["verb"] == "vitality.add_project"]
    return action


async def test_the_form_adds_a_project_with_kind_organisations_and_link(http: BotHttp) -> None:
    card = card_of(await say(http, "bilan projet"))
    action = add_action(card)
    ids = {i["id"] for i in of_type(card, "Input.Text") + of_type(card, "Input.Date")}
    assert ids >= {"title", "done_on", "description", "organisations", "link"}
    body = await click(http, action["verb"], {**action["data"], **FORM})
    shown = body["value"]
    texts = texts_of(shown)
    assert FR("vitality.projects.added", title=FORM["title"], day="20 févr. 2026") in texts
    assert (
        FR(
            "vitality.projects.about",
            kind=FR("vitality.project_kind.training"),
            organisations="CISSS de la Montérégie-Centre, Maison Victor-Gadbois",
        )
        in texts
    )
    assert any(a["url"] == FORM["link"] for a in of_type(shown, "Action.OpenUrl"))
    (project,) = await projects(http)
    assert (project.kind, project.organisations, project.link, project.done_on) == (
        "training",
        ("CISSS de la Montérégie-Centre", "Maison Victor-Gadbois"),
        "https://example.org/guide",
        date(2026, 2, 20),
    )


async def test_the_text_command_takes_the_kind_in_either_language(http: BotHttp) -> None:
    await say(http, "bilan projet Grille de repérage | | Outil clinique | CISSS A")
    await say(http, "report project Shared referral form | | collaboration", locale="en")
    first, second = sorted(await projects(http), key=lambda p: p.title)
    assert (first.title, first.kind, first.organisations) == (
        "Grille de repérage",
        "clinical_tool",
        ("CISSS A",),
    )
    assert (second.kind, second.link) == ("collaboration", "")


async def test_the_report_counts_projects_by_kind(http: BotHttp) -> None:
    await say(http, "bilan projet Grille de repérage | | outil clinique")
    await say(http, "bilan projet Guide | | formation")
    await say(http, "bilan projet Sans type")
    card = card_of(await say(http, "bilan"))
    facts = {f["title"]: f["value"] for f in of_type(card, "FactSet") for f in f["facts"]}
    assert facts[FR("vitality.project_kind.clinical_tool")] == "1"
    assert facts[FR("vitality.project_kind.training")] == "1"
    assert facts[FR("vitality.project_kind.unspecified")] == "1"
    assert FR("vitality.effectiveness.projects") in texts_of(card)


async def test_the_reports_project_lines_say_kind_organisations_and_link(http: BotHttp) -> None:
    await say(
        http,
        "bilan projet Grille de repérage | Pour l'accueil | outil clinique | CISSS A, CISSS B"
        " | https://example.org/grille",
    )
    await say(http, "bilan projet Sans type")
    card = card_of(await say(http, "bilan"))
    texts = texts_of(card)
    used_by = FR("vitality.project.used_by", organisations="CISSS A, CISSS B")
    line = FR("vitality.project.line", title="Grille de repérage", description="Pour l'accueil")
    details = " · ".join(
        [FR("vitality.project_kind.clinical_tool"), used_by, "https://example.org/grille"]
    )
    assert FR("vitality.project.details", line=line, details=details) in texts
    assert "Sans type" in texts  # nothing said of it: its title alone
    # The projects' list card: no « Formation — utilisé par » (its kind's gender) any more.
    listed = texts_of(card_of(await say(http, "bilan projet")))
    assert (
        FR(
            "vitality.projects.about",
            kind=FR("vitality.project_kind.clinical_tool"),
            organisations="CISSS A, CISSS B",
        )
        in listed
    )
    assert not any("utilisé par" in text for text in listed)


async def test_projects_stored_before_kinds_still_read(http: BotHttp) -> None:
    database = runtime_of(http).services.store.database("vitality")
    row = {
        "id": "a1b2c3d4e5f6",
        "title": "Ancien outil",
        "description": "",
        "done_on": "2025-11-01",
        "created_by": "",
        "created_at": "2025-11-01T15:00:00+00:00",
    }
    await database.run(lambda db: db.table("projects").insert(row))
    (project,) = await projects(http)
    assert (project.kind, project.organisations, project.link) == ("", (), "")
    card = card_of(await say(http, "bilan projet"))
    assert "Ancien outil" in texts_of(card)


@pytest.mark.parametrize(
    ("change", "key", "values"),
    [
        ({"link": "javascript:alert(1)"}, "vitality.errors.project_link", {}),
        ({"link": "http://example.org"}, "vitality.errors.project_link", {}),
        ({"kind": "poem"}, "errors.bad_card_data", {}),
        ({"title": 12}, "errors.bad_card_data", {}),
        ({"done_on": "2026-13-01"}, "vitality.errors.bad_date", {"text": "2026-13-01"}),
        ({"done_on": "2027-01-01"}, "vitality.errors.project_future", {}),
        ({"title": "ab"}, "vitality.errors.project_title", {"min": "3", "max": "120"}),
        ({"organisations": "Suivi de Mme Tremblay"}, "vitality.errors.project_identifiers", {}),
        (
            {"organisations": ", ".join(f"Org {i}" for i in range(11))},
            "vitality.errors.project_organisations",
            {"count": "10", "max": "100"},
        ),
    ],
)
async def test_bad_form_input_is_refused_and_nothing_stored(
    http: BotHttp, change: dict[str, Any], key: str, values: dict[str, str]
) -> None:
    body = await click(http, "vitality.add_project", {**FORM, **change})
    assert body["value"] == FR(key, **values)
    assert await projects(http) == []


async def test_bad_kinds_and_links_in_the_text_command(http: BotHttp) -> None:
    reply = await say(http, "bilan projet Guide | | poème")
    assert reply["text"] == FR("vitality.errors.project_kind", text="poème")
    await http.choose_language(ANIMATEUR_AAD, "en")
    reply = await say(http, "report project Guide | | | | ftp://x", locale="en")
    assert reply["text"] == EN("vitality.errors.project_link")
    assert await projects(http) == []


async def test_members_cannot_add_projects_with_the_form(http: BotHttp) -> None:
    body = await click(http, "vitality.add_project", FORM, aad=MEMBER_AAD)
    assert body["value"] == FR("errors.forbidden")
    assert await projects(http) == []


def test_now_is_fixed() -> None:
    assert datetime(2026, 3, 15, 17, 0, tzinfo=UTC) == NOW
