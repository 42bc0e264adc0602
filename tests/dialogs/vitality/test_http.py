"""The vitality report through the bot's HTTP endpoint, as Teams drives it: the card and its
CSV and PDF links, who may read it, arguments, card buttons, the projects list, « mes données ».
Replies are compared with the catalogs."""

from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import pytest

from bot.app import RUNTIME, Runtime
from cards.i18n import Translator
from cards.vitality import VitalityVerb
from dialogs.vitality import routes
from dialogs.vitality.inputs import vitality_repository
from storage.community import example_text
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, card_of, texts_of
from tests.card_walk import of_type as actions_of
from tests.cards.card_schema import schema_errors

pytestmark = pytest.mark.integration

FR = Translator("fr-CA")
EN = Translator("en")
COMMUNITY = "CdeP Montérégie"
SPONSOR_AAD = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e09"
NOW = datetime(2026, 3, 15, 17, 0, tzinfo=UTC)  # 13 h in Montréal, during the 2025-2026 cycle
NAMES = ("Julie Roy", "Marc Caron", "Nadia Tremblay", "Luc Côté", "Anne Gagnon", "Paul Roy")


def runtime_of(http: BotHttp) -> Runtime:
    return http.client.server.app[RUNTIME]


@pytest.fixture
def http(bot_http: BotHttp) -> BotHttp:
    runtime_of(bot_http).services.clock = lambda: NOW
    return bot_http


async def say(
    http: BotHttp, text: str, aad: str = ANIMATEUR_AAD, locale: str = "fr-CA"
) -> dict[str, Any]:
    conversation = f"a:personal-{aad}"
    status, _ = await http.post(
        http.activity(text, aad=aad, conversation=conversation, locale=locale)
    )
    assert status in (200, 201)
    return http.replies(conversation)[-1]


async def click(
    http: BotHttp, verb: str, data: dict[str, Any], aad: str = ANIMATEUR_AAD, locale: str = "fr-CA"
) -> dict[str, Any]:
    status, body = await http.post(
        http.execute(verb, data, aad=aad, conversation=f"a:personal-{aad}", locale=locale)
    )
    assert status == 200
    return body


async def download(http: BotHttp, url: str) -> tuple[int, bytes, str]:
    response = await http.client.get(url[url.index("/files/") :])
    return response.status, await response.read(), response.headers.get("Content-Type", "")


def pdf_text(data: bytes) -> bytes:
    out = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            out += stream
    return out


def files_published(http: BotHttp) -> int:
    folder = http.data_dir / "files"
    return len(list(folder.iterdir())) if folder.exists() else 0


async def seed_members(http: BotHttp) -> None:
    """Six named members (four there all along, two arrived this cycle) if onboarding is here."""
    profiles = pytest.importorskip("storage.profile_repository")
    queries = pytest.importorskip("dialogs.onboarding.queries")
    repo = queries.profile_repository(runtime_of(http).services)
    for i, name in enumerate(NAMES):
        await repo.save(
            profiles.MemberProfile(
                f"aad-{i}",
                name=name,
                email=f"m{i}@cdep-monteregie.example",
                committee_ids=("ch",) if i % 2 else ("clsc",),
                arrived_on=date(2025, 10, 1) if i >= 4 else None,
            )
        )


# ---- the report -------------------------------------------------------------------------------


