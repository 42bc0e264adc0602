"""Who may create and manage polls, through the bot's HTTP endpoint: animateurs always; members
only when the community profile says ``[polls] members_can_create = true``, and then only their
own drafts and polls. Refusals change nothing in the store."""

from __future__ import annotations

from typing import Any

import pytest

from tests.card_walk import of_type
from tests.dialogs.polls.conftest import (
    ANIMATEUR,
    CHANNEL,
    FR,
    MEMBERS,
    Driver,
    action_data,
    all_action_data,
    has_action,
    joined,
    personal,
)

pytestmark = pytest.mark.integration
SOPHIE, JF, NATHALIE, *_ = MEMBERS
DRAFT_VERBS = (
    "polls.open_draft",
    "polls.add_question",
    "polls.edit_question",
    "polls.save_question",
    "polls.remove_question",
    "polls.publish",
    "polls.discard",
)
MANAGE_VERBS = ("polls.close", "polls.extend", "polls.reopen", "polls.export")


def help_sections(card: dict[str, Any]) -> list[list[str]]:
    """The command words of each FactSet of the help card: [everyone's, animateurs'?]."""
    return [[fact["title"] for fact in n.get("facts", [])] for n in of_type(card, "FactSet")]


async def help_of(polls: Driver, who: tuple[str, str]) -> list[list[str]]:
    reply = await polls.say(FR("command.help.word"), who, conversation=personal(who[0]))
    return help_sections(reply["attachments"][0]["content"])


def draft_data(verb: str, draft_id: str, polls: Driver) -> dict[str, Any]:
    """What each draft card action sends (a well-formed card, only the person differs)."""
    data: dict[str, Any] = {"draft_id": draft_id}
    if verb in ("polls.add_question", "polls.save_question"):
        data |= {"kind": "single", "label": "Q?", "choices": "Oui\nNon", "question_id": ""}
    if verb in ("polls.edit_question", "polls.remove_question"):
        data["question_id"] = "q1"
    if verb == "polls.publish":
        data |= {"title": "Pris", "audience": "channel", **polls.deadline_fields()}
    return data


def manage_data(verb: str, poll_id: str, polls: Driver) -> dict[str, Any]:
    fields = polls.deadline_fields()
    data: dict[str, Any] = {"poll_id": poll_id}
    if verb in ("polls.extend", "polls.reopen"):
        data |= {"new_deadline_date": fields["deadline_date"], "new_deadline_time": "08:30"}
    return data


def stored_poll(polls: Driver, poll_id: str) -> dict[str, Any]:
    return next(row for row in polls.raw_store()["polls"].values() if row["id"] == poll_id)


async def animateur_draft(polls: Driver) -> str:
    draft_id, _ = await polls.new_draft()
    await polls.add_question(draft_id, "single", label="Mode?", choices="A\nB")
    return draft_id


# ---- the switch off (the default) ---------------------------------------------------------------


async def test_by_default_a_member_is_refused_politely_and_nothing_is_created(
    polls: Driver,
) -> None:
    draft_id = await animateur_draft(polls)
    before = polls.raw_store()
    forbidden = FR("command.poll.forbidden")
    for words in ("sondage", "sondage besoins", "poll availability"):
        assert (await polls.say(words, SOPHIE))["text"] == forbidden
    assert polls.message(await polls.click("polls.new", {}, SOPHIE)) == forbidden
    for template in ("custom", "needs", "availability", "satisfaction"):
        body = await polls.click("polls.post_template", {"template": template}, SOPHIE)
        assert polls.message(body) == forbidden
    for verb in DRAFT_VERBS:  # even on a draft that exists
        body = await polls.click(verb, draft_data(verb, draft_id, polls), SOPHIE)
        assert polls.message(body) == forbidden, verb
    assert polls.raw_store() == before
    # The help card does not offer « sondage » to members; animateurs find it in their part.
    assert FR("command.poll.word") not in sum(await help_of(polls, SOPHIE), [])
    everyone, leads = await help_of(polls, ANIMATEUR)
    assert FR("command.poll.word") in leads
    assert FR("command.poll.word") not in everyone
    me = personal(SOPHIE[0])
    listed = (await polls.say("sondages", SOPHIE, conversation=me))["attachments"][0]["content"]
    assert not has_action(listed, "polls.new")


# ---- the switch on -----------------------------------------------------------------------------


