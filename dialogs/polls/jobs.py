"""Scheduled work of polls: reminders before the deadline and closing at the deadline.

Stored polls are the only truth: :func:`plan_jobs` rebuilds every job from them at start-up, and
each job re-reads the poll and checks with the rules that it is still due, so a job that runs
twice, late, or after the poll was closed by hand does nothing wrong. Tests call
:func:`send_reminders` and :func:`close_at_deadline` directly with an injected clock.

Job ids: ``poll:<id>:close`` and ``poll:<id>:reminder:<48h|4h>``, and
``polls:outcomes-offer:<cycle>`` (dialogs/polls/outcomes.py). Outbox item ids:
``poll:<id>:reminder:<offset>:<member key>`` (a reminder goes out at most once),
``poll:<id>:results`` (results where the poll was) and ``poll:<id>:results:<member key>``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from functools import partial

from cards.i18n import translator
from cards.polls import format_moment
from dialogs.feature import PlannedJob
from dialogs.outreach import card_activity, direct
from dialogs.polls import rules
from dialogs.polls.audience import poll_repository, teams_ids
from dialogs.polls.outcomes import offer_jobs
from dialogs.polls.views import Viewer, poll_card
from dialogs.turn import Services
from storage.conversation_repository import personal_key
from storage.outbox_repository import OutboxItem
from storage.poll_repository import Poll, iso

logger = logging.getLogger(__name__)


def close_job_id(poll_id: str) -> str:
    return f"poll:{poll_id}:close"


def reminder_job_id(poll_id: str, code: str) -> str:
    return f"poll:{poll_id}:reminder:{code}"


def jobs_for(services: Services, poll: Poll) -> list[PlannedJob]:
    if poll.status != "open":
        return []
    jobs = [
        PlannedJob(
            reminder_job_id(poll.id, code), when, partial(send_reminders, services, poll.id, code)
        )
        for code, when in rules.reminder_times(poll, services.timezone)
    ]
    jobs.append(
        PlannedJob(
            close_job_id(poll.id), poll.deadline_at, partial(close_at_deadline, services, poll.id)
        )
    )
    return jobs


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """Every job still to run, from the stored polls (called at start-up)."""
    polls = await poll_repository(services).all()
    planned = [job for poll in polls for job in jobs_for(services, poll)]
    return planned + await offer_jobs(services, now)


def cancel_jobs(services: Services, poll_id: str) -> None:
    services.jobs.cancel(close_job_id(poll_id))
    for code, _ in rules.REMINDERS:
        services.jobs.cancel(reminder_job_id(poll_id, code))


def schedule_jobs(services: Services, poll: Poll) -> None:
    """(Re)plan a poll's jobs after it was posted, reopened or got a new deadline."""
    cancel_jobs(services, poll.id)
    for job in jobs_for(services, poll):
        services.jobs.schedule(job)


async def send_reminders(
    services: Services, poll_id: str, code: str, now: datetime | None = None
) -> int:
    """1:1 reminders to the members of the audience who have not answered; returns how many
    were queued. Nobody who answered is reminded; a poll with an unknown audience (a channel
    poll before member profiles exist) sends none."""
    now = now or services.clock()
    repo = poll_repository(services)
    poll = await repo.get(poll_id)
    if poll is None or poll.status != "open" or code in poll.reminders_done:
        return 0
    ahead = dict(rules.REMINDERS).get(code)
    if ahead is None:
        return 0
    if not rules.reminder_due(poll, code, now, services.timezone):
        if now < rules.before_deadline(poll.deadline_at, ahead, services.timezone):
            return 0  # not yet: leave it planned
        await repo.save(replace(poll, reminders_done=(*poll.reminders_done, code)))
        logger.info("poll %s: reminder %s skipped (a later one is due)", poll.id, code)
        return 0
    answered = await repo.respondents(poll.id)
    items: list[OutboxItem] = []
    for key in poll.audience_keys:
        if key in answered:
            continue
        member = await services.members.get(key)
        if member is None or not member.teams_user_id:
            continue
        t = translator(member.locale or poll.locale)
        viewer = Viewer(key, member.teams_user_id, is_manager=False)
        deadline = format_moment(poll.deadline_at, t, services.timezone)
        notice = t("polls.reminder.notice", deadline=deadline)
        card = await poll_card(services, poll, t, viewer, notice=notice)
        items.append(
            direct(
                member,
                f"poll:{poll.id}:reminder:{code}:{key}",
                card_activity(card, summary=t("polls.reminder.summary", title=poll.title)),
                batch=f"poll:{poll.id}:reminder:{code}",
            )
        )
    if items:
        await services.messenger.enqueue(items)
    await repo.save(replace(poll, reminders_done=(*poll.reminders_done, code)))
    logger.info("poll %s: reminder %s queued for %d member(s)", poll.id, code, len(items))
    return len(items)