async def test_an_animateur_gets_the_report_with_its_files(http: BotHttp) -> None:
    await seed_members(http)
    await say(http, "bilan projet 2025-12-04 Critères de référence | Document du comité des CH")

    card = card_of(await say(http, "bilan"))
    texts = texts_of(card)
    assert schema_errors(card) == []
    assert FR("vitality.title", community=COMMUNITY) in texts
    subtitle = "Cycle 2025-2026, du 1er septembre 2025 au 30 juin 2026 · " + FR(
        "vitality.scope.all"
    )
    assert f"{subtitle} {FR('vitality.as_of', day='15 mars 2026')}" in texts
    assert FR("vitality.privacy", threshold=5) in texts
    facts = {f["title"]: f["value"] for f in actions_of(card, "FactSet")[0]["facts"]}
    assert facts[FR("vitality.figure.members.active_start")] == "< 5"  # four were there
    assert facts[FR("vitality.figure.members.active_now")] == "6"
    assert facts[FR("vitality.figure.members.arrivals")] == "< 5"  # two (issue 19)
    assert any("Critères de référence — Document du comité des CH" in text for text in texts)

    (csv_link, pdf_link) = actions_of(card, "Action.OpenUrl")
    assert csv_link["title"] == FR("vitality.csv_button")
    assert pdf_link["title"] == FR("vitality.pdf_button", language=FR("language.name.fr-CA"))
    status, content, content_type = await download(http, csv_link["url"])
    assert (status, content_type.split(";")[0]) == (200, "text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        FR("vitality.csv.section"),
        FR("vitality.csv.indicator"),
        FR("vitality.csv.value"),
    ]
    assert [
        FR("vitality.section.participation"),
        FR("vitality.figure.members.arrivals"),
        "< 5",
    ] in rows
    status, pdf, content_type = await download(http, pdf_link["url"])
    assert (status, content_type) == (200, "application/pdf")
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1

    # Nobody's name, anywhere.
    for name in NAMES:
        assert name not in str(card)
        assert name.encode("utf-8") not in content
        assert name.encode("cp1252") not in pdf_text(pdf)


async def test_an_english_speaking_animateur_gets_both_pdfs(http: BotHttp) -> None:
    await http.choose_language(ANIMATEUR_AAD)
    card = card_of(await say(http, "report", locale="en-US"))
    assert EN("vitality.title", community=COMMUNITY) in texts_of(card)
    titles = [a["title"] for a in actions_of(card, "Action.OpenUrl")]
    assert titles == [
        EN("vitality.csv_button"),
        EN("vitality.pdf_button", language=EN("language.name.fr-CA")),  # French by default
        EN("vitality.pdf_button", language=EN("language.name.en")),
    ]
    for link in actions_of(card, "Action.OpenUrl")[1:]:
        status, pdf, _ = await download(http, link["url"])
        assert status == 200
        assert pdf.startswith(b"%PDF-")


async def test_a_member_is_politely_refused(http: BotHttp) -> None:
    reply = await say(http, "bilan", aad=MEMBER_AAD)
    assert reply["text"] == FR("command.report.forbidden")
    body = await click(
        http,
        VitalityVerb.show,
        {"start": "2025-09-01", "end": "2026-06-30", "committee": ""},
        aad=MEMBER_AAD,
    )
    assert body["value"] == FR("command.report.forbidden")
    assert files_published(http) == 0  # nothing was computed nor published


def _with_sponsor(http: BotHttp, sponsor: str) -> None:
    (http.data_dir / "community.toml").write_text(
        example_text() + f'\n[[sponsors]]\nname = "Hélène Lavoie"\n{sponsor}\n', "utf-8"
    )
    runtime_of(http).services.profile.reload()


async def test_a_sponsor_may_read_but_not_change(http: BotHttp) -> None:
    _with_sponsor(http, f'aad_object_id = "{SPONSOR_AAD}"')
    await seed_members(http)
    await http.choose_language(SPONSOR_AAD)
    await http.choose_language(ANIMATEUR_AAD)
    card = card_of(await say(http, "report", aad=SPONSOR_AAD, locale="en-US"))
    assert EN("vitality.title", community=COMMUNITY) in texts_of(card)
    # The same figures as an animateur's: roles change who may read, not what is counted.
    lead = card_of(await say(http, "report", locale="en-US"))
    assert actions_of(card, "FactSet") == actions_of(lead, "FactSet")
    reply = await say(http, "report project A new tool", aad=SPONSOR_AAD, locale="en-US")
    assert reply["text"] == EN("errors.forbidden")
    assert await vitality_repository(runtime_of(http).services).projects() == []


async def test_a_sponsor_known_by_email_is_found_in_the_roster(http: BotHttp) -> None:
    _with_sponsor(http, 'email = "helene.lavoie@cdep-monteregie.example"')
    account = mock.Mock(email="Helene.Lavoie@cdep-monteregie.example", user_principal_name="")
    with mock.patch("bot.identity.TeamsInfo.get_member", mock.AsyncMock(return_value=account)):
        card = card_of(await say(http, "bilan", aad=SPONSOR_AAD))
    assert FR("vitality.title", community=COMMUNITY) in texts_of(card)
    # Without the roster (here the stub connector has none), a caller stays a member.
    reply = await say(http, "bilan", aad="6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e0f")
    assert reply["text"] == FR("command.report.forbidden")


