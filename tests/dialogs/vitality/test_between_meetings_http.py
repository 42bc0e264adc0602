"""`bilan` counts what happens between meetings, through the bot's HTTP endpoint: a supervision
request made and taken with the supervision feature's commands, notes written with « rencontre
notes », takeaways recorded as the notes feature records them; a group too small first (hidden),
then enough requests and takeaways to show the figures. Clock fixed (not date-sensitive)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from cards.i18n import Translator
from cards.notes import NotesVerb
from cards.supervision import SupervisionVerb
from dialogs.notes.repositories import notes_repository
from dialogs.supervision.repositories import supervision_repository
from storage.supervision_repository import SupervisionRequest
from storage.times import utc_iso
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, card_of, texts_of
from tests.card_walk import of_type
from tests.dialogs.notes.conftest import past_meeting
from tests.dialogs.supervision.test_http import REQUEST, ask, flush, inbox_of
from tests.dialogs.topics.conftest import actions, click, inputs, say, services_of

FR = Translator("fr-CA")
pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 15, 17, 0, tzinfo=UTC)  # 13 h in Montréal
HIDDEN = FR("vitality.suppressed", threshold=5)


@pytest.fixture
def http(bot_http: BotHttp) -> BotHttp:
    services_of(bot_http).clock = lambda: NOW
    return bot_http


def fig(key: str) -> str:
    return FR(f"vitality.figure.{key}")


def facts_of(card: dict[str, Any], title_key: str) -> dict[str, str]:
    """The facts and note of one « Efficacité » part of the report card, by its title."""
    title = FR(f"vitality.effectiveness.{title_key}")
    for container in of_type(card, "Container"):
        items = container.get("items", [])
        if items and items[0].get("text") == title:
            found = {
                f["title"]: f["value"] for s in of_type(container, "FactSet") for f in s["facts"]
            }
            notes = [i["text"] for i in items[1:] if i.get("type") == "TextBlock"]
            return found | {"": notes[0] if notes else ""}
    raise AssertionError(f"no part {title!r}")


async def report(http: BotHttp) -> dict[str, Any]:
    return card_of(await say(http, "bilan 2026-03-01", aad=ANIMATEUR_AAD))


def request(n: int, hours: float | None, status: str) -> SupervisionRequest:
    made = NOW - timedelta(days=n)
    return SupervisionRequest(
        id=f"sv-{n}",
        title="Demande",
        context="Contexte",
        question="Question",
        urgency="week",
        themes=(),
        requester_key=f"k-{n}",
        requester_name="",
        created_at=utc_iso(made),
        remind_at=utc_iso(made + timedelta(days=2)),
        ask_at=utc_iso(made + timedelta(days=4)),
        status=status,
        taker_key=ANIMATEUR_AAD if hours is not None else "",
        taken_at=utc_iso(made + timedelta(hours=hours)) if hours is not None else "",
    )


async def test_bilan_counts_supervision_and_what_meetings_leave_behind(http: BotHttp) -> None:
    services = services_of(http)
    # One supervision request, made and taken through the feature's own cards.
    await say(http, "aide", aad=ANIMATEUR_AAD)
    await ask(http, REQUEST)
    await flush(http)
    offers = [a for c in inbox_of(http, ANIMATEUR_AAD) for a in actions(c, SupervisionVerb.accept)]
    accept = offers[0]
    await click(http, SupervisionVerb.accept, accept, aad=ANIMATEUR_AAD)
    # A past meeting gets its notes with « rencontre notes »; an older one gets none.
    noted = await past_meeting(http, "m-noted", days_ago=3)
    form = card_of(await say(http, FR("command.meeting.notes.word"), aad=ANIMATEUR_AAD))
    [submit] = actions(form, NotesVerb.save)
    values = {**submit, **inputs(form), "key_points": "Le répit se propose tôt."}
    await click(http, NotesVerb.save, values, aad=ANIMATEUR_AAD)
    assert await notes_repository(services).get(noted.id) is not None
    older = await past_meeting(http, "m-older", days_ago=10, title="Comité CH")
    notes = notes_repository(services)
    for i, text in enumerate(("Écouter avant de proposer.", "Nommer le répit.")):
        assert await notes.record_takeaway(noted.id, f"k-{i}", text)

    card = await report(http)
    supervision = facts_of(card, "supervision")
    assert supervision == {
        fig("supervision.requests"): HIDDEN,
        "": FR("vitality.supervision.hidden", threshold=5),
    }
    assert REQUEST["question"] not in str(card)
    assert REQUEST["title"] not in str(card)
    left = facts_of(card, "left_behind")
    assert left[fig("left_behind.notes")] == FR("vitality.out_of", part="1", whole="2")
    assert left[fig("left_behind.takeaways")] == HIDDEN
    assert left[fig("left_behind.follow_ups")] == FR("vitality.left_behind.no_follow_up")
    assert left[""] == FR("vitality.left_behind.hidden", threshold=5)
    assert "Nommer le répit." not in str(card)

    # Enough of both: 10 requests (5 taken after 0, 2, 4, 6, 8 h; 5 expired), 6 takeaways.
    repository = supervision_repository(services)
    for n, hours in zip(range(1, 5), (2, 4, 6, 8), strict=True):
        await repository.add(request(n, hours, "taken"))
    for n in range(5, 10):
        await repository.add(request(n, None, "expired"))
    for i, text in enumerate(("Demander de l'aide tôt.", "Le deuil se nomme."), start=2):
        assert await notes.record_takeaway(noted.id, f"k-{i}", text)
    for i, text in enumerate(("Référer avec les critères.", "Prendre soin de soi."), start=4):
        assert await notes.record_takeaway(older.id, f"k-{i}", text)

    card = await report(http)
    supervision = facts_of(card, "supervision")
    assert supervision[fig("supervision.requests")] == "10"
    assert supervision[fig("supervision.taken")] == "50\u00a0%"
    assert supervision[fig("supervision.median")] == FR("vitality.hours", hours="4")
    outcomes = supervision[fig("supervision.outcomes")]
    for outcome, count in (("taken", "5"), ("expired", "5"), ("offered", "0")):
        assert (
            FR(
                "vitality.supervision.outcome_count",
                outcome=FR(f"vitality.supervision.{outcome}"),
                count=count,
            )
            in outcomes
        )
    left = facts_of(card, "left_behind")
    assert left[fig("left_behind.takeaways")] == "6"
    assert left[fig("left_behind.meetings_with_takeaways")] == "2 sur 2"
    texts = texts_of(card)
    # Three takeaways quoted, of the newest meeting (the anonymous texts, never an author).
    quoted = {"Écouter avant de proposer.", "Nommer le répit.", "Demander de l'aide tôt."}
    quoted |= {"Le deuil se nomme."}
    assert len(quoted & set(texts)) == 3
    assert "Prendre soin de soi." not in texts

    # The CSV holds the same figures.
    csv_link = of_type(card, "Action.OpenUrl")[0]["url"]
    response = await http.client.get(csv_link[csv_link.index("/files/") :])
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig")), delimiter=";"))
    section = FR(
        "vitality.effectiveness.csv_section",
        section=FR("vitality.section.effectiveness"),
        part=FR("vitality.effectiveness.supervision"),
    )
    assert [section, fig("supervision.requests"), "10"] in rows

    # A committee's report leaves them to the whole CdeP; a member does not see the report.
    committee = card_of(await say(http, "bilan 2026-03-01 comité clsc", aad=ANIMATEUR_AAD))
    assert facts_of(committee, "supervision") == {"": FR("vitality.cdep_only")}
    refused = await say(http, "bilan", aad=MEMBER_AAD)
    assert refused["text"] == FR("command.report.forbidden")


async def test_a_failing_source_shows_no_data_and_the_rest_of_the_report(http: BotHttp) -> None:
    await past_meeting(http, "m-noted", days_ago=3)
    broken = mock.AsyncMock(side_effect=RuntimeError("store down"))
    with mock.patch("dialogs.supervision.queries.stats", broken):
        card = await report(http)
    assert facts_of(card, "supervision") == {"": FR("vitality.no_data_section")}
    assert "store down" not in str(card)
    left = facts_of(card, "left_behind")
    assert left == {"": FR("vitality.left_behind.nothing", count="1")}
    assert FR("vitality.section.participation") in texts_of(card)