async def test_a_member_creates_publishes_and_closes_their_own_poll(polls: Driver) -> None:
    await polls.members_may_create(True)
    everyone, *leads = await help_of(polls, SOPHIE)
    assert FR("command.poll.word") in everyone
    assert leads == []
    choice = (await polls.say("sondage", SOPHIE))["attachments"][0]["content"]
    offered = [d["template"] for d in all_action_data(choice, "polls.post_template")]
    assert offered == ["custom", "needs", "availability"]  # satisfaction: animateurs

    poll_id = await polls.single_choice_poll(who=SOPHIE, visibility="animateurs")
    [stored] = polls.raw_store()["polls"].values()
    assert (stored["status"], stored["created_by"]) == ("open", SOPHIE[0].casefold())
    await polls.answer(poll_id, JF, q1="c2")
    await polls.answer(poll_id, NATHALIE, q1="c2")
    # The creator manages her poll and sees its results; another member does not.
    mine = polls.card(await polls.click("polls.view", {"poll_id": poll_id}, SOPHIE))
    assert has_action(mine, "polls.close")
    assert FR("polls.results.title") in joined(mine)
    theirs = polls.card(await polls.click("polls.view", {"poll_id": poll_id}, JF))
    assert not has_action(theirs, "polls.close")
    assert FR("polls.results.title") not in joined(theirs)

    body = await polls.click("polls.close", {"poll_id": poll_id}, SOPHIE, reply_to="draft-1")
    assert FR("polls.manage.closed") in joined(polls.card(body))
    assert stored_poll(polls, poll_id)["status"] == "closed"
    shared = polls.bot.connector.updated["draft-1"][-1]["attachments"][0]["content"]
    assert not has_action(shared, "polls.answer")
    exported = polls.card(await polls.click("polls.export", {"poll_id": poll_id}, SOPHIE))
    assert FR("polls.manage.exported") in joined(exported)


async def test_a_member_keeps_to_their_own_drafts_and_polls(polls: Driver) -> None:
    await polls.members_may_create(True)
    lead_draft = await animateur_draft(polls)
    lead_poll = await polls.single_choice_poll()
    sophie_draft, _ = await polls.new_draft(who=SOPHIE)
    await polls.add_question(sophie_draft, "single", who=SOPHIE, label="Quand?", choices="A\nB")
    sophie_poll = await polls.single_choice_poll(who=SOPHIE)
    before = polls.raw_store()
    not_yours = FR("polls.errors.not_yours")
    for draft_id, who in ((sophie_draft, JF), (lead_draft, SOPHIE)):
        for verb in DRAFT_VERBS:
            body = await polls.click(verb, draft_data(verb, draft_id, polls), who)
            assert polls.message(body) == not_yours, verb
    for poll_id, who in ((sophie_poll, JF), (lead_poll, SOPHIE)):
        for verb in MANAGE_VERBS:
            body = await polls.click(verb, manage_data(verb, poll_id, polls), who)
            assert polls.message(body) == not_yours, verb
    assert polls.raw_store() == before
    # Her list offers a new poll and her own draft only.
    me = personal(SOPHIE[0])
    listed = (await polls.say("sondages", SOPHIE, conversation=me))["attachments"][0]["content"]
    assert has_action(listed, "polls.new")
    assert [d["draft_id"] for d in all_action_data(listed, "polls.open_draft")] == [sophie_draft]


async def test_animateurs_still_manage_every_poll(polls: Driver) -> None:
    await polls.members_may_create(True)
    sophie_draft, _ = await polls.new_draft(who=SOPHIE)
    opened = polls.card(await polls.click("polls.open_draft", {"draft_id": sophie_draft}))
    assert action_data(opened, "polls.publish")["draft_id"] == sophie_draft
    sophie_poll = await polls.single_choice_poll(who=SOPHIE)
    body = await polls.click("polls.close", {"poll_id": sophie_poll})
    assert FR("polls.manage.closed") in joined(polls.card(body))
    assert stored_poll(polls, sophie_poll)["status"] == "closed"
    lead = (await polls.say("polls", conversation=personal(ANIMATEUR[0])))["attachments"][0]
    listed = [d["draft_id"] for d in all_action_data(lead["content"], "polls.open_draft")]
    assert sophie_draft in listed


async def test_the_meeting_satisfaction_survey_stays_with_animateurs(polls: Driver) -> None:
    await polls.members_may_create(True)
    refused = FR("polls.errors.template_animateurs")
    assert (await polls.say("sondage satisfaction", SOPHIE))["text"] == refused
    for data in ({"template": "satisfaction"}, {"template": "custom", "meeting_id": "m1"}):
        assert polls.message(await polls.click("polls.post_template", data, SOPHIE)) == refused
    assert polls.raw_store().get("polls", {}) == {}
    draft_id, card = await polls.new_draft("satisfaction")
    assert FR("polls.draft.heading.satisfaction") in joined(card)


async def test_when_the_switch_goes_off_a_member_still_closes_what_they_posted(
    polls: Driver,
) -> None:
    await polls.members_may_create(True)
    sophie_draft, _ = await polls.new_draft(who=SOPHIE)
    sophie_poll = await polls.single_choice_poll(who=SOPHIE)
    await polls.members_may_create(False)
    body = await polls.click("polls.open_draft", {"draft_id": sophie_draft}, SOPHIE)
    assert polls.message(body) == FR("command.poll.forbidden")
    body = await polls.click("polls.close", {"poll_id": sophie_poll}, SOPHIE)
    assert FR("polls.manage.closed") in joined(polls.card(body))


async def test_a_member_poll_in_a_channel_reaches_the_channel(polls: Driver) -> None:
    await polls.members_may_create(True)
    poll_id = await polls.single_choice_poll(who=SOPHIE)
    stored = stored_poll(polls, poll_id)
    assert stored["conversation_id"] == CHANNEL
    answered = polls.card(await polls.answer(poll_id, JF, q1="c1"))
    assert FR("polls.answer.created") in joined(answered)
