"""1:1 messages about meetings, through the rate-limited messenger: J-7 and J-1 reminders
(scheduled from stored state), change and cancellation notices, "please answer again", and the
offer of the satisfaction survey after the meeting.

Every message has an item id (``meeting:<id>:…:<member key>``), so it goes out at most once even
when a job runs twice or the bot restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from cards.i18n import Translator
from cards.meetings import (
    Logistics,
    build_notice_card,
    build_survey_offer_card,
    build_which_meeting_card,
    change_lines,
    choice_label,
)
from dialogs.feature import PlannedJob
from dialogs.meetings import queries, rules
from dialogs.meetings.views import meeting_view, member_translator
from dialogs.outreach import card_activity, direct
from dialogs.turn import Services
from storage.conversation_repository import conversation_key
from storage.meeting_repository import Meeting
from storage.member_repository import Member
from storage.outbox_repository import OutboxItem

logger = logging.getLogger(__name__)

SURVEY_VERB = "polls.post_template"
SURVEY_TEMPLATE = "satisfaction"


def reminder_job_id(meeting_id: str, code: str) -> str:
    return f"meeting:{meeting_id}:{code}"


def reminder_jobs(services: Services, meeting: Meeting, now: datetime) -> list[PlannedJob]:
    return [
        PlannedJob(
            id=reminder_job_id(meeting.id, plan.code),
            run_at=plan.run_at,
            func=partial(send_reminder, services, meeting.id, plan.audience, plan.code),
        )
        for plan in rules.reminders_due(meeting, now, services.timezone)
    ]


def replan_reminders(services: Services, before: Meeting | None, after: Meeting) -> None:
    """Cancel the meeting's reminder jobs and schedule those still due."""
    codes = set()
    for meeting in (before, after):
        if meeting is not None:
            for days in (meeting.remind_unanswered_days, meeting.remind_coming_days):
                if days > 0:
                    codes.add(rules.reminder_code(days))
    for code in sorted(codes):
        services.jobs.cancel(reminder_job_id(after.id, code))
    for job in reminder_jobs(services, after, services.clock()):
        services.jobs.schedule(job)


async def _send(
    services: Services,
    member_keys: Iterable[str],
    item_id: Callable[[str], str],
    make_card: Callable[[Translator, Member], Awaitable[Any]],
    batch: str,
) -> int:
    items: list[OutboxItem] = []
    missing = 0
    for key in member_keys:
        member = await services.members.get(key)
        if member is None:
            missing += 1
            continue
        t = member_translator(services, member.locale)
        card = await make_card(t, member)
        items.append(direct(member, item_id(key), card_activity(card), batch=batch))
    if missing:
        logger.info("batch %s: %d member(s) without a record skipped", batch, missing)
    if not items:
        return 0
    return len(await services.messenger.enqueue(items))


def _day_key(meeting: Meeting, services: Services) -> str:
    return meeting.starts_at.astimezone(services.timezone).date().isoformat()


async def send_reminder(services: Services, meeting_id: str, audience: str, code: str) -> int:
    """The job of ``meeting:<id>:<code>``: J-7 to the invited members who have not answered,
    J-1 to those coming (with the place or the link). Returns how many were queued."""
    repository = queries.meeting_repository(services)
    meeting = await repository.get(meeting_id)
    now = services.clock()
    key = rules.reminder_key(audience, code)
    if meeting is None or meeting.status != rules.STATUS_PLANNED or now >= meeting.starts_at:
        return 0
    if key in meeting.reminders_sent:
        return 0
    answers = await queries.rsvps(services, meeting_id)
    if audience == rules.REMIND_UNANSWERED:
        invited = await queries.invited_member_keys(services, meeting_id)
        recipients = rules.unanswered(invited, answers)
    else:
        recipients = rules.coming(answers)
    days = int(code.strip("-d") or 0)

    async def card(t: Translator, member: Member) -> Any:
        view = await meeting_view(services, meeting, t, answers)
        if audience == rules.REMIND_UNANSWERED:
            return build_notice_card(
                view,
                t,
                headline=t("meetings.notice.unanswered_headline", title=meeting.title),
                text=t.plural("meetings.notice.unanswered_text", days),
                with_rsvp=True,
            )
        choice = choice_label(answers.get(member.key, ""), t) if member.key in answers else ""
        where = (
            "meetings.notice.coming_online"
            if answers.get(member.key) == rules.ONLINE
            else ("meetings.notice.coming_room")
        )
        return build_notice_card(
            view,
            t,
            headline=t.plural("meetings.notice.coming_headline", days, title=meeting.title),
            text=t(where, choice=choice),
        )

    day = _day_key(meeting, services)
    queued = await _send(
        services,
        recipients,
        lambda member_key: f"meeting:{meeting_id}:reminder:{code}:{member_key}:{day}",
        card,
        batch=f"meeting:{meeting_id}:reminder:{code}",
    )
    # Remember it was done, so a restart does not plan it again.
    fresh = await repository.get(meeting_id)
    if fresh is not None:
        await repository.save(replace(fresh, reminders_sent=(*fresh.reminders_sent, key)))
    logger.info("meeting %s reminder %s: %d queued", meeting_id, key, queued)
    return queued


