"""« Retombées et apprentissages » through the bot's HTTP endpoint: the survey from the
community's objectives and the cycle's treated topics, in French and in English, answered by
enough members (and by too few), the de-identification guard on its free text, the offer after
the cycle's last meeting, and the « Efficacité » section of ``bilan`` (card, CSV, PDF).

The clock is set to June 2026 (the cycle's last month): no test here depends on today's date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards.csv_export import CSV_DELIMITER
from dialogs.polls import outcomes as outcomes_offer
from dialogs.polls.audience import poll_repository
from dialogs.topics.queries import topic_repository
from storage.meeting_repository import Meeting, TinyDbMeetingRepository
from storage.topic_repository import Topic
from tests.card_walk import of_type, texts_of
from tests.dialogs.polls.conftest import (
    ANIMATEUR,
    EN,
    FR,
    MEMBERS,
    Driver,
    action_data,
    facts,
    inputs,
    joined,
    personal,
)
from tests.dialogs.presence.pdf_text import extract_text

pytestmark = pytest.mark.integration
SOPHIE, JF, NATHALIE, ETIENNE, JULIE, KARIM, LUCIE = MEMBERS
JUNE = datetime(2026, 6, 3, 14, 0, tzinfo=UTC)  # 10 h in Montréal, the 2025-2026 cycle's end
MARCH = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
TOPIC = "Repérer la détresse chez les proches aidants"


def _settings(card: dict[str, Any]) -> dict[str, str]:
    found = inputs(card)
    names = ("title", "anonymous", "visibility", "audience", "deadline_date", "deadline_time")
    return {name: found[name].get("value", "") for name in names}


async def _treated_topic(polls: Driver, title: str = TOPIC, when: datetime = JUNE) -> None:
    stamp = (when - timedelta(days=30)).isoformat(timespec="seconds")
    await topic_repository(polls.services).add(
        Topic(
            id="t0000000a1",
            title=title,
            description="",
            kind="formatif",
            presenter="",
            proposer_key="",
            proposer_name="",
            created_at=stamp,
            status="treated",
            updated_at=stamp,
        )
    )


async def _launch(polls: Driver, words: str = "sondage retombées", locale: str = "fr-CA") -> str:
    polls.clock.now = JUNE
    reply = await polls.say(words, locale=locale)
    draft = reply["attachments"][0]["content"]
    draft_id = action_data(draft, "polls.publish")["draft_id"]
    card = polls.card(await polls.publish(draft_id, reply_to="draft", **_settings(draft)))
    return str(action_data(card, "polls.view")["poll_id"])


def _objectives(polls: Driver, locale: str = "fr-CA") -> list[str]:
    return [o.get(locale) for o in polls.services.profile.current.objectives]


async def _answer_all(polls: Driver, poll_id: str, people: list[tuple[str, str]]) -> None:
    for i, who in enumerate(people):
        body = await polls.answer(
            poll_id,
            who,
            o1="4",
            o2=str(3 + i % 3),  # 3, 4, 5, 3, 4
            o3="5",
            learned="c1",
            practice="c1,c2" if i % 2 else "c1",
            value="c3",
            learned_text="La grille de repérage, utilisée avec mon équipe",
        )
        assert FR("polls.answer.recorded") in joined(polls.card(body))


async def _report(polls: Driver, locale: str = "fr-CA") -> dict[str, Any]:
    me = personal(ANIMATEUR[0])
    word = "bilan" if locale == "fr-CA" else "report"
    reply = await polls.say(word, conversation=me, locale=locale)
    return dict(reply["attachments"][0]["content"])


async def _download(polls: Driver, url: str) -> bytes:
    response = await polls.bot.client.get(url[url.index("/files/") :])
    assert response.status == 200
    return bytes(await response.read())


# ---- the survey ---------------------------------------------------------------------------------


async def test_the_survey_is_built_from_the_objectives_and_the_treated_topics(
    polls: Driver,
) -> None:
    await _treated_topic(polls)
    await _treated_topic_outside_the_cycle(polls)
    polls.clock.now = JUNE
    draft = (await polls.say("sondage retombées"))["attachments"][0]["content"]
    texts = joined(draft)
    assert FR("polls.draft.heading.outcomes") in texts
    assert FR("polls.draft.ready") in texts
    for objective in _objectives(polls):
        assert FR("polls.template.outcomes.objective", objective=objective) in texts
    for key in ("learned", "practice", "value", "learned_text"):
        assert FR(f"polls.template.outcomes.{key}") in texts
    assert TOPIC in texts
    assert "Sujet d'un autre cycle" not in texts
    assert inputs(draft)["anonymous"]["value"] == "true"  # anonymous by default
    [stored] = polls.raw_store()["polls"].values()
    assert stored["kind"] == "outcomes"
    ids = [q["id"] for q in stored["questions"]]
    assert ids == ["o1", "o2", "o3", "learned", "learned_text", "practice", "practice_text"] + [
        "value",
        "value_text",
    ]


async def _treated_topic_outside_the_cycle(polls: Driver) -> None:
    stamp = datetime(2025, 5, 1, tzinfo=UTC).isoformat(timespec="seconds")
    await topic_repository(polls.services).add(
        Topic(
            "t0000000a2",
            "Sujet d'un autre cycle",
            "",
            "formatif",
            "",
            "",
            "",
            stamp,
            "treated",
            updated_at=stamp,
        )
    )


async def test_in_english_with_generic_learnings_when_no_topic_was_treated(
    polls: Driver,
) -> None:
    await polls.bot.choose_language(ANIMATEUR[0])
    polls.clock.now = JUNE
    draft = (await polls.say("poll outcomes", locale="en"))["attachments"][0]["content"]
    texts = joined(draft)
    assert EN("polls.draft.heading.outcomes") in texts
    for objective in _objectives(polls, "en"):
        assert EN("polls.template.outcomes.objective", objective=objective) in texts
    assert EN("polls.template.outcomes.learned.generic.1") in texts
    assert EN("polls.template.outcomes.title", year="2025-2026") in texts


async def test_members_cannot_launch_it(polls: Driver) -> None:
    polls.clock.now = JUNE
    assert (await polls.say("sondage retombées", SOPHIE))["text"] == FR("command.poll.forbidden")
    await polls.members_may_create(True)
    assert (await polls.say("sondage retombées", SOPHIE))["text"] == FR(
        "polls.errors.template_animateurs"
    )
    body = await polls.click("polls.post_template", {"template": "outcomes"}, SOPHIE)
    assert polls.message(body) == FR("polls.errors.template_animateurs")
    assert await poll_repository(polls.services).all() == []


async def test_free_text_passes_the_de_identification_guard(polls: Driver) -> None:
    poll_id = await _launch(polls)
    body = await polls.answer(
        poll_id, SOPHIE, o1="4", o2="4", o3="4", learned_text="J'ai revu Mme Tremblay au CLSC"
    )
    assert FR("polls.review.intro") in joined(polls.card(body))
    assert await poll_repository(polls.services).answers(poll_id) == []


# ---- bilan: Efficacité ---------------------------------------------------------------------------


async def test_enough_answers_show_in_the_report_card_csv_and_pdf(polls: Driver) -> None:
    await _treated_topic(polls)
    poll_id = await _launch(polls)
    await _answer_all(polls, poll_id, [SOPHIE, JF, NATHALIE, ETIENNE, JULIE])
    card = await _report(polls)
    texts = texts_of(card)
    assert FR("vitality.section.effectiveness") in texts
    found = facts(card)
    assert found[FR("vitality.figure.effectiveness.respondents")] == "5"
    first, second, third = _objectives(polls)
    # o1: five 4s → 4,0 / 5, 100 % at 4; o2: 3, 4, 5, 3, 4 → 19 / 5 = 3,8.
    assert found[first].startswith(FR("vitality.mean_on_5", mean="4"))
    assert found[second].startswith(FR("vitality.mean_on_5", mean="3,8"))
    assert found[third].startswith(FR("vitality.mean_on_5", mean="5"))
    assert found[TOPIC] == "5"  # the treated topic, chosen by all five
    assert found[FR("polls.template.outcomes.practice.1")] == "5"
    assert found[FR("polls.template.outcomes.practice.2")] == FR("vitality.suppressed", threshold=5)
    assert found[FR("polls.template.outcomes.value.3")] == "5"
    # Already launched this cycle: no button to launch it again.
    assert not [a for a in of_type(card, "Action.Execute") if a["verb"] == "polls.post_template"]

    links = {a["title"]: a["url"] for a in of_type(card, "Action.OpenUrl")}
    csv_text = (await _download(polls, links[FR("vitality.csv_button")])).decode("utf-8-sig")
    section = FR(
        "vitality.effectiveness.csv_section",
        section=FR("vitality.section.effectiveness"),
        part=FR("vitality.effectiveness.objectives"),
    )
    assert CSV_DELIMITER.join([section, FR("vitality.figure.effectiveness.respondents"), "5"]) in (
        csv_text
    )
    assert TOPIC in csv_text
    pdf_button = FR("vitality.pdf_button", language=FR("language.name.fr-CA"))
    pdf = extract_text(await _download(polls, links[pdf_button]))
    assert FR("vitality.section.effectiveness") in pdf
    assert FR("vitality.effectiveness.learnings") in pdf


async def test_too_few_answers_are_not_published(polls: Driver) -> None:
    await _treated_topic(polls)
    poll_id = await _launch(polls)
    await _answer_all(polls, poll_id, [SOPHIE, JF, NATHALIE])
    card = await _report(polls)
    texts = texts_of(card)
    assert FR("vitality.effectiveness.hidden", threshold=5) in texts
    assert TOPIC not in texts
    for objective in _objectives(polls):
        assert objective not in facts(card)


async def test_the_report_offers_the_survey_in_june_only(polls: Driver) -> None:
    polls.clock.now = MARCH
    card = await _report(polls)
    assert FR("vitality.effectiveness.no_survey") in texts_of(card)
    launch = [a for a in of_type(card, "Action.Execute") if a["verb"] == "polls.post_template"]
    assert launch == []
    polls.clock.now = JUNE
    card = await _report(polls)
    (launch,) = [a for a in of_type(card, "Action.Execute") if a["verb"] == "polls.post_template"]
    assert launch["title"] == FR("vitality.effectiveness.launch")
    draft = polls.card(
        await polls.click(launch["verb"], launch["data"], conversation=personal(ANIMATEUR[0]))
    )
    assert FR("polls.draft.heading.outcomes") in joined(draft)


async def test_the_report_in_english(polls: Driver) -> None:
    poll_id = await _launch(polls)
    await _answer_all(polls, poll_id, [SOPHIE, JF, NATHALIE, ETIENNE, JULIE])
    await polls.bot.choose_language(ANIMATEUR[0])
    card = await _report(polls, "en")
    found = facts(card)
    assert EN("vitality.section.effectiveness") in texts_of(card)
    first = _objectives(polls, "en")[0]  # the profile's English text, whatever the survey's
    assert found[first].startswith(EN("vitality.mean_on_5", mean="4"))
    # The survey was drafted in French: its ready-made choices are shown in English all the same.
    assert found[EN("polls.template.outcomes.practice.1")] == "5"
    assert found[EN("polls.template.outcomes.value.3")] == "5"
    texts = texts_of(card)
    for key in ("practice.1", "practice.2", "value.3"):
        assert FR(f"polls.template.outcomes.{key}") not in texts


# ---- the offer after the cycle's last meeting ----------------------------------------------


async def test_the_animateurs_are_offered_the_survey_after_the_last_meeting(polls: Driver) -> None:
    polls.clock.now = JUNE
    await polls.add_members([ANIMATEUR])
    repo = TinyDbMeetingRepository(polls.services.store.database("meetings"))
    ends = JUNE + timedelta(days=7)
    for n, day in enumerate((ends - timedelta(days=40), ends)):
        await repo.save(
            Meeting(
                f"00000000000{n}",
                f"Rencontre {n}",
                ("clsc",),
                day - timedelta(hours=7),
                day,
                "presentiel",
            )
        )
    [job] = await outcomes_offer.offer_jobs(polls.services, polls.clock.now)
    assert job.run_at == ends
    recorder = polls.record_messages()
    assert (
        await outcomes_offer.offer_outcomes_survey(polls.services, "2025-09-01", "000000000001")
        == 0
    )
    sent = await outcomes_offer.offer_outcomes_survey(
        polls.services, "2025-09-01", "000000000001", now=ends + timedelta(minutes=1)
    )
    assert sent == 1
    [item] = recorder.items
    card = item.activity["attachments"][0]["content"]
    assert FR("polls.outcomes_offer.text", cycle="2025-2026") in texts_of(card)
    assert action_data(card, "polls.post_template")["template"] == "outcomes"
    # Once the survey is posted, a late run offers nothing.
    await _launch(polls)
    again = await outcomes_offer.offer_outcomes_survey(
        polls.services, "2025-09-01", "000000000001", now=ends + timedelta(hours=1)
    )
    assert again == 0
