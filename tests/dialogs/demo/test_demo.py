"""The demo year of ``make playground`` (dialogs/demo.py), written through the features' own
repositories relative to an injected « now »: whatever the day, « bilan », « présences »,
« attestation », « sondages » and « rencontres » give the lead real cards and files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from dialogs.demo import DemoAlreadySeeded, DemoPerson, seed_demo_year
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, card_of, texts_of
from tests.cards.card_schema import schema_errors

pytestmark = pytest.mark.integration

FR = Translator("fr-CA")
LEAD = DemoPerson(
    ANIMATEUR_AAD, "Isabelle Gagnon", "isabelle.gagnon@cdep-monteregie.example", ("ch", "clsc")
)
CONVERSATION = f"a:personal-{ANIMATEUR_AAD}"


def _urls(card: Any) -> list[str]:
    if isinstance(card, dict):
        found = [card["url"]] if card.get("type") == "Action.OpenUrl" else []
        return found + [u for value in card.values() for u in _urls(value)]
    if isinstance(card, list):
        return [u for item in card for u in _urls(item)]
    return []


async def _ask(http: BotHttp, text: str) -> dict[str, Any]:
    await http.post(http.activity(text, aad=ANIMATEUR_AAD, conversation=CONVERSATION))
    return http.replies(CONVERSATION)[-1]


async def _fetch(http: BotHttp, url: str) -> tuple[int, str, bytes]:
    response = await http.client.get(url[url.index("/files/") :])
    return response.status, response.content_type, await response.read()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 9, 3, 14, 0, tzinfo=UTC),  # the cycle has just begun: the previous one
        datetime(2027, 7, 10, 14, 0, tzinfo=UTC),  # July: the cycle that just ended
        datetime.now(UTC),
    ],
    ids=["september", "july", "today"],
)
async def test_the_demo_year_gives_every_command_something_to_show(
    bot_http: BotHttp, now: datetime
) -> None:
    services = bot_http.client.server.app[RUNTIME].services
    services.clock = lambda: now
    summary = await seed_demo_year(services, now, LEAD)
    assert summary.meetings_held == 6
    assert summary.certificates > 10
    with pytest.raises(DemoAlreadySeeded):
        await seed_demo_year(services, now, LEAD)

    report_words = f"{FR('command.report.word')} {summary.report_command_args}".strip()
    report = card_of(await _ask(bot_http, report_words))
    assert schema_errors(report) == []
    charts = [item for item in _walk(report) if str(item.get("type", "")).startswith("Chart.")]
    assert len(charts) >= 2, "no charts in the report"
    effectiveness = {
        f["title"]: f["value"] for item in _walk(report) for f in item.get("facts", [])
    }
    answered = effectiveness[FR("vitality.figure.effectiveness.respondents")]
    assert int(answered) >= 5  # the outcomes survey of the demo, shown in « Efficacité »
    csv_url, pdf_url = _urls(report)[:2]
    assert (await _fetch(bot_http, csv_url))[:2] == (200, "text/csv")
    assert (await _fetch(bot_http, pdf_url))[2].startswith(b"%PDF-")

    certificates = card_of(await _ask(bot_http, FR("command.certificate.word")))
    links = _urls(certificates)
    assert len(links) >= 6  # one per meeting she attended, and the yearly summary
    assert (await _fetch(bot_http, links[0]))[2].startswith(b"%PDF-")

    presence = card_of(await _ask(bot_http, FR("command.presence.word")))
    assert schema_errors(presence) == []
    assert any("Journée conjointe" in text for text in texts_of(presence))

    polls = card_of(await _ask(bot_http, FR("command.polls.word")))
    assert any("Disponibilités" in text or "Satisfaction" in text for text in texts_of(polls))

    meetings = card_of(await _ask(bot_http, FR("command.meetings.word")))
    assert any("la détresse des soignants" in text for text in texts_of(meetings))

    library = card_of(await _ask(bot_http, f"{FR('command.resources.word')} deuil"))
    assert schema_errors(library) == []
    assert "Le deuil chez les adolescents, repères cliniques" in texts_of(library)


def _walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [d for value in node.values() for d in _walk(value)]
    if isinstance(node, list):
        return [d for item in node for d in _walk(item)]
    return []
