"""A year of fictional activity, written through the bot's own repositories, and every figure of
the « bilan » checked against values counted by hand (in the comments).

The 2025-2026 cycle of a CdeP with two committees (« ch », « clsc »), five meetings each (three
of their own, two joint), arrivals and departures, polls (satisfaction, needs, availability),
topics and cases, presence (check-ins in the room, Teams join/leave events, a Graph attendance
report, an animateur's corrections, certificates issued after each meeting), projects. The
report is asked on 2026-07-10: in July, « bilan » alone gives the cycle that just ended. Members
have names, and topics, ballots and certificates carry them: none may appear in the report.

The CLSC committee shrinks in the spring (four departures): its June meeting had four people
invited and the committee ends the year with four members, so those figures read « < 5 ».
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from dialogs.demo import record_presence
from dialogs.turn import Services
from dialogs.vitality.inputs import gather, vitality_repository
from dialogs.vitality.rules import ReportRequest, compute_report, cycle_starting
from storage.vitality_repository import Project
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, card_of, texts_of
from tests.card_walk import actions_of as _actions
from tests.cards.card_schema import schema_errors
from tests.dialogs.presence.pdf_text import extract_text

pytestmark = pytest.mark.integration

FR = Translator("fr-CA")
ZONE = ZoneInfo("America/Montreal")
NOW = datetime(2026, 7, 10, 16, 0, tzinfo=UTC)
CYCLE = cycle_starting(2025)
NAMES: dict[str, str] = {}

onboarding = pytest.importorskip("dialogs.onboarding.queries")
meetings_queries = pytest.importorskip("dialogs.meetings.queries")
polls_context = pytest.importorskip("dialogs.polls.audience")
topics_repositories = pytest.importorskip("dialogs.topics.repositories")
from dialogs.presence import jobs as presence_jobs  # noqa: E402
from dialogs.presence import queries as presence_queries  # noqa: E402
from storage.case_repository import Case  # noqa: E402
from storage.meeting_repository import AgendaEntry, Meeting, Rsvp  # noqa: E402
from storage.poll_repository import Choice, Poll, Question  # noqa: E402
from storage.presence_repository import (  # noqa: E402
    Correction,
    GraphAttendee,
    PresenceRepository,
)
from storage.profile_repository import MemberProfile  # noqa: E402
from storage.topic_repository import Topic  # noqa: E402


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(d(day), time(hour), tzinfo=ZONE)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# ---- the year ---------------------------------------------------------------------------------

FIRST = ("Julie", "Marc", "Nadia", "Luc", "Anne", "Paul", "Sonia", "Éric", "Lise", "Yves", "Rita")


def _people() -> list[MemberProfile]:
    people: list[MemberProfile] = []

    def add(key: str, committee: str, arrived: str = "", departed: str = "") -> None:
        name = f"{FIRST[len(people) % len(FIRST)]} Bélanger-{key}"
        NAMES[key] = name
        people.append(
            MemberProfile(
                key,
                name=name,
                email=f"{key}@cdep-monteregie.example",
                committee_ids=(committee,),
                arrived_on=d(arrived) if arrived else None,
                departed_on=d(departed) if departed else None,
            )
        )

    for i in range(1, 9):  # h01-h08 there all along; h03 leaves on 2026-02-15
        add(f"h{i:02d}", "ch", departed="2026-02-15" if i == 3 else "")
    add("h09", "ch", arrived="2025-10-15")
    add("h10", "ch", arrived="2026-01-10")
    add("h11", "ch", arrived="2025-09-20", departed="2025-11-30")  # a newcomer who left
    # k01-k07 there all along; k02 leaves on 2026-04-01, k05, k06 and k07 in May.
    clsc_departures = {2: "2026-04-01", 5: "2026-05-01", 6: "2026-05-15", 7: "2026-05-29"}
    for i in range(1, 8):
        add(f"k{i:02d}", "clsc", departed=clsc_departures.get(i, ""))
    add("k08", "clsc", arrived="2025-11-01")
    add("k09", "clsc", arrived="2026-07-05")  # after the cycle
    add("x01", "clsc", departed="2025-06-01")  # gone before it
    return people


# Every meeting, 9 h-16 h, follows the agenda of Annexe C: 360 minutes of training (the lunch,
# 12 h-13 h, is not credited).
AGENDA = (
    AgendaEntry("09:00", "09:15", "accueil", "Accueil"),
    AgendaEntry("09:15", "10:30", "tour_de_table", "Tour de table"),
    AgendaEntry("10:30", "12:00", "supervision", "Situations cliniques complexes"),
    AgendaEntry("12:00", "13:00", "repas", "Dîner"),
    AgendaEntry("13:00", "16:00", "atelier_conference", "Atelier-conférence"),
)
# (id, day, committees, status)
MEETINGS = (
    ("R1", "2025-09-25", ("ch",), "planned"),
    ("R2", "2025-10-16", ("clsc",), "planned"),
    ("J1", "2025-11-20", ("ch", "clsc"), "planned"),
    ("R3", "2026-01-22", ("ch",), "planned"),
    ("R4", "2026-02-19", ("clsc",), "planned"),
    ("XC", "2026-03-12", ("ch",), "cancelled"),
    ("J2", "2026-04-16", ("ch", "clsc"), "planned"),
    ("R5", "2026-05-21", ("ch",), "planned"),
    ("R6", "2026-06-04", ("clsc",), "planned"),
    ("N1", "2026-09-17", ("ch",), "planned"),  # next cycle
)


def _poll(
    pid: str,
    kind: str,
    published: str,
    closed: str,
    audience: list[str],
    *,
    anonymous: bool = True,
    meeting: str = "",
    committee: str = "",
    scales: int = 1,
    status: str = "closed",
) -> Poll:
    questions = (
        tuple(
            Question(f"q{n}", "scale", f"Satisfaction {n}", low_label="1", high_label="5")
            for n in range(1, scales + 1)
        )
        if kind == "satisfaction"
        else (Question("q1", "single", "Choix", (Choice("a", "A"), Choice("b", "B"))),)
    )
    return Poll(
        id=pid,
        kind=kind,
        title=f"Sondage {pid}",
        questions=questions,
        status=status,
        anonymous=anonymous,
        visibility="after_close",
        audience="committee" if committee else "members",
        committee_id=committee,
        deadline=iso(at(closed or "2026-07-30", 17)),
        created_by=ANIMATEUR_AAD,
        created_at=iso(at(published, 8)),
        locale="fr-CA",
        audience_keys=tuple(sorted(audience)),
        published_at=iso(at(published, 17)),
        closed_at=iso(at(closed, 17)) if closed else "",
        meeting_id=meeting,
    )


async def seed_the_year(http: BotHttp) -> None:
    services = http.client.server.app[RUNTIME].services
    people = _people()
    await onboarding.profile_repository(services).save_many(people)

    meetings = meetings_queries.meeting_repository(services)
    for mid, day, committees, status in MEETINGS:
        await meetings.save(
            Meeting(
                mid,
                f"Rencontre {mid}",
                committees,
                at(day, 9),
                at(day, 16),
                "hybride",
                agenda=AGENDA,
                status=status,
            )
        )
    for mid, key, choice in (
        ("R1", "h01", "salle"),
        ("R1", "h02", "en_ligne"),
        ("R1", "h05", "absent"),
        ("J1", "guest-1", "en_ligne"),  # someone on no roster answered: invited too
        ("R6", "k03", "salle"),
    ):
        await meetings.set_rsvp(Rsvp(mid, key, choice, at("2025-09-01")))

    polls = polls_context.poll_repository(services)
    joint1 = [p.key for p in people if p.key[:1] in "hk" and p.key not in ("h10", "k09")]
    joint1 = [k for k in joint1 if k not in ("x01",)]
    await polls.save(_poll("S1", "satisfaction", "2025-11-20", "2025-11-27", joint1, meeting="J1"))
    for i, score in enumerate([5] * 6 + [4] * 5 + [3]):
        await polls.record_anonymous("S1", joint1[i], {"q1": score})
    joint2 = [f"h{i:02d}" for i in (1, 2, 4, 5, 6, 7, 8, 9, 10)] + [
        f"k{i:02d}" for i in (1, 3, 4, 5, 6, 7, 8)
    ]
    await polls.save(_poll("S2", "satisfaction", "2026-04-16", "2026-04-23", joint2, meeting="J2"))
    for key, score in zip(joint2[:4], (2, 3, 5, 4), strict=True):
        await polls.record_anonymous("S2", key, {"q1": score})
    at_start = [f"h{i:02d}" for i in range(1, 9)] + [f"k{i:02d}" for i in range(1, 8)]
    await polls.save(_poll("B1", "needs", "2025-09-05", "2025-09-30", at_start, anonymous=False))
    for key in at_start[:9]:
        await polls.record_named("B1", key, NAMES[key], {"q1": "a"}, at("2025-09-10"))
    # Dates for R4, asked of four CLSC members (addressed to the committee, tied to no meeting).
    clsc_four = [f"k{i:02d}" for i in (1, 3, 4, 5)]
    await polls.save(
        _poll("D1", "availability", "2026-02-01", "2026-02-08", clsc_four, committee="clsc")
    )
    for key in clsc_four[:3]:
        await polls.record_anonymous("D1", key, {"q1": "b"})
    # After R5, a survey of the CH committee with two scale questions, answered by 5 of the 9.
    ch_r5 = [f"h{i:02d}" for i in (1, 2, 4, 5, 6, 7, 8, 9, 10)]
    await polls.save(
        _poll("S3", "satisfaction", "2026-05-21", "2026-05-28", ch_r5, committee="ch", scales=2)
    )
    for key, (overall, useful) in zip(
        ch_r5[:5], ((5, 4), (4, 4), (4, 3), (5, 5), (2, 3)), strict=True
    ):
        await polls.record_anonymous("S3", key, {"q1": overall, "q2": useful})
    await polls.save(_poll("O1", "poll", "2026-06-20", "", at_start, status="open"))
    await polls.record_anonymous("O1", "h01", {"q1": "a"})

    topics = topics_repositories.topic_repository(services)

    def topic(
        tid: str, created: str, status: str, meeting: str, supporters: tuple[str, ...]
    ) -> Topic:
        return Topic(
            tid,
            f"Sujet {tid}",
            "Une description",
            "echange",
            "",
            "h01",
            NAMES["h01"],
            iso(at(created, 12)),
            status=status,
            meeting_id=meeting,
            supporters=supporters,
            updated_at=iso(at(created, 13)),
        )

    for item in (
        topic("T1", "2025-09-10", "treated", "J1", ("h01", "k01", "k02")),
        topic("T2", "2025-10-05", "open", "", ()),
        topic("T3", "2025-06-15", "treated", "R1", ("h02",)),  # proposed before the cycle
        topic("T4", "2026-03-01", "scheduled", "R6", ("k03", "k04")),
        topic("T5", "2026-05-02", "archived", "", ()),
        topic("T6", "2025-10-20", "merged", "", ("h05",)),  # merged into another: not counted
    ):
        await topics.add(item)

    cases = topics_repositories.case_repository(services)

    def case(cid: str, created: str, status: str, meeting: str) -> Case:
        return Case(
            cid,
            f"Cas {cid}",
            "Contexte",
            "Essais",
            "Blocages",
            "Question",
            ("advice",),
            "",
            "k01",
            NAMES["k01"],
            iso(at(created, 12)),
            status=status,
            meeting_id=meeting,
        )

    for item in (
        case("C1", "2025-10-01", "treated", "J1"),
        case("C2", "2026-02-01", "submitted", ""),
        case("C3", "2026-03-10", "scheduled", "R6"),
    ):
        await cases.add(item)

    projects = vitality_repository(services)
    for pid, day, title, description in (
        (
            "a1a1a1a1a1a1",
            "2025-12-04",
            "Critères de référence à l'équipe psychosociale",
            "Document du comité des CH",
        ),
        ("b2b2b2b2b2b2", "2026-05-15", "Outil clinique sur la prévention du suicide", ""),
        ("c3c3c3c3c3c3", "2025-05-01", "Ancien projet", ""),  # before the cycle
    ):
        await projects.add_project(Project(pid, title, description, d(day), ANIMATEUR_AAD, NOW))


# ---- presence ---------------------------------------------------------------------------------

# How each person was there (meetings 9 h-16 h, training 9 h-12 h and 13 h-16 h = 360 minutes,
# credited in whole quarter hours, nothing under 60 minutes):
ROOM = "room"  # checks in at 9:05, within the 30-minute grace: 9 h-16 h -> 360 min, 6 h
LATE = "late"  # checks in at 10:00: 10 h-16 h -> 120 + 180 = 300 min, 5 h (in the room)
ONLINE = "online"  # joins in Teams at 9:00, leaves at 16:00 -> 6 h online
MORNING = "morning"  # joins at 9:00, leaves at 12:00 -> 180 min, 3 h online
BRIEF = "brief"  # joins at 13:00, leaves at 13:40 -> present, but 40 < 60 min: 0 h, no certificate
GRAPH = "graph"  # only in the Graph attendance report, under their home-tenant identity,
# matched by e-mail: 9 h-16 h -> 6 h online

# Who came, meeting by meeting (invited: see test_who_was_invited_to_each_meeting).
PRESENCE: dict[str, dict[str, str]] = {
    # R1 (9 invited): 7 present, 4 in the room (h01, h04, h06, h11), 3 online (h02, h07, h08);
    # 6 + 6 + 6 + 5 + 6 + 3 + 0 = 32 h; 6 certificates (not h08).
    "R1": {
        "h01": ROOM,
        "h02": ONLINE,
        "h04": ROOM,
        "h06": LATE,
        "h07": MORNING,
        "h08": BRIEF,
        "h11": ROOM,
    },
    # R2 (7 invited): 6 present, 3 in the room (k01, k03, k06), 3 online (k04, k05, k07);
    # 6 + 6 + 5 + 6 + 6 + 3 = 32 h; 6 certificates.
    "R2": {"k01": ROOM, "k03": ROOM, "k04": ONLINE, "k05": ONLINE, "k06": LATE, "k07": MORNING},
    # J1 (19 invited, the guest did not come): 12 present, 6 in the room (h01, h02, h05, k01,
    # k04, k08), 6 online (h04, h09, h11, k02, k03, k05); 6 x 6 + 6 + 6 + 3 + 6 + 6 + 6 = 69 h;
    # 12 certificates.
    "J1": {
        "h01": ROOM,
        "h02": ROOM,
        "h04": ONLINE,
        "h05": ROOM,
        "h09": ONLINE,
        "h11": MORNING,
        "k01": ROOM,
        "k02": ONLINE,
        "k03": ONLINE,
        "k04": ROOM,
        "k05": GRAPH,
        "k08": ROOM,
    },
    # R3 (10 invited): 6 present, 4 in the room (h01, h04, h05, h10), 2 online (h02, h09);
    # 6 + 6 + 5 + 6 + 6 + 6 = 35 h; 6 certificates.
    "R3": {"h01": ROOM, "h02": ONLINE, "h04": ROOM, "h05": LATE, "h09": ONLINE, "h10": ROOM},
    # R4 (8 invited): 6 present, 3 in the room (k01, k03, k04), 3 online (k05, k07, k08);
    # 6 + 6 + 6 + 0 + 3 + 6 = 27 h; 5 certificates (not k05).
    "R4": {"k01": ROOM, "k03": ROOM, "k04": ROOM, "k05": BRIEF, "k07": MORNING, "k08": ONLINE},
    # J2 (16 invited), with the animateur's corrections (J2_CORRECTIONS): h07's check-in is
    # struck out, h06 is added in the room, h04's connection is set to the whole day. 11
    # present, 7 in the room (h01, h02, h06, h09, k01, k03, k08), 4 online (h04, h05, h10,
    # k04); 11 x 6 = 66 h; 11 certificates (h04's, re-issued after the correction, once).
    "J2": {
        "h01": ROOM,
        "h02": ROOM,
        "h04": MORNING,
        "h05": ONLINE,
        "h07": ROOM,
        "h09": ROOM,
        "h10": ONLINE,
        "k01": ROOM,
        "k03": ROOM,
        "k04": ONLINE,
        "k08": ROOM,
    },
    # R5 (9 invited): 5 present, 3 in the room (h01, h04, h09), 2 online (h02, h10);
    # 6 + 6 + 6 + 6 + 3 = 27 h; 5 certificates.
    "R5": {"h01": ROOM, "h02": ONLINE, "h04": ROOM, "h09": ROOM, "h10": MORNING},
    # R6 (4 invited): 3 present (k01, k03 in the room, k08 online); 18 h; 3 certificates.
    "R6": {"k01": ROOM, "k03": ROOM, "k08": ONLINE},
}
# (kind, member, minutes, mode): before the certificates of J2 are sent ...
J2_CORRECTIONS = (("remove", "h07", None, "salle"), ("add", "h06", 360, "salle"))
# ... and the next morning, once h04 explained that the connection log stops at noon.
J2_LATE_CORRECTION = ("adjust", "h04", 360, "en_ligne")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _attend(repository: PresenceRepository, mid: str, day: str, key: str, how: str) -> None:
    """One person's presence, as the presence feature records it: the in-room check-in, the
    Teams join/leave events of the meeting chat (both written as the demo year writes them,
    dialogs/demo.py), or the Graph attendance report."""
    if how != GRAPH:
        await record_presence(repository, mid, key, how, d(day), ZONE)
        return
    attendee = GraphAttendee(
        mid,
        f"report-{mid}",
        "5e8f2a1c-7d3b-4f6e-9a0c-1b2d3e4f5a6b",  # not the key the CdeP knows them by
        f"{key}@cdep-monteregie.example",
        f"{NAMES[key]} (Invité)",
        "Attendee",
        ((at(day, 9), at(day, 16)),),
    )
    assert await repository.replace_graph_attendees(mid, [attendee])


async def _correct(
    repository: PresenceRepository,
    mid: str,
    change: tuple[str, str, int | None, str],
    when: datetime,
) -> None:
    kind, key, minutes, mode = change
    await repository.add_correction(
        Correction(
            f"{mid}-{kind}-{key}",
            mid,
            key,
            kind,
            minutes,
            mode,
            "Liste papier",
            ANIMATEUR_AAD,
            when,
        )
    )


async def seed_presence(services: Services, clock: Clock) -> None:
    """Presence written as the presence feature does, and its certificates issued by its own
    function, half an hour after each meeting ends."""
    repository = presence_queries.presence_repository(services)
    days = {mid: day for mid, day, _, _ in MEETINGS}
    for mid, people in PRESENCE.items():
        for key, how in people.items():
            await _attend(repository, mid, days[mid], key, how)
        ends = at(days[mid], 16)
        if mid == "J2":
            for change in J2_CORRECTIONS:
                await _correct(repository, mid, change, ends)
        clock.now = ends + timedelta(minutes=30)
        meeting = await meetings_queries.get(services, mid)
        await presence_jobs.offer_certificates(services, meeting)
    next_morning = at(days["J2"], 10) + timedelta(days=1)
    await _correct(repository, "J2", J2_LATE_CORRECTION, next_morning)
    clock.now = next_morning
    await presence_jobs.offer_certificates(services, await meetings_queries.get(services, "J2"))


@pytest.fixture
async def year(bot_http: BotHttp) -> BotHttp:
    services = bot_http.client.server.app[RUNTIME].services
    clock = Clock(NOW)
    services.clock = clock
    await seed_the_year(bot_http)
    await seed_presence(services, clock)
    clock.now = NOW
    return bot_http


async def report_csv(http: BotHttp, text: str) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    conversation = f"a:personal-{ANIMATEUR_AAD}"
    await http.post(http.activity(text, aad=ANIMATEUR_AAD, conversation=conversation))
    card = card_of(http.replies(conversation)[-1])
    url = next(a["url"] for a in _actions(card) if a["type"] == "Action.OpenUrl")
    response = await http.client.get(url[url.index("/files/") :])
    content = (await response.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    return card, {(r[0], r[1]): r[2] for r in rows[1:]}


def fig(key: str) -> str:
    return FR(f"vitality.figure.{key}")


HIDDEN = FR("vitality.suppressed", threshold=5)
# A rate, mean or total on fewer than 5 people; a figure that would give a hidden one back.
RATE_HIDDEN = FR("vitality.suppressed_rate", threshold=5)
COMPLEMENT = FR("vitality.suppressed_complement", threshold=5)
PART = FR("vitality.section.participation")
MEET = FR("vitality.section.meetings")
EXCH = FR("vitality.section.exchanges")
SAT = FR("vitality.section.satisfaction")
TRAIN = FR("vitality.section.training")
PCT = "\u00a0%"  # « 43 % »: babel puts a no-break space before the sign


def committee_name(http: BotHttp, committee_id: str) -> str:
    committee = http.client.server.app[RUNTIME].services.profile.current.committee(committee_id)
    assert committee is not None
    return committee.name.get("fr-CA")


def meeting_key(http: BotHttp, day: str, committee_id: str = "") -> tuple[str, str]:
    """The CSV key of a meeting's line: its day and committee (« Rencontre conjointe » for a
    joint one)."""
    committees = committee_name(http, committee_id) if committee_id else FR("vitality.scope.joint")
    return MEET, FR("vitality.meeting.label", day=day, committees=committees)


def card_facts(card: Any) -> dict[str, str]:
    """Every fact of the card's fact sets, title -> value."""
    found: dict[str, str] = {}
    if isinstance(card, dict):
        if card.get("type") == "FactSet":
            found.update({f["title"]: f["value"] for f in card.get("facts", [])})
        for value in card.values():
            found.update(card_facts(value))
    elif isinstance(card, list):
        for item in card:
            found.update(card_facts(item))
    return found


