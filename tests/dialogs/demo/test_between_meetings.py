"""The demo year shows the between-meetings features (dialogs/demo.py): the library's essentials
and attachments, « ce qu'on retient » with anonymous takeaways, ad hoc supervision with a
resource person, and a sensible « planifier » proposal, through the bot's HTTP endpoint as
Teams would, in French and in English, at an injected « now ». Every seeded text passes the
de-identification guard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from dialogs import cycles
from dialogs.deidentify import find_identifiers
from dialogs.demo import DemoSummary, seed_demo_year
from dialogs.library.repositories import resource_repository
from dialogs.meetings import planning
from dialogs.notes.meetings import known_names
from dialogs.notes.repositories import notes_repository
from dialogs.onboarding import queries as onboarding_queries
from dialogs.supervision.repositories import supervision_repository
from dialogs.topics import repositories as topics_repositories
from dialogs.turn import Services
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, card_of, texts_of
from tests.cards.card_schema import schema_errors
from tests.dialogs.demo.test_demo import CONVERSATION, LEAD
from tests.e2e.playground import DEMO_CONFIG, _demo_person

pytestmark = pytest.mark.integration

FR = Translator("fr-CA")
EN = Translator("en")
NOWS = [
    datetime(2026, 9, 3, 14, 0, tzinfo=UTC),  # a cycle just begun: « planifier » plans it
    datetime(2027, 7, 10, 14, 0, tzinfo=UTC),  # between cycles
    None,  # « now » of the run (``pytest --at …`` moves it)
]
IDS = ["september", "july", "today"]
LATEST_TITLE = "Journée conjointe : le deuil chez les proches aidants"
ESSENTIALS = (
    "Outil de détection de la détresse",
    "Critères d'orientation vers les soins psychosociaux",
)
NOT_ESSENTIAL = "Le deuil chez les adolescents, repères cliniques"
WAITING = "Épuisement d'un proche aidant"
TAKEAWAY = "Le répit se propose plusieurs fois : un premier refus n'est pas définitif."


async def _seeded(http: BotHttp, at: datetime | None) -> tuple[Services, datetime]:
    services, now, _ = await _seeded_with_summary(http, at)
    return services, now


async def _seeded_with_summary(
    http: BotHttp, at: datetime | None
) -> tuple[Services, datetime, DemoSummary]:
    services = http.client.server.app[RUNTIME].services
    now = at or datetime.now(UTC)
    services.clock = lambda: now
    summary = await seed_demo_year(services, now, LEAD)
    return services, now, summary


async def _ask(http: BotHttp, text: str, locale: str) -> dict[str, Any]:
    await http.post(
        http.activity(text, aad=ANIMATEUR_AAD, conversation=CONVERSATION, locale=locale)
    )
    return http.replies(CONVERSATION)[-1]


def _has(texts: list[str], wanted: str) -> bool:
    return any(wanted in text for text in texts)


def _section(card: dict[str, Any], title: str) -> list[str]:
    """The lines under a part of the plan card headed ``title`` (first TextBlock of a row)."""
    for node in _walk(card):
        items = node.get("items") or []
        if items and isinstance(items[0], dict) and items[0].get("text") == title:
            return [
                next(str(n["text"]) for n in _walk(item) if n.get("type") == "TextBlock")
                for item in items[1:]
            ]
    return []


def _walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [d for value in node.values() for d in _walk(value)]
    if isinstance(node, list):
        return [d for item in node for d in _walk(item)]
    return []


@pytest.mark.parametrize("at", NOWS, ids=IDS)
async def test_what_the_demo_wrote_between_meetings(bot_http: BotHttp, at: datetime | None) -> None:
    services, now, summary = await _seeded_with_summary(bot_http, at)
    today = now.astimezone(services.timezone).date()
    # The meeting to come is on a day « planifier » would propose too (no Fêtes, no holiday).
    cycle = cycles.of_community(services.profile.current)
    assert summary.next_meeting_on.weekday() < 5
    assert summary.next_meeting_on not in planning.closed_days(cycle.of(summary.next_meeting_on))
    # Library: two essentials, one attached to the afternoon slot of the meeting to come, one to
    # a topic of the bank; every resource has its listing time (the weekly digest reads it).
    resources = {r.title: r for r in await resource_repository(services).all()}
    assert sorted(t for t, r in resources.items() if r.essential) == sorted(ESSENTIALS)
    assert all(r.listed and r.listed_at for r in resources.values())
    tool = resources[ESSENTIALS[0]].attachments
    assert [(a.target, a.target_id, a.slot) for a in tool] == [("meeting", "de0000000007", "13:00")]
    topic = resources[NOT_ESSENTIAL].attachments
    assert [(a.target, a.target_id) for a in topic] == [("topic", "de00000103")]
    # Notes of two past meetings, a follow-up due in the future, takeaways stored anonymously.
    notes = notes_repository(services)
    written = {n.id: n for n in await notes.all()}
    assert sorted(written) == ["de0000000003", "de0000000006"]
    due = [date.fromisoformat(f.due_on) for f in written["de0000000006"].follow_ups if f.due_on]
    assert due
    assert all(day > today for day in due)
    assert len(await notes.takeaways("de0000000006")) == 4
    assert len(await notes.participants("de0000000006")) == 4
    assert len(await notes.takeaways("de0000000003")) == 2
    # Supervision: one taken last month by the resource person, one of the lead's waiting.
    requests = {r.status: r for r in await supervision_repository(services).all()}
    assert sorted(requests) == ["open", "taken"]
    taken, waiting = requests["taken"], requests["open"]
    assert 28 <= (now - datetime.fromisoformat(taken.created_at)).days <= 31
    assert (now - datetime.fromisoformat(waiting.created_at)).days <= 6
    assert waiting.requester_key == LEAD.key
    assert waiting.title == WAITING
    persons = await onboarding_queries.resource_persons(services, waiting.themes)
    assert [p.key for p in persons] == [taken.taker_key]
    assert taken.taker_key in waiting.routed_to
    assert taken.taker_key in taken.routed_to
    assert datetime.fromisoformat(waiting.remind_at) > now  # nobody reminded yet


@pytest.mark.parametrize("at", NOWS, ids=IDS)
@pytest.mark.parametrize("people", ["tests", "playground"])
async def test_every_seeded_text_passes_the_de_identification_guard(
    bot_http: BotHttp, at: datetime | None, people: str
) -> None:
    services = bot_http.client.server.app[RUNTIME].services
    now = at or datetime.now(UTC)
    services.clock = lambda: now
    lead, others = LEAD, []
    if people == "playground":  # as ``make playground`` writes it, with its six people
        lead = _demo_person(DEMO_CONFIG.current_user)
        others = [_demo_person(user) for user in DEMO_CONFIG.users]
    await seed_demo_year(services, now, lead, others)
    names = await known_names(services, lead.name)
    assert all(person.name in names for person in others)
    assert lead.name in names
    assert len(names) > 10
    texts: list[str] = []
    for n in await notes_repository(services).all():
        texts += [n.key_points, n.decisions, *n.resources, *(f.text for f in n.follow_ups)]
    for takeaways in (await notes_repository(services).all_takeaways()).values():
        texts += takeaways
    for r in await supervision_repository(services).all():
        texts += [r.title, r.context, r.question, *r.themes]
    for resource in await resource_repository(services).all():
        texts += [resource.title, resource.description, *resource.themes]
    for topic in await topics_repositories.topic_repository(services).all():
        texts += [topic.title, topic.description]
    for case in await topics_repositories.case_repository(services).all():
        texts += [case.title, case.context, case.tried, case.blocks, case.question]
    assert len(texts) > 40
    found = {text: find_identifiers(text, names) for text in texts}
    assert {text: f for text, f in found.items() if f} == {}
    # And the guard is not asleep: a name of the demo in a takeaway would be refused.
    assert find_identifiers(f"{TAKEAWAY} Merci à {lead.name}.", names)
    assert [f.kind for f in find_identifiers("Marc Lavoie a parlé", names)] == ["name"]


@pytest.mark.parametrize("locale", ["fr-CA", "en"])
@pytest.mark.parametrize("at", NOWS, ids=IDS)
async def test_the_lead_finds_them_in_the_playground(
    bot_http: BotHttp, at: datetime | None, locale: str
) -> None:
    services, now, summary = await _seeded_with_summary(bot_http, at)
    t = FR if locale == "fr-CA" else EN
    if locale == "en":
        await bot_http.choose_language(ANIMATEUR_AAD, "en")

    archive = card_of(await _ask(bot_http, t("command.meetings.past.word"), locale))
    assert schema_errors(archive) == []
    lines = texts_of(archive)
    assert _has(lines, LATEST_TITLE)
    assert _has(lines, t("notes.list.has_notes"))
    assert _has(lines, t.plural("notes.list.takeaways", 4))
    assert _has(lines, t.plural("notes.list.takeaways", 2))

    shown = card_of(await _ask(bot_http, f"{t('command.meeting.notes.word')} 1", locale))
    assert schema_errors(shown) == []
    lines = texts_of(shown)
    assert _has(lines, LATEST_TITLE)
    assert _has(lines, "Le deuil anticipé commence souvent bien avant le décès.")
    assert _has(lines, "Proposer une version révisée de la grille de repérage")
    assert _has(lines, TAKEAWAY)
    assert t.plural("notes.view.takeaways", 4) in lines
    assert "https://example.org/bibliotheque/3" in str(shown)

    words = f"{t('command.resources.word')} {t('library.essential.word')}s"
    essentials = card_of(await _ask(bot_http, words, locale))
    assert schema_errors(essentials) == []
    lines = texts_of(essentials)
    assert all(title in lines for title in ESSENTIALS)
    assert NOT_ESSENTIAL not in lines

    welcome = card_of(await _ask(bot_http, t("command.welcome.word"), locale))
    assert schema_errors(welcome) == []
    lines = texts_of(welcome)
    assert _has(lines, t("onboarding.welcome.essentials"))
    assert all(_has(lines, title) for title in ESSENTIALS)

    form = card_of(await _ask(bot_http, t("command.supervision.word"), locale))
    assert schema_errors(form) == []
    assert _has(texts_of(form), WAITING)

    plan = card_of(await _ask(bot_http, t("command.plan.word"), locale))
    assert schema_errors(plan) == []
    proposed = _section(plan, t("meetings.plan.proposed"))
    today = now.astimezone(services.timezone).date()
    period = planning.coming_cycle(cycles.of_community(services.profile.current), today)
    from_poll = t("meetings.plan.from_poll", line="").strip()
    if period.contains(summary.next_meeting_on):
        # The first month of a cycle: the demo's meeting to come is in it, and the demo's
        # availability poll (dates from a week after it) gives the committees' next dates.
        existing = _section(plan, t.plural("meetings.plan.existing", 1))
        assert len(existing) == 1
        assert "la détresse des soignants" in existing[0]
        assert len(proposed) == 7
        assert from_poll in proposed[0]
    else:  # the next cycle: nothing of the demo in it, every meeting of the profile proposed
        assert len(proposed) == 8
        assert not _has(proposed, from_poll)
