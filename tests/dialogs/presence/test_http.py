"""Presence through the bot's HTTP endpoint, as Teams drives it: the hybrid meeting of
``scenario.py`` (live events, in-room check-ins with the code, the Graph import after a 404 and
a 429, hand-computed minutes and hours, certificates offered and downloaded as PDF), then
re-import, corrections, roles, privacy and bad input."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from azure.core.credentials import AccessToken

from bot.app import RUNTIME, Runtime
from bot.graph import MsGraphAttendanceSource
from cards.dates import long_date
from cards.i18n import Translator
from cards.presence import PresenceVerb
from dialogs.downloads import Downloads
from dialogs.feature import PlannedJob
from dialogs.meetings.queries import get as get_meeting
from dialogs.meetings.queries import meeting_repository
from dialogs.onboarding.queries import profile_repository
from dialogs.presence import jobs as presence_jobs
from dialogs.presence import queries, routes, views
from dialogs.turn import Services
from storage.conversation_repository import conversation_key
from storage.meeting_repository import Meeting
from storage.outbox_repository import OutboxItem
from tests.bot.conftest import BotHttp, card_of, texts_of
from tests.card_walk import nodes as _nodes
from tests.card_walk import of_type
from tests.cards.inputs import blocking_inputs
from tests.dialogs.presence import scenario
from tests.dialogs.presence.pdf_text import extract_text
from tests.dialogs.presence.scenario import (
    ETIENNE,
    EXPECTED,
    ISABELLE,
    JEAN_FRANCOIS,
    MARC_ANDRE,
    MEETING_ID,
    NATHALIE,
    SOPHIE,
    TZ,
    local,
)
from tests.fakes.graph_server import FIXED_TOKEN, FakeGraphServer

pytestmark = pytest.mark.integration

FR = Translator("fr-CA")
# The code line as the catalog writes it (typography included).
CODE_LINE = re.compile(
    re.escape(FR("presence.checkin.code_line", code="0")).replace("0", r"(\d{4})")
)
EN = Translator("en")
CHAT = "19:meeting_MGQ4MDQyNTEtNTQ2NS00YjQx@thread.v2"
CHANNEL = "19:3b9f0c2d7e4a4f1b8c6d@thread.tacv2"  # the committee channel of the meeting cards
PERSONAL = "a:personal-1"


def conversation_type(conversation: str) -> str:
    if conversation == CHANNEL:
        return "channel"
    return "personal" if conversation.startswith("a:") else "groupChat"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class FixedTokenCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(FIXED_TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        return None


@dataclass
class Scene:
    http: BotHttp
    services: Services
    clock: Clock
    graph: FakeGraphServer
    slept: list[float] = field(default_factory=list)

    def activity(
        self, text: str | None, aad: str, conversation: str = PERSONAL, **extra: Any
    ) -> dict[str, Any]:
        activity = self.http.activity(text, aad=aad, conversation=conversation, **extra)
        activity["from"]["name"] = EXPECTED[aad].name if aad in EXPECTED else "Isabelle Gagnon"
        activity["conversation"]["conversationType"] = conversation_type(conversation)
        return activity

    async def say(self, text: str, aad: str, conversation: str = PERSONAL) -> None:
        await self.http.post(self.activity(text, aad, conversation))

    async def execute(
        self, verb: str, data: dict[str, Any], aad: str, conversation: str = PERSONAL
    ) -> Any:
        activity = self.http.execute(
            verb, {"verb": verb, **data}, aad=aad, conversation=conversation
        )
        activity["from"]["name"] = EXPECTED[aad].name if aad in EXPECTED else "Isabelle Gagnon"
        activity["conversation"]["conversationType"] = conversation_type(conversation)
        status, body = await self.http.post(activity)
        assert status == 200
        return body

    async def event(self, name: str, at: datetime, value: dict[str, Any] | None = None) -> None:
        activity = self.http.activity(
            None,
            conversation=CHAT,
            type="event",
            name=name,
            value=value or {"Id": "MCMx", "JoinUrl": scenario.JOIN_URL, "Title": scenario.TITLE},
            timestamp=at.isoformat(),
        )
        activity["conversation"]["conversationType"] = "groupChat"
        activity["channelData"] = {"tenant": {"id": "t1"}, "meeting": {"id": "MCMx"}}
        status, _ = await self.http.post(activity)
        assert status in (200, 201)


def runtime_of(http: BotHttp) -> Runtime:
    return http.client.server.app[RUNTIME]


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still {found!r} after {timeout} s")
        await asyncio.sleep(0.05)


@pytest.fixture
async def scene(bot_http: BotHttp) -> AsyncIterator[Scene]:
    runtime = runtime_of(bot_http)
    services = runtime.services
    clock = Clock(local(8, 55))
    services.clock = clock
    services.downloads = Downloads(services.downloads.repository, runtime.settings.base_url, clock)
    await meeting_repository(services).save(scenario.meeting(CHAT))
    await profile_repository(services).save_many(scenario.profiles())
    graph = FakeGraphServer(
        [scenario.graph_meeting()], reports_missing=1, throttle=["/attendanceRecords"]
    )
    await graph.start()
    made = Scene(bot_http, services, clock, graph)

    async def sleep(seconds: float) -> None:
        made.slept.append(seconds)

    source = MsGraphAttendanceSource.connect(
        FixedTokenCredential(), base_url=graph.base_url, sleep=sleep
    )
    services.components["attendance_source"] = source
    try:
        yield made
    finally:
        await source.close()
        await graph.close()


async def _import_state(scene: Scene) -> Any:
    return await queries.presence_repository(scene.services).get_import(MEETING_ID)


async def _code(scene: Scene, meeting_id: str = MEETING_ID, conversation: str = CHAT) -> str:
    body = await scene.execute(
        PresenceVerb.reveal_code, {"meeting_id": meeting_id}, ISABELLE, conversation
    )
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return next(m.group(1) for t in texts_of(body["value"]) if (m := CODE_LINE.fullmatch(t)))


async def _run_meeting(scene: Scene) -> None:
    """Start, live events, check-ins, end — everything up to the import."""
    # Nathalie talked to Veilleuse before (with her guest account), so a 1:1 chat can reach her.
    await scene.say("aide", NATHALIE)
    await scene.event("application/vnd.microsoft.meetingStart", local(8, 58))
    checkin_card = card_of(scene.http.replies(CHAT)[-1])
    assert FR("presence.checkin.title") in texts_of(checkin_card)
    for key, name, events in scenario.LIVE_EVENTS:
        for kind, at in events:
            event = scenario.participant_event(kind, key, name, at)
            await scene.event(event["name"], at, event["value"])
    code = await _code(scene)
    for key, at in scenario.CHECKINS.items():
        scene.clock.now = at
        body = await scene.execute(
            PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": code}, key, CHAT
        )
        first = EXPECTED[key].name.split(" ")[0]
        assert FR("presence.checkin.done", name=first) in texts_of(body["value"])
    scene.clock.now = local(16, 2)
    await scene.event("application/vnd.microsoft.meetingEnd", local(16))


async def _end_and_import(scene: Scene) -> Any:
    """The meeting runs and ends; the import meets a 404, waits for its retry (run here as
    the scheduler would, 5 minutes later), meets a 429 and completes."""
    await _run_meeting(scene)
    state = await eventually(lambda: _attempted(scene))
    assert (state.status, state.attempt, state.result) == ("pending", 1, "not_ready")
    assert state.next_at == local(16, 7)
    scene.clock.now = state.next_at
    await presence_jobs.run_import(scene.services, MEETING_ID, 1)
    return await _done(scene)


async def _attempted(scene: Scene) -> Any:
    state = await _import_state(scene)
    return state if state and state.attempt >= 1 else None


async def test_hybrid_meeting_end_to_end(scene: Scene) -> None:
    state = await _end_and_import(scene)
    assert state.result == "ok"
    # One 404 (no report yet), then the retry; one 429 on the records, waited as told.
    reports = [st for _, p, _, st in scene.graph.requests if p.endswith("/attendanceReports")]
    assert reports == [404, 200]
    assert scene.graph.statuses("/attendanceRecords").count(429) == 1
    assert scene.slept == [1.0]
    assert any(
        "$skiptoken=2" in q
        for _, p, q, _ in scene.graph.requests
        if p.endswith("/attendanceRecords")
    )

    meeting = await get_meeting(scene.services, MEETING_ID)
    attendance = await queries.meeting_attendance(scene.services, meeting)
    present = {line.member_key: line for line in attendance.lines if line.present}
    assert set(present) == set(EXPECTED)
    for key, expected in EXPECTED.items():
        line = present[key]
        assert (line.minutes, line.credited_minutes, line.mode) == (
            expected.minutes,
            expected.credited_minutes,
            expected.mode,
        ), key
    assert [(u.name, u.minutes) for u in attendance.unmatched] == [("Invité externe", 60)]
    assert attendance.training_minutes == 360

    # Certificates are offered 1:1 to the five present members, not to the absent organizer.
    offered = await eventually(lambda: _offers(scene), timeout=10)
    assert set(offered) == set(EXPECTED)

    # Jean-François downloads his certificate: a PDF with his name, the French date, the hours.
    body = await scene.execute(PresenceVerb.certificates, {}, JEAN_FRANCOIS)
    card = body["value"]
    urls = _urls(card)
    assert len(urls) == 2  # the meeting certificate and the yearly summary
    text = extract_text(await _download(scene, urls[0]))
    assert "Jean-François Côté" in text
    assert scenario.DAY_TEXT_FR in text
    assert FR("presence.pdf.hours_value", hours="4,25") in text
    assert "Travailleuse sociale / travailleur social, CLSC Samuel-de-Champlain" in text
    assert "Isabelle Gagnon" in text  # the responsable
    summary = extract_text(await _download(scene, urls[1]))
    # The summary covers the CdeP cycle of the meeting's date (September to June).
    assert FR("presence.pdf.year_title", year="2023-2024") in summary
    assert "Cycle 2023-2024, du 1er septembre 2023 au 30 juin 2024" in summary
    assert "4,25" in summary

    # Importing again changes nothing: same Graph rows, same certificates, no new offers.
    repository = queries.presence_repository(scene.services)
    before = (
        await repository.graph_attendees(MEETING_ID),
        await repository.certificates_of(JEAN_FRANCOIS),
    )
    await scene.say(FR("command.presence.import.word"), ISABELLE)
    assert scene.http.replies()[-1]["text"] == FR("presence.import.started", title=scenario.TITLE)
    await eventually(lambda: _done(scene, runs=2))
    after = (
        await repository.graph_attendees(MEETING_ID),
        await repository.certificates_of(JEAN_FRANCOIS),
    )
    assert after == before
    unchanged = FR(
        "presence.import.unchanged",
        title=scenario.TITLE,
        present=FR.plural("presence.count.present", 5),
        unmatched=FR.plural("presence.count.unmatched", 1),
    )
    await eventually(lambda: _texts_to(scene, ISABELLE, unchanged))
    assert set(await _offers(scene)) == set(EXPECTED)
    assert all(count == 1 for count in (await _offer_counts(scene)).values())


async def _done(scene: Scene, runs: int = 1) -> Any:
    state = await _import_state(scene)
    return state if state and state.status != "pending" and state.runs >= runs else None


def _sent(scene: Scene, aad: str) -> list[dict[str, Any]]:
    return [
        activity
        for activities in list(scene.http.connector.received.values())
        for activity in activities
        if (activity.get("recipient") or {}).get("id") == f"29:{aad}"
    ]


async def _offer_counts(scene: Scene) -> dict[str, int]:
    title = FR("presence.offer.title")
    counts = {}
    for aad in [*EXPECTED, ISABELLE]:
        found = [
            a for a in _sent(scene, aad) if a.get("attachments") and title in texts_of(card_of(a))
        ]
        if found:
            counts[aad] = len(found)
    return counts


async def _offers(scene: Scene) -> list[str] | None:
    counts = await _offer_counts(scene)
    return sorted(counts) if len(counts) >= len(EXPECTED) else None


async def _texts_to(scene: Scene, aad: str, text: str) -> bool:
    return any(a.get("text") == text for a in _sent(scene, aad))


def _urls(card: dict[str, Any]) -> list[str]:
    return [node["url"] for node in of_type(card, "Action.OpenUrl")]


async def _download(scene: Scene, url: str) -> bytes:
    path = "/files/" + url.rsplit("/files/", 1)[1]
    response = await scene.http.client.get(path)
    assert response.status == 200
    assert response.content_type == "application/pdf"
    return await response.read()


async def test_links_expire_and_members_see_only_their_own(scene: Scene) -> None:
    await _end_and_import(scene)

    await scene.say(FR("command.presence.word"), JEAN_FRANCOIS)
    mine = texts_of(card_of(scene.http.replies()[-1]))
    assert FR("presence.mine.total", year="2023-2024", hours="4,25") in mine
    assert not any("Sophie" in text or "Étienne" in text for text in mine)
    # A member cannot open a meeting's list.
    body = await scene.execute(PresenceVerb.meeting, {"meeting_id": MEETING_ID}, JEAN_FRANCOIS)
    assert body["value"] == FR("errors.forbidden")

    body = await scene.execute(PresenceVerb.certificates, {}, SOPHIE)
    url = _urls(body["value"])[0]
    assert "Sophie Bouchard" in extract_text(await _download(scene, url))
    scene.clock.now += timedelta(hours=1, minutes=1)
    response = await scene.http.client.get("/files/" + url.rsplit("/files/", 1)[1])
    assert response.status == 404
    # Isabelle (absent) has no certificate.
    body = await scene.execute(PresenceVerb.certificates, {}, ISABELLE)
    assert FR("presence.certs.none") in texts_of(body["value"])


async def test_animateur_list_corrections_and_assignment(scene: Scene) -> None:
    await _end_and_import(scene)
    body = await scene.execute(PresenceVerb.meeting, {"meeting_id": MEETING_ID}, ISABELLE)
    texts = texts_of(body["value"])
    for expected in EXPECTED.values():
        assert expected.name in texts
    assert FR("presence.list.unmatched_title") in texts
    assert any(text.startswith("Invité externe (invite@exterieur.example)") for text in texts)

    # « Associer » needs only its two choices: the correction's « Raison » no longer blocks it
    # (issue 19); the bot still requires a reason for a correction.
    assert blocking_inputs(body["value"], PresenceVerb.assign) <= {"attendee", "member"}

    # Without a reason, or with impossible minutes, nothing is saved.
    base = {
        "meeting_id": MEETING_ID,
        "correct_member": SOPHIE,
        "kind": "adjust",
        "mode": "en_ligne",
    }
    body = await scene.execute(
        PresenceVerb.correct, {**base, "minutes": "200", "reason": ""}, ISABELLE
    )
    assert body["value"] == FR("presence.errors.reason_required")
    body = await scene.execute(
        PresenceVerb.correct, {**base, "minutes": "9999", "reason": "x"}, ISABELLE
    )
    assert body["value"] == FR("presence.errors.bad_minutes", max=420)
    body = await scene.execute(
        PresenceVerb.correct, {**base, "kind": "drop", "minutes": "1", "reason": "x"}, ISABELLE
    )
    assert body["value"] == FR("errors.bad_card_data")
    repository = queries.presence_repository(scene.services)
    assert await repository.corrections(MEETING_ID) == []

    body = await scene.execute(
        PresenceVerb.correct, {**base, "minutes": "200", "reason": "Partie en retard"}, ISABELLE
    )
    assert FR("presence.correct.done", name="Sophie Bouchard") in texts_of(body["value"])
    [correction] = await repository.corrections(MEETING_ID)
    assert (correction.member_key, correction.kind, correction.minutes, correction.by) == (
        SOPHIE,
        "adjust",
        200,
        ISABELLE,
    )
    assert correction.reason == "Partie en retard"
    meeting = await get_meeting(scene.services, MEETING_ID)
    line = (await queries.meeting_attendance(scene.services, meeting)).line(SOPHIE)
    assert line is not None
    assert (line.minutes, line.credited_minutes, line.corrected) == (200, 195, True)

    # The unknown guest is given to Isabelle (she was there after all).
    body = await scene.execute(
        PresenceVerb.assign,
        {"meeting_id": MEETING_ID, "attendee": "aad:nobody", "member": ISABELLE},
        ISABELLE,
    )
    assert body["value"] == FR("presence.errors.bad_assignment")
    attendee = f"aad:{scenario.GUEST_ID}"
    body = await scene.execute(
        PresenceVerb.assign,
        {"meeting_id": MEETING_ID, "attendee": attendee, "member": ISABELLE},
        ISABELLE,
    )
    assert FR("presence.assign.done", name="Isabelle Gagnon") in texts_of(body["value"])
    attendance = await queries.meeting_attendance(scene.services, meeting)
    assert attendance.unmatched == ()
    isabelle = attendance.line(ISABELLE)
    assert isabelle is not None
    assert (isabelle.minutes, isabelle.credited_minutes) == (60, 60)

    # CSV export of the meeting: UTF-8 with BOM, one row per present member.
    body = await scene.execute(PresenceVerb.export, {"meeting_id": MEETING_ID}, ISABELLE)
    url = _urls(body["value"])[0]
    response = await scene.http.client.get("/files/" + url.rsplit("/files/", 1)[1])
    content = await response.read()
    assert content.startswith("\ufeff".encode())
    rows = content.decode("utf-8-sig").splitlines()
    assert rows[0].split(";")[:3] == [
        FR("presence.csv.date"),
        FR("presence.csv.meeting"),
        FR("presence.csv.name"),
    ]
    assert len(rows) == 1 + 6
    assert any(
        r.startswith("2024-05-07;") and "Marc-André Tremblay" in r and ";5,25;" in r for r in rows
    )

    # A certificate verification code tells what it certifies.
    [certificate] = [c for c in await repository.certificates_of(ETIENNE) if c.kind == "meeting"]
    await scene.say(f"{FR('command.certificate.verify.word')} {certificate.code}", ISABELLE)
    verified = FR(
        "presence.verify.meeting",
        code=certificate.code,
        name="Étienne Pelletier",
        title="",
        date="",
        hours="",
        issued="",
    )
    assert scene.http.replies()[-1]["text"].startswith(verified.split(",")[0] + ",")
    await scene.say(f"{FR('command.certificate.verify.word')} ZZZZ-0000", ISABELLE)
    assert scene.http.replies()[-1]["text"] == FR("presence.verify.unknown", code="ZZZZ-0000")


async def test_checkin_bad_input(scene: Scene) -> None:
    await scene.event("application/vnd.microsoft.meetingStart", local(8, 58))
    code = await _code(scene)
    wrong = "0000" if code != "0000" else "1111"
    scene.clock.now = local(9, 10)
    for left in range(4, 0, -1):
        body = await scene.execute(
            PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": wrong}, SOPHIE, CHAT
        )
        assert FR.plural("presence.checkin.wrong_code", left) in texts_of(body["value"])
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": wrong}, SOPHIE, CHAT
    )
    assert FR("presence.checkin.locked") in texts_of(body["value"])
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": code}, SOPHIE, CHAT
    )
    assert FR("presence.checkin.locked") in texts_of(body["value"])
    assert await queries.presence_repository(scene.services).checkins(MEETING_ID) == []

    # Members cannot see the code; a tampered meeting id is refused; checking in twice is fine.
    body = await scene.execute(PresenceVerb.reveal_code, {"meeting_id": MEETING_ID}, ETIENNE, CHAT)
    assert body["value"] == FR("errors.forbidden")
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": "nope", "code": code}, ETIENNE, CHAT
    )
    assert body["value"] == FR("presence.errors.no_meeting")
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": ["x"], "code": code}, ETIENNE, CHAT
    )
    assert body["value"] == FR("errors.bad_card_data")
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": code}, ETIENNE, CHAT
    )
    assert FR("presence.checkin.done", name="Étienne") in texts_of(body["value"])
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": code}, ETIENNE, CHAT
    )
    assert FR("presence.checkin.already") in texts_of(body["value"])
    # After the meeting, check-in is closed.
    scene.clock.now = local(16, 5)
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": MEETING_ID, "code": code}, MARC_ANDRE, CHAT
    )
    assert body["value"] == FR("presence.checkin.closed")


async def test_privacy_and_english(scene: Scene) -> None:
    # Lists and codes are never posted in a group chat.
    await scene.say(FR("command.presence.word"), JEAN_FRANCOIS, CHAT)
    assert scene.http.replies(CHAT)[-1]["text"] == FR("presence.errors.private_only")
    await scene.say(FR("command.presence.code.word"), ISABELLE, CHAT)
    assert scene.http.replies(CHAT)[-1]["text"] == FR("presence.errors.private_only")
    # Members cannot run animateur commands.
    await scene.say(FR("command.presence.import.word"), JEAN_FRANCOIS)
    assert scene.http.replies()[-1]["text"] == FR("errors.forbidden")
    # Bad arguments get a usage line.
    await scene.say(f"{FR('command.presence.word')} demain", JEAN_FRANCOIS)
    # (with an example: the current cycle on the scene's day, 7 May 2024)
    assert scene.http.replies()[-1]["text"] == FR("presence.usage", example="2023-2024")
    await scene.say(f"{FR('command.presence.export.word')} hier", ISABELLE)
    assert scene.http.replies()[-1]["text"] == FR("presence.export.usage", example="2023-2024")
    # English words, English answers.
    await scene.http.choose_language(SOPHIE)
    activity = scene.activity(EN("command.certificate.word"), SOPHIE, locale="en-US")
    await scene.http.post(activity)
    assert EN("presence.certs.none") in texts_of(card_of(scene.http.replies()[-1]))
    # The animateur's code for today's in-room meeting, in a personal chat.
    scene.clock.now = local(8, 50)
    await scene.say(FR("command.presence.code.word"), ISABELLE)
    texts = texts_of(card_of(scene.http.replies()[-1]))
    assert any(CODE_LINE.fullmatch(t) for t in texts)


async def test_member_data_and_forget(scene: Scene) -> None:
    await _end_and_import(scene)
    body = await scene.execute(PresenceVerb.certificates, {}, ETIENNE)
    from dialogs.presence import routes

    assert FR("presence.certs.none") not in texts_of(body["value"])

    data = await routes.member_data(scene.services, ETIENNE)
    assert data["presence_checkins"]
    assert data["presence_certificates"]
    await routes.forget_member(scene.services, ETIENNE)
    data = await routes.member_data(scene.services, ETIENNE)
    assert all(rows == [] for rows in data.values())
    repository = queries.presence_repository(scene.services)
    kept = [
        c
        for c in repository_certificates(await repository.certificates_issued(local(0), local(23)))
    ]
    assert any(c.member_key == "" and c.member_name == "" for c in kept)


def repository_certificates(items: list[Any]) -> list[Any]:
    return list(items)


# ---- in-person meetings without a Teams meeting: the check-in card at the scheduled start -----

ROOM_ID = "comite-ch-2024-05-07"
ROOM_TITLE = "Comité des CH : rencontre en salle"


def room_meeting(meeting_id: str = ROOM_ID, **changes: Any) -> Meeting:
    """An in-person meeting of the same day with no Teams meeting (no link, no chat), whose card
    was posted in the committee channel (Teams gives a channel reply's id a thread suffix)."""
    values: dict[str, Any] = {
        "id": meeting_id,
        "title": ROOM_TITLE,
        "mode": "presentiel",
        "join_url": "",
        "chat_conversation_id": "",
        "organizer_aad_id": "",
        "card_conversation_id": f"{CHANNEL};messageid=1715086800000",
        "card_activity_id": "1715086800000",
    }
    return replace(scenario.meeting(""), **{**values, **changes})


async def _remember_channel(scene: Scene) -> None:
    """The animateur wrote in the channel (as when posting the meeting): the bot knows it."""
    await scene.say(FR("command.help.word"), ISABELLE, CHANNEL)


def _checkin_cards(scene: Scene, conversation: str) -> list[dict[str, Any]]:
    title = FR("presence.checkin.title")
    return [
        card_of(a)
        for a in scene.http.replies(conversation)
        if a.get("attachments") and title in texts_of(card_of(a))
    ]


async def _flush(scene: Scene) -> None:
    async with asyncio.timeout(10):
        await runtime_of(scene.http).messenger.flush()


async def _planned(scene: Scene) -> dict[str, PlannedJob]:
    return {job.id: job for job in await routes.plan_jobs(scene.services, scene.clock())}


async def test_in_person_meeting_gets_its_checkin_card_in_the_channel(scene: Scene) -> None:
    services = scene.services
    meetings = meeting_repository(services)
    await meetings.save(room_meeting())
    await meetings.save(room_meeting("virtuel-2024-05-07", mode="virtuel"))
    await meetings.save(room_meeting("annulee-2024-05-07", status="cancelled"))
    day = timedelta(days=1)
    await meetings.save(
        room_meeting("hier-2024-05-06", starts_at=local(9) - day, ends_at=local(16) - day)
    )
    await _remember_channel(scene)

    # Planned from the stored meetings: in-person and hybrid ones not yet over, at their start.
    scene.clock.now = local(8)
    jobs = await _planned(scene)
    checkins = {job_id: job.run_at for job_id, job in jobs.items() if "checkin" in job_id}
    assert checkins == {
        f"presence:checkin:{ROOM_ID}": local(9),
        f"presence:checkin:{MEETING_ID}": local(9),  # hybrid: in case no start event comes
    }

    # At the scheduled start the card goes to the channel of the meeting card, once.
    scene.clock.now = local(9)
    await jobs[f"presence:checkin:{ROOM_ID}"].func()
    await jobs[f"presence:checkin:{ROOM_ID}"].func()
    await _flush(scene)
    [card] = _checkin_cards(scene, CHANNEL)
    meeting = await get_meeting(services, ROOM_ID)
    assert views.meeting_line(meeting, services, FR) in texts_of(card)
    assert f"presence:checkin:{ROOM_ID}" not in await _planned(scene)
    held = OutboxItem(f"presence:checkin:{ROOM_ID}", conversation_key(CHANNEL), {"text": "x"})
    assert await services.messenger.enqueue([held]) == []  # the card's item id is taken

    # Its closing is planned too (no meeting-end event will come), and survives a restart.
    state = await queries.presence_repository(services).get_import(ROOM_ID)
    assert state is not None
    assert (state.status, state.attempt, state.next_at) == ("pending", 0, local(16, 10))
    assert (await _planned(scene))[f"presence:import:{ROOM_ID}:0"].run_at == local(16, 10)

    # The Action.Submit fallback would show the code to the whole channel: refused.
    submit = scene.activity(
        None,
        ISABELLE,
        CHANNEL,
        value={"verb": PresenceVerb.reveal_code, "meeting_id": ROOM_ID},
        replyToId="activity-1",
    )
    await scene.http.post(submit)
    assert scene.http.replies(CHANNEL)[-1]["text"] == FR(
        "presence.errors.code_private", command=FR("command.presence.code.word")
    )
    assert scene.http.connector.updated == {}

    # Étienne checks in from the channel card with the code the animateur shows in the room.
    code = await _code(scene, ROOM_ID, CHANNEL)
    scene.clock.now = local(9, 20)
    body = await scene.execute(
        PresenceVerb.checkin, {"meeting_id": ROOM_ID, "code": code}, ETIENNE, CHANNEL
    )
    assert FR("presence.checkin.done", name="Étienne") in texts_of(body["value"])
    channel_texts = [t for a in scene.http.replies(CHANNEL) for t in texts_of(a)]
    assert FR("presence.checkin.code_line", code=code) not in channel_texts

    # After the meeting the presences are closed and his certificate is offered (6 h: in the
    # room within the 30 minutes of grace, lunch excluded).
    scene.clock.now = local(16, 10)
    await presence_jobs.run_import(services, ROOM_ID, 0)
    state = await queries.presence_repository(services).get_import(ROOM_ID)
    assert state is not None
    assert (state.status, state.result) == ("done", "local")
    offer = FR("presence.offer.text", title=ROOM_TITLE, date=scenario.DAY_TEXT_FR, hours="6")
    await eventually(lambda: _any_text(scene, ETIENNE, offer))


async def _any_text(scene: Scene, aad: str, text: str) -> bool:
    return any(text in texts_of(card_of(a)) for a in _sent(scene, aad) if a.get("attachments"))


@pytest.mark.parametrize("event_first", [True, False])
async def test_hybrid_checkin_card_is_posted_once(scene: Scene, event_first: bool) -> None:
    services = scene.services
    await meeting_repository(services).save(
        replace(scenario.meeting(CHAT), card_conversation_id=CHANNEL)
    )
    await _remember_channel(scene)
    start = "application/vnd.microsoft.meetingStart"
    if event_first:
        # The Teams meeting started early: the card is in the meeting chat, not the channel.
        await scene.event(start, local(8, 58))
        scene.clock.now = local(9)
        assert not await presence_jobs.run_checkin(services, MEETING_ID, local(9))
    else:
        # Nobody started the Teams meeting on time: the card goes to the channel; when the
        # meeting starts late, nothing more is posted.
        scene.clock.now = local(9)
        assert await presence_jobs.run_checkin(services, MEETING_ID, local(9))
        scene.clock.now = local(9, 3)
        await scene.event(start, local(9, 3))
    await _flush(scene)
    in_chat, in_channel = _checkin_cards(scene, CHAT), _checkin_cards(scene, CHANNEL)
    assert (len(in_chat), len(in_channel)) == ((1, 0) if event_first else (0, 1))
    assert f"presence:checkin:{MEETING_ID}" not in await _planned(scene)
    state = await queries.presence_repository(services).get_import(MEETING_ID)
    assert state is not None
    assert (state.status, state.next_at) == ("pending", local(16, 10))


@dataclass
class RecordingJobs:
    planned: list[PlannedJob] = field(default_factory=list)

    def schedule(self, job: PlannedJob) -> None:
        self.planned.append(job)

    def cancel(self, job_id: str) -> None:
        return None

    async def replan(self) -> None:
        return None


async def test_checkin_job_follows_a_meeting_moved_later(scene: Scene) -> None:
    services = scene.services
    jobs = RecordingJobs()
    services.jobs = jobs
    await meeting_repository(services).save(room_meeting(starts_at=local(10)))
    await _remember_channel(scene)
    scene.clock.now = local(9)
    # Planned for 9 h, the meeting now starts at 10 h: the job plans itself again, posts nothing.
    assert not await presence_jobs.run_checkin(services, ROOM_ID, local(9))
    assert [(job.id, job.run_at) for job in jobs.planned] == [
        (f"presence:checkin:{ROOM_ID}", local(10))
    ]
    # Fired early by a clock ahead of ours: nothing planned again (no loop).
    assert not await presence_jobs.run_checkin(services, ROOM_ID, local(10))
    assert len(jobs.planned) == 1
    scene.clock.now = local(10)
    assert await presence_jobs.run_checkin(services, ROOM_ID, local(10))
    await _flush(scene)
    assert len(_checkin_cards(scene, CHANNEL)) == 1
    # Cancelled meetings and unknown ids post nothing.
    assert not await presence_jobs.run_checkin(services, "nope", local(10))


# ---- revocation: a correction that leaves no credited hours --------------------------------


async def _verify(scene: Scene, code: str) -> str:
    await scene.say(f"{FR('command.certificate.verify.word')} {code}", ISABELLE)
    return str(scene.http.replies()[-1]["text"])


async def test_correction_to_zero_revokes_the_certificate(scene: Scene) -> None:
    await _end_and_import(scene)
    services = scene.services
    repository = queries.presence_repository(services)
    # Étienne opens his certificates: the meeting one and the yearly summary are issued.
    body = await scene.execute(PresenceVerb.certificates, {}, ETIENNE)
    assert len(_urls(body["value"])) == 2
    issued = {c.kind: c for c in await repository.certificates_of(ETIENNE)}
    meeting_code, year_code = issued["meeting"].code, issued["year"].code
    day = local(0)
    assert await queries.certificates_in_range(services, day, day + timedelta(days=1)) == 5

    # A member cannot correct anything.
    correction = {
        "meeting_id": MEETING_ID,
        "correct_member": ETIENNE,
        "kind": "remove",
        "reason": "Parti avant le début",
    }
    body = await scene.execute(PresenceVerb.correct, correction, JEAN_FRANCOIS)
    assert body["value"] == FR("errors.forbidden")
    assert [c.code for c in await repository.certificates_for("meeting", MEETING_ID)].count(
        meeting_code
    ) == 1

    # The animateur removes his presence: both certificates are revoked, in the audit trail.
    scene.clock.now = local(17)
    body = await scene.execute(PresenceVerb.correct, correction, ISABELLE)
    texts = texts_of(body["value"])
    revoked_notice = FR("presence.correct.revoked", name="Étienne Pelletier", code=meeting_code)
    assert any(revoked_notice in text for text in texts), texts
    assert any(FR("presence.audit.revoke", code=meeting_code) in text for text in texts)
    assert any(FR("presence.audit.revoke_year", code=year_code) in text for text in texts)
    trail = [
        (c.kind, c.member_key, c.by, c.reason, c.certificate_code)
        for c in await repository.corrections(MEETING_ID)
    ]
    assert trail == [
        ("remove", ETIENNE, ISABELLE, "Parti avant le début", ""),
        ("revoke", ETIENNE, ISABELLE, "Parti avant le début", meeting_code),
        ("revoke_year", ETIENNE, ISABELLE, "Parti avant le début", year_code),
    ]

    # Its code now says it was revoked; so does the yearly summary's.
    revoked_on = long_date(local(17).astimezone(TZ), FR)
    assert await _verify(scene, meeting_code) == FR(
        "presence.verify.revoked",
        code=meeting_code,
        name="Étienne Pelletier",
        title=scenario.TITLE,
        date=scenario.DAY_TEXT_FR,  # the long date, not 2024-05-07 (issue 19)
        revoked=revoked_on,
    )
    assert await _verify(scene, year_code) == FR(
        "presence.verify.year_revoked",
        code=year_code,
        name="Étienne Pelletier",
        title="2023-2024",
        revoked=revoked_on,
    )
    # `attestation` no longer lists it, and the year counts one certificate less.
    await scene.say(FR("command.certificate.word"), ETIENNE)
    assert FR("presence.certs.none") in texts_of(card_of(scene.http.replies()[-1]))
    assert await queries.certificates_in_range(services, day, day + timedelta(days=1)) == 4

    # Minutes below the minimum credit nothing either; minutes that still credit hours do not
    # revoke anything.
    below = {**correction, "kind": "adjust", "minutes": "45", "mode": "salle"}
    await scene.execute(PresenceVerb.correct, {**below, "correct_member": MARC_ANDRE}, ISABELLE)
    await scene.execute(
        PresenceVerb.correct,
        {**below, "correct_member": SOPHIE, "minutes": "200", "mode": "en_ligne"},
        ISABELLE,
    )
    revoked = {c.member_key for c in await repository.corrections(MEETING_ID) if c.kind == "revoke"}
    assert revoked == {ETIENNE, MARC_ANDRE}
    still = {c.member_key for c in await repository.certificates_for("meeting", MEETING_ID)}
    assert still == {SOPHIE, JEAN_FRANCOIS, NATHALIE}

    # His presence given back and the certificates sent again, Étienne gets a new certificate;
    # the old code stays revoked.
    await scene.execute(
        PresenceVerb.correct,
        {**below, "correct_member": ETIENNE, "minutes": "420", "reason": "Erreur de saisie"},
        ISABELLE,
    )
    await scene.execute(PresenceVerb.send_certificates, {"meeting_id": MEETING_ID}, ISABELLE)
    body = await scene.execute(PresenceVerb.certificates, {}, ETIENNE)
    assert len(_urls(body["value"])) == 2
    current = await repository.current_certificate(ETIENNE, "meeting", MEETING_ID)
    assert current is not None
    assert current.code != meeting_code
    assert current.credited_minutes == 360
    assert await _verify(scene, meeting_code) == FR(
        "presence.verify.revoked",
        code=meeting_code,
        name="Étienne Pelletier",
        title=scenario.TITLE,
        date=scenario.DAY_TEXT_FR,  # the long date, not 2024-05-07 (issue 19)
        revoked=revoked_on,
    )


# ---- whose meeting Graph is asked about ---------------------------------------------------


def _join_url(organizer: str | None) -> str:
    """A Teams join link; its ``context`` names the organizer when given (as Teams writes it)."""
    base = scenario.JOIN_URL.split("?")[0]
    if organizer is None:
        return base
    context = json.dumps({"Tid": "909c6581", "Oid": organizer}, separators=(",", ":"))
    return f"{base}?context={quote(context)}"


async def _meeting_organised_by(scene: Scene, organizer: str, join_url: str) -> None:
    """The meeting as the form plans it (no organizer known) and, in Graph, the Teams
    meeting under the person who organised it."""
    planned = scenario.meeting(CHAT)
    await meeting_repository(scene.services).save(
        replace(planned, organizer_aad_id="", join_url=join_url)
    )
    online = scenario.graph_meeting()
    scene.graph.meetings = [replace(online, organizer_id=organizer, join_web_url=join_url)]
    scene.graph.reports_missing = 0
    await scene.say("aide", ISABELLE)  # the animateurs can be reached in 1:1
    await scene.say("aide", MARC_ANDRE)


async def _import_after_the_end(scene: Scene) -> Any:
    scene.clock.now = local(16, 2)
    await scene.event("application/vnd.microsoft.meetingEnd", local(16))
    return await eventually(lambda: _done(scene))


def _organizers_asked(scene: Scene) -> list[str]:
    return [p.split("/")[3] for _, p, _, _ in scene.graph.requests]


async def test_graph_is_asked_under_the_organizer_of_the_join_link(scene: Scene) -> None:
    await _meeting_organised_by(scene, SOPHIE, _join_url(SOPHIE))
    state = await _import_after_the_end(scene)
    assert state.result == "ok"
    assert set(_organizers_asked(scene)) == {SOPHIE}
    stored = await get_meeting(scene.services, MEETING_ID)
    assert stored is not None
    assert stored.organizer_aad_id == SOPHIE
    assert stored.online_meeting_id == scenario.ONLINE_MEETING_ID
    attendees = await queries.presence_repository(scene.services).graph_attendees(MEETING_ID)
    assert attendees


async def test_graph_falls_back_to_each_animateur(scene: Scene) -> None:
    # A /meet/ style link without context: Isabelle (first animateur) then Marc-André.
    await _meeting_organised_by(scene, MARC_ANDRE, _join_url(None))
    state = await _import_after_the_end(scene)
    assert state.result == "ok"
    asked = _organizers_asked(scene)
    assert asked[0] == ISABELLE
    assert MARC_ANDRE in asked
    stored = await get_meeting(scene.services, MEETING_ID)
    assert stored is not None
    assert stored.organizer_aad_id == MARC_ANDRE


async def test_when_no_organizer_works_the_animateurs_are_told_what_to_check(
    scene: Scene,
) -> None:
    # Sophie organised it, but the access policy covers only the animateurs.
    scene.graph.access_policy = {ISABELLE, MARC_ANDRE}
    await _meeting_organised_by(scene, SOPHIE, _join_url(SOPHIE))
    state = await _import_after_the_end(scene)
    assert state.status == "failed"
    assert set(_organizers_asked(scene)) == {SOPHIE, ISABELLE, MARC_ANDRE}
    assert 403 in scene.graph.statuses(f"/users/{SOPHIE}/")
    for animateur in (ISABELLE, MARC_ANDRE):
        told = FR(
            "presence.import.failed",
            title=scenario.TITLE,
            present=FR.plural("presence.count.present", 0),
        )
        assert await eventually(lambda a=animateur, m=told: _texts_to(scene, a, m))


async def test_adjusting_minutes_keeps_the_members_mode(scene: Scene) -> None:
    """« Ajuster les minutes » for an online member, Mode left as the form shows it."""
    await _end_and_import(scene)
    body = await scene.execute(PresenceVerb.meeting, {"meeting_id": MEETING_ID}, ISABELLE)
    form = body["value"]
    inputs = {
        n["id"]: n.get("value", "")
        for n in _nodes(form)
        if str(n.get("type", "")).startswith("Input.") and "id" in n
    }
    meeting = await get_meeting(scene.services, MEETING_ID)
    before = (await queries.meeting_attendance(scene.services, meeting)).line(SOPHIE)
    assert before is not None
    assert before.mode == "en_ligne"
    data = {
        **inputs,
        "meeting_id": MEETING_ID,
        "correct_member": SOPHIE,
        "kind": "adjust",
        "minutes": "300",
        "reason": "Déconnexion",
    }
    body = await scene.execute(PresenceVerb.correct, data, ISABELLE)
    assert FR("presence.correct.done", name="Sophie Bouchard") in texts_of(body["value"])
    after = (await queries.meeting_attendance(scene.services, meeting)).line(SOPHIE)
    assert after is not None
    assert (after.minutes, after.mode) == (300, "en_ligne")
    # An explicit change of mode is still applied.
    body = await scene.execute(PresenceVerb.correct, {**data, "mode": "salle"}, ISABELLE)
    moved = (await queries.meeting_attendance(scene.services, meeting)).line(SOPHIE)
    assert moved is not None
    assert (moved.minutes, moved.mode) == (300, "salle")


async def test_my_data_words_the_presence_sections_for_the_reader(scene: Scene) -> None:
    """« mes données »: catalog titles for every presence section, labels for codes, long
    dates; the JSON export keeps the raw values."""
    await _end_and_import(scene)
    body = await scene.execute(
        PresenceVerb.correct,
        {
            "meeting_id": MEETING_ID,
            "correct_member": SOPHIE,
            "kind": "adjust",
            "minutes": "300",
            "mode": "actuel",
            "reason": "Déconnexion",
        },
        ISABELLE,
    )
    assert FR("presence.correct.done", name="Sophie Bouchard") in texts_of(body["value"])
    await scene.say("mes données", SOPHIE)
    texts = texts_of(card_of(scene.http.replies()[-1]))
    for section in ("live_events", "corrections", "certificates"):
        assert FR(f"mydata.section.presence_{section}") in texts
    assert not [t for t in texts if t.startswith("Presence ")]
    assert FR("mydata.value.kind.join") in texts
    assert FR("mydata.value.kind.adjust") in texts
    assert FR("mydata.value.mode.en_ligne") in texts
    assert "join" not in texts
    iso = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}.*)?")
    assert not [t for t in texts if iso.fullmatch(t)]
    assert any(t.startswith(long_date(local(9), FR)) for t in texts)
    await scene.say("mes données", ETIENNE)
    texts = texts_of(card_of(scene.http.replies()[-1]))
    assert FR("mydata.section.presence_checkins") in texts

    data = await routes.member_data(scene.services, SOPHIE)
    assert {row["kind"] for row in data["presence_live_events"]} == {"join", "leave"}
    assert all(
        re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", row["at"]) for row in data["presence_live_events"]
    )