def meeting_line(
    present: int | str, invited: int, rate: str, in_room: int | str, online: int | str
) -> str:
    """A meeting's line: present / invited (rate), in the room and online (a count of fewer
    than 5 people reads « < 5 », issue 19)."""
    return FR(
        "vitality.meeting.line",
        present=str(present),
        invited=str(invited),
        rate=rate + PCT,
        in_room=str(in_room),
        online=str(online),
    )


# ---- the whole CdeP ---------------------------------------------------------------------------


async def test_the_year_of_the_whole_cdep(year: BotHttp) -> None:
    card, figures = await report_csv(year, "bilan")
    assert schema_errors(card) == []
    # July: the cycle that just ended, and it is over (no « état au »).
    assert "Cycle 2025-2026, du 1er septembre 2025 au 30 juin 2026 · " + FR(
        "vitality.scope.all"
    ) in texts_of(card)

    expected = {
        # At the start (2025-09-01): h01-h08 and k01-k07 = 15. At the end (2026-06-30): h01-h10
        # but h03 = 9, and k01, k03, k04, k08 = 4: 13. Arrivals h09, h10, h11, k08 = 4;
        # departures h11, h03, k02, k05, k06, k07 = 6. Turnover 6 / ((15 + 13) / 2) = 6 / 14
        # = 42.9 %.
        (PART, fig("members.active_start")): "15",
        (PART, fig("members.active_end")): "13",
        # Issue 19: the 4 arrivals are hidden; with 15 and 13, the 6 departures would give
        # them back (15 + 4 - 6 = 13), and the turnover the departures: both not published.
        (PART, fig("members.arrivals")): HIDDEN,
        (PART, fig("members.departures")): COMPLEMENT,
        (PART, fig("members.turnover")): COMPLEMENT,
        # R1, R2, J1, R3, R4, J2, R5, R6 (XC was cancelled, N1 is in the next cycle).
        (PART, fig("meetings.held")): "8",
        # Present / invited over the meetings shown (R6, 4 invited, is left out so it cannot
        # be recovered by subtraction): (7 + 6 + 12 + 6 + 6 + 11 + 5) / (9 + 7 + 19 + 10 + 8 +
        # 16 + 9) = 53 / 78 = 67.9 %.
        (PART, fig("meetings.rate")): "68" + PCT,
        # Rates in order 7/9, 6/7, 12/19, 6/10, 6/8, 11/16, 5/9 at x = -3..3: slope = sum(x y) /
        # sum(x²) = (-21/9 - 12/7 - 12/19 + 6/8 + 22/16 + 15/9) / 28 = -0.8875 / 28 = -0.032,
        # beyond -0.02 a meeting: falling.
        (PART, fig("meetings.trend")): FR("vitality.trend.falling"),
        # Meetings attended / invited to (held meetings, R6 included): core (>= 75 %) h01,
        # h02, h04 (5/5), h09 (4/4), h10 (3/3), h11 (2/2), k01, k03 (5/5), k04 (4/5), k05
        # (3/4, exactly 75 %), k08 (4/4) = 11; active (>= 25 %) h05 (3/5), h06 (2/5: R1 and
        # the correction at J2), k02 (1/3), k06 (1/4, exactly 25 %), k07 (2/4) = 5;
        # peripheral h03 (0/3), h07 (1/5: his J2 check-in struck out), h08 (1/5), the guest
        # (0/1) = 4.
        # Issue 19: the 4 peripheral are hidden, and the 5 active with them (20 - 11 - 5).
        (PART, fig("engagement.core")): "11",
        (PART, fig("engagement.active")): COMPLEMENT,
        (PART, fig("engagement.peripheral")): HIDDEN,
        # The four newcomers (h09, h10, h11, k08): three still there after 3 and 6 months,
        # but four people is a small group.
        (PART, fig("retention.3")): RATE_HIDDEN,
        (PART, fig("retention.6")): RATE_HIDDEN,
        # Topics proposed in the cycle: T1, T2, T4, T5 (T3 before it, T6 merged); supported:
        # T1, T4; treated in it: T1 (J1), T3 (R1). Cases: C1, C2, C3 submitted, C1 discussed.
        (EXCH, fig("topics.proposed")): "4",
        (EXCH, fig("topics.supported")): "2",
        (EXCH, fig("topics.treated")): "2",
        (EXCH, fig("cases.submitted")): "3",
        (EXCH, fig("cases.discussed")): "1",
        # Closed in the cycle: S1, S2, B1, D1, S3 (O1 still open). Response: D1 (4 people
        # asked) is hidden; (12 + 4 + 9 + 5) / (18 + 16 + 15 + 9) = 30 / 58 = 51.7 %.
        (EXCH, fig("polls.count")): FR(
            "vitality.polls.count_detail",
            count="5",
            kinds="disponibilités\u00a0: 1, analyse des besoins\u00a0: 1, satisfaction\u00a0: 3",
        ),
        (EXCH, fig("polls.rate")): "52" + PCT,
        # S1: 6 x 5, 5 x 4, 1 x 3 = 53 / 12 = 4.42 (the polls feature rounds to 2 decimals);
        # S2 has 4 answers: hidden; S3: means 20 / 5 = 4.0 and 19 / 5 = 3.8, 3.9. Weighted by
        # respondents: (4.42 x 12 + 3.9 x 5) / 17 = 72.54 / 17 = 4.27.
        (SAT, fig("satisfaction.mean")): "4,3 / 5",
        (SAT, FR("vitality.satisfaction.survey", day="27 nov. 2025")): FR(
            "vitality.satisfaction.line", mean="4,4 / 5", respondents="12"
        ),
        (SAT, FR("vitality.satisfaction.survey", day="23 avr. 2026")): FR(
            "vitality.satisfaction.hidden", threshold=5
        ),
        (SAT, FR("vitality.satisfaction.survey", day="28 mai 2026")): FR(
            "vitality.satisfaction.line", mean="3,9 / 5", respondents="5"
        ),
        # Distribution over the surveys shown: S1 gives 1 x 3, 5 x 4, 6 x 5; S3 (5, 4, 4, 5, 2
        # and 4, 4, 3, 5, 3) gives 1 x 2, 2 x 3, 4 x 4, 3 x 5. Together, of 22 answers: 0, 1,
        # 3, 9, 9 -> 0 %, 4.5 %, 13.6 %, 40.9 %, 40.9 %. S2's answers are not shown anywhere.
        (SAT, fig("satisfaction.share.1")): "0" + PCT,
        (SAT, fig("satisfaction.share.2")): "5" + PCT,
        (SAT, fig("satisfaction.share.3")): "14" + PCT,
        (SAT, fig("satisfaction.share.4")): "41" + PCT,
        (SAT, fig("satisfaction.share.5")): "41" + PCT,
        # Credited hours, meeting by meeting (PRESENCE): 32 + 32 + 69 + 35 + 27 + 66 + 27 + 18 =
        # 306 h, for the 18 people present at least once (everyone but h03 and the guest):
        # 306 / 18 = 17 h each. Certificates: 6 + 6 + 12 + 6 + 5 + 11 + 5 + 3 = 54 (none for
        # 40 minutes, h04's re-issued one counted once).
        (TRAIN, fig("training.hours_total")): FR("vitality.hours", hours="306"),
        (TRAIN, fig("training.hours_per_person")): FR("vitality.hours", hours="17"),
        (TRAIN, fig("training.certificates")): "54",
        # Attendance per meeting: present / invited, in the room and online (PRESENCE).
        # In the room / online: 4 / 3, 3 / 3, 6 / 6, 4 / 2, 3 / 3, 7 / 4, 3 / 2; every count of
        # fewer than 5 hidden (issue 19), and the 7 beside the 4 (11 - 7 = 4).
        meeting_key(year, "25 sept. 2025", "ch"): meeting_line(7, 9, "78", HIDDEN, HIDDEN),
        meeting_key(year, "16 oct. 2025", "clsc"): meeting_line(6, 7, "86", HIDDEN, HIDDEN),
        meeting_key(year, "20 nov. 2025"): meeting_line(12, 19, "63", 6, 6),
        meeting_key(year, "22 janv. 2026", "ch"): meeting_line(6, 10, "60", HIDDEN, HIDDEN),
        meeting_key(year, "19 févr. 2026", "clsc"): meeting_line(6, 8, "75", HIDDEN, HIDDEN),
        meeting_key(year, "16 avr. 2026"): meeting_line(11, 16, "69", COMPLEMENT, HIDDEN),
        meeting_key(year, "21 mai 2026", "ch"): meeting_line(5, 9, "56", HIDDEN, HIDDEN),
        # R6: four people invited (the CLSC lost k05, k06 and k07 in May): nothing shown.
        meeting_key(year, "4 juin 2026", "clsc"): FR("vitality.meeting.hidden", threshold=5),
        # Projects of the cycle (the one of May 2025 is not).
        (FR("vitality.section.value"), "4 déc. 2025"): FR(
            "vitality.project.line",
            title="Critères de référence à l'équipe psychosociale",
            description="Document du comité des CH",
        ),
        (
            FR("vitality.section.value"),
            "15 mai 2026",
        ): "Outil clinique sur la prévention du suicide",
    }
    for key, value in expected.items():
        assert figures.get(key) == value, key
    assert not any(k[1] == "1 mai 2025" for k in figures)
    # The cancelled meeting (12 mars) and the next cycle's have no line.
    assert sum(1 for k in figures if k[0] == MEET) == 8

    poll_rows = {k[1]: v for k, v in figures.items() if k[0] == FR("vitality.section.polls")}
    kind = FR("vitality.poll_kind.availability")
    assert poll_rows[FR("vitality.poll.label", kind=kind, day="8 févr. 2026")] == FR(
        "vitality.poll.hidden", threshold=5
    )
    assert poll_rows[
        FR("vitality.poll.label", kind=FR("vitality.poll_kind.needs"), day="30 sept. 2025")
    ] == FR("vitality.poll.line", answers="9", audience="15", rate="60" + PCT)

    # The card shows the same: the engagement levels in words beside the donut, the
    # satisfaction distribution and the training figures as facts.
    assert FR(
        "vitality.engagement.text", core="11", active=COMPLEMENT, peripheral=HIDDEN
    ) in texts_of(card)
    assert "Chart.Donut" in str(card)
    shown = card_facts(card)
    for section, key in (
        *((SAT, f"satisfaction.share.{n}") for n in range(1, 6)),
        (TRAIN, "training.hours_total"),
        (TRAIN, "training.hours_per_person"),
        (TRAIN, "training.certificates"),
        (PART, "meetings.rate"),
        (PART, "engagement.core"),
    ):
        assert shown[fig(key)] == expected[(section, fig(key))], key

    # Nobody's name: not in the card, not in the CSV.
    everything = str(card) + str(figures)
    for name in NAMES.values():
        assert name not in everything


