"""The topic bank and the case queue through the bot's HTTP endpoint, as Teams drives it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cards.i18n import Translator
from cards.topics import TopicVerb
from dialogs.topics import queries, routes
from dialogs.topics.jobs import return_job_id
from dialogs.topics.repositories import case_repository, topic_repository
from tests.card_walk import facts_of as _walk_facts
from tests.card_walk import nodes as walk
from tests.cards.inputs import blocking_inputs
from tests.dialogs.topics.conftest import (
    ANIMATEUR_AAD,
    CHANNEL,
    MEMBER_AAD,
    SECOND_AAD,
    THIRD_AAD,
    BotHttp,
    FakeMeetings,
    actions,
    card,
    card_of,
    click,
    data_files,
    execute_activity,
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

IDENTIFYING_CASE = (
    "Mme Tremblay, NAM TREM 5203 1512, née le 12 mars 1948, vit seule depuis le décès de son "
    "conjoint et refuse l'aide à domicile."
)
CLEAN_CASE = (
    "Usagère dans la soixantaine, vit seule depuis le décès de son conjoint et refuse l'aide à "
    "domicile."
)


async def propose(
    http: BotHttp, title: str, kind: str = "formatif", aad: str = MEMBER_AAD, **fields: Any
) -> dict[str, Any]:
    """``sujet <title>``, then the form's button: returns the invoke body."""
    form = card_of(await say(http, f"sujet {title}", aad=aad))
    submit = actions(form, TopicVerb.submit)[0]
    values = {**inputs(form), "kind": kind, **fields}
    return await click(http, TopicVerb.submit, {**submit, **values}, aad=aad)


async def stored_topics(http: BotHttp) -> list[Any]:
    return await topic_repository(services_of(http)).all()


async def only_topic(http: BotHttp) -> Any:
    found = await stored_topics(http)
    assert len(found) == 1
    return found[0]


# ---- proposing -------------------------------------------------------------------------------


async def test_member_proposes_a_topic_and_sees_a_confirmation(bot_http: BotHttp) -> None:
    form = card_of(await say(bot_http, "sujet Le deuil chez les adolescents"))
    assert inputs(form)["title"] == "Le deuil chez les adolescents"
    assert FR("topics.form.new_title") in texts(form)

    body = await propose(bot_http, "Le deuil chez les adolescents", presenter="Karine Michel")
    confirmation = card(body)
    assert FR("topics.notice.proposed") in texts(confirmation)
    topic = await only_topic(bot_http)
    assert (topic.title, topic.kind, topic.presenter, topic.status) == (
        "Le deuil chez les adolescents",
        "formatif",
        "Karine Michel",  # a presenter's name is expected there
        "open",
    )
    assert topic.proposer_name == "Sophie Bergeron"


async def test_form_problems_are_shown_on_the_form_and_nothing_is_saved(
    bot_http: BotHttp,
) -> None:
    body = await propose(bot_http, "Deuil", kind="")
    assert FR("topics.problem.kind_missing") in texts(card(body))
    body = await click(bot_http, TopicVerb.submit, {"title": "x", "kind": "divers"})
    assert FR("topics.problem.title_length") in texts(card(body))
    assert await stored_topics(bot_http) == []


async def test_a_similar_topic_is_offered_for_support_instead(bot_http: BotHttp) -> None:
    await propose(bot_http, "Le deuil chez les adolescents")
    first = await only_topic(bot_http)

    form = card_of(await say(bot_http, "sujet Adolescents et deuil", aad=SECOND_AAD))
    assert FR("topics.similar.intro") in texts(form)
    offer = actions(form, TopicVerb.support)
    assert [a["topic_id"] for a in offer] == [first.id]
    # « Soutenir » needs none of the new proposal's fields (issue 19: « Volet » blocked it).
    assert blocking_inputs(form, TopicVerb.support) == set()
    assert "kind" in blocking_inputs(form, TopicVerb.submit)

    body = await click(bot_http, TopicVerb.support, offer[0], aad=SECOND_AAD)
    assert FR("topics.notice.supported_instead") in texts(card(body))
    topic = await only_topic(bot_http)
    assert topic.supporters == (SECOND_AAD,)


async def test_a_similar_title_typed_in_the_form_is_caught_on_submit(bot_http: BotHttp) -> None:
    await propose(bot_http, "L'aide médicale à mourir et les proches")
    body = await click(
        bot_http,
        TopicVerb.submit,
        {"title": "Les proches face a l'aide medicale a mourir", "kind": "echange"},
        aad=SECOND_AAD,
    )
    form = card(body)
    assert FR("topics.similar.intro") in texts(form)
    assert len(await stored_topics(bot_http)) == 1
    # « Proposer quand même » carries the topics already offered: now it is saved.
    again = await click(
        bot_http,
        TopicVerb.submit,
        {**actions(form, TopicVerb.submit)[0], **inputs(form)},
        aad=SECOND_AAD,
    )
    assert FR("topics.notice.proposed") in texts(card(again))
    assert len(await stored_topics(bot_http)) == 2


