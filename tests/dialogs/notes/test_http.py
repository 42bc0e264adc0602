"""« Ce qu'on retient » through the bot's HTTP endpoint, as Teams drives it: the animateurs'
notes (fr, en), the guard, roles, the meeting card's sections, the archive, the anonymous
takeaways asked once and answered once, follow-up reminders, tampered data, « mes données »."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from cards.i18n import Translator
from cards.notes import NotesVerb
from cards.render import MAX_CARD_BYTES
from dialogs.library.repositories import resource_repository
from dialogs.meetings import views as meeting_views
from dialogs.meetings.queries import meeting_repository
from dialogs.notes import jobs, routes, rules
from dialogs.notes import queries as notes_queries
from dialogs.notes.repositories import notes_repository
from dialogs.onboarding.queries import profile_repository
from storage.profile_repository import MemberProfile
from storage.resource_repository import Resource
from storage.times import utc_iso
from tests.card_walk import nodes, texts_of
from tests.dialogs.notes.conftest import (
    ANIMATEUR_AAD,
    MEMBER_AAD,
    SECOND_AAD,
    THIRD_AAD,
    BotHttp,
    introduce,
    on_roster,
    past_meeting,
    rsvp,
    say,
    services_of,
)
from tests.dialogs.topics.conftest import (
    CHANNEL,
    actions,
    card,
    card_of,
    click,
    data_files,
    inputs,
    message,
)

FR = Translator("fr-CA")
EN = Translator("en")
pytestmark = pytest.mark.integration

NOTES = {
    "key_points": "Repérer la détresse dès le premier contact\nLes proches aidants s'épuisent",
    "decisions": "Une capsule sur le deuil à la prochaine rencontre",
    "resources": "Outil de détection https://publications.msss.gouv.qc.ca/outil-detresse.pdf",
    "fu_text_0": "Préparer la capsule sur le deuil",
    "fu_who_0": rules.member_token(MEMBER_AAD.casefold()),
}


def texts(card_: dict[str, Any]) -> str:
    return "\n".join(texts_of(card_))


async def open_form(http: BotHttp, locale: str = "fr-CA", args: str = "") -> dict[str, Any]:
    word = (FR if locale == "fr-CA" else EN)("command.meeting.notes.word")
    return card_of(await say(http, f"{word} {args}".strip(), aad=ANIMATEUR_AAD, locale=locale))


async def save(
    http: BotHttp, form: dict[str, Any], values: dict[str, Any], locale: str = "fr-CA"
) -> dict[str, Any]:
    [submit] = actions(form, NotesVerb.save)
    return await click(
        http,
        NotesVerb.save,
        {**submit, **inputs(form), **values},
        aad=ANIMATEUR_AAD,
        locale=locale,
    )


async def test_an_animateur_writes_what_we_keep_after_a_meeting(bot_http: BotHttp) -> None:
    meeting = await past_meeting(bot_http)
    await on_roster(bot_http, MEMBER_AAD, SECOND_AAD)
    form = await open_form(bot_http)
    assert FR("notes.form.title") in texts(form)
    assert meeting.title in texts(form)
    who = [n for n in texts_of(form)]
    assert "Sophie Bergeron" in who
    assert "Julien Pelletier" in who
    assert await notes_repository(services_of(bot_http)).get(meeting.id) is None

    shown = card(await save(bot_http, form, {**NOTES, "fu_due_0": "2030-12-01"}))
    assert FR("notes.notice.saved") in texts(shown)
    assert "Repérer la détresse dès le premier contact" in texts(shown)
    assert "Préparer la capsule sur le deuil" in texts(shown)
    assert "Sophie Bergeron" in texts(shown)
    stored = await notes_repository(services_of(bot_http)).get(meeting.id)
    assert stored is not None
    assert stored.resources == (NOTES["resources"],)
    [follow_up] = stored.follow_ups
    assert (follow_up.member_key, follow_up.due_on, follow_up.done) == (
        MEMBER_AAD.casefold(),
        "2030-12-01",
        False,
    )

    # Editing later keeps the follow-up (same id) and its rows.
    [edit] = actions(shown, NotesVerb.edit)
    again = card(await click(bot_http, NotesVerb.edit, edit, aad=ANIMATEUR_AAD))
    assert inputs(again)["fu_text_0"] == "Préparer la capsule sur le deuil"
    await save(bot_http, again, {"decisions": "Deux capsules"})
    edited = await notes_repository(services_of(bot_http)).get(meeting.id)
    assert edited is not None
    assert edited.decisions == "Deux capsules"
    assert [f.id for f in edited.follow_ups] == [follow_up.id]

    # The follow-up reminder is planned for its due day.
    planned = {
        j.id: j
        for j in await routes.plan_jobs(services_of(bot_http), services_of(bot_http).clock())
    }
    job = planned[jobs.follow_up_job_id(meeting.id, follow_up.id)]
    assert (
        job.run_at.astimezone(services_of(bot_http).timezone)
        .isoformat()
        .startswith("2030-12-01T09:00")
    )


async def test_notes_in_english(bot_http: BotHttp) -> None:
    meeting = await past_meeting(bot_http)
    await bot_http.choose_language(ANIMATEUR_AAD, "en")
    form = await open_form(bot_http, locale="en")
    assert EN("notes.form.title") in texts(form)
    shown = card(await save(bot_http, form, {"key_points": "Name distress early"}, locale="en"))
    assert EN("notes.notice.saved") in texts(shown)
    assert EN("notes.view.takeaways_anonymous") in texts(shown)
    assert await notes_repository(services_of(bot_http)).get(meeting.id) is not None


async def test_the_guard_refuses_identifying_notes_and_says_what_to_remove(
    bot_http: BotHttp,
) -> None:
    meeting = await past_meeting(bot_http)
    form = await open_form(bot_http)
    refused = card(
        await save(
            bot_http,
            form,
            {
                "key_points": "Le cas de Mme Tremblay, dossier 4432198",
                "fu_text_0": "",
                "fu_who_0": "",
            },
        )
    )
    assert FR("notes.finding.intro") in texts(refused)
    assert any("Mme Tremblay" in line for line in texts_of(refused))
    assert await notes_repository(services_of(bot_http)).get(meeting.id) is None
    assert not any("4432198" in text for text in data_files(bot_http).values())
    # The text comes back to be corrected, then passes.
    shown = card(await save(bot_http, refused, {"key_points": "Le cas de Mme T., sans dossier"}))
    assert FR("notes.notice.saved") in texts(shown)


async def test_a_member_reads_the_notes_but_cannot_write_them(bot_http: BotHttp) -> None:
    meeting = await past_meeting(bot_http)
    shown = card_of(await say(bot_http, "rencontre notes"))
    assert FR("notes.view.none") in texts(shown)
    assert actions(shown, NotesVerb.edit) == []
    data = {"meeting_id": meeting.id, "rows": 0, "fu_ids": [], "key_points": "x"}
    refused = message(await click(bot_http, NotesVerb.save, data))
    assert refused == FR("errors.forbidden")
    refused = message(await click(bot_http, NotesVerb.edit, {"meeting_id": meeting.id}))
    assert refused == FR("errors.forbidden")
    assert await notes_repository(services_of(bot_http)).get(meeting.id) is None


async def test_notes_wait_for_the_meeting_to_be_over(bot_http: BotHttp) -> None:
    meeting = await past_meeting(bot_http, days_ago=-3)  # in three days
    refused = message(
        await click(bot_http, NotesVerb.open, {"meeting_id": meeting.id}, aad=ANIMATEUR_AAD)
    )
    assert refused == FR("notes.errors.not_past")
    reply = await say(bot_http, "rencontre notes", aad=ANIMATEUR_AAD)
    assert reply["text"] == FR("notes.errors.no_past_meeting")


async def test_sections_on_the_meeting_card_and_the_card_is_redrawn(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    meeting = await past_meeting(bot_http, presenter="Julien Pelletier")
    await on_roster(bot_http, MEMBER_AAD)
    await resource_repository(services).add(
        Resource(
            id="r1",
            title="Le deuil en CHSLD",
            url="https://example.org/deuil-chsld",
            kind="guide",
            themes=("deuil",),
            volet="formatif",
            description="",
            author_key=SECOND_AAD.casefold(),
            author_name="Julien Pelletier",
            created_at=utc_iso(services.clock() - timedelta(days=2)),
        )
    )
    channel_card = texts(await meeting_views.shared_card(services, meeting))
    assert FR("notes.section.presenters") in channel_card
    assert "[Le deuil en CHSLD](https://example.org/deuil-chsld)" in channel_card
    assert FR("notes.section.retained") not in channel_card  # no notes yet

    # The card posted in the channel is redrawn when notes are saved.
    await say(bot_http, "aide", aad=ANIMATEUR_AAD, conversation=CHANNEL)  # the bot knows it
    await meeting_repository(services).save(
        replace(meeting, card_conversation_id=CHANNEL, card_activity_id="card-1")
    )
    assert FR("notes.notice.saved") in texts(
        card(await save(bot_http, await open_form(bot_http), NOTES))
    )
    redrawn = await meeting_views.shared_card(
        services,
        await meeting_repository(services).get(meeting.id),  # type: ignore[arg-type]
    )
    assert FR("notes.section.retained") in texts(redrawn)
    assert "Repérer la détresse dès le premier contact" in texts(redrawn)
    # Two key points then the decision, said to be one (SUMMARY_LINES = 3).
    assert FR("notes.section.decision", text=NOTES["decisions"]) in texts(redrawn)
    await _eventually(lambda: bot_http.connector.updated.get("card-1"))
    updates = bot_http.connector.updated["card-1"]
    assert FR("notes.section.retained") in texts(card_of(updates[-1]))


async def _eventually(check: Any) -> None:
    for _ in range(250):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never happened")


async def test_the_archive_lists_past_meetings_with_notes_and_takeaways(bot_http: BotHttp) -> None:
    first = await past_meeting(bot_http, "m-old", days_ago=3, title="Comité CLSC")
    last = await past_meeting(bot_http, "m-last", days_ago=1)
    await save(bot_http, await open_form(bot_http, args="2"), {"key_points": "Le répit"})
    repository = notes_repository(services_of(bot_http))
    assert (await repository.get(first.id)) is not None
    assert await repository.record_takeaway(last.id, "k-someone", "Écouter avant de proposer")

    archive = card_of(await say(bot_http, "rencontres passées"))
    lines = texts(archive)
    assert FR("notes.list.line", n=1, meeting="").rstrip() in lines
    assert "Comité CLSC" in lines
    assert last.title in lines
    assert FR("notes.list.has_notes") in lines
    assert FR("notes.list.no_notes") in lines
    assert FR.plural("notes.list.takeaways", 1) in lines
    opened = [a["meeting_id"] for a in actions(archive, NotesVerb.open)]
    assert opened == [last.id, first.id]  # newest first, numbered so

    shown = card_of(await say(bot_http, "rencontre notes 1"))
    assert "Écouter avant de proposer" in texts(shown)
    assert FR.plural("notes.view.takeaways", 1) in texts(shown)
    day = first.starts_at.astimezone(services_of(bot_http).timezone).date().isoformat()
    shown = card_of(await say(bot_http, f"rencontre notes {day}"))
    assert "Le répit" in texts(shown)
    assert (await say(bot_http, "rencontre notes 9"))["text"] == FR("notes.errors.not_found")
    # Two recent meetings: « rencontre notes » asks which one.
    chooser = card_of(await say(bot_http, "rencontre notes"))
    assert FR("notes.list.choose") in texts(chooser)
    numbered = [a["meeting_id"] for a in actions(chooser, NotesVerb.open)]
    assert numbered == [last.id, first.id]
    assert f"1. {last.title}" in texts(chooser)  # numbered as in « rencontres passées »
    assert f"2. {first.title}" in texts(chooser)
    # What the vitality report reads (dialogs/notes/queries.py).
    services = services_of(bot_http)
    start, end = first.starts_at - timedelta(days=1), services.clock()
    stats = await notes_queries.takeaways_stats(services, start, end)
    assert (stats.meetings, stats.meetings_with_notes, stats.takeaways) == (2, 1, 1)
    [collected] = await notes_queries.takeaways(services, start, end)
    assert (collected.meeting_id, collected.text) == (last.id, "Écouter avant de proposer")
    # In English.
    await bot_http.choose_language(MEMBER_AAD, "en")
    archive = card_of(await say(bot_http, "past meetings", locale="en"))
    assert EN("notes.list.has_notes") in texts(archive)


async def test_takeaways_are_asked_once_answered_once_and_stored_anonymously(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    meeting = await past_meeting(bot_http)
    await introduce(bot_http, MEMBER_AAD, SECOND_AAD, THIRD_AAD)
    await rsvp(bot_http, meeting.id, MEMBER_AAD, "salle")
    await rsvp(bot_http, meeting.id, SECOND_AAD, "en_ligne")
    await rsvp(bot_http, meeting.id, THIRD_AAD, "absent")

    planned = {
        j.id: j for j in await routes.plan_jobs(services, services.clock() - timedelta(days=1))
    }
    ask_at = planned[jobs.takeaway_job_id(meeting.id)].run_at
    assert ask_at == rules.takeaway_ask_at(meeting.ends_at, services.timezone)
    assert ask_at.astimezone(services.timezone).hour == 10

    assert await jobs.ask_takeaways(services, meeting.id, now=ask_at - timedelta(minutes=1)) == 0
    assert await jobs.ask_takeaways(services, meeting.id, now=ask_at) == 2
    assert await jobs.ask_takeaways(services, meeting.id, now=ask_at + timedelta(hours=1)) == 2
    await services.messenger.flush()  # type: ignore[attr-defined]
    asked = _sent_cards(bot_http, NotesVerb.takeaway)
    assert sorted(asked) == sorted([MEMBER_AAD, SECOND_AAD])  # once each, not the absent one

    text = "Nommer la détresse tôt change la suite de l'accompagnement"
    thanks = card(
        await click(bot_http, NotesVerb.takeaway, {"meeting_id": meeting.id, "takeaway": text})
    )
    assert FR("notes.takeaway.notice.thanks") in texts(thanks)
    again = card(
        await click(bot_http, NotesVerb.takeaway, {"meeting_id": meeting.id, "takeaway": "Encore"})
    )
    assert FR("notes.takeaway.notice.already") in texts(again)
    repository = notes_repository(services)
    assert await repository.takeaways(meeting.id) == [text]
    assert await repository.participants(meeting.id) == {MEMBER_AAD.casefold()}
    # Not asked again once answered.
    await jobs.ask_takeaways(services, meeting.id, now=ask_at + timedelta(hours=2))

    # Refusals: the guard, someone who was not there.
    refused = card(
        await click(
            bot_http,
            NotesVerb.takeaway,
            {"meeting_id": meeting.id, "takeaway": "Ce que Mme Tremblay a dit"},
            aad=SECOND_AAD,
        )
    )
    assert FR("notes.finding.intro") in texts(refused)
    absent = message(
        await click(
            bot_http,
            NotesVerb.takeaway,
            {"meeting_id": meeting.id, "takeaway": "Je n'y étais pas"},
            aad=THIRD_AAD,
        )
    )
    assert absent == FR("notes.takeaway.errors.not_invited")
    assert await repository.takeaways(meeting.id) == [text]

    # In the data files: the takeaway is stored without anyone's key, nothing links the two.
    files = data_files(bot_http)
    holding = [p for p, content in files.items() if text in content]
    assert holding
    assert all(p.name.startswith("notes") for p in holding)
    for path in holding:
        for line in files[path].splitlines():
            if text in line:
                row = _takeaway_row(json.loads(line), text)
                assert set(row) == {"meeting_id", "texts"}
    assert not any(
        text in line and MEMBER_AAD.casefold() in line
        for content in files.values()
        for line in content.splitlines()
        if '"texts"' in line and '"members"' not in line
    )


def _takeaway_row(document: Any, text: str) -> dict[str, Any]:
    """The row (a dict with ``texts``) holding ``text`` somewhere in a stored document."""
    if isinstance(document, dict):
        if text in document.get("texts", []):
            return document
        for value in document.values():
            found = _takeaway_row(value, text)
            if found:
                return found
    if isinstance(document, list):
        for value in document:
            found = _takeaway_row(value, text)
            if found:
                return found
    return {}


def _sent_cards(http: BotHttp, verb: str) -> list[str]:
    """The aad ids of the 1:1 chats that got a card with ``verb``."""
    found = []
    for activities in list(http.connector.received.values()):
        for activity in activities:
            for attachment in activity.get("attachments") or []:
                if verb in json.dumps(attachment.get("content", {})):
                    found.append(
                        str((activity.get("recipient") or {}).get("id", "")).removeprefix("29:")
                    )
    return found


async def test_a_follow_up_becomes_a_reminder_that_can_be_marked_done(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    meeting = await past_meeting(bot_http)
    await on_roster(bot_http, MEMBER_AAD)
    await introduce(bot_http, MEMBER_AAD, SECOND_AAD)
    due = (services.clock().astimezone(services.timezone).date() + timedelta(days=10)).isoformat()
    await save(bot_http, await open_form(bot_http), {**NOTES, "fu_due_0": due})
    stored = await notes_repository(services).get(meeting.id)
    assert stored is not None
    [follow_up] = stored.follow_ups
    at = rules.follow_up_remind_at(rules.parse_day(due), None, services.timezone)
    assert at is not None

    assert (
        await jobs.remind_follow_up(services, meeting.id, follow_up.id, now=at - timedelta(hours=1))
        == 0
    )
    assert await jobs.remind_follow_up(services, meeting.id, follow_up.id, now=at) == 1
    await services.messenger.flush()  # type: ignore[attr-defined]
    assert _sent_cards(bot_http, NotesVerb.done) == [MEMBER_AAD]

    # Someone else cannot mark it; the member who took it can.
    data = {"meeting_id": meeting.id, "follow_up_id": follow_up.id}
    refused = message(await click(bot_http, NotesVerb.done, data, aad=SECOND_AAD))
    assert refused == FR("notes.errors.not_yours")
    done = card(await click(bot_http, NotesVerb.done, data))
    assert FR("notes.reminder.done") in texts(done)
    stored = await notes_repository(services).get(meeting.id)
    assert stored is not None
    assert stored.follow_ups[0].done
    assert await jobs.remind_follow_up(services, meeting.id, follow_up.id, now=at) == 0
    planned = [j.id for j in await routes.plan_jobs(services, services.clock())]
    assert jobs.follow_up_job_id(meeting.id, follow_up.id) not in planned


async def test_without_due_date_a_week_before_the_committee_s_next_meeting(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    meeting = await past_meeting(bot_http)
    following = await past_meeting(bot_http, "m-next", days_ago=-30)
    await on_roster(bot_http, MEMBER_AAD)
    await save(bot_http, await open_form(bot_http), NOTES)
    stored = await notes_repository(services).get(meeting.id)
    assert stored is not None
    planned = {j.id: j for j in await routes.plan_jobs(services, services.clock())}
    job = planned[jobs.follow_up_job_id(meeting.id, stored.follow_ups[0].id)]
    expected = following.starts_at.astimezone(services.timezone).date() - timedelta(days=7)
    local = job.run_at.astimezone(services.timezone)
    assert (local.date(), local.hour) == (expected, 9)


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        (NotesVerb.save, {"meeting_id": "../../x", "rows": 0, "fu_ids": []}),
        (
            NotesVerb.save,
            {
                "meeting_id": "m-past",
                "rows": 1,
                "fu_ids": [],
                "fu_text_0": "x",
                "fu_who_0": "intrus",
            },
        ),
        (NotesVerb.save, {"meeting_id": "m-past", "rows": "beaucoup", "fu_ids": []}),
        (NotesVerb.open, {"meeting_id": ["m-past"]}),
        (NotesVerb.takeaway, {"meeting_id": {"id": 1}, "takeaway": "x"}),
        (NotesVerb.takeaway, {"meeting_id": "m-past", "takeaway": ["x"]}),
        (NotesVerb.done, {"meeting_id": "m-past", "follow_up_id": 12}),
    ],
)
async def test_tampered_card_data_is_refused_and_nothing_is_stored(
    bot_http: BotHttp, verb: str, data: dict[str, Any]
) -> None:
    await past_meeting(bot_http)
    refused = message(await click(bot_http, verb, data, aad=ANIMATEUR_AAD))
    assert refused == FR("errors.bad_card_data")
    repository = notes_repository(services_of(bot_http))
    assert await repository.all() == []
    assert await repository.all_takeaways() == {}


async def test_a_takeaway_before_the_meeting_is_over_says_not_yet(bot_http: BotHttp) -> None:
    await past_meeting(bot_http, "m-soon", days_ago=-2)
    await rsvp(bot_http, "m-soon", MEMBER_AAD, "salle")
    body = await click(bot_http, NotesVerb.takeaway, {"meeting_id": "m-soon", "takeaway": "Bien"})
    # Not « il n'est plus possible de répondre » for a meeting still to come.
    assert message(body) == FR("notes.takeaway.errors.not_yet")
    assert await notes_repository(services_of(bot_http)).takeaways("m-soon") == []


async def test_my_data_shows_follow_ups_and_participation_and_erasure_unlinks_them(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    meeting = await past_meeting(bot_http)
    await on_roster(bot_http, MEMBER_AAD)
    await save(bot_http, await open_form(bot_http), NOTES)
    await rsvp(bot_http, meeting.id, MEMBER_AAD, "salle")
    await click(
        bot_http, NotesVerb.takeaway, {"meeting_id": meeting.id, "takeaway": "Le répit compte"}
    )
    key = MEMBER_AAD.casefold()
    data = await routes.member_data(services, key)
    assert data["notes_follow_ups"][0]["notes_follow_up"] == NOTES["fu_text_0"]
    assert data["notes_takeaways"]["notes_note"] == "anonymous"
    [answered] = data["notes_takeaways"]["notes_meetings"]
    assert meeting.title in answered
    assert "Le répit compte" not in json.dumps(data, ensure_ascii=False)
    # On the card: one note line, then the meetings (not the note as item [1], meetings from [2]).
    shown = texts(card_of(await say(bot_http, "mes données")))
    assert FR("mydata.field.notes_meetings") in shown
    assert not any(line.strip().startswith("[2]") for line in shown)

    await routes.forget_member(services, key)
    assert await routes.member_data(services, key) == {}
    repository = notes_repository(services)
    stored = await repository.get(meeting.id)
    assert stored is not None
    assert stored.follow_ups[0].member_key == ""
    # The notes then say nobody is named for it (not « personne désignée », which reads the
    # opposite way in French).
    seen = texts(card_of(await say(bot_http, "rencontre notes", aad=ANIMATEUR_AAD)))
    assert f"- {NOTES['fu_text_0']} · {FR('notes.view.nobody')}" in seen.splitlines()
    assert FR("notes.view.nobody") == "aucune personne désignée"
    assert await repository.takeaways(meeting.id) == ["Le répit compte"]  # linked to no one
    assert not any(
        key in content for p, content in data_files(bot_http).items() if p.name.startswith("notes")
    )


async def test_a_long_roster_is_narrowed_to_the_meeting_s_people_and_the_form_fits(
    bot_http: BotHttp,
) -> None:
    services = services_of(bot_http)
    await past_meeting(bot_http)  # committee « clsc »
    await on_roster(bot_http, MEMBER_AAD)
    others = [
        MemberProfile(key=f"k-{n:03d}", name=f"Membre {n:03d}", committee_ids=("ch",))
        for n in range(120)
    ]
    await profile_repository(services).save_many(others)
    form = await open_form(bot_http)
    choices = [
        c["title"]
        for node in nodes(form)
        if node.get("id") == "fu_who_0"
        for c in node.get("choices", [])
    ]
    assert "Sophie Bergeron" in choices
    assert "Membre 001" not in choices  # another committee: not listed
    assert len(json.dumps(form, ensure_ascii=False).encode("utf-16-le")) < MAX_CARD_BYTES
    shown = card(await save(bot_http, form, NOTES))
    assert FR("notes.notice.saved") in texts(shown)