async def test_who_was_invited_to_each_meeting(year: BotHttp) -> None:
    services = year.client.server.app[RUNTIME].services
    request = ReportRequest(CYCLE)
    report = compute_report(await gather(services, request), request, NOW.date(), 5)
    assert report.meetings is not None
    invited = {s.meeting_id: s.invited for s in report.meetings}
    # Members of the meeting's committees on its day, plus anyone who answered: R1 h01-h08 and
    # h11 (arrived 09-20) = 9; J1 ch h01-h09, h11 + clsc k01-k08 + the guest = 19; J2 ch h01-h10
    # but h03 + clsc k01-k08 but k02 = 16; R6 k01, k03, k04, k08 (k05, k06, k07 left in May).
    assert invited == {"R1": 9, "R2": 7, "J1": 19, "R3": 10, "R4": 8, "J2": 16, "R5": 9, "R6": 4}


async def test_presence_as_the_report_reads_it(year: BotHttp) -> None:
    """What the presence feature gives the report: one line per member present, with their
    mode and credited hours, and the certificates issued in the cycle."""
    services = year.client.server.app[RUNTIME].services
    inputs = await gather(services, ReportRequest(CYCLE))
    assert inputs.attendance is not None
    lines = {(a.meeting_id, a.member_key): (a.mode, a.credited_hours) for a in inputs.attendance}
    # 7 + 6 + 12 + 6 + 6 + 11 + 5 + 3 = 56 presences.
    assert len(lines) == 56
    assert lines[("R1", "h06")] == ("salle", 5.0)  # checked in at 10:00
    assert lines[("R1", "h08")] == ("en_ligne", 0.0)  # 40 minutes
    assert lines[("J1", "k05")] == ("en_ligne", 6.0)  # the Graph report, matched by e-mail
    assert lines[("J2", "h06")] == ("salle", 6.0)  # added by the animateur
    assert lines[("J2", "h04")] == ("en_ligne", 6.0)  # adjusted the next morning
    assert ("J2", "h07") not in lines  # struck out
    assert inputs.certificates == 54
    # h04's certificate of J2 was issued again after the correction: the 3 h one is superseded.
    repository = presence_queries.presence_repository(services)
    current = await repository.current_certificate("h04", "meeting", "J2")
    assert current is not None
    assert (current.credited_minutes, current.issued_at) == (360, at("2026-04-17", 10))


