"""Presence jobs: the check-in card posted in the channel, the Graph import of a meeting's
attendance and its retries, and the certificates offered once attendance is known."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from cards.dates import short_time
from cards.i18n import translator
from cards.presence import (
    build_offer_card,
)
from dialogs.feature import PlannedJob
from dialogs.meetings import queries as meetings
from dialogs.meetings.queries import MeetingRef
from dialogs.outreach import card_activity, direct, text_activity
from dialogs.presence import rules
from dialogs.presence.ports import (
    RETRYABLE,
    AttendanceFetch,
    FetchStatus,
    OnlineMeetingLocator,
    attendance_source,
)
from dialogs.presence.queries import (
    CANCELLED,
    MeetingAttendance,
    Person,
    card_conversation_id,
    get_meeting,
    meeting_attendance,
    person,
    presence_repository,
    upcoming_meetings,
)
from dialogs.presence.views import (
    has_online_part,
    hours_text,
    meeting_date,
    member_translator,
    people_counts,
    room_checkin_card,
)
from dialogs.turn import Services
from storage.conversation_repository import conversation_key
from storage.meeting_vocabulary import ROOM_MODES
from storage.outbox_repository import OutboxItem
from storage.presence_repository import (
    Certificate,
    GraphAttendee,
    ImportState,
)

logger = logging.getLogger(__name__)
CLOSING_DELAY = timedelta(minutes=10)
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


async def _fetch_under_organizer(
    services: Services, source: Any, meeting: MeetingRef
) -> AttendanceFetch:
    """Ask Graph under the online meeting's organizer (known, or read from the join link),
    then under each animateur in turn; the first that finds the meeting answers, and its
    organizer is kept with the meeting."""
    stored = str(meeting.organizer_aad_id or "")
    candidates = rules.organizer_candidates(
        stored,
        meeting.join_url or "",
        [a.aad_object_id for a in services.profile.current.animateurs],
    )
    refused = False
    for organizer in candidates:
        known_id = meeting.online_meeting_id if organizer == stored.casefold() else ""
        try:
            fetched = await source.fetch(
                OnlineMeetingLocator(organizer, known_id, meeting.join_url)
            )
        except Exception:  # an unexpected SDK failure: treat it like an outage, retry later
            logger.exception("presence: attendance fetch failed for meeting %s", meeting.id)
            return AttendanceFetch(FetchStatus.unavailable)
        if fetched.status in (FetchStatus.not_found, FetchStatus.refused):
            refused = refused or fetched.status == FetchStatus.refused
            continue
        if fetched.online_meeting_id and (
            organizer != stored.casefold() or fetched.online_meeting_id != meeting.online_meeting_id
        ):
            await meetings.remember_online_meeting(
                services, meeting.id, fetched.online_meeting_id, organizer
            )
        return fetched
    logger.info(
        "presence: meeting %s not found in Graph under %d organizer(s)", meeting.id, len(candidates)
    )
    return AttendanceFetch(FetchStatus.refused if refused else FetchStatus.not_found)


async def plan_closing(services: Services, meeting: MeetingRef) -> None:
    """An in-room meeting may have no Teams meeting (so no end event): its presences are
    closed and its certificates offered shortly after its scheduled end."""
    repository = presence_repository(services)
    if await repository.get_import(meeting.id) is not None:
        return
    due = meeting.ends_at + CLOSING_DELAY
    await repository.save_import(
        ImportState(
            meeting_id=meeting.id,
            status="pending",
            attempt=0,
            ended_at=meeting.ends_at,
            anchor_at=due,
            next_at=due,
        )
    )
    services.jobs.schedule(import_job(services, meeting.id, 0, due))


def checkin_card_key(meeting_id: str) -> str:
    """Claimed once the check-in card of the meeting is posted (meeting chat or channel)."""
    return f"checkin-card:{meeting_id}"


def checkin_job_id(meeting_id: str) -> str:
    """The job at the meeting's start, and the outbox item of the card it posts."""
    return f"presence:checkin:{meeting_id}"