async def test_numbers_agree_with_their_words(scene: Scene) -> None:
    """Issue 19: « 1 h reconnue », « 1 h de formation continue vous est reconnue »,
    « 5 personnes présentes », « 1 participant non associé » — no « (s) »."""
    await _end_and_import(scene)
    body = await scene.execute(
        PresenceVerb.correct,
        {
            "meeting_id": MEETING_ID,
            "correct_member": SOPHIE,
            "kind": "adjust",
            "minutes": "60",
            "mode": "actuel",
            "reason": "Partie tôt",
        },
        ISABELLE,
    )
    texts = texts_of(body["value"])
    assert any(t.startswith("En ligne · 1 h 00 · 1 h reconnue ·") for t in texts), texts
    summary = next(t for t in texts if t.startswith("5 personnes présentes, 1 participant "))
    assert "(s)" not in summary
    assert summary == FR(
        "presence.list.summary",
        present="5 personnes présentes",
        unmatched="1 participant non associé",
        training="6",
    )
    assert FR.plural("presence.offer.text", 1, title="t", date="d", hours="1").endswith(
        "1 h de formation continue vous est reconnue."
    )
    assert EN.plural("presence.offer.text", 1, title="t", date="d", hours="1").endswith(
        "1 h of continuing education is credited to you."
    )