async def test_the_year_of_the_clsc_committee(year: BotHttp) -> None:
    card, figures = await report_csv(year, "bilan comité clsc")
    assert schema_errors(card) == []
    expected = {
        # k01-k07 at the start; k01, k03, k04, k08 at the end: four, a small group. k08
        # arrived; k02, k05, k06, k07 left, out of the 8 who were members in the year.
        # Turnover 4 / ((7 + 4) / 2) = 72.7 % (on 5.5 people on average: shown).
        (PART, fig("members.active_start")): "7",
        (PART, fig("members.active_end")): HIDDEN,
        # Issue 19: 1 arrival and 4 departures are fewer than 5 people: hidden, and the
        # turnover, which would give the departures back.
        (PART, fig("members.arrivals")): HIDDEN,
        (PART, fig("members.departures")): HIDDEN,
        (PART, fig("members.turnover")): COMPLEMENT,
        (PART, fig("meetings.held")): "5",  # R2, J1, R4, J2, R6
        # CLSC members only: R2 6 / 7; J1 6 / 8 (k01, k04, k08 in the room, k02, k03, k05
        # online); R4 6 / 8; J2 4 / 7 (k01, k03, k08 in the room, k04 online); R6 hidden.
        # (6 + 6 + 6 + 4) / (7 + 8 + 8 + 7) = 22 / 30 = 73.3 %.
        # In the room / online 3 / 3 three times, then 3 / 1 of 4 present: hidden (issue 19).
        meeting_key(year, "16 oct. 2025", "clsc"): meeting_line(6, 7, "86", HIDDEN, HIDDEN),
        meeting_key(year, "20 nov. 2025"): meeting_line(6, 8, "75", HIDDEN, HIDDEN),
        meeting_key(year, "19 févr. 2026", "clsc"): meeting_line(6, 8, "75", HIDDEN, HIDDEN),
        meeting_key(year, "16 avr. 2026"): meeting_line(HIDDEN, 7, "57", HIDDEN, HIDDEN),
        meeting_key(year, "4 juin 2026", "clsc"): FR("vitality.meeting.hidden", threshold=5),
        (PART, fig("meetings.rate")): "73" + PCT,
        # 6/7, 6/8, 6/8, 4/7 at x = -1.5, -0.5, 0.5, 1.5: slope = 1.5 x (4/7 - 6/7) / 5 = -0.086.
        (PART, fig("meetings.trend")): FR("vitality.trend.falling"),
        # core k01, k03 (5/5), k04 (4/5), k05 (3/4), k08 (4/4); active k02 (1/3), k06 (1/4),
        # k07 (2/4); nobody peripheral.
        # Issue 19: the 3 active are hidden; 8 - 5 - 0 would give them back, and 0 + 3 too:
        # none of the three is published.
        (PART, fig("engagement.core")): COMPLEMENT,
        (PART, fig("engagement.active")): HIDDEN,
        (PART, fig("engagement.peripheral")): COMPLEMENT,
        # CLSC members at CLSC meetings: R2 32 + J1 36 + R4 27 + J2 24 + R6 18 = 137 h, for
        # k01-k08 (8 people): 17.1 h each. Certificates are counted for the whole CdeP only.
        (TRAIN, fig("training.hours_total")): FR("vitality.hours", hours="137"),
        (TRAIN, fig("training.hours_per_person")): FR("vitality.hours", hours="17,1"),
        (TRAIN, fig("training.certificates")): FR("vitality.cdep_only"),
        # Topics through the clsc meetings: T1 (J1, treated), T4 (R6, scheduled, supported).
        (EXCH, fig("topics.proposed")): "2",
        (EXCH, fig("topics.supported")): "2",
        (EXCH, fig("topics.treated")): "1",
        (EXCH, fig("cases.submitted")): "2",  # C1 (J1), C3 (R6)
        (EXCH, fig("cases.discussed")): "1",
        # S1 (J1), S2 (J2) and D1 (addressed to the committee): (12 + 4) / (18 + 16) = 47 %,
        # D1 hidden. S3 went to the CH committee.
        (EXCH, fig("polls.count")): FR(
            "vitality.polls.count_detail",
            count="3",
            kinds="disponibilités\u00a0: 1, satisfaction\u00a0: 2",
        ),
        (EXCH, fig("polls.rate")): "47" + PCT,
        # S1 alone: 53 / 12 = 4.42; 1 x 3, 5 x 4, 6 x 5 of 12 = 0 %, 0 %, 8.3 %, 41.7 %, 50 %.
        (SAT, fig("satisfaction.mean")): "4,4 / 5",
        (SAT, fig("satisfaction.share.1")): "0" + PCT,
        (SAT, fig("satisfaction.share.2")): "0" + PCT,
        (SAT, fig("satisfaction.share.3")): "8" + PCT,
        (SAT, fig("satisfaction.share.4")): "42" + PCT,
        (SAT, fig("satisfaction.share.5")): "50" + PCT,
    }
    for key, value in expected.items():
        assert figures.get(key) == value, key