def checkin_job(services: Services, meeting_id: str, run_at: datetime) -> PlannedJob:
    async def run() -> None:
        await run_checkin(services, meeting_id, run_at)

    return PlannedJob(checkin_job_id(meeting_id), run_at, run)


async def run_checkin(
    services: Services, meeting_id: str, planned_at: datetime | None = None
) -> bool:
    """At the scheduled start of an in-person or hybrid meeting: plan its closing (an in-room
    meeting may have no Teams meeting, so no end event) and post the check-in card in the
    channel where the meeting card was posted, unless the meeting-start event already posted
    it in the meeting chat. True when the card was queued."""
    meeting = await get_meeting(services, meeting_id)
    if meeting is None or meeting.status == CANCELLED or meeting.mode not in ROOM_MODES:
        return False
    now = services.clock()
    if now < meeting.starts_at - timedelta(seconds=1):
        if planned_at != meeting.starts_at:  # the meeting was moved later: follow it
            services.jobs.schedule(checkin_job(services, meeting.id, meeting.starts_at))
        return False
    await plan_closing(services, meeting)
    if now >= meeting.ends_at:
        return False
    conversation = await card_conversation_id(services, meeting.id)
    if not conversation:
        logger.info("presence: meeting %s has no channel card for the check-in", meeting.id)
        return False
    if not await presence_repository(services).claim_once(checkin_card_key(meeting.id)):
        return False  # the meeting-start event posted it in the meeting chat
    t = translator(services.profile.current.default_locale)
    item = OutboxItem(
        id=checkin_job_id(meeting.id),
        target=conversation_key(conversation),
        activity=card_activity(
            room_checkin_card(services, meeting), summary=t("presence.checkin.title")
        ),
    )
    await services.messenger.enqueue([item])
    logger.info("presence: check-in card queued for the channel of meeting %s", meeting.id)
    return True


# ---- the Graph import -------------------------------------------------------------------------


def import_job(services: Services, meeting_id: str, attempt: int, run_at: datetime) -> PlannedJob:
    async def run() -> None:
        await run_import(services, meeting_id, attempt)

    return PlannedJob(f"presence:import:{meeting_id}:{attempt}", run_at, run)


async def plan_jobs(services: Services, now: datetime) -> list[PlannedJob]:
    """Rebuilt from stored state at every start: the imports still to try (stored import
    states), and the check-in card of every in-person or hybrid meeting not yet over whose card
    is not posted yet (at its scheduled start, or now if it already started)."""
    repository = presence_repository(services)
    jobs = [
        import_job(services, state.meeting_id, state.attempt, state.next_at)
        for state in await repository.imports()
        if state.status == "pending" and state.next_at is not None
    ]
    for meeting in await upcoming_meetings(services, now):
        if meeting.mode in ROOM_MODES and not await repository.claimed(
            checkin_card_key(meeting.id)
        ):
            jobs.append(checkin_job(services, meeting.id, max(meeting.starts_at, now)))
    return jobs


async def start_import_cycle(
    services: Services, meeting: MeetingRef, ended_at: datetime, requested_by: str = ""
) -> None:
    """Import now, then on the retry schedule (counted from now) until a report comes."""
    repository = presence_repository(services)
    previous = await repository.get_import(meeting.id)
    now = services.clock()
    state = ImportState(
        meeting_id=meeting.id,
        status="pending",
        attempt=0,
        ended_at=ended_at,
        anchor_at=now,
        next_at=now,
        requested_by=requested_by,
        runs=previous.runs if previous else 0,
    )
    await repository.save_import(state)
    services.jobs.schedule(import_job(services, meeting.id, 0, now))
    logger.info("presence: import of meeting %s planned", meeting.id)