async def test_rounding_rule_check_and_audit_read_well(scene: Scene) -> None:
    """Issue 19: « arrondi au quart d'heure inférieur »; the certificate check gives the long
    date, not « (2024-05-07) »; audit entries give the date and the time."""
    await _end_and_import(scene)
    body = await scene.execute(PresenceVerb.certificates, {}, JEAN_FRANCOIS)
    text = " ".join(extract_text(await _download(scene, _urls(body["value"])[0])).split())
    assert FR("presence.rule.rounding_15") in text
    assert "15 minutes inférieur" not in text

    repository = queries.presence_repository(scene.services)
    [certificate] = [
        c for c in await repository.certificates_of(JEAN_FRANCOIS) if c.kind == "meeting"
    ]
    await scene.say(f"{FR('command.certificate.verify.word')} {certificate.code}", ISABELLE)
    answer = scene.http.replies()[-1]["text"]
    assert f"({scenario.DAY_TEXT_FR})" in answer
    assert "2024-05-07" not in answer

    scene.clock.now = local(16, 40)
    body = await scene.execute(
        PresenceVerb.correct,
        {
            "meeting_id": MEETING_ID,
            "correct_member": SOPHIE,
            "kind": "adjust",
            "minutes": "300",
            "mode": "actuel",
            "reason": "Déconnexion",
        },
        ISABELLE,
    )
    audit = [t for t in texts_of(body["value"]) if "Déconnexion" in t]
    assert audit
    assert audit[0].startswith(f"{scenario.DAY_TEXT_FR}, 16 h 40 — ")