async def test_identifying_text_in_a_topic_is_refused_then_the_redaction_is_accepted(
    bot_http: BotHttp,
) -> None:
    body = await propose(
        bot_http,
        "Le cas de M. Gagnon",
        kind="reflexif",
        description="Sa fille (514 555-0123) demande de l'aide.",
    )
    refusal = card(body)
    assert FR("topics.guard.title") in texts(refusal)
    fixed = inputs(refusal)
    assert fixed["title"] == "Le cas de [NOM]"
    assert fixed["description"] == "Sa fille ([TÉLÉPHONE]) demande de l'aide."
    assert await stored_topics(bot_http) == []

    accepted = await click(
        bot_http, TopicVerb.submit, {**actions(refusal, TopicVerb.submit)[0], **fixed}
    )
    assert FR("topics.notice.proposed") in texts(card(accepted))
    topic = await only_topic(bot_http)
    assert (topic.title, topic.kind) == ("Le cas de [NOM]", "reflexif")


# ---- supporting ------------------------------------------------------------------------------


async def test_a_double_click_counts_once_and_the_support_can_be_removed(
    bot_http: BotHttp,
) -> None:
    await propose(bot_http, "Fatigue de compassion")
    topic = await only_topic(bot_http)
    data = {"topic_id": topic.id, "on": True, "view": "detail"}
    # Two clicks are two different activities: both say "support", so one support.
    first, second = await asyncio.gather(
        click(bot_http, TopicVerb.support, data, aad=SECOND_AAD),
        click(bot_http, TopicVerb.support, data, aad=SECOND_AAD),
    )
    assert (await only_topic(bot_http)).supporters == (SECOND_AAD,)
    shown = card(second)
    assert FR("topics.detail.you_support") in texts(shown)
    assert actions(shown, TopicVerb.support)[0]["on"] is False  # the button now removes it
    # A redelivered activity (same id) is answered from the first answer, not run again.
    redelivered = execute_activity(bot_http, TopicVerb.support, data, aad=THIRD_AAD)
    assert await bot_http.post(redelivered) == await bot_http.post(redelivered)
    assert sorted((await only_topic(bot_http)).supporters) == sorted([SECOND_AAD, THIRD_AAD])

    off = {**data, "on": False}
    await click(bot_http, TopicVerb.support, off, aad=SECOND_AAD)
    await click(bot_http, TopicVerb.support, off, aad=SECOND_AAD)
    assert (await only_topic(bot_http)).supporters == (THIRD_AAD,)


async def test_the_bank_is_ranked_filterable_and_shows_my_supports(bot_http: BotHttp) -> None:
    await propose(bot_http, "Le deuil chez les adolescents", kind="formatif")
    await propose(bot_http, "Nouveau service de répit", kind="divers", aad=SECOND_AAD)
    by_title = {t.title: t for t in await stored_topics(bot_http)}
    popular = by_title["Nouveau service de répit"]
    for aad in (MEMBER_AAD, THIRD_AAD):
        await click(bot_http, TopicVerb.support, {"topic_id": popular.id, "on": True}, aad=aad)

    bank = card_of(await say(bot_http, "sujets"))
    strings = texts(bank)
    assert strings.index("Nouveau service de répit") < strings.index(
        "Le deuil chez les adolescents"
    )
    assert FR.plural("topics.supports", 2) in " ".join(strings)
    assert FR("topics.detail.you_support") in strings
    # Sophie supports the first: its button removes her support; the other one adds it.
    assert [a["on"] for a in actions(bank, TopicVerb.support)] == [False, True]

    only_training = card_of(await say(bot_http, "sujets formatif"))
    assert "Nouveau service de répit" not in texts(only_training)
    assert "Le deuil chez les adolescents" in texts(only_training)
    filtered = await click(bot_http, TopicVerb.bank, {"kind_filter": "divers", "page": 0})
    assert "Le deuil chez les adolescents" not in texts(card(filtered))