async def fetch_into_store(
    services: Services, meeting: MeetingRef
) -> tuple[FetchStatus | None, bool]:
    """(Graph status or None when the meeting has no Graph step, whether the stored Graph
    attendees changed)."""
    source = attendance_source(services)
    if source is None or not has_online_part(meeting):
        return None, False
    fetched = await _fetch_under_organizer(services, source, meeting)
    if fetched.status != FetchStatus.ok:
        return fetched.status, False
    attendees = [
        GraphAttendee(
            meeting_id=meeting.id,
            report_id=report.id,
            identity_id=record.identity_id,
            email=record.email,
            name=record.display_name,
            role=record.role,
            intervals=tuple((i.joined_at, i.left_at) for i in record.intervals),
        )
        for report in fetched.reports
        for record in report.records
    ]
    changed = await presence_repository(services).replace_graph_attendees(meeting.id, attendees)
    return FetchStatus.ok, changed


_IMPORT_LOCKS = "presence.import_locks"


async def run_import(services: Services, meeting_id: str, attempt: int) -> None:
    """One attempt of a meeting's import. Attempts of one meeting never overlap (a retry job
    firing while `présences importer` runs): the second reads the state the first left."""
    locks: dict[str, asyncio.Lock] = services.components.setdefault(_IMPORT_LOCKS, {})
    lock = locks.setdefault(meeting_id, asyncio.Lock())
    async with lock:
        await _run_import(services, meeting_id, attempt)


async def _run_import(services: Services, meeting_id: str, attempt: int) -> None:
    repository = presence_repository(services)
    state = await repository.get_import(meeting_id)
    if state is None or state.status != "pending" or state.attempt != attempt:
        return  # a stale job: a newer cycle or attempt replaced it
    if state.next_at is not None and services.clock() < state.next_at - timedelta(seconds=1):
        logger.info("presence: import of %s not due yet", meeting_id)
        return  # fired early (a clock ahead of ours); a restart or the end event re-plans it
    meeting = await get_meeting(services, meeting_id)
    if meeting is None:
        await repository.save_import(replace(state, status="failed", next_at=None))
        return
    status, changed = await fetch_into_store(services, meeting)
    if status in RETRYABLE:
        due = rules.import_due(state.anchor_at, attempt + 1)
        if due is not None:
            await repository.save_import(
                replace(state, attempt=attempt + 1, next_at=due, result=str(status))
            )
            services.jobs.schedule(import_job(services, meeting_id, attempt + 1, due))
            logger.info("presence: import of %s: %s, next try planned", meeting_id, status)
            await _tell_requester(services, state, meeting, "presence.import.retry", due=due)
            return
        final = "abandoned"
    elif status in (FetchStatus.not_found, FetchStatus.refused):
        final = "failed"
    else:
        final = "done"
    runs = state.runs + 1
    attendance = await meeting_attendance(services, meeting)
    try:
        offered = await offer_certificates(services, meeting, attendance)
    except Exception:  # the import itself is done; the animateur can offer them again
        logger.exception("presence: offering the certificates of %s failed", meeting_id)
        offered = 0
    done = replace(
        state,
        status=final,
        next_at=None,
        result=str(status or "local"),
        imported_at=services.clock(),
        runs=runs,
    )
    await repository.save_import(done)
    logger.info(
        "presence: import of %s %s (changed: %s), %d certificate(s) offered",
        meeting_id,
        final,
        changed,
        offered,
    )
    if final == "failed":
        await _tell_animateurs_not_found(services, done, meeting, attendance)
        return
    key = (
        f"presence.import.{final}"
        if final != "done" or changed or runs == 1
        else ("presence.import.unchanged")
    )
    await _tell_requester(services, done, meeting, key, attendance=attendance)


async def _tell_requester(
    services: Services,
    state: ImportState,
    meeting: MeetingRef,
    key: str,
    *,
    due: datetime | None = None,
    attendance: MeetingAttendance | None = None,
) -> None:
    if not state.requested_by:
        return
    member = await services.members.get(state.requested_by)
    if member is None:
        return
    t = member_translator(services, member)
    values: dict[str, Any] = {"title": meeting.title}
    if due is not None:
        values["when"] = short_time(due.astimezone(services.timezone), t)
    if attendance is not None:
        present = sum(1 for line in attendance.lines if line.present)
        values.update(people_counts(present, len(attendance.unmatched), t))
    item_id = f"presence:import-told:{meeting.id}:{state.runs}:{state.attempt}:{key}"
    await services.messenger.enqueue([direct(member, item_id, text_activity(t(key, **values)))])