async def close_at_deadline(services: Services, poll_id: str, now: datetime | None = None) -> bool:
    """Closes the poll when its deadline has passed and posts the results where it was."""
    now = now or services.clock()
    repo = poll_repository(services)
    poll = await repo.get(poll_id)
    if poll is None or not rules.close_due(poll, now):
        return False
    closed = replace(poll, status="closed", closed_at=poll.deadline)
    await repo.save(closed)
    cancel_jobs(services, poll.id)
    await post_results(services, closed)
    logger.info("poll %s closed at its deadline", poll.id)
    return True


async def shared_card_update(services: Services, poll: Poll) -> OutboxItem | None:
    """The poll's card in its conversation, redrawn for everyone (closed, reopened, new
    deadline) when the change did not come from that card's own turn. The 1:1 copies of a
    committee or all-members poll are not redrawn: their ids stay in the outbox, which features
    cannot read; each copy refreshes for its member when shown (``refresh``)."""
    if not poll.message_id or not poll.conversation_key:
        return None
    refresh = await teams_ids(services, [poll.created_by, *poll.audience_keys])
    card = await poll_card(services, poll, translator(poll.locale), refresh_ids=refresh)
    activity = {**card_activity(card), "id": poll.message_id}
    stamp = iso(services.clock())
    return OutboxItem(f"poll:{poll.id}:card:{stamp}", poll.conversation_key, activity)


async def post_results(services: Services, poll: Poll) -> None:
    """The poll's card closed in place, and the results as a new message where the poll was.
    When only animateurs may see them, the conversation gets the closed poll and the animateur
    who posted it gets the results in 1:1."""
    repo = poll_repository(services)
    t = translator(poll.locale)
    update = await shared_card_update(services, poll)
    items: list[OutboxItem] = [update] if update else []
    headline = t("polls.results.posted", title=poll.title)
    if poll.visibility == "animateurs":
        creator = await services.members.get(poll.created_by) if poll.created_by else None
        if creator is not None and creator.teams_user_id:
            ct = translator(creator.locale or poll.locale)
            viewer = Viewer(creator.key, creator.teams_user_id, is_manager=True)
            card = await poll_card(
                services, poll, ct, viewer, notice=ct("polls.results.posted", title=poll.title)
            )
            items.append(
                direct(creator, f"poll:{poll.id}:results:{creator.key}", card_activity(card))
            )
        if poll.conversation_key and poll.conversation_key != _personal(poll.created_by):
            card = await poll_card(services, poll, t, notice=t("polls.poll.closed_notice"))
            items.append(_to_conversation(poll, f"poll:{poll.id}:results", card))
    elif poll.conversation_key:
        card = await poll_card(services, poll, t, notice=headline)
        items.append(_to_conversation(poll, f"poll:{poll.id}:results", card))
    if items:
        await services.messenger.enqueue(items)
    await repo.save(replace(poll, results_posted=True))


def _personal(member_key: str) -> str:
    return personal_key(member_key) if member_key else ""


def _to_conversation(poll: Poll, item_id: str, card: dict[str, object]) -> OutboxItem:
    return OutboxItem(id=item_id, target=poll.conversation_key, activity=card_activity(card))
