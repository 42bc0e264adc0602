"""The library's curation through the bot's HTTP endpoint, as Teams drives it: validation by the
animateurs (on and off), refusal with a reason, « essentiel » in the welcome dossier, resources
attached to a topic and to a meeting's agenda slot (shown on their cards), the weekly digest,
roles, tampered card data, French and English."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards.i18n import Translator
from cards.library import LibraryVerb
from cards.topics import TopicVerb
from dialogs.library import jobs, routes
from dialogs.library.repositories import resource_repository
from dialogs.meetings import views as meeting_views
from dialogs.meetings.queries import meeting_repository
from dialogs.topics.repositories import topic_repository
from storage.community import example_text
from storage.meeting_repository import AgendaEntry, Meeting
from storage.resource_repository import Resource
from storage.topic_repository import Topic
from tests.bot.conftest import ANIMATEUR_AAD
from tests.card_walk import texts_of
from tests.dialogs.library.test_http import TOOL, share, stored
from tests.dialogs.topics.conftest import (
    CHANNEL,
    MEMBER_AAD,
    SECOND_AAD,
    BotHttp,
    actions,
    card,
    card_of,
    click,
    message,
    personal,
    say,
    services_of,
    texts,
)

FR = Translator("fr-CA")
EN = Translator("en")
pytestmark = pytest.mark.integration


async def validation(http: BotHttp, on: bool) -> None:
    """Set ``[library] validation`` in the community profile, then « recharger »."""
    value = "true" if on else "false"
    text = example_text().replace("validation = false", f"validation = {value}")
    (http.data_dir / "community.toml").write_text(text, "utf-8")
    await say(http, FR("command.reload.word"), aad=ANIMATEUR_AAD)
    assert services_of(http).profile.current.library_validation is on


async def flush(http: BotHttp) -> None:
    async with asyncio.timeout(5):
        await services_of(http).messenger.flush()  # type: ignore[attr-defined]


def all_texts(http: BotHttp, conversation: str) -> list[str]:
    """Every text of every card and message the bot sent to that conversation."""
    found: list[str] = []
    for activity in http.replies(conversation):
        if activity.get("text"):
            found.append(str(activity["text"]))
        for attachment in activity.get("attachments") or []:
            found.extend(texts_of(attachment["content"]))
    return found


async def test_with_validation_a_member_share_waits_for_an_animateur(bot_http: BotHttp) -> None:
    await say(bot_http, "aide", aad=ANIMATEUR_AAD)  # the animateur has a chat with Veilleuse
    await validation(bot_http, True)
    form = card_of(await say(bot_http, FR("command.resource.word")))
    assert FR("library.form.intro_pending") in texts(form)

    body = await share(bot_http, TOOL)
    assert FR("library.notice.pending") in texts(card(body))
    assert TOOL["title"] not in texts(card(body))  # not listed
    # ...and the empty library does not say « aucune ressource ne correspond, partagez-en une »
    # right after the member shared one.
    assert FR("library.list.empty") not in texts(card(body))
    [waiting] = await stored(bot_http)
    assert (waiting.status, waiting.listed_at) == ("pending", "")
    found = card_of(await say(bot_http, "ressources détresse", aad=SECOND_AAD))
    assert TOOL["title"] not in texts(found)
    # « Utile » on a pending resource (tampered card) changes nothing.
    await click(bot_http, LibraryVerb.useful, {"resource_id": waiting.id, "query": ""})
    assert (await stored(bot_http))[0].useful_by == ()

    # The animateur got a card in their 1:1 chat, with « Valider ».
    await flush(bot_http)
    review = card_of(bot_http.replies(personal(ANIMATEUR_AAD))[-1])
    assert FR("library.notice.new_pending") in texts(review)
    assert TOOL["title"] in texts(review)
    [approve] = actions(review, LibraryVerb.approve)

    # Members may neither list nor validate what waits.
    refused = await say(bot_http, FR("command.resources.pending.word"), aad=SECOND_AAD)
    assert refused["text"] == FR("errors.forbidden")
    assert message(await click(bot_http, LibraryVerb.approve, approve, aad=SECOND_AAD)) == FR(
        "errors.forbidden"
    )
    queue = card_of(await say(bot_http, FR("command.resources.pending.word"), aad=ANIMATEUR_AAD))
    assert TOOL["title"] in texts(queue)

    done = card(await click(bot_http, LibraryVerb.approve, approve, aad=ANIMATEUR_AAD))
    assert FR("library.notice.approved") in texts(done)
    assert FR("library.review.empty") in texts(done)
    [listed] = await stored(bot_http)
    assert listed.status == "listed"
    assert listed.listed_at
    found = card_of(await say(bot_http, "ressources détresse", aad=SECOND_AAD))
    assert TOOL["title"] in texts(found)
    await flush(bot_http)
    told = FR("library.review.approved", title=TOOL["title"])
    assert bot_http.connector.texts().count(told) == 1

    # A second click (the other animateur's stale card) changes nothing and tells no one.
    again = card(await click(bot_http, LibraryVerb.approve, approve, aad=ANIMATEUR_AAD))
    assert FR("library.notice.already_reviewed") in texts(again)
    await flush(bot_http)
    assert bot_http.connector.texts().count(told) == 1


async def test_an_animateur_share_is_listed_at_once_even_with_validation(
    bot_http: BotHttp,
) -> None:
    await validation(bot_http, True)
    body = await share(bot_http, TOOL, aad=ANIMATEUR_AAD)
    assert FR("library.notice.shared") in texts(card(body))
    [saved] = await stored(bot_http)
    assert saved.status == "listed"


async def test_refusal_with_a_reason_reaches_the_sharer_in_their_language(
    bot_http: BotHttp,
) -> None:
    await validation(bot_http, True)
    await bot_http.choose_language(SECOND_AAD, "en")
    body = await share(bot_http, {**TOOL, "title": "Grief toolkit"}, aad=SECOND_AAD, locale="en")
    assert EN("library.notice.pending") in texts(card(body))
    [waiting] = await stored(bot_http)
    queue = card_of(await say(bot_http, FR("command.resources.pending.word"), aad=ANIMATEUR_AAD))
    [refuse] = actions(queue, LibraryVerb.refuse)
    assert refuse == {"verb": LibraryVerb.refuse, "resource_id": waiting.id}

    # A reason naming a patient is refused by the guard; nothing changes, nothing is kept.
    identifying = "Déjà utilisé avec Mme Tremblay, NAM TREM 5203 1512"
    answer = await click(
        bot_http,
        LibraryVerb.refuse,
        {**refuse, f"reason_{waiting.id}": identifying},
        aad=ANIMATEUR_AAD,
    )
    assert message(answer) == FR("library.errors.refused_reason_identifying")
    assert (await stored(bot_http))[0].status == "pending"

    done = await click(
        bot_http,
        LibraryVerb.refuse,
        {**refuse, f"reason_{waiting.id}": "Lien brisé"},
        aad=ANIMATEUR_AAD,
    )
    assert FR("library.notice.refused") in texts(card(done))
    [refused] = await stored(bot_http)
    assert (refused.status, refused.refused_reason) == ("refused", "Lien brisé")
    await flush(bot_http)
    expected = EN("library.review.refused", title="Grief toolkit", reason="Lien brisé")
    assert expected in bot_http.connector.texts()
    found = card_of(await say(bot_http, "resources grief", aad=SECOND_AAD, locale="en"))
    assert "Grief toolkit" not in texts(found)

    # « mes données » shows it refused, with the reason.
    data = await routes.member_data(services_of(bot_http), SECOND_AAD)
    [shared] = data["resources_shared"]
    assert (shared["resource_status"], shared["resource_refused_reason"]) == (
        "refused",
        "Lien brisé",
    )


async def test_tampered_card_data_is_refused_and_changes_nothing(bot_http: BotHttp) -> None:
    await share(bot_http, TOOL)
    [saved] = await stored(bot_http)
    bad = FR("errors.bad_card_data")
    cases: list[tuple[str, dict[str, Any], str]] = [
        (LibraryVerb.approve, {"resource_id": 12}, bad),
        (LibraryVerb.approve, {"resource_id": "x" * 80}, bad),
        (LibraryVerb.approve, {"resource_id": "nope"}, FR("library.errors.not_found")),
        (LibraryVerb.refuse, {"resource_id": saved.id, f"reason_{saved.id}": ["x"]}, bad),
        (LibraryVerb.essential, {"resource_id": saved.id, "essential": "yes"}, bad),
        (LibraryVerb.attach, {"resource_id": saved.id, "field": "other"}, bad),
        (LibraryVerb.attach, {"resource_id": saved.id, "field": "topic_target"}, bad),
        (
            LibraryVerb.attach,
            {"resource_id": saved.id, "field": "topic_target", "topic_target": "meeting:m:09:00"},
            FR("library.errors.target_gone"),
        ),
        (
            LibraryVerb.attach,
            {"resource_id": saved.id, "field": "slot_target", "slot_target": "meeting:zz:09:00"},
            FR("library.errors.target_gone"),
        ),
        (LibraryVerb.detach, {"resource_id": saved.id, "target": "poll:1"}, bad),
    ]
    for verb, data, expected in cases:
        assert message(await click(bot_http, verb, data, aad=ANIMATEUR_AAD)) == expected, data
    assert await stored(bot_http) == [saved]


async def test_essentials_are_marked_by_animateurs_and_linked_from_the_welcome_dossier(
    bot_http: BotHttp,
) -> None:
    await share(bot_http, TOOL)
    [saved] = await stored(bot_http)
    welcome = card_of(await say(bot_http, FR("command.welcome.word"), aad=SECOND_AAD))
    assert FR("onboarding.welcome.essentials") not in texts(welcome)

    as_member = card_of(await say(bot_http, "ressources détresse", aad=SECOND_AAD))
    assert actions(as_member, LibraryVerb.essential) == []  # no button for members
    as_animateur = card_of(await say(bot_http, "ressources détresse", aad=ANIMATEUR_AAD))
    [mark] = actions(as_animateur, LibraryVerb.essential)
    assert mark["essential"] is True
    forbidden = await click(bot_http, LibraryVerb.essential, mark, aad=SECOND_AAD)
    assert message(forbidden) == FR("errors.forbidden")

    marked = card(await click(bot_http, LibraryVerb.essential, mark, aad=ANIMATEUR_AAD))
    assert FR("library.notice.essential_on") in texts(marked)
    assert any(FR("library.list.essential") in text for text in texts(marked))
    assert (await stored(bot_http))[0].essential is True

    only = card_of(await say(bot_http, "ressources essentiels", aad=SECOND_AAD))
    assert TOOL["title"] in texts(only)
    welcome = card_of(await say(bot_http, FR("command.welcome.word"), aad=SECOND_AAD))
    shown = texts(welcome)
    assert FR("onboarding.welcome.essentials") in shown
    assert f"[{TOOL['title']}]({TOOL['url']})" in shown
    await bot_http.choose_language(SECOND_AAD, "en")
    welcome = card_of(await say(bot_http, "welcome", aad=SECOND_AAD, locale="en"))
    assert EN("onboarding.welcome.essentials") in texts(welcome)

    [unmark] = actions(marked, LibraryVerb.essential)
    assert unmark["essential"] is False
    card(await click(bot_http, LibraryVerb.essential, unmark, aad=ANIMATEUR_AAD))
    assert (await stored(bot_http))[0].essential is False
    welcome = card_of(await say(bot_http, FR("command.welcome.word"), aad=MEMBER_AAD))
    assert FR("onboarding.welcome.essentials") not in texts(welcome)
    none = card_of(await say(bot_http, "resources essential", aad=MEMBER_AAD, locale="en"))
    assert TOOL["title"] not in texts(none)
    assert saved.id


async def _topic(http: BotHttp) -> Topic:
    topic = Topic(
        id="t1",
        title="Accompagner les adolescents endeuillés",
        description="Repères pour les intervenants.",
        kind="formatif",
        presenter="",
        proposer_key=SECOND_AAD,
        proposer_name="Julien Pelletier",
        created_at="2024-04-02T14:00:00+00:00",
    )
    await topic_repository(services_of(http)).add(topic)
    return topic


async def test_a_resource_is_attached_to_a_topic_and_shown_on_its_card(bot_http: BotHttp) -> None:
    topic = await _topic(bot_http)
    await share(bot_http, TOOL)
    listed = card_of(await say(bot_http, "ressources détresse"))
    [open_form] = actions(listed, LibraryVerb.attach_form)  # the sharer may attach it
    other = card_of(await say(bot_http, "ressources détresse", aad=SECOND_AAD))
    assert actions(other, LibraryVerb.attach_form) == []
    refused = await click(bot_http, LibraryVerb.attach_form, open_form, aad=SECOND_AAD)
    assert message(refused) == FR("library.errors.not_allowed")

    form = card(await click(bot_http, LibraryVerb.attach_form, open_form))
    assert FR("library.attach.no_slot") in texts(form)
    [attach] = actions(form, LibraryVerb.attach)
    done = card(await click(bot_http, LibraryVerb.attach, {**attach, "topic_target": "topic:t1"}))
    assert FR("library.notice.attached") in texts(done)
    assert FR("library.attach.topic_line", title=topic.title) in texts(done)
    twice = card(await click(bot_http, LibraryVerb.attach, {**attach, "topic_target": "topic:t1"}))
    assert FR("library.notice.already_attached") in texts(twice)

    detail = card(await click(bot_http, TopicVerb.detail, {"topic_id": "t1"}, aad=SECOND_AAD))
    assert FR("topics.detail.resources") in texts(detail)
    assert f"[{TOOL['title']}]({TOOL['url']})" in texts(detail)

    [detach] = actions(done, LibraryVerb.detach)
    removed = card(await click(bot_http, LibraryVerb.detach, detach))
    assert FR("library.notice.detached") in texts(removed)
    [back] = actions(removed, LibraryVerb.browse)
    assert TOOL["title"] in texts(card(await click(bot_http, LibraryVerb.browse, back)))
    detail = card(await click(bot_http, TopicVerb.detail, {"topic_id": "t1"}, aad=SECOND_AAD))
    assert FR("topics.detail.resources") not in texts(detail)


async def test_a_resource_is_attached_to_a_meeting_slot_and_shown_on_its_card(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    start = (services.clock() + timedelta(days=10)).replace(hour=13, minute=0, microsecond=0)
    meeting = Meeting(
        id="m1",
        title="Journée du comité des CLSC",
        committee_ids=("clsc",),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        mode="hybride",
        agenda=(
            AgendaEntry("09:00", "09:30", "accueil", ""),
            AgendaEntry("13:30", "15:00", "atelier_conference", "Soins palliatifs à domicile"),
        ),
        card_conversation_id=CHANNEL,
        card_activity_id="activity-card-m1",
    )
    await meeting_repository(services).save(meeting)
    await say(bot_http, "aide", conversation=CHANNEL)  # the bot knows the channel (its card's)
    await share(bot_http, TOOL)
    listed = card_of(await say(bot_http, "ressources détresse", aad=ANIMATEUR_AAD))
    [open_form] = actions(listed, LibraryVerb.attach_form)  # animateurs attach any resource
    form = card(await click(bot_http, LibraryVerb.attach_form, open_form, aad=ANIMATEUR_AAD))
    assert FR("library.attach.no_topic") in texts(form)
    [attach] = actions(form, LibraryVerb.attach)
    chosen = {**attach, "field": "slot_target", "slot_target": "meeting:m1:13:30"}
    done = card(await click(bot_http, LibraryVerb.attach, chosen, aad=ANIMATEUR_AAD))
    assert FR("library.notice.attached") in texts(done)
    [saved] = await stored(bot_http)
    assert [a.code for a in saved.attachments] == ["meeting:m1:13:30"]
    assert saved.attachments[0].slot_title == "Soins palliatifs à domicile"
    # A slot the agenda does not have is refused.
    wrong = {**chosen, "slot_target": "meeting:m1:10:00"}
    assert message(await click(bot_http, LibraryVerb.attach, wrong, aad=ANIMATEUR_AAD)) == FR(
        "library.errors.target_gone"
    )

    line = FR(
        "library.section.line",
        time="13 h 30",
        slot="Soins palliatifs à domicile",
        title=TOOL["title"],
    )
    shown = texts_of(await meeting_views.shared_card(services, meeting))
    assert FR("library.section.agenda") in shown
    assert any(line in text for text in shown)
    # The channel card was redrawn in place (on_agenda_changed).
    await flush(bot_http)
    redrawn = bot_http.connector.updated["activity-card-m1"][-1]
    assert any(line in text for text in texts_of(redrawn["attachments"][0]["content"]))


async def test_weekly_digest_in_the_channel_once_and_only_when_something_was_added(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    monday = datetime(2030, 1, 14, 14, 0, tzinfo=UTC)  # 9 h in Montréal
    [planned] = await routes.plan_jobs(services, monday - timedelta(days=2))
    assert planned.run_at == monday
    assert planned.id == jobs.digest_job_id(monday.date())

    services.clock = lambda: monday - timedelta(days=3)
    await share(bot_http, TOOL)
    # Nothing goes out before the library knows the team's channel.
    services.clock = lambda: monday
    assert await jobs.send_digest(services, monday.date()) == 0
    await say(bot_http, FR("command.resources.word"), conversation=CHANNEL)
    before = len(bot_http.replies(CHANNEL))
    assert await jobs.send_digest(services, monday.date()) == 1
    await flush(bot_http)
    posted = bot_http.replies(CHANNEL)[before:]
    assert len(posted) == 1
    shown = texts_of(posted[0]["attachments"][0]["content"])
    assert FR("library.digest.title") in shown
    assert f"[{TOOL['title']}]({TOOL['url']})" in shown

    # Run again (a restart the same morning): nothing twice.
    assert await jobs.send_digest(services, monday.date()) == 0
    await jobs.run_digest(services, monday.date())
    await flush(bot_http)
    assert len(bot_http.replies(CHANNEL)) == before + 1
    # Veilleuse stopped over the next Monday 9 h: at its start the missed digest runs at once.
    late = monday + timedelta(days=7, hours=3)
    [caught_up] = await routes.plan_jobs(services, late)
    assert caught_up.run_at == late
    # The following week, nothing new: no card.
    next_monday = monday + timedelta(days=7)
    services.clock = lambda: next_monday
    assert await jobs.send_digest(services, next_monday.date()) == 0
    # A resource added that week is in the next digest, alone.
    services.clock = lambda: next_monday + timedelta(days=1)
    await share(bot_http, {**TOOL, "title": "Guide du deuil"})
    third = next_monday + timedelta(days=7)
    services.clock = lambda: third
    assert await jobs.send_digest(services, third.date()) == 1
    await flush(bot_http)
    shown = texts_of(bot_http.replies(CHANNEL)[-1]["attachments"][0]["content"])
    assert FR.plural("library.digest.intro", 1) in shown
    assert f"[{TOOL['title']}]({TOOL['url']})" not in shown


async def test_the_channel_the_bot_is_installed_in_gets_the_digest(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    installed = bot_http.activity(
        None, type="conversationUpdate", membersAdded=[{"id": "28:veilleuse"}], conversation=CHANNEL
    )
    installed["conversation"] = {
        "id": CHANNEL,
        "conversationType": "channel",
        "tenantId": "t1",
        "isGroup": True,
    }
    status, _ = await bot_http.post(installed)
    assert status in (200, 201)
    assert await resource_repository(services).setting("digest_channel") == f"conv:{CHANNEL}"
    greeting = bot_http.replies(CHANNEL)
    assert len(greeting) == 1  # the library never greets: one greeting, the bot's own


async def test_pending_resources_are_not_in_the_digest(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    await validation(bot_http, True)
    await say(bot_http, FR("command.resources.word"), conversation=CHANNEL)
    await share(bot_http, TOOL)
    later = services.clock() + timedelta(days=1)
    services.clock = lambda: later
    assert await jobs.send_digest(services, later.date()) == 0
    resource: Resource = (await resource_repository(services).all())[0]
    assert resource.status == "pending"
