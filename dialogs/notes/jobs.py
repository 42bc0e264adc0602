"""Scheduled work of the notes: the takeaway question the day after a meeting, and the
follow-up reminders.

Stored meetings and notes are the only truth: :func:`plan_jobs` rebuilds every job from them
(at start-up and at every ``replan``, e.g. after a meeting or notes changed), and each job
re-reads what it needs and checks with the rules that it is still due, so a job that runs twice
or late does nothing wrong. Job ids: ``notes:takeaway:<meeting>`` and
``notes:follow_up:<meeting>:<follow-up>``. Outbox item ids (a message goes out at most once):
``notes:takeaway:<meeting>:<member key>`` and
``notes:follow_up:<meeting>:<follow-up>:<reminder day>``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from cards.i18n import Translator
from cards.notes import FollowUpReminder, TakeawayView, build_follow_up_card, build_takeaway_card
from dialogs.feature import PlannedJob
from dialogs.meetings.queries import MeetingRef
from dialogs.notes import meetings, rules, views
from dialogs.notes.repositories import notes_repository
from dialogs.outreach import card_activity, direct
from dialogs.turn import Services
from storage.notes_repository import FollowUp, MeetingNotes
from storage.outbox_repository import OutboxItem

logger = logging.getLogger(__name__)


def takeaway_job_id(meeting_id: str) -> str:
    return f"notes:takeaway:{meeting_id}"


def follow_up_job_id(meeting_id: str, follow_up_id: str) -> str:
    return f"notes:follow_up:{meeting_id}:{follow_up_id}"


def remind_at(
    services: Services, meeting: MeetingRef, follow_up: FollowUp, listed: list[MeetingRef]
) -> datetime | None:
    following = rules.next_meeting_of_committee(meeting, listed)
    return rules.follow_up_remind_at(
        rules.parse_day(follow_up.due_on),
        following.starts_at if following else None,
        services.timezone,
    )


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """The takeaway question of every meeting not yet asked, and the reminder of every
    follow-up not done, from the stored meetings and notes."""
    tz = services.timezone
    listed = await meetings.all_meetings(services, now)
    by_id = {m.id: m for m in listed}
    planned: list[PlannedJob] = []
    for meeting in listed:
        if meeting.status == "cancelled":
            continue
        ask_at = rules.takeaway_ask_at(meeting.ends_at, tz)
        if now < ask_at + rules.ASK_WINDOW:
            planned.append(
                PlannedJob(
                    takeaway_job_id(meeting.id),
                    ask_at,
                    partial(ask_takeaways, services, meeting.id),
                )
            )
    for notes in await notes_repository(services).all():
        held = by_id.get(notes.id)
        if held is None:
            continue
        for follow_up in notes.follow_ups:
            if follow_up.done or not follow_up.member_key:
                continue
            at = remind_at(services, held, follow_up, listed)
            if at is not None and now < at + rules.REMIND_WINDOW:
                planned.append(
                    PlannedJob(
                        follow_up_job_id(notes.id, follow_up.id),
                        at,
                        partial(remind_follow_up, services, notes.id, follow_up.id),
                    )
                )
    return planned


async def invited(services: Services, meeting: MeetingRef) -> set[str]:
    """Members asked for a takeaway: present (presence), else those who said they'd come."""
    present = await meetings.present_keys(services, meeting)
    answers = {} if present else await meetings.rsvps(services, meeting.id)
    return set(rules.to_ask(present, answers, ()))


async def ask_takeaways(services: Services, meeting_id: str, now: datetime | None = None) -> int:
    """The « Ce que je retiens » card to each member who was there and has not answered;
    returns how many were queued. Never twice to the same member (item ids)."""
    now = now or services.clock()
    meeting = await meetings.get(services, meeting_id)
    if meeting is None or meeting.status == "cancelled":
        return 0
    if not rules.takeaway_ask_due(meeting.ends_at, now, services.timezone):
        return 0
    answered = await notes_repository(services).participants(meeting.id)
    items: list[OutboxItem] = []
    for key in sorted(await invited(services, meeting) - answered):
        member = await services.members.get(key)
        if member is None or not member.teams_user_id:
            continue
        t = views.member_translator(services, member.locale)
        view = TakeawayView(meeting.id, meetings.heading(meeting, services, t))
        items.append(
            direct(
                member,
                f"notes:takeaway:{meeting.id}:{key}",
                card_activity(build_takeaway_card(view, t), summary=t("notes.takeaway.summary")),
                batch=f"notes:takeaway:{meeting.id}",
            )
        )
    if items:
        await services.messenger.enqueue(items)
    logger.info("meeting %s: %d takeaway question(s) queued", meeting.id, len(items))
    return len(items)


def reminder_view(
    services: Services,
    meeting: MeetingRef,
    follow_up: FollowUp,
    t: Translator,
    done: bool = False,
) -> FollowUpReminder:
    return FollowUpReminder(
        meeting_id=meeting.id,
        follow_up_id=follow_up.id,
        heading=meetings.heading(meeting, services, t),
        text=follow_up.text,
        due=views.day_text(follow_up.due_on, t),
        done=done,
    )


async def remind_follow_up(
    services: Services, meeting_id: str, follow_up_id: str, now: datetime | None = None
) -> int:
    """The reminder card to whoever took the follow-up, if it is still open and due; 1 when
    queued."""
    now = now or services.clock()
    notes: MeetingNotes | None = await notes_repository(services).get(meeting_id)
    meeting = await meetings.get(services, meeting_id)
    follow_up = notes.follow_up(follow_up_id) if notes else None
    if meeting is None or follow_up is None or follow_up.done or not follow_up.member_key:
        return 0
    at = remind_at(services, meeting, follow_up, await meetings.all_meetings(services, now))
    if at is None or not rules.remind_due(at, now):
        return 0
    member = await services.members.get(follow_up.member_key)
    if member is None or not member.teams_user_id:
        logger.info("follow-up %s: its member cannot be reached", follow_up_id)
        return 0
    t = views.member_translator(services, member.locale)
    card = build_follow_up_card(reminder_view(services, meeting, follow_up, t), t)
    day = at.astimezone(services.timezone).date().isoformat()
    await services.messenger.enqueue(
        [
            direct(
                member,
                f"notes:follow_up:{meeting_id}:{follow_up_id}:{day}",
                card_activity(card, summary=t("notes.reminder.summary")),
            )
        ]
    )
    logger.info("follow-up %s of meeting %s reminded", follow_up_id, meeting_id)
    return 1
