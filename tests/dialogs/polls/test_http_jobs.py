"""Polls over time and across features: 1:1 audiences, reminders, closing at the deadline
(injected clock, job functions called directly), jobs rebuilt from storage, the ready-made
surveys, the meetings hand-off, personal data and the vitality query."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards.polls import format_day, format_moment
from dialogs.cycles import Cycle
from dialogs.meetings.queries import meeting_repository
from dialogs.polls import jobs, routes, rules
from dialogs.polls.audience import poll_repository
from dialogs.polls.queries import polls_in_range
from storage.meeting_repository import Meeting
from storage.outbox_repository import NewPersonalChat
from tests.dialogs.polls.conftest import (
    ANIMATEUR,
    CHANNEL,
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
ME = personal(ANIMATEUR[0])


def key(who: tuple[str, str]) -> str:
    return who[0].casefold()


async def committee_poll(polls: Driver, anonymous: str = "false") -> str:
    draft_id, _ = await polls.new_draft(conversation=ME)
    await polls.add_question(draft_id, "single", ME, label="Mode?", choices="Présentiel\nVirtuel")
    card = polls.card(
        await polls.publish(draft_id, ME, audience="committee:clsc", anonymous=anonymous)
    )
    return action_data(card, "polls.view")["poll_id"]


async def deadline_of(polls: Driver, poll_id: str) -> datetime:
    poll = await poll_repository(polls.services).get(poll_id)
    assert poll is not None
    return poll.deadline_at


@pytest.mark.parametrize("anonymous", ["false", "true"])
async def test_committee_poll_goes_1to1_and_reminders_skip_respondents(
    polls: Driver, anonymous: str
) -> None:
    sent = polls.record_messages()
    await polls.add_members([SOPHIE, JF, NATHALIE, ETIENNE], committee="clsc")
    await polls.add_members([LUCIE], committee="ch")
    poll_id = await committee_poll(polls, anonymous)
    assert sent.ids(f"poll:{poll_id}:post:") == sorted(
        f"poll:{poll_id}:post:{key(w)}" for w in (SOPHIE, JF, NATHALIE, ETIENNE)
    )
    to_sophie = next(i for i in sent.items if i.id.endswith(key(SOPHIE)))
    assert isinstance(to_sophie.target, NewPersonalChat)
    assert to_sophie.target.user_id == f"29:{SOPHIE[0]}"

    for who in (SOPHIE, JF):
        body = await polls.answer(poll_id, who, personal(who[0]), q1="c1")
        assert FR("polls.poll.your_answer") in joined(polls.card(body))
    outsider = await polls.answer(poll_id, LUCIE, personal(LUCIE[0]), q1="c1")
    assert polls.message(outsider) == FR("polls.errors.not_in_audience")

    deadline = await deadline_of(polls, poll_id)
    assert (
        await jobs.send_reminders(polls.services, poll_id, "48h", deadline - timedelta(hours=50))
        == 0
    )
    assert (
        await jobs.send_reminders(polls.services, poll_id, "48h", deadline - timedelta(hours=47))
        == 2
    )
    assert sent.ids(f"poll:{poll_id}:reminder:48h:") == sorted(
        f"poll:{poll_id}:reminder:48h:{key(w)}" for w in (NATHALIE, ETIENNE)
    )
    # Run twice (a restart): nothing more goes out.
    assert (
        await jobs.send_reminders(polls.services, poll_id, "48h", deadline - timedelta(hours=46))
        == 0
    )

    await polls.answer(poll_id, NATHALIE, personal(NATHALIE[0]), q1="c2")
    assert (
        await jobs.send_reminders(polls.services, poll_id, "4h", deadline - timedelta(hours=3)) == 1
    )
    assert sent.ids(f"poll:{poll_id}:reminder:4h:") == [
        f"poll:{poll_id}:reminder:4h:{key(ETIENNE)}"
    ]
    reminder = next(i for i in sent.items if i.id.startswith(f"poll:{poll_id}:reminder:4h:"))
    card = reminder.activity["attachments"][0]["content"]
    when = format_moment(deadline, FR, polls.services.timezone)
    assert FR("polls.reminder.notice", deadline=when) in joined(card)
    assert action_data(card, "polls.answer")["poll_id"] == poll_id


async def test_a_late_restart_sends_one_reminder_not_two(polls: Driver) -> None:
    sent = polls.record_messages()
    await polls.add_members([SOPHIE, JF], committee="clsc")
    poll_id = await committee_poll(polls)
    deadline = await deadline_of(polls, poll_id)
    late = deadline - timedelta(hours=2)
    assert await jobs.send_reminders(polls.services, poll_id, "48h", late) == 0
    assert await jobs.send_reminders(polls.services, poll_id, "4h", late) == 2
    assert sent.ids(f"poll:{poll_id}:reminder:48h") == []
    planned = [j.id for j in await jobs.plan_jobs(polls.services, late)]
    assert planned == [f"poll:{poll_id}:close"]


async def test_audience_unknown_without_profiles(polls: Driver) -> None:
    draft_id, _ = await polls.new_draft(conversation=ME)
    await polls.add_question(draft_id, "text", ME, label="Idées?")
    card = polls.card(await polls.publish(draft_id, ME, audience="members"))
    assert FR("polls.problem.audience_empty") in joined(card)


async def test_deadline_closes_the_poll_and_posts_results_in_the_channel(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    for who, choice in ((SOPHIE, "c1"), (JF, "c1"), (NATHALIE, "c2")):
        await polls.answer(poll_id, who, q1=choice)
    planned = sorted(j.id for j in await jobs.plan_jobs(polls.services, polls.clock.now))
    assert planned == [
        f"poll:{poll_id}:close",
        f"poll:{poll_id}:reminder:48h",
        f"poll:{poll_id}:reminder:4h",
    ]
    assert f"poll:{poll_id}:close" in polls.runtime.scheduler.job_ids()

    deadline = await deadline_of(polls, poll_id)
    assert (
        await jobs.close_at_deadline(polls.services, poll_id, deadline - timedelta(minutes=1))
        is False
    )
    polls.clock.now = deadline + timedelta(seconds=5)
    before = len(polls.bot.replies(CHANNEL))
    assert await jobs.close_at_deadline(polls.services, poll_id) is True
    await asyncio.wait_for(polls.runtime.messenger.flush(), 5)
    posted = polls.bot.replies(CHANNEL)[before:]
    assert len(posted) == 1
    # The poll's own card was closed in place too (no more answer button).
    closed_card = polls.bot.connector.updated["draft-1"][-1]["attachments"][0]["content"]
    assert not has_action(closed_card, "polls.answer")
    assert FR("polls.results.title") in joined(closed_card)
    card = posted[0]["attachments"][0]["content"]
    assert FR("polls.results.posted", title="Sondage") in joined(card)
    assert FR.plural("polls.results.answers", 3) in joined(card)
    assert facts(card)["Présentiel"].split()[1] == "2"
    assert await jobs.close_at_deadline(polls.services, poll_id) is False  # runs once
    assert await jobs.plan_jobs(polls.services, polls.clock.now) == []
    assert not any(j.startswith(f"poll:{poll_id}") for j in polls.runtime.scheduler.job_ids())
    late = await polls.answer(poll_id, ETIENNE, q1="c1")
    assert polls.message(late) == FR("polls.errors.closed")


async def test_answering_after_the_deadline_before_the_job_runs(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    polls.clock.now = await deadline_of(polls, poll_id)
    assert polls.message(await polls.answer(poll_id, SOPHIE, q1="c1")) == FR("polls.errors.closed")


async def test_jobs_are_rebuilt_from_storage_after_a_restart(polls: Driver) -> None:
    poll_id = await polls.single_choice_poll()
    scheduler = polls.runtime.scheduler
    jobs.cancel_jobs(polls.services, poll_id)  # as if the scheduler had been lost
    assert not any(j.startswith(f"poll:{poll_id}") for j in scheduler.job_ids())
    await scheduler.replan()
    assert {f"poll:{poll_id}:close", f"poll:{poll_id}:reminder:48h"} <= set(scheduler.job_ids())


async def test_leads_only_results_go_to_the_animateur(polls: Driver) -> None:
    sent = polls.record_messages()
    await polls.add_members([ANIMATEUR], committee="ch")
    poll_id = await polls.single_choice_poll(visibility="animateurs")
    await polls.answer(poll_id, SOPHIE, q1="c1")
    polls.clock.now = await deadline_of(polls, poll_id)
    assert await jobs.close_at_deadline(polls.services, poll_id)
    assert sent.ids(f"poll:{poll_id}:results") == [
        f"poll:{poll_id}:results",
        f"poll:{poll_id}:results:{key(ANIMATEUR)}",
    ]
    [update] = [i for i in sent.items if i.id.startswith(f"poll:{poll_id}:card:")]
    assert update.activity["id"] == "draft-1"
    assert FR("polls.results.title") not in joined(update.activity["attachments"][0]["content"])
    channel = next(i for i in sent.items if i.id == f"poll:{poll_id}:results")
    assert channel.target == f"conv:{CHANNEL}"
    assert FR("polls.results.title") not in joined(channel.activity["attachments"][0]["content"])
    lead = next(i for i in sent.items if i.id.endswith(key(ANIMATEUR)))
    assert FR("polls.results.title") in joined(lead.activity["attachments"][0]["content"])


# ---- ready-made surveys -------------------------------------------------------------------------


def settings_of(card: dict[str, Any]) -> dict[str, str]:
    found = inputs(card)
    return {
        name: found[name].get("value", "")
        for name in (
            "title",
            "anonymous",
            "visibility",
            "audience",
            "deadline_date",
            "deadline_time",
        )
    }


async def post_template(polls: Driver, template: str) -> tuple[str, dict[str, Any]]:
    draft_id, draft = await polls.new_draft(template)
    assert FR("polls.draft.ready") in joined(draft)
    card = polls.card(await polls.publish(draft_id, **settings_of(draft)))
    return action_data(card, "polls.view")["poll_id"], card


async def test_needs_analysis_in_two_clicks(polls: Driver) -> None:
    poll_id, card = await post_template(polls, "needs")
    assert FR("polls.anonymity.title") in joined(card)
    # Titled with the cycle it prepares: the one in force three months from now.
    ahead = (polls.clock.now.astimezone(polls.services.timezone) + timedelta(days=90)).date()
    label = Cycle().of(ahead).label
    assert FR("polls.template.needs.title", year=label) in joined(card)
    for i, who in enumerate([SOPHIE, JF, NATHALIE, ETIENNE, JULIE]):
        body = await polls.answer(poll_id, who, q1="c1,c6", q2=str(i % 5 + 1), q3="c3", q4="c2")
        assert FR("polls.answer.recorded") in joined(polls.card(body))
    refused = await polls.answer(poll_id, KARIM, q1="c1,c2,c3,c4", q2="3", q3="c1", q4="c1")
    assert FR(
        "polls.problem.too_many_selected", question=FR("polls.template.needs.themes"), limit=3
    ) in joined(polls.card(refused))
    await polls.click("polls.close", {"poll_id": poll_id})
    results = polls.card(await polls.click("polls.view", {"poll_id": poll_id}, SOPHIE))
    assert FR(
        "polls.results.mean", mean="3,0", respondents=FR.plural("polls.results.respondents", 5)
    ) in joined(results)
    # The optional comment, answered by nobody, is not broken down.
    assert FR("polls.results.question_hidden", threshold=5) in joined(results)


async def test_satisfaction_survey_is_answered(polls: Driver) -> None:
    poll_id, _ = await post_template(polls, "satisfaction")
    body = await polls.answer(
        poll_id, SOPHIE, q1="5", q2="4", q3="3", q4="5", q5="Très belle journée"
    )
    card = polls.card(body)
    assert facts(card)[FR("polls.template.satisfaction.overall")] == FR(
        "polls.scale.value_labelled", value=5, label=FR("polls.template.satisfaction.overall_high")
    )


async def test_availability_ranks_the_dates(polls: Driver) -> None:
    poll_id, _ = await post_template(polls, "availability")
    for who, picked in ((SOPHIE, "c2,c3"), (JF, "c3"), (NATHALIE, "c1,c3"), (ETIENNE, "c6")):
        await polls.answer(poll_id, who, q1=picked)
    both = await polls.answer(poll_id, JULIE, q1="c1,c6")
    assert FR(
        "polls.problem.exclusive_combined", question=FR("polls.template.availability.dates")
    ) in joined(polls.card(both))
    view = polls.card(await polls.click("polls.view", {"poll_id": poll_id}, SOPHIE))
    days = rules.candidate_dates(polls.clock.now.astimezone(polls.services.timezone).date())
    best = format_day(days[2], FR)
    assert FR(
        "polls.results.best", choices=best, respondents=FR.plural("polls.results.respondents", 4)
    ) in joined(view)
    choices = {format_day(d, FR) for d in days} | {FR("polls.template.availability.none")}
    order = [title for title in facts(view) if title in choices]
    assert len(order) == 6
    assert order[0] == best
    assert order[-1] == FR("polls.template.availability.none")


async def test_satisfaction_after_a_meeting_from_the_meetings_card(polls: Driver) -> None:
    starts = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    await meeting_repository(polls.services).save(
        Meeting(
            id="m-42",
            title="Rencontre du Comité des CLSC",
            committee_ids=("clsc",),
            starts_at=starts,
            ends_at=starts + timedelta(hours=7),
            mode="hybride",
        )
    )
    data = {"template": "satisfaction", "meeting_id": "m-42"}
    draft = polls.card(await polls.click("polls.post_template", data, conversation=ME))
    title = FR(
        "polls.template.satisfaction.title_meeting",
        meeting="Rencontre du Comité des CLSC",
        date=format_day(starts.astimezone(polls.services.timezone).date(), FR),
    )
    assert inputs(draft)["title"]["value"] == title
    assert inputs(draft)["audience"]["value"] == "committee:clsc"
    unknown = polls.card(
        await polls.click("polls.post_template", {**data, "meeting_id": "gone"}, conversation=ME)
    )
    assert inputs(unknown)["title"]["value"] == FR("polls.template.satisfaction.title")
    member = await polls.click("polls.post_template", data, SOPHIE, personal(SOPHIE[0]))
    assert polls.message(member) == FR("command.poll.forbidden")
    bad = await polls.click("polls.post_template", {"template": "quiz"}, conversation=ME)
    assert polls.message(bad) == FR("errors.bad_card_data")


# ---- personal data and the vitality query -----------------------------------------------------


async def test_member_data_and_forget(polls: Driver) -> None:
    named = await polls.single_choice_poll(title="Nominatif")
    anonymous = await polls.single_choice_poll(title="Anonyme", anonymous="true")
    await polls.answer(named, SOPHIE, q1="c2")
    await polls.answer(anonymous, SOPHIE, q1="c1")
    data = await routes.member_data(polls.services, key(SOPHIE))
    assert data["polls_answers"][0]["poll_title"] == "Nominatif"
    assert data["polls_answers"][0]["poll_answers"] == [
        {"poll_question": "Mode préféré?", "poll_answer": "Virtuel"}
    ]
    assert data["polls_anonymous_answered"] == [{"poll_title": "Anonyme"}]
    assert data["polls_anonymity"] == FR("polls.mydata.note")
    assert "Présentiel" not in str(data)  # her anonymous answer is nobody's
    await routes.forget_member(polls.services, key(SOPHIE))
    assert await routes.member_data(polls.services, key(SOPHIE)) == {}
    raw = polls.raw_store()
    assert key(SOPHIE) not in str(raw)
    assert len(next(iter(raw["anonymous"].values()))["answers"]) == 1  # stays, linked to nobody


async def test_polls_in_range_for_the_vitality_report(polls: Driver) -> None:
    await polls.add_members([SOPHIE, JF, NATHALIE, ETIENNE, JULIE], committee="clsc")
    poll_id, _ = await post_template(polls, "satisfaction")
    for i, who in enumerate([SOPHIE, JF, NATHALIE, ETIENNE]):
        await polls.answer(poll_id, who, q1=str(4 + i % 2), q2="4", q3="4", q4="4")
    start, end = polls.clock.now - timedelta(days=1), polls.clock.now + timedelta(days=1)
    [summary] = await polls_in_range(polls.services, start, end)
    assert (summary.kind, summary.anonymous, summary.answers, summary.audience_size) == (
        "satisfaction",
        True,
        4,
        5,
    )
    assert summary.committee_id == ""  # posted to the channel
    # 4 answers: under the threshold, neither means nor counts.
    assert (summary.scale_means, summary.scale_counts) == ({}, {})
    await polls.answer(poll_id, JULIE, q1="5", q2="4", q3="4", q4="4")
    [summary] = await polls_in_range(polls.services, start, end)
    assert summary.scale_means[FR("polls.template.satisfaction.overall")] == 4.6
    # Four scale questions, five people: q1 gave 4, 5, 4, 5, 5 and q2-q4 gave 4 each (15 x 4),
    # so 17 x 4 and 3 x 5; the free comment is no scale.
    assert summary.scale_counts == {1: 0, 2: 0, 3: 0, 4: 17, 5: 3}
    assert await polls_in_range(polls.services, end, end + timedelta(days=1)) == []


async def test_polls_in_range_tells_the_committee_a_poll_was_addressed_to(polls: Driver) -> None:
    await polls.add_members([SOPHIE, JF], committee="clsc")
    await polls.add_members([NATHALIE], committee="ch")
    me = personal(ANIMATEUR[0])
    to_clsc = await polls.single_choice_poll(me, audience="committee:clsc")
    to_all = await polls.single_choice_poll(me, audience="members")
    start, end = polls.clock.now - timedelta(days=1), polls.clock.now + timedelta(days=1)
    found = {s.id: s for s in await polls_in_range(polls.services, start, end)}
    assert (found[to_clsc].committee_id, found[to_clsc].audience_size) == ("clsc", 2)
    assert (found[to_all].committee_id, found[to_all].audience_size) == ("", 3)
    # No scale question: nothing to count.
    assert found[to_clsc].scale_counts == found[to_all].scale_counts == {}