async def test_the_bank_is_paged(bot_http: BotHttp) -> None:
    titles = [f"Thème numéro {word}" for word in "abcdefghij"]
    repository = topic_repository(services_of(bot_http))
    from dialogs.topics import rules

    for i, title in enumerate(titles):
        draft, _ = rules.topic_draft({"title": title, "kind": "echange"})
        await repository.add(rules.new_topic(draft, f"t{i}", "k", "K", f"2024-01-{i + 10}"))
    first = card_of(await say(bot_http, "sujets"))
    assert titles[0] in texts(first)
    assert titles[9] not in texts(first)
    nxt = actions(first, TopicVerb.bank)[-1]
    second = card(await click(bot_http, TopicVerb.bank, nxt))
    assert titles[9] in texts(second)
    assert titles[0] not in texts(second)


@pytest.mark.parametrize(
    ("verb", "data", "key"),
    [
        (TopicVerb.support, {"topic_id": "nope", "on": True}, "topics.errors.not_found"),
        (TopicVerb.support, {"topic_id": "a/b", "on": True}, "errors.bad_card_data"),
        (TopicVerb.support, {"topic_id": "x", "on": "maybe"}, "errors.bad_card_data"),
        (TopicVerb.support, {"topic_id": "x", "on": True, "view": "x"}, "errors.bad_card_data"),
        (TopicVerb.submit, {"title": "Deuil", "kind": "autre"}, "errors.bad_card_data"),
        (TopicVerb.submit, {"title": ["Deuil"], "kind": "divers"}, "errors.bad_card_data"),
        (TopicVerb.submit, {"title": "D", "carried": "x"}, "errors.bad_card_data"),
        (TopicVerb.bank, {"page": -1}, "errors.bad_card_data"),
        (TopicVerb.bank, {"status_filter": "deleted"}, "errors.bad_card_data"),
        (TopicVerb.detail, {}, "errors.bad_card_data"),
        (TopicVerb.case_detail, {"case_id": "nope"}, "topics.errors.case_not_found"),
        (TopicVerb.case_list, {"scope": "all"}, "errors.bad_card_data"),
    ],
)
async def test_tampered_or_stale_card_data_is_refused(
    bot_http: BotHttp, verb: str, data: dict[str, Any], key: str
) -> None:
    await propose(bot_http, "Un sujet")
    before = await bot_http_state(bot_http)
    assert message(await click(bot_http, verb, data)) == FR(key)
    assert await bot_http_state(bot_http) == before


async def bot_http_state(http: BotHttp) -> tuple[Any, ...]:
    services = services_of(http)
    return (
        tuple(await topic_repository(services).all()),
        tuple(await case_repository(services).all()),
    )


async def test_unknown_filter_word_gets_a_clear_message(bot_http: BotHttp) -> None:
    reply = await say(bot_http, "sujets blabla")
    words = ", ".join(
        FR(f"topics.kind.{k}.word") for k in ("formatif", "echange", "reflexif", "divers")
    )
    assert reply["text"] == FR("topics.errors.unknown_filter", words=words)


async def test_english_words_and_cards(bot_http: BotHttp) -> None:
    await bot_http.choose_language(MEMBER_AAD)
    form = card_of(await say(bot_http, "topic Grief in teenagers", locale="en-US"))
    assert EN("topics.form.new_title") in texts(form)
    bank = card_of(await say(bot_http, "topics training", locale="en-US"))
    assert EN("topics.bank.title") in texts(bank)


# ---- withdrawing, editing --------------------------------------------------------------------


async def test_only_the_proposer_withdraws_or_edits(bot_http: BotHttp) -> None:
    await propose(bot_http, "Sexualité après un cancer", kind="formatif")
    topic = await only_topic(bot_http)
    ref = {"topic_id": topic.id}
    assert message(await click(bot_http, TopicVerb.withdraw, ref, aad=SECOND_AAD)) == FR(
        "topics.errors.not_yours"
    )
    assert message(await click(bot_http, TopicVerb.edit, ref, aad=SECOND_AAD)) == FR(
        "topics.errors.not_yours"
    )
    edit = card(await click(bot_http, TopicVerb.edit, ref))
    assert inputs(edit)["title"] == "Sexualité après un cancer"
    saved = await click(
        bot_http,
        TopicVerb.submit,
        {**actions(edit, TopicVerb.submit)[0], **inputs(edit), "title": "Sexualité et cancer"},
    )
    assert FR("topics.notice.saved") in texts(card(saved))
    assert (await only_topic(bot_http)).title == "Sexualité et cancer"
    refused = await click(
        bot_http,
        TopicVerb.submit,
        {**actions(edit, TopicVerb.submit)[0], **inputs(edit), "description": "Voir M. Roy"},
    )
    assert FR("topics.guard.title") in texts(card(refused))
    assert (await only_topic(bot_http)).description == ""

    gone = await click(bot_http, TopicVerb.withdraw, ref)
    assert FR("topics.notice.withdrawn") in texts(card(gone))
    assert await stored_topics(bot_http) == []