@pytest.mark.parametrize(
    ("text", "key", "values"),
    [
        (
            "bilan hier",
            "vitality.errors.bad_args",
            {"text": "hier", "committee": "ch", "committees": "ch, clsc"},
        ),
        (  # the whole argument is quoted (issue 19)
            "bilan n'importe quoi",
            "vitality.errors.bad_args",
            {"text": "n'importe quoi", "committee": "ch", "committees": "ch, clsc"},
        ),
        ("bilan 2025-02-30", "vitality.errors.bad_date", {"text": "2025-02-30"}),
        ("bilan 2024-2026", "vitality.errors.bad_cycle", {"text": "2024-2026"}),
        ("bilan comité", "vitality.errors.committee_missing", {"committees": "ch, clsc"}),
        (
            "bilan comité soins",
            "vitality.errors.unknown_committee",
            {"committee": "soins", "committees": "ch, clsc"},
        ),
        ("bilan 2026-06-30 2025-09-01", "vitality.errors.start_after_end", {}),
    ],
)
async def test_bad_arguments_are_explained(
    http: BotHttp, text: str, key: str, values: dict[str, str]
) -> None:
    reply = await say(http, text)
    assert reply["text"] == FR(key, **values)
    assert files_published(http) == 0


async def test_a_committee_and_a_past_cycle(http: BotHttp) -> None:
    card = card_of(await say(http, "bilan 2024-2025 comité CLSC"))
    subtitle = "Cycle 2024-2025, du 1er septembre 2024 au 30 juin 2025 · " + "Comité des CLSC"
    assert subtitle in texts_of(card)  # over: no « état au »
    labels = [a["title"] for a in actions_of(card, "Action.Execute")]
    assert labels == [
        FR("vitality.scope.all"),
        "Comité des centres hospitaliers",
        FR("vitality.scope.previous"),
        FR("vitality.scope.next"),
    ]


async def test_the_card_buttons_show_another_scope(http: BotHttp) -> None:
    card = card_of(await say(http, "bilan"))
    button = next(
        a
        for a in actions_of(card, "Action.Execute")
        if a["title"] == "Comité des centres hospitaliers"
    )
    assert button["fallback"]["data"] == button["data"]  # Action.Submit for older clients
    body = await click(http, button["verb"], button["data"])
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    expected = (
        "Cycle 2025-2026, du 1er septembre 2025 au 30 juin 2026 · "
        + "Comité des centres hospitaliers"
    )
    assert any(text.startswith(expected) for text in texts_of(body["value"]))
    assert schema_errors(body["value"]) == []


async def test_the_submit_fallback_updates_the_card(http: BotHttp) -> None:
    data = {"verb": "vitality.show", "start": "2024-09-01", "end": "2025-06-30", "committee": ""}
    activity = http.activity(
        None, aad=ANIMATEUR_AAD, conversation=f"a:personal-{ANIMATEUR_AAD}", value=data
    )
    activity["replyToId"] = "card-1"
    await http.post(activity)
    (updated,) = http.connector.updated["card-1"]  # the card message, updated in place
    assert FR("vitality.scope.previous") in texts_of(card_of(updated))


@pytest.mark.parametrize(
    "data",
    [
        {"start": "2025-09-01", "end": "2026-06-30", "committee": "soins"},
        {"start": "2026-06-30", "end": "2025-09-01", "committee": ""},
        {"start": "hier", "end": "2026-06-30"},
        {"end": "2026-06-30"},
        {"start": ["2025-09-01"], "end": "2026-06-30"},
    ],
)
async def test_tampered_buttons_change_nothing(http: BotHttp, data: dict[str, Any]) -> None:
    body = await click(http, VitalityVerb.show, data)
    assert body["value"] == FR("errors.bad_card_data")
    assert files_published(http) == 0


# ---- projects -------------------------------------------------------------------------------