async def _tell_animateurs_not_found(
    services: Services, state: ImportState, meeting: MeetingRef, attendance: MeetingAttendance
) -> None:
    """Graph found the meeting under no one (organizer, join link, animateurs): tell the
    animateurs (and whoever asked) in 1:1, with what to check."""
    keys = [a.aad_object_id.casefold() for a in services.profile.current.animateurs]
    if state.requested_by:
        keys.append(state.requested_by)
    items = []
    for key in dict.fromkeys(k for k in keys if k):
        member = await services.members.get(key)
        if member is None:
            continue
        t = member_translator(services, member)
        present = sum(1 for line in attendance.lines if line.present)
        text = t("presence.import.failed", title=meeting.title, **people_counts(present, 0, t))
        item_id = f"presence:import-not-found:{meeting.id}:{state.runs}:{key}"
        items.append(direct(member, item_id, text_activity(text)))
    if items:
        await services.messenger.enqueue(items)


# ---- certificates -----------------------------------------------------------------------------


async def current_certificate(
    services: Services, meeting: MeetingRef, line: rules.MemberAttendance, who: Person
) -> Certificate:
    """The member's certificate for this meeting (see :func:`issued_certificate`)."""
    return await issued_certificate(
        services,
        who,
        kind="meeting",
        subject=meeting.id,
        title=meeting.title,
        held_on=meeting.starts_at.astimezone(services.timezone).date().isoformat(),
        credited_minutes=line.credited_minutes,
    )


async def issued_certificate(
    services: Services,
    who: Person,
    *,
    kind: str,
    subject: str,
    title: str,
    held_on: str,
    credited_minutes: int,
) -> Certificate:
    """The member's current certificate of this kind and subject, issued anew when the hours
    or the name changed since the last one (the old code then reads "superseded")."""
    repository = presence_repository(services)
    existing = await repository.current_certificate(who.member_key, kind, subject)
    if (
        existing is not None
        and existing.credited_minutes == credited_minutes
        and existing.member_name == who.name
    ):
        return existing
    certificate = Certificate(
        code=new_code(),
        kind=kind,
        member_key=who.member_key,
        member_name=who.name,
        subject=subject,
        title=title,
        held_on=held_on,
        credited_minutes=credited_minutes,
        issued_at=services.clock(),
    )
    await repository.add_certificate(certificate)
    logger.info("presence: %s certificate issued for %s", kind, subject)
    return certificate


async def offer_certificates(
    services: Services, meeting: MeetingRef, attendance: MeetingAttendance | None = None
) -> int:
    """Issue the certificates of the meeting and offer each one 1:1 (at most once per member
    and meeting: item ``certificate:<meeting>:<member>``)."""
    attendance = attendance or await meeting_attendance(services, meeting)
    items = []
    for line in attendance.lines:
        if line.credited_minutes <= 0:
            continue
        who = await person(services, line.member_key)
        await current_certificate(services, meeting, line, who)
        member = await services.members.get(line.member_key)
        if member is None:
            logger.info("presence: no way to reach a present member of meeting %s", meeting.id)
            continue
        t = member_translator(services, member)
        text = t.plural(
            "presence.offer.text",
            rules.hours(line.credited_minutes),
            title=meeting.title,
            date=meeting_date(meeting, services, t),
            hours=hours_text(line.credited_minutes, t),
        )
        card = build_offer_card(text, t)
        items.append(
            direct(
                member,
                f"certificate:{meeting.id}:{line.member_key}",
                card_activity(card, summary=t("presence.offer.title")),
                batch=f"certificates:{meeting.id}",
            )
        )
    if items:
        await services.messenger.enqueue(items)
    return len(items)