async def test_june_of_the_clsc_committee_is_a_small_group(year: BotHttp) -> None:
    """June 2026 for the CLSC: four members, one meeting (R6) with four invited and three
    present. Every count of people reads « < 5 », every rate or total on them « non publié »."""
    card, figures = await report_csv(year, "bilan 2026-06-01 2026-06-30 comité clsc")
    assert schema_errors(card) == []
    for key in (
        "members.active_start",  # k01, k03, k04, k08
        "members.active_end",
        "members.arrivals",
        "members.departures",
        "engagement.core",  # the 4 invited
        "engagement.active",
        "engagement.peripheral",
    ):
        assert figures[(PART, fig(key))] == HIDDEN, key
    for key in ("members.turnover", "meetings.rate"):  # R6 alone, 3 / 4
        assert figures[(PART, fig(key))] == RATE_HIDDEN, key
    assert figures[(PART, fig("meetings.held"))] == "1"
    # One meeting, and a hidden one: no trend.
    assert figures[(PART, fig("meetings.trend"))] == FR("vitality.trend.unknown")
    assert figures[meeting_key(year, "4 juin 2026", "clsc")] == FR(
        "vitality.meeting.hidden", threshold=5
    )
    # 18 h for three people.
    assert figures[(TRAIN, fig("training.hours_total"))] == RATE_HIDDEN
    assert figures[(TRAIN, fig("training.hours_per_person"))] == RATE_HIDDEN
    # On the card: the same, and no donut (its slices would give the proportions).
    shown = card_facts(card)
    assert shown[fig("engagement.core")] == HIDDEN
    for key in ("meetings.rate", "training.hours_total"):
        assert shown[fig(key)] == RATE_HIDDEN, key
    assert "Chart.Donut" not in str(card)