# ---- curating --------------------------------------------------------------------------------


async def test_animateur_schedules_and_the_topic_returns_after_the_meeting(
    bot_http: BotHttp, fake_meetings: FakeMeetings
) -> None:
    meeting = fake_meetings.plan("m1", "Journée régionale CLSC")
    await propose(bot_http, "Le deuil chez les adolescents", presenter="Karine Michel")
    topic = await only_topic(bot_http)

    detail = card(
        await click(bot_http, TopicVerb.detail, {"topic_id": topic.id}, aad=ANIMATEUR_AAD)
    )
    assert inputs(detail)["meeting"] == "m1"
    scheduled = await click(
        bot_http,
        TopicVerb.schedule,
        {**actions(detail, TopicVerb.schedule)[0], "meeting": "m1"},
        aad=ANIMATEUR_AAD,
    )
    assert FR("topics.notice.scheduled") in texts(card(scheduled))
    assert (await only_topic(bot_http)).status == "scheduled"
    services = services_of(bot_http)
    assert return_job_id("m1") in services.jobs.job_ids()  # type: ignore[attr-defined]
    items = await queries.scheduled_for(services, "m1")
    assert [(i.source, i.item_id, i.kind, i.presenter) for i in items] == [
        ("topic", topic.id, "formatif", "Karine Michel")
    ]
    # The meeting ends without the topic marked treated: back to the bank.
    fake_meetings.meetings["m1"] = meeting.__class__(
        "m1",
        meeting.title,
        meeting.starts_at - timedelta(days=30),
        meeting.ends_at - timedelta(days=30),
    )
    await say(bot_http, "sujets")
    back = await only_topic(bot_http)
    assert (back.status, back.meeting_id) == ("open", "")


async def test_schedule_refuses_a_past_or_unknown_meeting(
    bot_http: BotHttp, fake_meetings: FakeMeetings
) -> None:
    await propose(bot_http, "Un sujet")
    topic = await only_topic(bot_http)
    fake_meetings.plan("old", "Rencontre passée", in_days=-3)
    for meeting_id in ("old", "unknown"):
        body = await click(
            bot_http,
            TopicVerb.schedule,
            {"topic_id": topic.id, "meeting": meeting_id},
            aad=ANIMATEUR_AAD,
        )
        assert message(body) == FR("topics.errors.meeting_unavailable")
    assert (await only_topic(bot_http)).status == "open"


async def test_animateur_archives_reopens_and_marks_treated(bot_http: BotHttp) -> None:
    await propose(bot_http, "Un sujet à archiver")
    ref = {"topic_id": (await only_topic(bot_http)).id}
    for verb, status, notice in [
        (TopicVerb.archive, "archived", "archived"),
        (TopicVerb.archive, "archived", "archived"),  # a second click changes nothing
        (TopicVerb.reopen, "open", "reopened"),
        (TopicVerb.treated, "treated", "treated"),
    ]:
        body = await click(bot_http, verb, ref, aad=ANIMATEUR_AAD)
        assert FR(f"topics.notice.{notice}") in texts(card(body))
        assert (await only_topic(bot_http)).status == status
    closed = await click(bot_http, TopicVerb.support, {**ref, "on": True}, aad=SECOND_AAD)
    assert message(closed) == FR("topics.errors.closed")
    assert message(await click(bot_http, TopicVerb.unschedule, ref, aad=ANIMATEUR_AAD)) == FR(
        "topics.errors.not_allowed"
    )


async def test_animateur_merges_two_topics_without_double_counting(bot_http: BotHttp) -> None:
    await propose(bot_http, "Le deuil chez les adolescents")
    await click(
        bot_http,
        TopicVerb.submit,
        {
            "title": "Adolescents endeuillés",
            "kind": "echange",
            "seen": [(await only_topic(bot_http)).id],
        },
        aad=SECOND_AAD,
    )
    by_title = {t.title: t for t in await stored_topics(bot_http)}
    target, source = by_title["Le deuil chez les adolescents"], by_title["Adolescents endeuillés"]
    for aad in (THIRD_AAD, ANIMATEUR_AAD):
        for topic in (source, target):
            await click(bot_http, TopicVerb.support, {"topic_id": topic.id, "on": True}, aad=aad)

    detail = card(
        await click(bot_http, TopicVerb.detail, {"topic_id": source.id}, aad=ANIMATEUR_AAD)
    )
    assert target.id in [c["value"] for n in (detail,) for c in _choices(n, "merge_into")]
    merge = {**actions(detail, TopicVerb.merge)[0], "merge_into": target.id}
    body = await click(bot_http, TopicVerb.merge, merge, aad=ANIMATEUR_AAD)
    again = await click(bot_http, TopicVerb.merge, merge, aad=ANIMATEUR_AAD)  # double click
    assert FR("topics.notice.merged") in texts(card(body))
    assert FR("topics.notice.merged") in texts(card(again))
    merged = {t.id: t for t in await stored_topics(bot_http)}
    # Third and the animateur supported both; the source's proposer joins: 3 people, once each.
    assert sorted(merged[target.id].supporters) == sorted([THIRD_AAD, ANIMATEUR_AAD, SECOND_AAD])
    assert merged[source.id].status == "merged"
    # The old topic's card now leads to the merged one.
    follow = card(await click(bot_http, TopicVerb.detail, {"topic_id": source.id}))
    assert "Le deuil chez les adolescents" in texts(follow)


