"""Polls through the bot's HTTP endpoint, as Teams drives it: create, post, answer, results,
anonymity, validation, roles and tampered cards. Replies are compared with the catalogs."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cards.i18n import Translator
from cards.polls import format_day, format_moment, format_share
from dialogs.polls import rules
from tests.dialogs.polls.conftest import (
    ANIMATEUR,
    CHANNEL,
    EN,
    FR,
    MEMBERS,
    Driver,
    action_data,
    facts,
    has_action,
    inputs,
    joined,
    personal,
)

pytestmark = pytest.mark.integration
SOPHIE, JF, NATHALIE, ETIENNE, JULIE, KARIM, LUCIE = MEMBERS


def bar_text(count: int, answered: int) -> str:
    """The text bar the card draws for ``count`` of ``answered`` (10 cells)."""
    share = count / answered
    cells = round(share * 10)
    bar = "█" * cells + "░" * (10 - cells)
    return FR("polls.results.bar", bar=bar, count=count, share=format_share(share, FR))


# ---- roles and creation ------------------------------------------------------------------------


async def test_sondage_offers_the_templates_and_poll_words_work_in_english(polls: Driver) -> None:
    card = (await polls.say("sondage"))["attachments"][0]["content"]
    texts = joined(card)
    for name in ("custom", "needs", "satisfaction", "availability"):
        assert FR(f"polls.new.{name}.name") in texts
    await polls.bot.choose_language(ANIMATEUR[0])
    draft = (await polls.say("poll availability", locale="en"))["attachments"][0]["content"]
    assert EN("polls.draft.heading.availability") in joined(draft)
    await polls.bot.choose_language(ANIMATEUR[0], "fr-CA")
    reply = await polls.say("sondage n'importe quoi")
    assert reply["text"] == FR("polls.usage")


async def test_draft_validation_gives_clear_messages(polls: Driver) -> None:
    draft_id, _ = await polls.new_draft()
    card = polls.card(await polls.publish(draft_id, title=" ", deadline_date="2020-01-01"))
    texts = joined(card)
    for code in ("title_required", "no_questions", "deadline_past"):
        assert FR(f"polls.problem.{code}") in texts
    many = "\n".join(f"Choix {i}" for i in range(11))
    form = polls.card(await polls.add_question(draft_id, "single", label="Q", choices=many))
    assert FR("polls.problem.too_many_choices", question="Q", limit=10) in joined(form)
    form = polls.card(
        await polls.add_question(draft_id, "single", label="Q", choices="Oui\n-\nNon")
    )
    assert FR("polls.problem.empty_choice", line=2) in joined(form)
    form = polls.card(
        await polls.add_question(draft_id, "multiple", label="Q", choices="A\nB", max_choices="5")
    )
    assert FR("polls.problem.max_choices_invalid", limit=2) in joined(form)
    stored = polls.raw_store()["polls"]
    assert [row["questions"] for row in stored.values()] == [[]]  # nothing half-saved
    assert [row["status"] for row in stored.values()] == ["draft"]


async def test_a_poll_too_long_for_a_card_is_refused(polls: Driver) -> None:
    draft_id, _ = await polls.new_draft()
    choices = "\n".join(f"{i} " + "x" * 140 for i in range(10))
    saved = 0
    for _ in range(10):
        body = await polls.add_question(draft_id, "multiple", label="Q" * 290, choices=choices)
        if FR("polls.problem.too_long") in joined(polls.card(body)):
            break
        saved += 1
    assert 0 < saved < 10
    [stored] = polls.raw_store()["polls"].values()
    assert len(stored["questions"]) == saved
    published = polls.card(await polls.publish(draft_id))
    assert FR("polls.published") in joined(published)  # what was saved still fits


async def test_channel_audience_needs_a_channel(polls: Driver) -> None:
    me = personal(ANIMATEUR[0])
    draft_id, _ = await polls.new_draft(conversation=me)
    await polls.add_question(draft_id, "text", conversation=me, label="Idées?")
    card = polls.card(await polls.publish(draft_id, conversation=me, audience="channel"))
    assert FR("polls.problem.channel_needs_channel") in joined(card)


@pytest.mark.parametrize(
    "settings",
    [
        {"visibility": "everyone"},
        {"audience": "committee:nope"},
        {"anonymous": "maybe"},
        {"title": 3},
    ],
)
async def test_tampered_draft_settings_change_nothing(polls: Driver, settings: dict) -> None:
    draft_id, _ = await polls.new_draft()
    before = polls.raw_store()["polls"]
    body = await polls.publish(draft_id, **settings)
    assert polls.message(body) == FR("errors.bad_card_data")
    assert polls.raw_store()["polls"] == before


# ---- a named poll in the channel ---------------------------------------------------------------


async def test_named_poll_votes_change_double_click_and_results(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    # The draft card became the poll for everyone (updated in place), in French.
    shared = polls.bot.connector.updated["draft-1"][-1]["attachments"][0]["content"]
    assert FR("polls.poll.question_label", number=1, label="Mode préféré?") in joined(shared)
    assert has_action(shared, "polls.answer")
    assert shared["refresh"]["action"]["verb"] == "polls.view"

    first = polls.card(await polls.answer(poll_id, SOPHIE, q1="c1"))
    assert FR("polls.answer.created") in joined(first)
    assert FR("polls.poll.your_answer") in joined(first)
    assert facts(first)["Mode préféré?"] == "Présentiel"
    assert first["refresh"]["userIds"] == [f"29:{SOPHIE[0]}"]

    await polls.answer(poll_id, JF, q1="c2")
    await polls.answer(poll_id, NATHALIE, q1="c2")
    changed = polls.card(await polls.answer(poll_id, NATHALIE, q1="c3"))  # changes her mind
    assert FR("polls.answer.changed") in joined(changed)
    again = polls.card(await polls.answer(poll_id, JF, q1="c2"))  # double click
    assert FR("polls.answer.same") in joined(again)

    view = polls.card(await polls.click("polls.view", {"poll_id": poll_id}))
    results = facts(view)
    assert FR.plural("polls.results.answers", 3) in joined(view)
    assert results["Présentiel"] == bar_text(1, 3)
    assert results["Virtuel"] == bar_text(1, 3)
    assert results["Hybride"] == bar_text(1, 3)
    assert len(polls.raw_store()["ballots"]) == 3


async def test_named_answer_can_be_changed_from_the_card(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    await polls.answer(poll_id, SOPHIE, q1="c1")
    form = polls.card(await polls.click("polls.change_answer", {"poll_id": poll_id}, SOPHIE))
    assert has_action(form, "polls.answer")
    assert inputs(form)["q1"]["value"] == "c1"
    changed = polls.card(await polls.answer(poll_id, SOPHIE, q1="c3"))
    assert facts(changed)["Mode préféré?"] == "Hybride"


@pytest.mark.parametrize("answers", [{"q1": "c9"}, {"q1": "c1,c2"}, {"q1": 7}, {"q1": {"x": 1}}])
async def test_tampered_answers_are_refused(polls: Driver, answers: dict) -> None:
    poll_id = await polls.single_choice_poll()
    body = await polls.answer(poll_id, SOPHIE, **answers)
    assert polls.message(body) == FR("polls.errors.tampered")
    assert polls.raw_store().get("ballots", {}) == {}


async def test_unknown_poll_and_missing_answer(polls: Driver) -> None:
    body = await polls.answer("nope", SOPHIE, q1="c1")
    assert polls.message(body) == FR("polls.errors.not_found")
    poll_id = await polls.single_choice_poll()
    card = polls.card(await polls.answer(poll_id, SOPHIE))
    assert FR("polls.problem.required_missing", question="Mode préféré?") in joined(card)
    assert polls.raw_store().get("ballots", {}) == {}


async def test_too_many_choices_is_explained(polls: Driver) -> None:
    draft_id, _ = await polls.new_draft()
    await polls.add_question(
        draft_id, "multiple", label="Thèmes?", choices="A\nB\nC", max_choices="2"
    )
    poll_id = action_data(polls.card(await polls.publish(draft_id)), "polls.view")["poll_id"]
    card = polls.card(await polls.answer(poll_id, SOPHIE, q1="c1,c2,c3"))
    assert FR("polls.problem.too_many_selected", question="Thèmes?", limit=2) in joined(card)
    ok = polls.card(await polls.answer(poll_id, SOPHIE, q1="c1,c3"))
    assert facts(ok)["Thèmes?"] == Translator("fr-CA")("polls.list_separator").join(("A", "C"))


async def test_submit_fallback_in_a_channel_answers_in_words(polls: Driver) -> None:
    """Older clients send Action.Submit: the bot must not put one person's answer on everyone's
    card."""
    poll_id = await polls.single_choice_poll()
    activity = polls.activity(
        None, SOPHIE, value={"verb": "polls.answer", "poll_id": poll_id, "q1": "c2"}
    )
    activity["replyToId"] = "draft-1"
    before = len(polls.bot.connector.updated["draft-1"])
    await polls.bot.post(activity)
    assert polls.bot.replies(CHANNEL)[-1]["text"] == FR("polls.answer.created")
    assert len(polls.bot.connector.updated["draft-1"]) == before


# ---- anonymity --------------------------------------------------------------------------------


async def test_anonymous_poll_threshold_and_no_link_in_the_store(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll(anonymous="true", visibility="live")
    voters = [SOPHIE, JF, NATHALIE, ETIENNE]
    for i, who in enumerate(voters):
        card = polls.card(await polls.answer(poll_id, who, q1="c1" if i % 2 else "c2"))
        assert FR("polls.answer.recorded") in joined(card)
        assert FR("polls.poll.answer_not_kept") in joined(card)
    # A second answer from the same person is refused and changes nothing.
    twice = polls.card(await polls.answer(poll_id, SOPHIE, q1="c1"))
    assert FR("polls.answer.already") in joined(twice)
    assert polls.message(
        await polls.click("polls.change_answer", {"poll_id": poll_id}, SOPHIE)
    ) == FR("polls.errors.anonymous_final")
    view = polls.card(await polls.click("polls.view", {"poll_id": poll_id}))
    assert FR("polls.results.hidden", threshold=5, answers=4) in joined(view)
    assert "Présentiel" not in facts(view)

    await polls.answer(poll_id, JULIE, q1="c3")
    view = polls.card(await polls.click("polls.view", {"poll_id": poll_id}))
    assert FR("polls.results.hidden", threshold=5, answers=5) not in joined(view)
    assert facts(view)["Virtuel"] == bar_text(2, 5)
    assert FR("polls.anonymity.explained", threshold=5) in joined(view)

    raw = polls.raw_store()
    keys = [aad.casefold() for aad, _ in [*voters, JULIE]]
    answers_text = str(raw["anonymous"])
    assert not any(key in answers_text for key in keys)
    assert not any(name in str(raw) for _, name in [*voters, JULIE])
    assert raw.get("ballots", {}) == {}
    stored = next(iter(raw["anonymous"].values()))["answers"]
    assert sorted(a["q1"] for a in stored) == ["c1", "c1", "c2", "c2", "c3"]
    assert all(set(a) == {"q1"} for a in stored)


async def test_threshold_from_the_community_profile(polls: Driver) -> None:
    path = polls.runtime.settings.data_dir / "community.toml"
    path.write_text(
        path.read_text("utf-8").replace("small_group_threshold = 5", "small_group_threshold = 3"),
        "utf-8",
    )
    polls.services.profile.reload()
    poll_id = await polls.single_choice_poll(anonymous="true")
    for who in (SOPHIE, JF):
        await polls.answer(poll_id, who, q1="c1")
    view = polls.card(await polls.click("polls.view", {"poll_id": poll_id}))
    assert FR("polls.results.hidden", threshold=3, answers=2) in joined(view)
    await polls.answer(poll_id, NATHALIE, q1="c1")
    view = polls.card(await polls.click("polls.view", {"poll_id": poll_id}))
    assert facts(view)["Présentiel"] == bar_text(3, 3)


async def test_results_visibility(polls: Driver) -> None:
    after = await polls.single_choice_poll(visibility="after_close")
    card = polls.card(await polls.answer(after, SOPHIE, q1="c1"))
    assert FR("polls.results.title") not in joined(card)
    leads_only = await polls.single_choice_poll(visibility="animateurs")
    await polls.answer(leads_only, SOPHIE, q1="c1")
    await polls.click("polls.close", {"poll_id": leads_only})
    member_view = polls.card(await polls.click("polls.view", {"poll_id": leads_only}, SOPHIE))
    assert FR("polls.results.title") not in joined(member_view)
    lead_view = polls.card(await polls.click("polls.view", {"poll_id": leads_only}))
    assert FR("polls.results.title") in joined(lead_view)


# ---- free text and the de-identification guard -------------------------------------------------


async def test_identifying_free_text_is_held_back_then_sent_redacted(polls: Driver) -> None:
    draft_id, _ = await polls.new_draft()
    await polls.add_question(draft_id, "single", label="Utile?", choices="Oui\nNon")
    await polls.add_question(draft_id, "text", label="Commentaire", required="false")
    poll_id = action_data(polls.card(await polls.publish(draft_id)), "polls.view")["poll_id"]
    raw_text = "Mme Tremblay (NAM TREM 5203 1512) a beaucoup aimé"
    body = await polls.answer(poll_id, SOPHIE, q1="c1", q2=raw_text)
    review = polls.card(body)
    assert FR("polls.review.heading") in joined(review)
    assert "TREM 5203 1512" not in str(polls.raw_store())
    assert polls.raw_store().get("ballots", {}) == {}
    resend = {k: v for k, v in action_data(review, "polls.answer").items() if k.startswith("q")}
    redacted = next(item["value"] for item in review["body"] if item.get("type") == "Input.Text")
    assert "TREM" not in redacted
    done = polls.card(await polls.answer(poll_id, SOPHIE, **{**resend, "q2": redacted}))
    assert FR("polls.answer.created") in joined(done)
    ballot = next(iter(polls.raw_store()["ballots"].values()))
    assert ballot["answers"] == {"q1": "c1", "q2": redacted}


# ---- closing, reopening, extending ---------------------------------------------------------------


async def test_close_early_updates_the_card_and_refuses_later_answers(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    await polls.answer(poll_id, SOPHIE, q1="c1")
    body = await polls.click("polls.close", {"poll_id": poll_id}, reply_to="draft-1")
    assert FR("polls.manage.closed") in joined(polls.card(body))
    shared = polls.bot.connector.updated["draft-1"][-1]["attachments"][0]["content"]
    assert not has_action(shared, "polls.answer")
    assert facts(shared)["Présentiel"] == bar_text(1, 1)
    late = await polls.answer(poll_id, JF, q1="c2")
    assert polls.message(late) == FR("polls.errors.closed")
    assert polls.message(await polls.click("polls.close", {"poll_id": poll_id})) == FR(
        "polls.errors.already_closed"
    )
    # Reopen with a new deadline, then answer again.
    new = polls.deadline_fields()
    reopened = await polls.click(
        "polls.reopen",
        {
            "poll_id": poll_id,
            "new_deadline_date": new["deadline_date"],
            "new_deadline_time": new["deadline_time"],
        },
        reply_to="draft-1",
    )
    deadline = rules.parse_deadline(
        new["deadline_date"], new["deadline_time"], polls.services.timezone
    )
    assert deadline is not None
    when = format_moment(deadline, FR, polls.services.timezone)
    assert FR("polls.manage.reopened", deadline=when) in joined(polls.card(reopened))
    assert FR("polls.answer.created") in joined(
        polls.card(await polls.answer(poll_id, JF, q1="c2"))
    )


async def test_extend_validates_the_new_deadline(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    bad = polls.card(
        await polls.click(
            "polls.extend",
            {"poll_id": poll_id, "new_deadline_date": "2020-01-01", "new_deadline_time": "10:00"},
        )
    )
    assert FR("polls.problem.deadline_past") in joined(bad)
    fields = polls.deadline_fields()
    fields = {"new_deadline_date": fields["deadline_date"], "new_deadline_time": "08:30"}
    good = polls.card(await polls.click("polls.extend", {"poll_id": poll_id, **fields}))
    stored = polls.raw_store()["polls"][next(iter(polls.raw_store()["polls"]))]
    deadline = rules.parse_deadline(fields["new_deadline_date"], "08:30", polls.services.timezone)
    assert deadline is not None
    assert stored["deadline"] == deadline.astimezone(polls.clock.now.tzinfo).isoformat()
    assert FR(
        "polls.manage.extended", deadline=format_moment(deadline, FR, polls.services.timezone)
    ) in joined(good)
    # Changed from elsewhere than the poll's card: the messenger redraws that card.
    await asyncio.wait_for(polls.runtime.messenger.flush(), 5)
    shared = polls.bot.connector.updated["draft-1"][-1]["attachments"][0]["content"]
    when = format_moment(deadline, FR, polls.services.timezone)
    assert FR("polls.poll.open_until", deadline=when) in joined(shared)
    assert polls.message(await polls.click("polls.reopen", {"poll_id": poll_id, **fields})) == FR(
        "polls.errors.still_open"
    )


@pytest.mark.parametrize("verb", ["polls.close", "polls.extend", "polls.reopen", "polls.export"])
async def test_members_cannot_manage_polls(polls: Driver, verb: str) -> None:
    poll_id = await polls.single_choice_poll()
    before = polls.raw_store()
    assert polls.message(await polls.click(verb, {"poll_id": poll_id}, SOPHIE)) == FR(
        "polls.errors.not_yours"
    )
    assert polls.raw_store() == before


# ---- export --------------------------------------------------------------------------------


async def _download(polls: Driver, card: dict) -> list[list[str]]:
    url = next(a["url"] for a in card["body"][-1]["actions"] if a.get("type") == "Action.OpenUrl")
    response = await polls.bot.client.get("/files/" + url.rsplit("/", 1)[1])
    assert response.status == 200
    text = (await response.read()).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


async def test_csv_per_person_for_named_and_aggregate_for_anonymous(polls: Driver) -> None:
    named = await polls.single_choice_poll()
    await polls.answer(named, SOPHIE, q1="c1")
    await polls.answer(named, JF, q1="c2")
    rows = await _download(polls, polls.card(await polls.click("polls.export", {"poll_id": named})))
    assert rows[0] == [FR("polls.csv.name"), FR("polls.csv.answered_at"), "Mode préféré?"]
    assert sorted((r[0], r[2]) for r in rows[1:]) == [
        ("Jean-François Côté", "Virtuel"),
        ("Sophie Bergeron", "Présentiel"),
    ]

    anonymous = await polls.single_choice_poll(anonymous="true")
    for who in (SOPHIE, JF, NATHALIE, ETIENNE):
        await polls.answer(anonymous, who, q1="c1")
    refused = await polls.click("polls.export", {"poll_id": anonymous})
    assert polls.message(refused) == FR("polls.errors.export_hidden", threshold=5)
    await polls.answer(anonymous, JULIE, q1="c2")
    rows = await _download(
        polls, polls.card(await polls.click("polls.export", {"poll_id": anonymous}))
    )
    assert rows[0] == [
        FR("polls.csv.question"),
        FR("polls.csv.answer"),
        FR("polls.csv.count"),
        FR("polls.csv.share"),
    ]
    assert [r[1:3] for r in rows[1:]] == [["Présentiel", "4"], ["Virtuel", "1"], ["Hybride", "0"]]
    assert not any(name in str(rows) for _, name in MEMBERS)


# ---- list --------------------------------------------------------------------------------------


async def test_sondages_lists_open_and_recent_polls(polls: Driver) -> None:
    open_id = await polls.single_choice_poll(title="Ouvert")
    closed_id = await polls.single_choice_poll(title="Fermé")
    await polls.answer(open_id, SOPHIE, q1="c1")
    await polls.click("polls.close", {"poll_id": closed_id})
    me = personal(SOPHIE[0])
    listed = (await polls.say("sondages", SOPHIE, conversation=me))["attachments"][0]["content"]
    texts = joined(listed)
    assert texts.index("Ouvert") < texts.index("Fermé")
    assert FR("polls.list.answered") in texts
    assert not has_action(listed, "polls.new")
    opened = polls.card(await polls.click("polls.view", {"poll_id": open_id}, SOPHIE, me))
    assert facts(opened)["Mode préféré?"] == "Présentiel"
    lead = (await polls.say("polls", conversation=personal(ANIMATEUR[0])))["attachments"][0][
        "content"
    ]
    assert has_action(lead, "polls.new")
    assert (await polls.say("sondages tous", SOPHIE, conversation=me))["text"] == FR(
        "polls.list_usage"
    )


async def test_draft_can_be_discarded(polls: Driver) -> None:
    draft_id, _ = await polls.new_draft()
    body = await polls.click("polls.discard", {"draft_id": draft_id}, reply_to="draft-msg")
    assert FR("polls.draft.discarded") in joined(polls.card(body))
    assert polls.raw_store()["polls"] == {}
    again = await polls.click("polls.publish", {"draft_id": draft_id})
    assert polls.message(again) == FR("polls.errors.draft_gone")


async def test_availability_skips_new_years_day_and_says_optional_once(polls: Driver) -> None:
    """Issue 19: the default candidate dates leave out Québec statutory holidays (and weekends),
    and the comment question does not read « Commentaire (facultatif) (facultatif) »."""
    polls.clock.now = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)  # three weeks on: Dec. 31
    draft = (await polls.say("sondage disponibilites"))["attachments"][0]["content"]
    texts = joined(draft)
    new_year = format_day(date(2027, 1, 1), FR)
    assert format_day(date(2026, 12, 31), FR) in texts
    assert format_day(date(2027, 1, 4), FR) in texts
    assert new_year not in texts
    # Posted: the comment question reads « Commentaire (facultatif) », the suffix once.
    draft_id, _ = await polls.new_draft("availability")
    posted = polls.card(await polls.publish(draft_id))
    suffix = FR("polls.poll.optional_suffix")
    comment = FR("polls.template.availability.comment") + suffix
    found = [t for t in _all_texts(posted) if suffix.strip() in t]
    assert any(comment in t for t in found), found
    assert all(t.count(suffix.strip()) == 1 for t in found), found


def _all_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [t for v in node.values() for t in _all_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _all_texts(v)]
    return [node] if isinstance(node, str) else []
