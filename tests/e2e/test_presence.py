"""Presence, end to end through the Agents Playground, with the local Graph stand-in.

The hybrid meeting of ``tests/dialogs/presence/scenario.py`` in the Playground's group chat:
three members online (join/leave events; a Graph report on two pages; Jean-François joins
twice; Nathalie, a guest from another institution, is matched by e-mail), two check in with the
code the animateur reveals, Isabelle is absent. After the meeting-end event the import meets a
404 (no report yet); the animateur's « présences importer » then meets a 429 and completes. The
five present members are offered their certificate 1:1; Jean-François downloads his PDF. A
second import changes nothing. The bot runs as ``tests/e2e/presence_bot.py`` (a clock on the
meeting's morning, Graph pointed at the stand-in).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from cards.i18n import Translator
from cards.presence import PresenceVerb
from tests.dialogs.presence import scenario
from tests.dialogs.presence.pdf_text import extract_text
from tests.e2e.client import BotMessage, PlaygroundClient, card_texts, find_action
from tests.e2e.playground import (
    DEFAULT_CONFIG,
    ETIENNE,
    ISABELLE,
    JEAN_FRANCOIS,
    MARC_ANDRE,
    NATHALIE,
    SOPHIE,
    BotProcess,
    PlaygroundProcess,
    PlaygroundUser,
    free_port,
)
from tests.e2e.standin import running_bot, running_playground, teams_session
from tests.fakes.graph_server import FakeGraphServer

FR = Translator("fr-CA")
# The code line as the catalog writes it (typography included).
CODE_LINE = re.compile(
    re.escape(FR("presence.checkin.code_line", code="0")).replace("0", r"(\d{4})")
)
PRESENT = (SOPHIE, JEAN_FRANCOIS, NATHALIE, ETIENNE, MARC_ANDRE)
GROUP = DEFAULT_CONFIG.group_chat_id


@pytest.fixture(scope="module")
def graph_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def presence_bot(tmp_path_factory: pytest.TempPathFactory, graph_port: int) -> Iterator[BotProcess]:
    env = {
        "PRESENCE_E2E_GRAPH_URL": f"http://127.0.0.1:{graph_port}/v1.0",
        "PRESENCE_E2E_CHAT": GROUP,
    }
    with running_bot(tmp_path_factory, "presence", env) as bot:
        yield bot


@pytest.fixture(scope="module")
def presence_playground(
    presence_bot: BotProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlaygroundProcess]:
    with running_playground(presence_bot, tmp_path_factory, "presence") as process:
        yield process


@pytest.fixture
async def teams(
    presence_playground: PlaygroundProcess, presence_bot: BotProcess, request: pytest.FixtureRequest
) -> AsyncIterator[PlaygroundClient]:
    async with teams_session(presence_playground, presence_bot, request, "presence") as session:
        yield session


@pytest.fixture
async def graph(graph_port: int) -> AsyncIterator[FakeGraphServer]:
    server = FakeGraphServer(
        [scenario.graph_meeting()], reports_missing=1, throttle=["/attendanceRecords"]
    )
    await server.start(graph_port)
    try:
        yield server
    finally:
        await server.close()


def has_text(text: str) -> Any:
    return lambda message: text in message.all_text()


async def meeting_event(
    teams: PlaygroundClient, name: str, at: Any, value: dict[str, Any] | None = None
) -> None:
    await teams.send_custom_activity(
        "event",
        name,
        value or {"Id": "MCMx", "JoinUrl": scenario.JOIN_URL, "Title": scenario.TITLE},
        {"meeting": {"id": "MCMx"}},
        conversation="group",
        user=ISABELLE,
        timestamp=at.isoformat(),
    )


async def reveal_code(teams: PlaygroundClient, card: BotMessage) -> str:
    button = find_action(card.card, verb=PresenceVerb.reveal_code)
    answer = await teams.click_execute(
        card, PresenceVerb.reveal_code, button["data"], user=ISABELLE
    )
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    return next(m.group(1) for t in card_texts(answer["value"]) if (m := CODE_LINE.fullmatch(t)))


async def check_in(
    teams: PlaygroundClient, card: BotMessage, who: PlaygroundUser, code: str
) -> list[str]:
    button = find_action(card.card, verb=PresenceVerb.checkin)
    answer = await teams.click_execute(
        card, PresenceVerb.checkin, button["data"], user=who, inputs={"code": code}
    )
    value = answer["value"]
    return card_texts(value) if isinstance(value, dict) else [value]


async def until(check: Any, timeout: float = 15.0) -> Any:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


async def test_hybrid_meeting_through_the_playground(
    teams: PlaygroundClient, graph: FakeGraphServer, presence_bot: BotProcess
) -> None:
    # The members have talked to Veilleuse before (Nathalie with her guest account).
    for who in (*PRESENT, ISABELLE):
        await teams.send_text(FR("command.help.word"), user=who)
        await teams.expect_message(has_text(FR("help.title")), user=who)

    await meeting_event(teams, "application/vnd.microsoft.meetingStart", scenario.local(8, 58))
    card = await teams.expect_message(has_text(FR("presence.checkin.title")), conversation="group")
    for key, name, events in scenario.LIVE_EVENTS:
        for kind, at in events:
            teams_id = {
                SOPHIE.aad_object_id: SOPHIE.id,
                JEAN_FRANCOIS.aad_object_id: JEAN_FRANCOIS.id,
            }
            event = scenario.participant_event(kind, key, name, at, teams_id.get(key, ""))
            await meeting_event(teams, event["name"], at, event["value"])

    code = await reveal_code(teams, card)
    for who in (ETIENNE, MARC_ANDRE):
        texts = await check_in(teams, card, who, code)
        assert FR("presence.checkin.done", name=who.given_name) in texts, texts

    await meeting_event(teams, "application/vnd.microsoft.meetingEnd", scenario.local(16))
    await until(
        lambda: 404 in [s for _, p, _, s in graph.requests if p.endswith("/attendanceReports")]
    )

    await teams.send_text(FR("command.presence.import.word"), user=ISABELLE)
    started = FR("presence.import.started", title=scenario.TITLE)
    await teams.expect_message(has_text(started), user=ISABELLE)
    done = FR(
        "presence.import.done",
        title=scenario.TITLE,
        present=FR.plural("presence.count.present", 5),
        unmatched=FR.plural("presence.count.unmatched", 1),
    )
    await teams.expect_message(has_text(done), user=ISABELLE, timeout=20)
    assert graph.statuses("/attendanceRecords").count(429) == 1

    # The five present members get their certificate offer 1:1; Isabelle (absent) does not.
    offers = {}
    for who in PRESENT:
        offers[who.key] = await teams.expect_message(
            has_text(FR("presence.offer.title")), user=who, timeout=20
        )
    await teams.expect_no_message(has_text(FR("presence.offer.title")), user=ISABELLE, within=1.0)
    hours = FR("presence.offer.text", title=scenario.TITLE, date=scenario.DAY_TEXT_FR, hours="4,25")
    assert hours in offers[JEAN_FRANCOIS.key].all_text()
    # Marc-André checked in at 9 h 05 here too (the bot's clock): 6 h like Étienne.
    assert (
        FR("presence.offer.text", title=scenario.TITLE, date=scenario.DAY_TEXT_FR, hours="6")
        in offers[MARC_ANDRE.key].all_text()
    )
    assert (
        FR("presence.offer.text", title=scenario.TITLE, date=scenario.DAY_TEXT_FR, hours="4,5")
        in offers[NATHALIE.key].all_text()
    )

    # Jean-François opens his certificates and downloads the PDF.
    offer = offers[JEAN_FRANCOIS.key]
    button = find_action(offer.card, verb=PresenceVerb.certificates)
    answer = await teams.click_execute(
        offer, PresenceVerb.certificates, button["data"], user=JEAN_FRANCOIS
    )
    urls = [a["url"] for a in _actions(answer["value"]) if a.get("type") == "Action.OpenUrl"]
    assert urls
    async with aiohttp.ClientSession() as session, session.get(urls[0]) as response:
        assert response.status == 200
        content = await response.read()
    text = extract_text(content)
    assert "Jean-François Côté" in text
    assert scenario.DAY_TEXT_FR in text
    assert FR("presence.pdf.hours_value", hours="4,25") in text

    # The animateur sees the meeting's list, with the unmatched guest to assign.
    await teams.send_text(FR("command.presence.word"), user=ISABELLE)
    recent = await teams.expect_message(has_text(FR("presence.recent.title")), user=ISABELLE)
    button = find_action(recent.card, verb=PresenceVerb.meeting)
    answer = await teams.click_execute(recent, PresenceVerb.meeting, button["data"], user=ISABELLE)
    listing = card_texts(answer["value"])
    assert FR("presence.list.unmatched_title") in listing
    for name in (
        "Sophie Bouchard",
        "Jean-François Côté",
        "Nathalie Roy",
        "Étienne Pelletier",
        "Marc-André Tremblay",
    ):
        assert name in listing
    assert "Isabelle Gagnon" not in listing

    # Importing again changes nothing.
    await teams.send_text(FR("command.presence.import.word"), user=ISABELLE)
    unchanged = FR(
        "presence.import.unchanged",
        title=scenario.TITLE,
        present=FR.plural("presence.count.present", 5),
        unmatched=FR.plural("presence.count.unmatched", 1),
    )
    await teams.expect_message(has_text(unchanged), user=ISABELLE, timeout=20)
    await teams.expect_no_message(
        has_text(FR("presence.offer.title")), user=JEAN_FRANCOIS, within=1.0
    )


def _actions(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and node["type"].startswith("Action."):
            found.append(node)
        for value in node.values():
            found.extend(_actions(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_actions(item))
    return found


async def test_bad_input_through_the_playground(teams: PlaygroundClient) -> None:
    # A member cannot import, nor list presences in the group chat.
    await teams.send_text(FR("command.presence.import.word"), user=JEAN_FRANCOIS)
    await teams.expect_message(has_text(FR("errors.forbidden")), user=JEAN_FRANCOIS)
    await teams.send_text(FR("command.certificate.verify.word") + " ABCD-1234", user=JEAN_FRANCOIS)
    await teams.expect_message(has_text(FR("errors.forbidden")), user=JEAN_FRANCOIS)
    # A wrong check-in code is refused, with the tries left.
    await meeting_event(teams, "application/vnd.microsoft.meetingStart", scenario.local(8, 58))
    await teams.send_text(FR("command.presence.code.word"), user=ISABELLE)
    card = await teams.expect_message(has_text(FR("presence.checkin.title")), user=ISABELLE)
    code = next(m.group(1) for t in card_texts(card.card) if (m := CODE_LINE.fullmatch(t)))
    wrong = "0000" if code != "0000" else "1111"
    texts = await check_in(teams, card, NATHALIE, wrong)
    assert FR.plural("presence.checkin.wrong_code", 4) in texts, texts
    texts = await check_in(teams, card, NATHALIE, "abc")
    assert FR.plural("presence.checkin.wrong_code", 3) in texts, texts