async def test_a_merge_keeps_the_support_of_the_targets_proposer(bot_http: BotHttp) -> None:
    """A (proposed by MEMBER) is supported by THIRD and the animateur; C by the animateur and
    by A's proposer, who may support any topic: after the merge, A counts all of them."""
    await propose(bot_http, "Le deuil chez les adolescents")
    await click(
        bot_http,
        TopicVerb.submit,
        {
            "title": "Adolescents endeuillés",
            "kind": "echange",
            "seen": [(await only_topic(bot_http)).id],
        },
        aad=SECOND_AAD,
    )
    by_title = {t.title: t for t in await stored_topics(bot_http)}
    target, source = by_title["Le deuil chez les adolescents"], by_title["Adolescents endeuillés"]
    for aad in (THIRD_AAD, ANIMATEUR_AAD):
        await click(bot_http, TopicVerb.support, {"topic_id": target.id, "on": True}, aad=aad)
    for aad in (ANIMATEUR_AAD, MEMBER_AAD):
        await click(bot_http, TopicVerb.support, {"topic_id": source.id, "on": True}, aad=aad)
    detail = card(
        await click(bot_http, TopicVerb.detail, {"topic_id": source.id}, aad=ANIMATEUR_AAD)
    )
    merge = {**actions(detail, TopicVerb.merge)[0], "merge_into": target.id}
    body = await click(bot_http, TopicVerb.merge, merge, aad=ANIMATEUR_AAD)
    assert FR("topics.notice.merged") in texts(card(body))
    merged = {t.id: t for t in await stored_topics(bot_http)}
    assert sorted(merged[target.id].supporters) == sorted(
        [THIRD_AAD, ANIMATEUR_AAD, MEMBER_AAD, SECOND_AAD]
    )


def _choices(card_: dict[str, Any], input_id: str) -> list[dict[str, Any]]:

    return [c for n in walk(card_) if n.get("id") == input_id for c in n.get("choices", [])]


async def test_members_cannot_curate(bot_http: BotHttp, fake_meetings: FakeMeetings) -> None:
    fake_meetings.plan("m1", "Journée")
    await propose(bot_http, "Un sujet")
    await propose(bot_http, "Autre chose de différent", aad=SECOND_AAD)
    first, second = sorted(await stored_topics(bot_http), key=lambda t: t.title)
    before = await bot_http_state(bot_http)
    for verb, data in [
        (TopicVerb.schedule, {"topic_id": first.id, "meeting": "m1"}),
        (TopicVerb.merge, {"topic_id": first.id, "merge_into": second.id}),
        (TopicVerb.archive, {"topic_id": first.id}),
        (TopicVerb.treated, {"topic_id": first.id}),
    ]:
        assert message(await click(bot_http, verb, data)) == FR("errors.forbidden")
    assert await bot_http_state(bot_http) == before
    detail = card(await click(bot_http, TopicVerb.detail, {"topic_id": first.id}))
    assert actions(detail, TopicVerb.schedule) == []
    assert FR("topics.curate.title") not in texts(detail)
    reply = await say(bot_http, "publier sujets", conversation=CHANNEL)
    assert reply["text"] == FR("errors.forbidden")


# ---- complex cases ---------------------------------------------------------------------------


async def submit_case(http: BotHttp, context: str, aad: str = MEMBER_AAD) -> dict[str, Any]:
    form = card_of(await say(http, "cas", aad=aad))
    values = {
        **inputs(form),
        "title": "Usagère isolée qui refuse l'aide",
        "context": context,
        "tried": "Visites du CLSC, appel à la famille.",
        "blocks": "Elle refuse toute aide extérieure.",
        "question": "Comment ouvrir la discussion sans briser le lien?",
        "wishes": "advice,supervision",
    }
    return await click(
        http, TopicVerb.case_submit, {**actions(form, TopicVerb.case_submit)[0], **values}, aad=aad
    )


