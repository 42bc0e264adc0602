"""Ad hoc supervision through the bot's HTTP endpoint, as Teams drives it: the request (fr, en),
the guard, the chat kind, routing to an animateur and a resource person, first accept wins,
the chat link, the reminder then the consent to offer it as a case, cancel, tampered data,
« mes données » and erasure."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cards.i18n import Translator
from cards.supervision import SupervisionVerb
from dialogs.meetings.queries import meeting_repository
from dialogs.onboarding.queries import profile_repository
from dialogs.supervision import jobs, queries, routes, rules
from dialogs.supervision.repositories import supervision_repository
from dialogs.topics.queries import case_repository
from storage.meeting_repository import Meeting
from storage.profile_repository import MemberProfile
from storage.supervision_repository import SupervisionRequest
from storage.times import parse_utc, utc_iso
from tests.card_walk import nodes
from tests.dialogs.topics.conftest import (
    ANIMATEUR_AAD,
    CHANNEL,
    MEMBER_AAD,
    SECOND_AAD,
    THIRD_AAD,
    BotHttp,
    actions,
    card,
    card_of,
    click,
    data_files,
    inputs,
    message,
    personal,
    say,
    services_of,
    texts,
)

FR = Translator("fr-CA")
EN = Translator("en")
pytestmark = pytest.mark.integration

REQUEST = {
    "title": "Proche aidant épuisé qui refuse le répit",
    "context": "Un homme âgé soigne son épouse à domicile depuis deux ans et refuse toute aide.",
    "question": "Comment ouvrir la discussion sur le répit sans le braquer ?",
    "urgency": "today",
    "themes": "proches aidants",
}
JULIEN_EMAIL = "julien.pelletier@cisss-mc.example"
MARC_ANDRE_AAD = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e02"  # the other animateur, never seen


HEADINGS = {
    t(key)
    for t in (FR, EN)
    for key in (
        "supervision.offer.title",
        "supervision.offer.reminder_title",
        "supervision.request.heading",
    )
}


def inbox_of(http: BotHttp, aad: str) -> list[dict[str, Any]]:
    """The supervision cards the bot sent on its own to that person, in their 1:1 chat."""
    found = [card_of(a) for a in http.replies(personal(aad)) if a.get("attachments")]
    return [c for c in found if c["body"][0].get("text") in HEADINGS]


async def flush(http: BotHttp) -> None:
    async with asyncio.timeout(5):
        await services_of(http).messenger.flush()  # type: ignore[attr-defined]


async def resource_persons(http: BotHttp) -> None:
    """Julien offers supervision on caregivers; Nadia on grief only. Both talked to Veilleuse
    (so it can reach them), as did the animateur Isabelle."""
    for aad in (SECOND_AAD, THIRD_AAD, ANIMATEUR_AAD):
        await say(http, "aide", aad=aad)
    profiles = profile_repository(services_of(http))
    await profiles.save(
        MemberProfile(
            SECOND_AAD,
            name="Julien Pelletier",
            email=JULIEN_EMAIL,
            expertise=("Proches aidants", "soins palliatifs"),
            resource_person=True,
        )
    )
    await profiles.save(
        MemberProfile(THIRD_AAD, name="Nadia Bouchard", expertise=("deuil",), resource_person=True)
    )


async def ask(
    http: BotHttp, values: dict[str, Any], aad: str = MEMBER_AAD, locale: str = "fr-CA"
) -> dict[str, Any]:
    """``supervision``, then « Envoyer la demande »: returns the invoke body."""
    form = card_of(await say(http, "supervision", aad=aad, locale=locale))
    [send] = actions(form, SupervisionVerb.submit)
    return await click(
        http, SupervisionVerb.submit, {**send, **inputs(form), **values}, aad=aad, locale=locale
    )


async def stored(http: BotHttp) -> list[SupervisionRequest]:
    return await supervision_repository(services_of(http)).all()


def urls(card_: dict[str, Any]) -> list[str]:
    return [n["url"] for n in nodes(card_) if n.get("type") == "Action.OpenUrl"]


async def test_a_request_reaches_the_animateur_and_the_right_resource_person_first_wins(
    bot_http: BotHttp,
) -> None:
    await resource_persons(bot_http)
    sent = card(await ask(bot_http, REQUEST))
    assert FR("supervision.notice.sent") in texts(sent)
    [request] = await stored(bot_http)
    assert (request.urgency, request.themes, request.status) == (
        "today",
        ("proches aidants",),
        "open",
    )
    assert set(request.routed_to) == {ANIMATEUR_AAD, MARC_ANDRE_AAD, SECOND_AAD}  # not Nadia
    scheduler = services_of(bot_http).jobs
    assert jobs.remind_job_id(request.id) in scheduler.job_ids()  # type: ignore[attr-defined]

    await flush(bot_http)
    [julien_card] = inbox_of(bot_http, SECOND_AAD)
    [isabelle_card] = inbox_of(bot_http, ANIMATEUR_AAD)
    assert inbox_of(bot_http, THIRD_AAD) == []
    assert REQUEST["question"] in texts(julien_card)
    # « Aujourd'hui » alone read as the day it was sent (the reminder comes later): it is
    # labelled as the urgency the requester chose.
    urgency = FR("supervision.urgency.today")
    assert FR("supervision.offer.meta", name="Sophie Bergeron", urgency=urgency) in texts(
        julien_card
    )
    assert "Pour quand" in FR("supervision.offer.meta", name="x", urgency=urgency)
    assert FR("supervision.action.accept") in texts(isabelle_card)

    # Julien clicks first: it is his; the requester is told, with a chat link to him.
    [accept] = actions(julien_card, SupervisionVerb.accept)
    mine = card(await click(bot_http, SupervisionVerb.accept, accept, aad=SECOND_AAD))
    assert FR("supervision.notice.accepted") in texts(mine)
    assert FR("supervision.offer.mine") in texts(mine)
    assert urls(mine) == [f"https://teams.microsoft.com/l/chat/0/0?users={MEMBER_AAD}"]
    # Isabelle clicks after: already taken, by whom; nothing changes.
    [late] = actions(isabelle_card, SupervisionVerb.accept)
    taken = card(await click(bot_http, SupervisionVerb.accept, late, aad=ANIMATEUR_AAD))
    assert FR("supervision.notice.already_taken") in texts(taken)
    assert FR("supervision.offer.taken_by", name="Julien Pelletier") in texts(taken)
    assert actions(taken, SupervisionVerb.accept) == []
    [after] = await stored(bot_http)
    assert (after.status, after.taker_key) == ("taken", SECOND_AAD)
    # Isabelle's card, sent before, shows who took it when she looks at it again (refresh).
    refresh = isabelle_card["refresh"]
    assert (refresh["action"]["verb"], refresh["userIds"]) == (
        SupervisionVerb.view,
        [f"29:{ANIMATEUR_AAD}"],
    )
    seen = card(
        await click(bot_http, SupervisionVerb.view, refresh["action"]["data"], aad=ANIMATEUR_AAD)
    )
    assert FR("supervision.offer.taken_by", name="Julien Pelletier") in texts(seen)
    assert actions(seen, SupervisionVerb.accept) == []
    stranger = await click(bot_http, SupervisionVerb.view, refresh["action"]["data"], aad=THIRD_AAD)
    assert message(stranger) == FR("supervision.errors.not_for_you")
    # A double click of Julien's changes nothing either.
    again = card(await click(bot_http, SupervisionVerb.accept, accept, aad=SECOND_AAD))
    assert FR("supervision.offer.mine") in texts(again)
    assert (await stored(bot_http))[0].taken_at == after.taken_at

    await flush(bot_http)
    [told] = inbox_of(bot_http, MEMBER_AAD)
    assert FR("supervision.request.taken_by", name="Julien Pelletier") in texts(told)
    assert urls(told) == [f"https://teams.microsoft.com/l/chat/0/0?users={JULIEN_EMAIL}"]
    assert jobs.remind_job_id(request.id) not in scheduler.job_ids()  # type: ignore[attr-defined]

    stats = await queries.stats(
        services_of(bot_http),
        services_of(bot_http).clock() - timedelta(days=1),
        services_of(bot_http).clock() + timedelta(days=1),
    )
    assert (stats.requests, stats.taken, stats.outcomes["taken"]) == (1, 1, 1)
    assert stats.median_hours_to_answer is not None


async def test_the_request_in_english_with_no_resource_person(bot_http: BotHttp) -> None:
    await say(bot_http, "help", aad=ANIMATEUR_AAD, locale="en")
    await bot_http.choose_language(MEMBER_AAD, "en")
    form = card_of(await say(bot_http, "supervision", locale="en"))
    assert EN("supervision.form.title") in texts(form)
    assert EN("supervision.urgency.meeting") in texts(form)
    body = await ask(bot_http, {**REQUEST, "urgency": "week", "themes": "grief"}, locale="en")
    assert EN("supervision.notice.sent_animateurs_only") in texts(card(body))
    [request] = await stored(bot_http)
    assert request.routed_to == (ANIMATEUR_AAD, MARC_ANDRE_AAD)


async def test_the_guard_refuses_identifying_text_and_stores_nothing(bot_http: BotHttp) -> None:
    identifying = {**REQUEST, "context": "Mme Tremblay, NAM TREM 5203 1512, refuse le répit."}
    refused = card(await ask(bot_http, identifying))
    shown = texts(refused)
    assert FR("supervision.finding.intro") in shown
    assert any("TREM 5203 1512" in line for line in shown)  # what to remove
    assert await stored(bot_http) == []
    assert inputs(refused)["context"] == identifying["context"]  # to edit, not retype


async def test_only_in_a_personal_chat(bot_http: BotHttp) -> None:
    reply = await say(bot_http, "supervision", conversation=CHANNEL)
    assert reply["text"] == FR("supervision.errors.personal_only")
    body = await click(bot_http, SupervisionVerb.submit, REQUEST, conversation=CHANNEL)
    assert message(body) == FR("supervision.errors.personal_only")
    assert await stored(bot_http) == []


async def test_unanswered_request_is_reminded_then_offered_as_a_case(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    await resource_persons(bot_http)
    await ask(bot_http, REQUEST)
    [request] = await stored(bot_http)
    planned = {job.id for job in await routes.plan_jobs(services, services.clock())}
    assert planned == {jobs.remind_job_id(request.id), jobs.ask_job_id(request.id)}
    await flush(bot_http)

    start = services.clock()
    services.clock = lambda: start + timedelta(hours=3)
    assert await jobs.run_reminder(services, request.id) == 1  # the animateur only
    assert await jobs.run_reminder(services, request.id) == 0  # once
    await flush(bot_http)
    reminder = inbox_of(bot_http, ANIMATEUR_AAD)[-1]
    assert FR("supervision.offer.reminder_title") in texts(reminder)
    assert len(inbox_of(bot_http, SECOND_AAD)) == 1  # resource persons are not reminded

    services.clock = lambda: start + timedelta(hours=6)
    assert await jobs.run_ask(services, request.id) == 1
    assert await jobs.run_ask(services, request.id) == 0
    await flush(bot_http)
    [question] = inbox_of(bot_http, MEMBER_AAD)
    assert FR("supervision.request.ask") in texts(question)
    assert await routes.plan_jobs(services, services.clock()) == []

    # Someone else cannot answer for the requester.
    yes = next(a for a in actions(question, SupervisionVerb.consent) if a["answer"] == "yes")
    refused = await click(bot_http, SupervisionVerb.consent, yes, aad=SECOND_AAD)
    assert message(refused) == FR("supervision.errors.not_yours")
    offered = card(await click(bot_http, SupervisionVerb.consent, yes))
    assert FR("supervision.notice.offered") in texts(offered)
    [case] = await case_repository(services).all()
    assert (case.title, case.question, case.wishes, case.submitter_key, case.status) == (
        REQUEST["title"],
        REQUEST["question"],
        ("supervision",),
        MEMBER_AAD,
        "submitted",
    )
    [after] = await stored(bot_http)
    assert (after.status, after.case_id) == ("offered", case.id)
    # A second click makes no second case; a late « Je m'en occupe » finds it closed.
    await click(bot_http, SupervisionVerb.consent, yes)
    assert len(await case_repository(services).all()) == 1
    closed = card(
        await click(bot_http, SupervisionVerb.accept, {"request_id": after.id}, aad=SECOND_AAD)
    )
    assert FR("supervision.offer.closed") in texts(closed)
    mine = card_of(await say(bot_http, "mes cas"))
    assert REQUEST["title"] in texts(mine)


async def test_declining_the_offer_closes_it(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    await ask(bot_http, REQUEST)
    [request] = await stored(bot_http)
    no = {"request_id": request.id, "answer": "no"}
    early = card(await click(bot_http, SupervisionVerb.consent, no))  # not asked yet: unchanged
    assert FR("supervision.request.status.open") in texts(early)
    await jobs.run_ask(services, request.id)
    declined = card(await click(bot_http, SupervisionVerb.consent, no))
    assert FR("supervision.notice.declined") in texts(declined)
    assert (await stored(bot_http))[0].status == "expired"
    assert await case_repository(services).all() == []
    # An animateur clicking « Je m'en occupe » afterwards reads why it is closed, the
    # requester's « non merci » included (it used to list only « annulée » or « proposée »).
    late = card(
        await click(bot_http, SupervisionVerb.accept, {"request_id": request.id}, aad=ANIMATEUR_AAD)
    )
    assert FR("supervision.offer.closed") in texts(late)
    assert "close par la personne" in FR("supervision.offer.closed")
    assert "closed by the person" in EN("supervision.offer.closed")
    assert (await stored(bot_http))[0].status == "expired"


async def test_a_resource_person_s_own_request_is_not_routed_to_them(bot_http: BotHttp) -> None:
    await resource_persons(bot_http)
    body = await ask(bot_http, REQUEST, aad=SECOND_AAD)  # Julien, resource person for caregivers
    [request] = await stored(bot_http)
    assert SECOND_AAD not in request.routed_to
    # The notice says no OTHER resource person is registered (Julien is one for these themes).
    assert FR("supervision.notice.sent_animateurs_only") in texts(card(body))
    assert "aucune autre personne-ressource" in FR("supervision.notice.sent_animateurs_only")


async def test_the_requester_cancels(bot_http: BotHttp) -> None:
    await resource_persons(bot_http)
    sent = card(await ask(bot_http, REQUEST))
    [cancel] = actions(sent, SupervisionVerb.cancel)
    # Only the requester; the form lists it too.
    refused = await click(bot_http, SupervisionVerb.cancel, cancel, aad=SECOND_AAD)
    assert message(refused) == FR("supervision.errors.not_yours")
    form = card_of(await say(bot_http, "supervision"))
    assert actions(form, SupervisionVerb.cancel) == [cancel]
    done = card(await click(bot_http, SupervisionVerb.cancel, cancel))
    assert FR("supervision.notice.cancelled") in texts(done)
    [request] = await stored(bot_http)
    assert request.status == "cancelled"
    assert await routes.plan_jobs(services_of(bot_http), services_of(bot_http).clock()) == []
    late = card(await click(bot_http, SupervisionVerb.accept, cancel, aad=SECOND_AAD))
    assert FR("supervision.offer.closed") in texts(late)
    assert (await stored(bot_http))[0].status == "cancelled"


async def test_tampered_data_and_people_it_was_not_sent_to(bot_http: BotHttp) -> None:
    await resource_persons(bot_http)
    for verb, data in (
        (SupervisionVerb.submit, {**REQUEST, "urgency": "yesterday"}),
        (SupervisionVerb.submit, {**REQUEST, "title": ["x"]}),
        (SupervisionVerb.accept, {"request_id": "../../etc"}),
        (SupervisionVerb.accept, {}),
        (SupervisionVerb.cancel, {"request_id": 42}),
        (SupervisionVerb.consent, {"request_id": "abc", "answer": "maybe"}),
    ):
        assert message(await click(bot_http, verb, data)) == FR("errors.bad_card_data")
    missing = await click(bot_http, SupervisionVerb.accept, {"request_id": "abc123"})
    assert message(missing) == FR("supervision.errors.not_found")
    assert await stored(bot_http) == []

    await ask(bot_http, REQUEST)
    [request] = await stored(bot_http)
    ref = {"request_id": request.id}
    # Nadia was not routed (grief only), the requester cannot take their own request.
    for aad in (THIRD_AAD, MEMBER_AAD):
        body = await click(bot_http, SupervisionVerb.accept, ref, aad=aad)
        assert message(body) == FR("supervision.errors.not_for_you")
    assert (await stored(bot_http))[0].status == "open"


async def test_my_data_shows_requests_and_erasure_removes_them(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    await resource_persons(bot_http)
    await ask(bot_http, REQUEST)
    [request] = await stored(bot_http)
    await click(bot_http, SupervisionVerb.accept, {"request_id": request.id}, aad=SECOND_AAD)

    data = await routes.member_data(services, MEMBER_AAD)
    [mine] = data["supervision_requests"]
    assert (mine["supervision_title"], mine["supervision_status"]) == (REQUEST["title"], "taken")
    taker = await routes.member_data(services, SECOND_AAD)
    assert taker["supervision_taken"][0]["supervision_title"] == REQUEST["title"]
    shown = texts(card_of(await say(bot_http, "mes données")))
    assert FR("mydata.section.supervision_requests") in shown
    assert FR("mydata.value.supervision_status.taken") in shown

    # The resource person erases: the request keeps its counts, not their name.
    body = await click(bot_http, "onboarding.erase_my_data", {"confirm": "yes"}, aad=SECOND_AAD)
    assert FR("onboarding.erase.done") in texts(card(body))
    [kept] = await stored(bot_http)
    assert (kept.status, kept.taker_key, kept.taker_name) == ("taken", "", "")
    # The requester erases: no text, no identity left; the counts stay.
    await click(bot_http, "onboarding.erase_my_data", {"confirm": "yes"})
    assert await routes.member_data(services, MEMBER_AAD) == {}
    [kept] = await stored(bot_http)
    assert (kept.title, kept.context, kept.question, kept.requester_name) == ("", "", "", "")
    for path, content in data_files(bot_http).items():
        if path.name.startswith("supervision"):
            for secret in (MEMBER_AAD, SECOND_AAD, "Sophie Bergeron", "Julien Pelletier"):
                assert secret not in content
            assert REQUEST["context"] not in content


async def test_the_resource_person_option_is_a_profile_toggle(bot_http: BotHttp) -> None:
    """Julien turns the option on in ``profil``: requests on his expertise now reach him."""
    form = card_of(await say(bot_http, "profil", aad=SECOND_AAD))
    assert inputs(form)["resource_person"] == "false"
    values = {
        **inputs(form),
        "discipline": "social_worker",
        "institution": "CLSC Samuel-de-Champlain",
        "institution_kind": "clsc",
        "committees": "clsc",
        "expertise": "Proches aidants",
        "locale": "fr-CA",
        "resource_person": "true",
    }
    # Without any expertise no request could ever reach him: the form says so.
    empty = {**values, "expertise": ""}
    again = card(await click(bot_http, "onboarding.review_profile", empty, aad=SECOND_AAD))
    assert FR("onboarding.profile.error.needed_for_resource_person") in texts(again)
    assert actions(again, "onboarding.save_profile") == []
    review = card(await click(bot_http, "onboarding.review_profile", values, aad=SECOND_AAD))
    assert FR("onboarding.profile.resource_person_yes") in texts(review)
    [confirm] = actions(review, "onboarding.save_profile")
    await click(bot_http, "onboarding.save_profile", confirm, aad=SECOND_AAD)
    saved = await profile_repository(services_of(bot_http)).get(SECOND_AAD)
    assert saved is not None
    assert saved.resource_person

    await ask(bot_http, REQUEST)
    [request] = await stored(bot_http)
    assert SECOND_AAD in request.routed_to
    data = await routes.member_data(services_of(bot_http), SECOND_AAD)
    assert data == {}  # routing to him is not data about him; taking it would be


async def test_next_meeting_urgency_is_timed_on_the_meeting_and_the_case_asks_for_it(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    start = (services.clock() + timedelta(days=10)).replace(microsecond=0)
    await meeting_repository(services).save(
        Meeting("m1", "Rencontre CLSC", ("clsc",), start, start + timedelta(hours=3), "virtuel")
    )
    await ask(bot_http, {**REQUEST, "urgency": "meeting"})
    [request] = await stored(bot_http)
    due = rules.deadlines("meeting", parse_utc(request.created_at), services.timezone, start)
    assert (request.meeting_id, request.remind_at, request.ask_at) == (
        "m1",
        utc_iso(due.remind_at),
        utc_iso(due.ask_at),
    )
    assert due.ask_at < start
    await jobs.run_ask(services, request.id)
    await click(bot_http, SupervisionVerb.consent, {"request_id": request.id, "answer": "yes"})
    [case] = await case_repository(services).all()
    assert case.desired_meeting_id == "m1"