async def test_a_member_sees_nothing_of_the_year(year: BotHttp) -> None:
    conversation = "a:personal-h01"
    await year.post(year.activity("bilan", aad="h01", conversation=conversation))
    assert year.replies(conversation)[-1]["text"] == FR("command.report.forbidden")


def same_spaces(text: str) -> str:
    """The PDF's text comes back with plain spaces where the figures have no-break ones."""
    return text.replace("\u00a0", " ")


async def test_the_one_page_pdf_of_the_year(year: BotHttp) -> None:
    """The PDF a lead sends to a manager holds the same figures, the satisfaction distribution
    and the training ones included, on one page."""
    conversation = f"a:personal-{ANIMATEUR_AAD}"
    await year.post(year.activity("bilan", aad=ANIMATEUR_AAD, conversation=conversation))
    card = card_of(year.replies(conversation)[-1])
    button = FR("vitality.pdf_button", language=FR("language.name.fr-CA"))
    pdf_url = next(a["url"] for a in _actions(card) if a.get("title") == button)
    response = await year.client.get(pdf_url[pdf_url.index("/files/") :])
    pdf = await response.read()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    text = same_spaces(extract_text(pdf))
    # The figures of test_the_year_of_the_whole_cdep, each under its label.
    for key, value in (
        ("satisfaction.mean", "4,3 / 5"),
        ("satisfaction.share.1", "0" + PCT),
        ("satisfaction.share.2", "5" + PCT),
        ("satisfaction.share.3", "14" + PCT),
        ("satisfaction.share.4", "41" + PCT),
        ("satisfaction.share.5", "41" + PCT),
        ("training.hours_total", FR("vitality.hours", hours="306")),
        ("training.hours_per_person", FR("vitality.hours", hours="17")),
        ("training.certificates", "54"),
    ):
        assert same_spaces(f"{fig(key)}\n{value}\n") in text, key
    cut = FR("vitality.pdf.more", count=9).partition("9")[0]
    assert cut not in text  # no section cut short for lack of room
    for name in NAMES.values():
        assert name not in text