async def test_animateurs_keep_the_list_of_projects(http: BotHttp) -> None:
    card = card_of(await say(http, "bilan projet"))
    assert FR("vitality.projects.empty") in texts_of(card)

    card = card_of(await say(http, "bilan projet Outil de repérage | Grille du comité des CLSC"))
    texts = texts_of(card)
    assert FR("vitality.projects.added", title="Outil de repérage", day="15 mars 2026") in texts
    assert "Grille du comité des CLSC" in texts
    (project,) = await vitality_repository(runtime_of(http).services).projects()
    assert (project.done_on, project.created_by) == (date(2026, 3, 15), ANIMATEUR_AAD)

    (remove,) = [
        a for a in actions_of(card, "Action.Execute") if a["verb"] == "vitality.remove_project"
    ]
    assert remove["data"] == {"verb": "vitality.remove_project", "project_id": project.id}
    body = await click(http, remove["verb"], remove["data"])
    assert FR("vitality.projects.removed", title="Outil de repérage") in texts_of(body["value"])
    assert FR("vitality.projects.empty") in texts_of(body["value"])
    again = await click(http, remove["verb"], remove["data"])
    assert again["value"] == FR("vitality.errors.project_not_found")


@pytest.mark.parametrize(
    ("text", "key", "values"),
    [
        ("bilan projet Suivi de Mme Tremblay", "vitality.errors.project_identifiers", {}),
        ("bilan projet Outil | appeler au 450-555-1234", "vitality.errors.project_identifiers", {}),
        ("bilan projet ab", "vitality.errors.project_title", {"min": "3", "max": "120"}),
        ("bilan projet 2027-01-01 Futur outil", "vitality.errors.project_future", {}),
    ],
)
async def test_bad_projects_are_refused_and_not_stored(
    http: BotHttp, text: str, key: str, values: dict[str, str]
) -> None:
    reply = await say(http, text)
    assert reply["text"] == FR(key, **values)
    assert await vitality_repository(runtime_of(http).services).projects() == []


async def test_members_cannot_change_the_projects(http: BotHttp) -> None:
    reply = await say(http, "bilan projet Outil de repérage", aad=MEMBER_AAD)
    assert reply["text"] == FR("errors.forbidden")
    await say(http, "bilan projet Outil de repérage")
    (project,) = await vitality_repository(runtime_of(http).services).projects()
    body = await click(
        http, VitalityVerb.remove_project, {"project_id": project.id}, aad=MEMBER_AAD
    )
    assert body["value"] == FR("errors.forbidden")
    assert len(await vitality_repository(runtime_of(http).services).projects()) == 1


@pytest.mark.parametrize("data", [{}, {"project_id": 12}, {"project_id": "../../etc/passwd"}])
async def test_tampered_project_ids_are_refused(http: BotHttp, data: dict[str, Any]) -> None:
    body = await click(http, VitalityVerb.remove_project, data)
    assert body["value"] == FR("errors.bad_card_data")


async def test_my_data_shows_and_forgets_the_author_of_projects(http: BotHttp) -> None:
    await say(http, "bilan projet 2025-12-04 Critères de référence")
    services = runtime_of(http).services
    assert await routes.member_data(services, ANIMATEUR_AAD) == {
        "vitality_projects_added": [{"title": "Critères de référence", "done_on": "2025-12-04"}]
    }
    assert await routes.member_data(services, MEMBER_AAD) == {}
    await routes.forget_member(services, ANIMATEUR_AAD)
    assert await routes.member_data(services, ANIMATEUR_AAD) == {}
    (project,) = await vitality_repository(services).projects()
    assert (project.title, project.created_by) == ("Critères de référence", "")


async def test_the_examples_given_after_a_bad_argument_work(http: BotHttp) -> None:
    """Issue 19: every example the refusal suggests is one the bot accepts."""
    reply = await say(http, "bilan n'importe quoi")
    examples = re.findall(r"«\s(bilan[^»]*?)\s»", reply["text"])  # no-break spaces inside « »
    assert "bilan comité ch" in examples
    assert len(examples) == 4
    for example in examples:
        answer = await say(http, example)
        assert answer.get("attachments"), (example, answer.get("text"))