async def test_erasure_leaves_no_trace_of_the_member_in_any_data_file(scene: Scene) -> None:
    """Issue 19: after « effacer mes données », no data file holds the member's ids, name or
    e-mail — presence records, certificates (kept without identity), profiles, outbox."""
    await _end_and_import(scene)
    await eventually(lambda: _offers(scene), timeout=10)
    await settle_messenger(scene)
    email = "etienne.pelletier@cdep-monteregie.example"
    needles = (ETIENNE, EXPECTED[ETIENNE].name, email)
    assert _files_with(scene, *needles)  # there before
    body = await scene.execute("onboarding.erase_my_data", {"confirm": "yes"}, ETIENNE)
    assert FR("onboarding.erase.done") in texts_of(body["value"])
    await settle_messenger(scene)
    assert _files_with(scene, *needles) == {}
    # His certificate can still be verified, without his name.
    repository = queries.presence_repository(scene.services)
    kept = await repository.certificates_issued(local(0), local(23))
    assert any(c.member_key == "" and c.member_name == "" for c in kept)


async def settle_messenger(scene: Scene) -> None:
    async with asyncio.timeout(5):
        await runtime_of(scene.http).messenger.flush()


def _files_with(scene: Scene, *needles: str) -> dict[str, list[str]]:
    forms = {n.casefold() for n in needles} | {json.dumps(n).strip('"').casefold() for n in needles}
    found: dict[str, list[str]] = {}
    for path in sorted(scene.http.data_dir.rglob("*")):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace").casefold()
            hits = sorted(n for n in forms if n in text)
            if hits:
                found[path.name] = hits
    return found
