"""A year of fictional activity, written through the bot's own repositories, and every figure of
the « bilan » checked against values counted by hand (in the comments).

The 2025-2026 cycle of a CdeP with two committees (« ch », « clsc »), five meetings each (three
of their own, two joint), arrivals and departures, polls (satisfaction, needs, availability),
topics and cases, projects. The report is asked on 2026-07-10: in July, « bilan » alone gives the
cycle that just ended. Members have names, and topics and ballots carry them: none may appear in
the report.

A feature whose query module is not installed yet (presence, here) gives « aucune donnée »; its
figures are then checked to say so.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from dialogs.vitality.inputs import gather, vitality_repository
from dialogs.vitality.rules import ReportRequest, compute_report, cycle_starting
from storage.vitality_repository import Project
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, card_of, texts_of
from tests.cards.card_schema import schema_errors

pytestmark = pytest.mark.integration

FR = Translator("fr-CA")
ZONE = ZoneInfo("America/Montreal")
NOW = datetime(2026, 7, 10, 16, 0, tzinfo=UTC)
CYCLE = cycle_starting(2025)
NAMES: dict[str, str] = {}

onboarding = pytest.importorskip("dialogs.onboarding.queries")
meetings_queries = pytest.importorskip("dialogs.meetings.queries")
polls_context = pytest.importorskip("dialogs.polls.context")
topics_repositories = pytest.importorskip("dialogs.topics.repositories")
from storage.case_repository import Case  # noqa: E402
from storage.meeting_repository import Meeting, Rsvp  # noqa: E402
from storage.poll_repository import Choice, Poll, Question  # noqa: E402
from storage.profile_repository import MemberProfile  # noqa: E402
from storage.topic_repository import Topic  # noqa: E402

HAS_PRESENCE = importlib.util.find_spec("dialogs.presence.queries") is not None


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
    for i in range(1, 8):  # k01-k07 there all along; k02 leaves on 2026-04-01
        add(f"k{i:02d}", "clsc", departed="2026-04-01" if i == 2 else "")
    add("k08", "clsc", arrived="2025-11-01")
    add("k09", "clsc", arrived="2026-07-05")  # after the cycle
    add("x01", "clsc", departed="2025-06-01")  # gone before it
    return people


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
    status: str = "closed",
) -> Poll:
    question = (
        Question("q1", "scale", "Satisfaction", low_label="1", high_label="5")
        if kind == "satisfaction"
        else Question("q1", "single", "Choix", (Choice("a", "A"), Choice("b", "B")))
    )
    return Poll(
        id=pid,
        kind=kind,
        title=f"Sondage {pid}",
        questions=(question,),
        status=status,
        anonymous=anonymous,
        visibility="after_close",
        audience="members",
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
    await polls.save(
        _poll("D1", "availability", "2026-02-01", "2026-02-08", at_start[:4], meeting="R4")
    )
    for key in at_start[:3]:
        await polls.record_anonymous("D1", key, {"q1": "b"})
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


@pytest.fixture
async def year(bot_http: BotHttp) -> BotHttp:
    bot_http.client.server.app[RUNTIME].services.clock = lambda: NOW
    await seed_the_year(bot_http)
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


def _actions(card: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Action."):
            found.append(card)
        for value in card.values():
            found.extend(_actions(value))
    elif isinstance(card, list):
        for item in card:
            found.extend(_actions(item))
    return found


def fig(key: str) -> str:
    return FR(f"vitality.figure.{key}")


NO_DATA = FR("vitality.no_data")
HIDDEN = FR("vitality.suppressed", threshold=5)
PART = FR("vitality.section.participation")
EXCH = FR("vitality.section.exchanges")
SAT = FR("vitality.section.satisfaction")


# ---- the whole CdeP ---------------------------------------------------------------------------


async def test_the_year_of_the_whole_cdep(year: BotHttp) -> None:
    card, figures = await report_csv(year, "bilan")
    assert schema_errors(card) == []
    # July: the cycle that just ended, and it is over (no « état au »).
    assert FR(
        "vitality.subtitle",
        start="1er septembre 2025",
        end="30 juin 2026",
        scope=FR("vitality.scope.all"),
    ) in texts_of(card)

    expected = {
        # At the start (2025-09-01): h01-h08 and k01-k07 = 15. At the end (2026-06-30): h01-h10
        # but h03 = 9, k01-k08 but k02 = 7: 16. Arrivals h09, h10, h11, k08 = 4; departures h11,
        # h03, k02 = 3. Turnover 3 / ((15 + 16) / 2) = 19.4 %.
        (PART, fig("members.active_start")): "15",
        (PART, fig("members.active_end")): "16",
        (PART, fig("members.arrivals")): "4",
        (PART, fig("members.departures")): "3",
        (PART, fig("members.turnover")): "19\u00a0%",
        # R1, R2, J1, R3, R4, J2, R5, R6 (XC was cancelled, N1 is in the next cycle).
        (PART, fig("meetings.held")): "8",
        # The four newcomers (h09, h10, h11, k08): three still there after 3 and 6 months,
        # but four people is a small group.
        (PART, fig("retention.3")): HIDDEN,
        (PART, fig("retention.6")): HIDDEN,
        # Topics proposed in the cycle: T1, T2, T4, T5 (T3 before it, T6 merged); supported:
        # T1, T4; treated in it: T1 (J1), T3 (R1). Cases: C1, C2, C3 submitted, C1 discussed.
        (EXCH, fig("topics.proposed")): "4",
        (EXCH, fig("topics.supported")): "2",
        (EXCH, fig("topics.treated")): "2",
        (EXCH, fig("cases.submitted")): "3",
        (EXCH, fig("cases.discussed")): "1",
        # Closed in the cycle: S1, S2, B1, D1 (O1 still open). Response: D1 (4 people asked)
        # is hidden; (12 + 4 + 9) / (18 + 16 + 15) = 25 / 49 = 51 %.
        (EXCH, fig("polls.count")): FR(
            "vitality.polls.count_detail",
            count="4",
            kinds="1 disponibilités, 1 analyse des besoins, 2 satisfaction",
        ),
        (EXCH, fig("polls.rate")): "51\u00a0%",
        # S1: 6 x 5, 5 x 4, 1 x 3 = 53 / 12 = 4.42; S2 has 4 answers: hidden.
        (SAT, fig("satisfaction.mean")): "4,4 / 5",
        (SAT, FR("vitality.satisfaction.survey", day="27 nov. 2025")): FR(
            "vitality.satisfaction.line", mean="4,4 / 5", respondents="12"
        ),
        (SAT, FR("vitality.satisfaction.survey", day="23 avr. 2026")): FR(
            "vitality.satisfaction.hidden", threshold=5
        ),
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

    poll_rows = {k[1]: v for k, v in figures.items() if k[0] == FR("vitality.section.polls")}
    kind = FR("vitality.poll_kind.availability")
    assert poll_rows[FR("vitality.poll.label", kind=kind, day="8 févr. 2026")] == FR(
        "vitality.poll.hidden", threshold=5
    )
    assert poll_rows[
        FR("vitality.poll.label", kind=FR("vitality.poll_kind.needs"), day="30 sept. 2025")
    ] == FR("vitality.poll.line", answers="9", audience="15", rate="60\u00a0%")

    if not HAS_PRESENCE:
        for key in ("meetings.rate", "meetings.trend", "engagement.core", "engagement.active"):
            assert figures[(PART, fig(key))] == NO_DATA
        training = FR("vitality.section.training")
        assert figures[(training, FR("vitality.no_data_section"))] == ""
        meetings = FR("vitality.section.meetings")
        assert figures[(meetings, FR("vitality.meeting.no_presence"))] == ""

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
    # but h03 + clsc k01-k08 but k02 = 16.
    assert invited == {"R1": 9, "R2": 7, "J1": 19, "R3": 10, "R4": 8, "J2": 16, "R5": 9, "R6": 7}


async def test_the_year_of_the_clsc_committee(year: BotHttp) -> None:
    card, figures = await report_csv(year, "bilan comité clsc")
    assert schema_errors(card) == []
    expected = {
        # k01-k07 at the start; k01, k03-k08 at the end; k08 arrived, k02 left: 1 / 7 = 14 %.
        (PART, fig("members.active_start")): "7",
        (PART, fig("members.active_end")): "7",
        (PART, fig("members.arrivals")): "1",
        (PART, fig("members.departures")): "1",
        (PART, fig("members.turnover")): "14\u00a0%",
        (PART, fig("meetings.held")): "5",  # R2, J1, R4, J2, R6
        # Topics through the clsc meetings: T1 (J1, treated), T4 (R6, scheduled, supported).
        (EXCH, fig("topics.proposed")): "2",
        (EXCH, fig("topics.supported")): "2",
        (EXCH, fig("topics.treated")): "1",
        (EXCH, fig("cases.submitted")): "2",  # C1 (J1), C3 (R6)
        (EXCH, fig("cases.discussed")): "1",
        # S1 (J1), S2 (J2), D1 (R4): (12 + 4) / (18 + 16) = 47 %, D1 hidden.
        (EXCH, fig("polls.rate")): "47\u00a0%",
        (SAT, fig("satisfaction.mean")): "4,4 / 5",
    }
    for key, value in expected.items():
        assert figures.get(key) == value, key
    training = FR("vitality.section.training")
    if HAS_PRESENCE:
        assert figures[(training, fig("training.certificates"))] == FR("vitality.cdep_only")


async def test_a_member_sees_nothing_of_the_year(year: BotHttp) -> None:
    conversation = "a:personal-h01"
    await year.post(year.activity("bilan", aad="h01", conversation=conversation))
    assert year.replies(conversation)[-1]["text"] == FR("command.report.forbidden")