def _logistics(services: Services, meeting: Meeting) -> Logistics:
    tz = services.timezone
    return Logistics(
        meeting.starts_at.astimezone(tz),
        meeting.ends_at.astimezone(tz),
        meeting.mode,
        meeting.place,
        meeting.join_url,
    )


async def notify_changed(
    services: Services, before: Meeting, meeting: Meeting, member_keys: Iterable[str]
) -> int:
    """Tell those coming what changed (date, time, mode, place or link), old → new."""

    async def card(t: Translator, member: Member) -> Any:
        view = await meeting_view(services, meeting, t)
        return build_notice_card(
            view,
            t,
            headline=t("meetings.notice.changed_headline", title=meeting.title),
            text=t("meetings.notice.changed_text"),
            changes=change_lines(_logistics(services, before), _logistics(services, meeting), t),
        )

    return await _send(
        services,
        member_keys,
        lambda key: f"meeting:{meeting.id}:changed:r{meeting.revision}:{key}",
        card,
        batch=f"meeting:{meeting.id}:changed:r{meeting.revision}",
    )


async def ask_again(
    services: Services, meeting: Meeting, member_keys: Iterable[str], old_choice: str
) -> int:
    """Their answer no longer fits the new mode (e.g. « En salle » for a meeting now
    virtual): ask them to answer again."""

    async def card(t: Translator, member: Member) -> Any:
        view = await meeting_view(services, meeting, t)
        return build_notice_card(
            view,
            t,
            headline=t("meetings.notice.ask_again_headline", title=meeting.title),
            text=t(
                "meetings.notice.ask_again_text",
                choice=choice_label(old_choice, t),
                mode=t(f"meetings.mode.{meeting.mode}"),
            ),
            with_rsvp=True,
        )

    return await _send(
        services,
        member_keys,
        lambda key: f"meeting:{meeting.id}:ask-again:r{meeting.revision}:{key}",
        card,
        batch=f"meeting:{meeting.id}:ask-again:r{meeting.revision}",
    )


async def notify_cancelled(services: Services, meeting: Meeting, member_keys: Iterable[str]) -> int:
    async def card(t: Translator, member: Member) -> Any:
        view = await meeting_view(services, meeting, t)
        return build_notice_card(
            view,
            t,
            headline=t("meetings.notice.cancelled_headline", title=meeting.title),
            text=t("meetings.notice.cancelled_text"),
        )

    return await _send(
        services,
        member_keys,
        lambda key: f"meeting:{meeting.id}:cancelled:{key}",
        card,
        batch=f"meeting:{meeting.id}:cancelled",
    )


def survey_available(services: Services) -> bool:
    """Is there a feature that posts a survey from a template (the polls feature)?"""
    return any(
        str(action.verb) == SURVEY_VERB
        for feature in services.features
        for action in getattr(feature, "ACTIONS", ())
    )


async def offer_survey(services: Services, meeting: Meeting) -> int:
    """After the meeting: offer the animateur who planned it (else every animateur) to post
    the satisfaction survey."""
    if not survey_available(services):
        return 0
    keys = [meeting.created_by] if meeting.created_by else []
    if not keys or await services.members.get(meeting.created_by) is None:
        keys = [a.aad_object_id.casefold() for a in services.profile.current.animateurs]

    async def card(t: Translator, member: Member) -> Any:
        view = await meeting_view(services, meeting, t)
        return build_survey_offer_card(view, t, verb=SURVEY_VERB, template=SURVEY_TEMPLATE)

    return await _send(
        services,
        [k for k in keys if k],
        lambda key: f"meeting:{meeting.id}:survey-offer:{key}",
        card,
        batch=f"meeting:{meeting.id}:survey-offer",
    )


def _animateur_keys(services: Services) -> list[str]:
    return [
        a.aad_object_id.casefold() for a in services.profile.current.animateurs if a.aad_object_id
    ]


async def ask_which_meeting(services: Services, chat: str, meetings: Iterable[Meeting]) -> int:
    """A Teams meeting started with a link several planned meetings share: ask the animateurs
    in 1:1 which one it is (once per meeting chat) instead of guessing."""
    candidates = list(meetings)

    async def card(t: Translator, member: Member) -> Any:
        choices = [
            (m.id, m.title, m.starts_at.astimezone(services.timezone).date()) for m in candidates
        ]
        return build_which_meeting_card(choices, chat, t)

    return await _send(
        services,
        _animateur_keys(services),
        lambda key: f"meeting-chat:{chat}:which:{key}",
        card,
        batch=f"meeting-chat:{chat}:which",
    )


async def post_in_chat(services: Services, meeting: Meeting, chat: str, card: Any) -> None:
    """The agenda and the rules, posted in a meeting chat linked after the fact."""
    item = OutboxItem(
        id=f"meeting:{meeting.id}:start:{chat}",
        target=conversation_key(chat),
        activity=card_activity(card),
    )
    await services.messenger.enqueue([item])