async def test_identifying_case_is_refused_and_nothing_is_stored(
    bot_http: BotHttp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    body = await submit_case(bot_http, IDENTIFYING_CASE)
    refusal = card(body)
    facts = [n for n in _walk_facts(refusal)]
    assert [f["value"] for f in facts] == ["Mme Tremblay", "TREM 5203 1512", "12 mars 1948"]
    field = FR("topics.case.field.context")
    assert [f["title"] for f in facts] == [
        FR("topics.guard.finding", field=field, kind=FR(f"topics.finding.{kind}"))
        for kind in ("name", "nam", "date")
    ]
    assert inputs(refusal)["context"].startswith("[NOM], NAM [NAM], née le [DATE], vit seule")
    assert await case_repository(services_of(bot_http)).all() == []
    for path, content in data_files(bot_http).items():
        assert "TREM" not in content, path
        assert "Tremblay" not in content or path.name == "community.toml", path
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "TREM" not in logged
    assert "Tremblay" not in logged
    assert "mars 1948" not in logged  # the birth date (a bare "1948" also matches log timestamps)

    # Accepting the redacted version stores it.
    accepted = await click(
        bot_http,
        TopicVerb.case_submit,
        {**actions(refusal, TopicVerb.case_submit)[0], **inputs(refusal)},
    )
    assert FR("topics.notice.case_submitted") in texts(card(accepted))
    (stored,) = await case_repository(services_of(bot_http)).all()
    assert stored.context.startswith("[NOM], NAM [NAM], née le [DATE]")
    assert stored.wishes == ("advice", "supervision")


async def test_clean_case_is_accepted_and_reaches_the_animateurs_queue(
    bot_http: BotHttp, fake_meetings: FakeMeetings
) -> None:
    services = services_of(bot_http)
    # The animateur has talked to Veilleuse before: they are told of the new case.
    await say(bot_http, "aide", aad=ANIMATEUR_AAD)
    fake_meetings.plan("m1", "Journée régionale CLSC")
    body = await submit_case(bot_http, CLEAN_CASE)
    assert FR("topics.notice.case_submitted") in texts(card(body))
    (stored,) = await case_repository(services).all()

    queue = card_of(await say(bot_http, "file des cas", aad=ANIMATEUR_AAD))
    assert "Usagère isolée qui refuse l'aide" in texts(queue)
    assert "Sophie Bergeron" in " ".join(texts(queue))  # animateurs see who submitted
    mine = card_of(await say(bot_http, "mes cas"))
    assert "Usagère isolée qui refuse l'aide" in texts(mine)
    async with asyncio.timeout(5):
        await services.messenger.flush()  # type: ignore[attr-defined]
    notified = bot_http.connector.texts()
    expected = FR("topics.case.notify", title=stored.title, word=FR("command.cases.queue.word"))
    assert expected in notified

    # Before it is on an agenda only the submitter and the animateurs can see it.
    ref = {"case_id": stored.id}
    hidden = await click(bot_http, TopicVerb.case_detail, ref, aad=SECOND_AAD)
    assert message(hidden) == FR("topics.errors.case_not_found")
    assert (await say(bot_http, "file des cas", aad=SECOND_AAD))["text"] == FR("errors.forbidden")
    queue_click = await click(bot_http, TopicVerb.case_list, {"scope": "queue"}, aad=SECOND_AAD)
    assert message(queue_click) == FR("errors.forbidden")
    assert message(
        await click(bot_http, TopicVerb.case_schedule, {**ref, "meeting": "m1"}, aad=SECOND_AAD)
    ) == FR("errors.forbidden")

    detail = card(await click(bot_http, TopicVerb.case_detail, ref, aad=ANIMATEUR_AAD))
    scheduled = await click(
        bot_http,
        TopicVerb.case_schedule,
        {**actions(detail, TopicVerb.case_schedule)[0], "meeting": "m1"},
        aad=ANIMATEUR_AAD,
    )
    assert FR("topics.notice.case_scheduled") in texts(card(scheduled))
    # Now on the agenda: every member sees it, in the bank and in the meeting's items.
    visible = card(await click(bot_http, TopicVerb.case_detail, ref, aad=SECOND_AAD))
    assert CLEAN_CASE in texts(visible)
    assert actions(visible, TopicVerb.case_withdraw) == []
    bank = card_of(await say(bot_http, "sujets", aad=SECOND_AAD))
    assert "Usagère isolée qui refuse l'aide" in texts(bank)
    items = await queries.scheduled_for(services, "m1")
    assert [(i.source, i.kind, i.presenter) for i in items] == [
        ("case", "reflexif", "Sophie Bergeron")
    ]


async def test_submitter_withdraws_a_case(bot_http: BotHttp) -> None:
    await submit_case(bot_http, CLEAN_CASE)
    (stored,) = await case_repository(services_of(bot_http)).all()
    ref = {"case_id": stored.id}
    other = await click(bot_http, TopicVerb.case_withdraw, ref, aad=ANIMATEUR_AAD)
    assert message(other) == FR("topics.errors.not_yours")
    gone = await click(bot_http, TopicVerb.case_withdraw, ref)
    assert FR("topics.notice.case_withdrawn") in texts(card(gone))
    assert await case_repository(services_of(bot_http)).all() == []


async def test_case_form_problems_keep_the_texts(bot_http: BotHttp) -> None:
    form = card_of(await say(bot_http, "cas"))
    body = await click(
        bot_http,
        TopicVerb.case_submit,
        {
            **inputs(form),
            "title": "Un titre",
            "context": CLEAN_CASE,
            "question": "?",
            "wishes": "advice",
        },
    )
    again = card(body)
    assert FR("topics.problem.question_length") in texts(again)
    assert inputs(again)["context"] == CLEAN_CASE
    assert await case_repository(services_of(bot_http)).all() == []


# ---- the channel card ------------------------------------------------------------------------


async def test_channel_card_is_updated_in_place_not_reposted(bot_http: BotHttp) -> None:
    await propose(bot_http, "Le deuil chez les adolescents")
    topic = await only_topic(bot_http)
    posted = await say(bot_http, "publier sujets", aad=ANIMATEUR_AAD, conversation=CHANNEL)
    board = card_of(posted)
    assert FR("topics.board.title") in texts(board)
    assert board["refresh"]["action"]["verb"] == TopicVerb.board_refresh
    (post,) = await topic_repository(services_of(bot_http)).posts()
    sent_in_channel = len(bot_http.replies(CHANNEL))

    # A support from a personal chat: the channel card is replaced through the messenger.
    await click(bot_http, TopicVerb.support, {"topic_id": topic.id, "on": True}, aad=SECOND_AAD)
    async with asyncio.timeout(5):
        await services_of(bot_http).messenger.flush()  # type: ignore[attr-defined]
    updates = bot_http.connector.updated[post.activity_id]
    assert updates, "the channel card was not updated"
    assert FR.plural("topics.supports", 1) in " ".join(texts(card_of(updates[-1])))

    # A support clicked on the card itself: updated from that very turn.
    thread = f"{CHANNEL};messageid={post.activity_id}"
    body = await click(
        bot_http,
        TopicVerb.support,
        actions(board, TopicVerb.support)[0],
        aad=THIRD_AAD,
        conversation=thread,
        reply_to=post.activity_id,
    )
    assert FR("topics.detail.you_support") in texts(card(body))  # the clicker's own view
    assert FR.plural("topics.supports", 2) in " ".join(
        texts(card_of(bot_http.connector.updated[post.activity_id][-1]))
    )
    assert len(bot_http.replies(CHANNEL)) == sent_in_channel  # never re-posted

    mine = card(
        await click(bot_http, TopicVerb.board_refresh, {}, aad=THIRD_AAD, conversation=thread)
    )
    assert FR("topics.detail.you_support") in texts(mine)


# ---- my data ---------------------------------------------------------------------------------


async def test_member_data_and_erasure(bot_http: BotHttp, fake_meetings: FakeMeetings) -> None:
    fake_meetings.plan("m1", "Journée")
    services = services_of(bot_http)
    await propose(bot_http, "Le travail de nuit")
    await propose(bot_http, "Tout autre thème", aad=SECOND_AAD)
    other = next(t for t in await stored_topics(bot_http) if t.title == "Tout autre thème")
    await click(bot_http, TopicVerb.support, {"topic_id": other.id, "on": True})
    await submit_case(bot_http, CLEAN_CASE)

    data = await routes.member_data(services, MEMBER_AAD)
    assert [t["topic_title"] for t in data["topics_proposed"]] == ["Le travail de nuit"]
    assert data["topics_supported"] == [{"topic_title": "Tout autre thème"}]
    assert data["cases_submitted"][0]["case_context"] == CLEAN_CASE
    assert await routes.member_data(services, THIRD_AAD) == {}

    await routes.forget_member(services, MEMBER_AAD)
    assert await routes.member_data(services, MEMBER_AAD) == {}
    kept = {t.title: t for t in await stored_topics(bot_http)}
    assert kept["Le travail de nuit"].proposer_name == ""  # the topic stays, anonymous
    assert kept["Tout autre thème"].supporters == ()
    assert await case_repository(services).all() == []
    for path, content in data_files(bot_http).items():
        if path.name in ("topics.json", "cases.json"):
            assert MEMBER_AAD not in content
            assert "Sophie Bergeron" not in content


async def test_plan_jobs_plans_a_return_at_each_meeting_end(
    bot_http: BotHttp, fake_meetings: FakeMeetings
) -> None:
    meeting = fake_meetings.plan("m1", "Journée")
    await propose(bot_http, "Un sujet")
    topic = await only_topic(bot_http)
    await click(
        bot_http, TopicVerb.schedule, {"topic_id": topic.id, "meeting": "m1"}, aad=ANIMATEUR_AAD
    )
    services = services_of(bot_http)
    jobs = await routes.plan_jobs(services, services.clock())
    assert [(j.id, j.run_at) for j in jobs] == [(return_job_id("m1"), meeting.ends_at)]
    fake_meetings.meetings["m1"] = meeting.__class__(
        "m1", "Journée", meeting.starts_at, meeting.ends_at, status="cancelled"
    )
    await jobs[0].func()
    assert (await only_topic(bot_http)).status == "open"


async def test_submit_fallback_updates_the_card_message(bot_http: BotHttp) -> None:
    """Older clients send Action.Submit: the bot applies it by updating the card message."""
    activity = bot_http.activity(
        None,
        conversation=personal(MEMBER_AAD),
        value={
            "verb": TopicVerb.submit,
            "title": "Soins spirituels en fin de vie",
            "kind": "formatif",
        },
        replyToId="card-9",
    )
    await bot_http.post(activity)
    assert FR("topics.notice.proposed") in texts(card_of(bot_http.connector.updated["card-9"][-1]))
    assert (await only_topic(bot_http)).title == "Soins spirituels en fin de vie"


# ---- with the real meetings feature ----------------------------------------------------------


async def test_scheduling_into_a_meeting_of_the_meetings_feature(bot_http: BotHttp) -> None:
    """No stand-in: the meeting is stored by the meetings feature, whose agenda then shows the
    scheduled topic in the atelier-conférence slot."""
    from datetime import UTC, datetime

    from dialogs.meetings import queries as meeting_queries
    from dialogs.meetings import views as meeting_views
    from storage.meeting_repository import Meeting

    services = services_of(bot_http)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    meeting = Meeting(
        id="real-1",
        title="Journée régionale conjointe",
        committee_ids=("ch", "clsc"),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        mode="virtuel",
        join_url="https://teams.microsoft.com/l/meetup-join/x",
    )
    await meeting_queries.meeting_repository(services).save(meeting)
    await propose(bot_http, "Accueillir la diversité de genre", presenter="Karine Michel")
    topic = await only_topic(bot_http)

    detail = card(
        await click(bot_http, TopicVerb.detail, {"topic_id": topic.id}, aad=ANIMATEUR_AAD)
    )
    assert inputs(detail)["meeting"] == "real-1"
    assert "Journée régionale conjointe" in " ".join(
        c["title"] for c in _choices(detail, "meeting")
    )
    await click(
        bot_http, TopicVerb.schedule, {"topic_id": topic.id, "meeting": "real-1"}, aad=ANIMATEUR_AAD
    )
    assert (await only_topic(bot_http)).status == "scheduled"
    agenda = await meeting_views.full_agenda(services, meeting)
    placed = [e for e in agenda if e.source == "topic" and e.source_id == topic.id]
    assert [(e.kind, e.title, e.presenter) for e in placed] == [
        ("atelier_conference", "Accueillir la diversité de genre", "Karine Michel")
    ]


async def test_names_on_the_roster_are_refused_even_when_unusual(bot_http: BotHttp) -> None:
    """The guard knows the CdeP's roster (the onboarding feature's profiles)."""
    from dialogs.onboarding import queries as onboarding_queries
    from storage.profile_repository import MemberProfile

    services = services_of(bot_http)
    profiles = onboarding_queries.profile_repository(services)
    await profiles.save(MemberProfile(key="zo-1", name="Zénobie Ouimette"))
    body = await click(
        bot_http,
        TopicVerb.submit,
        {"title": "Ce que Ouimette nous a appris", "kind": "echange"},
    )
    refusal = card(body)
    assert FR("topics.guard.title") in texts(refusal)
    assert inputs(refusal)["title"] == "Ce que [NOM] nous a appris"
    assert await stored_topics(bot_http) == []
