"""Presence: meeting events, in-room check-in, the Graph import and its retries, corrections,
lists and exports, certificates (PDF) and their 1:1 offer, personal data.

Lists, histories, codes and certificates are shown only in a personal chat (or as an
Action.Execute answer, which only the person who clicked sees): a group chat never sees
anyone's minutes.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from babel.numbers import format_decimal

from cards.csv_export import csv_bytes
from cards.dates import cycle_text, hours_year_text, long_date, long_date_time, short_time
from cards.i18n import Translator, translator
from cards.presence import (
    CURRENT_MODE,
    CertificateLink,
    Choice,
    HistoryLine,
    ListLine,
    MeetingListView,
    RecentMeeting,
    build_certificates_card,
    build_checkin_card,
    build_file_card,
    build_meeting_card,
    build_mine_card,
    build_offer_card,
    build_recent_card,
)
from dialogs import cycles
from dialogs.cycles import Period
from dialogs.events import MeetingEvent, MeetingEventKind
from dialogs.feature import PlannedJob
from dialogs.meetings import queries as meetings
from dialogs.meetings.queries import MeetingRef
from dialogs.outreach import card_activity, direct, text_activity
from dialogs.presence import certificates as pdf
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
    credit_policy,
    get_meeting,
    meeting_attendance,
    meetings_between,
    person,
    presence_repository,
    upcoming_meetings,
)
from dialogs.turn import CardReply, DomainError, MessageReply, Services, Turn
from storage.conversation_repository import conversation_key
from storage.member_repository import Member, member_key
from storage.outbox_repository import OutboxItem
from storage.presence_repository import (
    FORGOTTEN,
    Certificate,
    CheckIn,
    CheckinCode,
    Correction,
    GraphAttendee,
    ImportState,
    LiveEvent,
)

logger = logging.getLogger(__name__)

LINK_TTL = timedelta(hours=1)
CLOSING_DELAY = timedelta(minutes=10)
RECENT_DAYS = 120
IMPORT_LOOKBACK_DAYS = 60
MAX_LISTED_CERTIFICATES = 10
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_ONLINE_MODES = ("virtuel", "hybride")
_ROOM_MODES = ("presentiel", "hybride")
_KINDS = ("add", "adjust", "remove")


# ---- formatting ---------------------------------------------------------------------------------


def hours_text(minutes: int, t: Translator) -> str:
    return str(format_decimal(minutes / 60, format="#,##0.##", locale=t.babel_locale))


def people_counts(present: int, unmatched: int, t: Translator) -> dict[str, str]:
    """« 1 personne présente », « 5 personnes présentes »; « 1 participant non associé »…"""
    return {
        "present": t.plural("presence.count.present", present),
        "unmatched": t.plural("presence.count.unmatched", unmatched),
    }


def _held_on_text(held_on: str, t: Translator) -> str:
    """A certificate's ``held_on``: the meeting's ISO date in the long format, or a year."""
    try:
        return long_date(date.fromisoformat(held_on), t)
    except ValueError:
        return held_on


def duration_text(minutes: int, t: Translator) -> str:
    return t("presence.duration", hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def mode_label(mode: str, t: Translator) -> str:
    return t(f"presence.mode.{mode}") if t.has(f"presence.mode.{mode}") else mode


def meeting_mode_label(mode: str, t: Translator) -> str:
    key = f"presence.meeting_mode.{mode}"
    return t(key) if t.has(key) else mode


def discipline_label(code: str, t: Translator) -> str:
    key = f"onboarding.discipline.{code}"
    return t(key) if code and t.has(key) else code


def sources_label(sources: tuple[str, ...], t: Translator) -> str:
    return ", ".join(t(f"presence.source.{s}") for s in sources)


def time_range(meeting: Any, services: Services, t: Translator) -> str:
    start = meeting.starts_at.astimezone(services.timezone)
    end = meeting.ends_at.astimezone(services.timezone)
    return t("presence.time_range", start=short_time(start, t), end=short_time(end, t))


def meeting_date(meeting: Any, services: Services, t: Translator) -> str:
    return long_date(meeting.starts_at.astimezone(services.timezone), t)


def meeting_line(meeting: Any, services: Services, t: Translator) -> str:
    return t(
        "presence.meeting_line",
        title=meeting.title,
        date=meeting_date(meeting, services, t),
        time=time_range(meeting, services, t),
    )


def place_text(meeting: Any, t: Translator) -> str:
    place = meeting.place or t("presence.place.unknown")
    if meeting.mode == "virtuel":
        return t("presence.place.virtuel")
    if meeting.mode == "hybride":
        return t("presence.place.hybride", place=place)
    return t("presence.place.presentiel", place=place)


def rule_text(services: Services, t: Translator) -> str:
    policy = credit_policy(services)
    excluded = ", ".join(
        t(f"meetings.kind.{k}") if t.has(f"meetings.kind.{k}") else k
        for k in sorted(policy.excluded_kinds)
    ) or t("presence.rule.nothing_excluded")
    step = policy.rounding_minutes
    rounding = (
        t(f"presence.rule.rounding_{step}")
        if t.has(f"presence.rule.rounding_{step}")
        else t.plural("presence.rule.rounding_minutes", step)
    )
    return t(
        "presence.rule",
        excluded=excluded,
        rounding=rounding,
        minimum=policy.minimum_minutes,
    )


def member_translator(services: Services, member: Member | None) -> Translator:
    locale = member.locale if member and member.locale else None
    return translator(locale or services.profile.current.default_locale)


def display_name(who: Person, t: Translator) -> str:
    return who.name or t("presence.unknown_member")


# ---- small helpers ----------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise DomainError("errors.bad_card_data")
    return value.strip()


async def _meeting(services: Services, data: Mapping[str, Any]) -> Any:
    meeting_id = _text(data, "meeting_id", 100)
    meeting = await get_meeting(services, meeting_id) if meeting_id else None
    if meeting is None:
        raise DomainError("presence.errors.no_meeting")
    return meeting


def _private(turn: Turn) -> None:
    if not turn.where.personal:
        raise DomainError("presence.errors.private_only")


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


async def _fetch_under_organizer(services: Services, source: Any, meeting: Any) -> AttendanceFetch:
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


def _has_online_part(meeting: Any) -> bool:
    return meeting.mode in _ONLINE_MODES and bool(meeting.join_url or meeting.online_meeting_id)


async def _names(services: Services, keys: list[str]) -> dict[str, Person]:
    return {key: await person(services, key) for key in keys}


# ---- meeting events ---------------------------------------------------------------------------


async def _event_meeting(services: Services, event: MeetingEvent) -> MeetingRef | None:
    found = await meetings.find_by_chat(services, event.conversation_id)
    if found is None and event.join_url:
        found = await meetings.find_by_join_url(
            services, event.join_url, event.start_time or event.at
        )
    return found


async def on_meeting_event(turn: Turn, event: MeetingEvent) -> None:
    services = turn.services
    meeting = await _event_meeting(services, event)
    if meeting is None:
        logger.info("presence: meeting event in %s matches no meeting", event.conversation_id)
        return
    if event.kind in (MeetingEventKind.join, MeetingEventKind.leave):
        await _record_participants(turn, meeting, event)
    elif event.kind == MeetingEventKind.start:
        if meeting.mode in _ROOM_MODES:
            if await presence_repository(services).claim_once(checkin_card_key(meeting.id)):
                await turn.send_card(_room_checkin_card(services, meeting))
                logger.info("presence: check-in card posted for meeting %s", meeting.id)
            await _plan_closing(services, meeting)
    elif event.kind == MeetingEventKind.end:
        state = await presence_repository(services).get_import(meeting.id)
        waiting = (
            state is not None
            and state.status == "pending"
            and state.attempt == 0
            and state.next_at is not None
            and state.next_at > services.clock()
        )
        if state is None or waiting or (state.status != "pending" and event.at > state.ended_at):
            await start_import_cycle(services, meeting, event.at)


async def _record_participants(turn: Turn, meeting: Any, event: MeetingEvent) -> None:
    services = turn.services
    repository = presence_repository(services)
    tenant = turn.where.tenant_id
    for participant in event.participants:
        who = participant.person
        key = member_key(who.teams_user_id, who.aad_object_id)
        kind = str(event.kind)
        if participant.in_meeting is not None:
            kind = "join" if participant.in_meeting else "leave"
        stored = await repository.add_live_event(
            LiveEvent(meeting.id, key, kind, event.at, email=who.email)
        )
        if stored and await services.members.get(key) is None:
            # Remember who they are and where a 1:1 chat can reach them (for the certificate).
            await services.members.save(
                Member(
                    key=key,
                    teams_user_id=who.teams_user_id,
                    aad_object_id=who.aad_object_id,
                    name=who.name,
                    tenant_id=who.tenant_id or tenant,
                    service_url=turn.where.service_url,
                )
            )
    logger.info(
        "presence: %s of %d participant(s) in meeting %s",
        event.kind,
        len(event.participants),
        meeting.id,
    )


# ---- in-room check-in -------------------------------------------------------------------------


async def checkin_code(services: Services, meeting_id: str) -> str:
    candidate = "".join(secrets.choice("0123456789") for _ in range(rules.CHECKIN_CODE_LENGTH))
    stored = await presence_repository(services).checkin_code(
        meeting_id, CheckinCode(meeting_id, candidate, services.clock())
    )
    return stored.code


async def checkin(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    services = turn.services
    meeting = await _meeting(services, data)
    typed = _text(data, "code", 40)
    t = turn.t
    line = meeting_line(meeting, services, t)

    def card(notice: str, error: bool) -> CardReply:
        return CardReply(
            build_checkin_card(
                t, meeting_id=meeting.id, meeting_line=line, notice=notice, notice_is_error=error
            )
        )

    if meeting.mode not in _ROOM_MODES:
        raise DomainError("presence.checkin.not_in_room")
    now = services.clock()
    if not rules.checkin_open(now, meeting.starts_at, meeting.ends_at, meeting.mode):
        raise DomainError("presence.checkin.closed")
    repository = presence_repository(services)
    key = turn.caller.member_key
    if await repository.code_failures(meeting.id, key) >= rules.MAX_CHECKIN_FAILURES:
        return card(t("presence.checkin.locked"), error=True)
    if not rules.code_matches(typed, await checkin_code(services, meeting.id)):
        failures = await repository.add_code_failure(meeting.id, key)
        left = rules.MAX_CHECKIN_FAILURES - failures
        logger.info("presence: wrong check-in code for meeting %s", meeting.id)
        if left <= 0:
            return card(t("presence.checkin.locked"), error=True)
        return card(t.plural("presence.checkin.wrong_code", left), error=True)
    if not await repository.add_checkin(CheckIn(meeting.id, key, now)):
        return card(t("presence.checkin.already"), error=False)
    logger.info("presence: in-room check-in for meeting %s", meeting.id)
    await _plan_closing(services, meeting)
    first = (turn.caller.name or "").split(" ")[0]
    return card(t("presence.checkin.done", name=first), error=False)


async def _plan_closing(services: Services, meeting: Any) -> None:
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


def _room_checkin_card(services: Services, meeting: Any) -> dict[str, Any]:
    t = translator(services.profile.current.default_locale)
    return build_checkin_card(
        t, meeting_id=meeting.id, meeting_line=meeting_line(meeting, services, t)
    )


async def run_checkin(
    services: Services, meeting_id: str, planned_at: datetime | None = None
) -> bool:
    """At the scheduled start of an in-person or hybrid meeting: plan its closing (an in-room
    meeting may have no Teams meeting, so no end event) and post the check-in card in the
    channel where the meeting card was posted, unless the meeting-start event already posted
    it in the meeting chat. True when the card was queued."""
    meeting = await get_meeting(services, meeting_id)
    if meeting is None or meeting.status == CANCELLED or meeting.mode not in _ROOM_MODES:
        return False
    now = services.clock()
    if now < meeting.starts_at - timedelta(seconds=1):
        if planned_at != meeting.starts_at:  # the meeting was moved later: follow it
            services.jobs.schedule(checkin_job(services, meeting.id, meeting.starts_at))
        return False
    await _plan_closing(services, meeting)
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
            _room_checkin_card(services, meeting), summary=t("presence.checkin.title")
        ),
    )
    await services.messenger.enqueue([item])
    logger.info("presence: check-in card queued for the channel of meeting %s", meeting.id)
    return True


async def reveal_code(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Animateurs: the check-in card with the code, shown to the one who clicked only."""
    services = turn.services
    meeting = await _meeting(services, data)
    if meeting.mode not in _ROOM_MODES:
        raise DomainError("presence.checkin.not_in_room")
    if not turn.where.personal and not turn.where.by_execute:
        # The Action.Submit fallback would put the code on the shared card, for everyone.
        raise DomainError(
            "presence.errors.code_private", command=turn.t("command.presence.code.word")
        )
    code = await checkin_code(services, meeting.id)
    return CardReply(
        build_checkin_card(
            turn.t,
            meeting_id=meeting.id,
            meeting_line=meeting_line(meeting, services, turn.t),
            code=code,
        )
    )


async def show_code(turn: Turn) -> None:
    """``présences code``: today's in-room meetings and their codes (personal chat only)."""
    _private(turn)
    services = turn.services
    now = services.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    meetings = [
        m
        for m in await meetings_between(services, day_start, day_start + timedelta(days=1))
        if m.mode in _ROOM_MODES
    ]
    if not meetings:
        await turn.say("presence.code.none")
        return
    for meeting in meetings:
        code = await checkin_code(services, meeting.id)
        await turn.send_card(
            build_checkin_card(
                turn.t,
                meeting_id=meeting.id,
                meeting_line=meeting_line(meeting, services, turn.t),
                code=code,
            )
        )


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
        if meeting.mode in _ROOM_MODES and not await repository.claimed(
            checkin_card_key(meeting.id)
        ):
            jobs.append(checkin_job(services, meeting.id, max(meeting.starts_at, now)))
    return jobs


async def start_import_cycle(
    services: Services, meeting: Any, ended_at: datetime, requested_by: str = ""
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


async def fetch_into_store(services: Services, meeting: Any) -> tuple[FetchStatus | None, bool]:
    """(Graph status or None when the meeting has no Graph step, whether the stored Graph
    attendees changed)."""
    source = attendance_source(services)
    if source is None or not _has_online_part(meeting):
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
    meeting: Any,
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
    services: Services, state: ImportState, meeting: Any, attendance: MeetingAttendance
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


async def _import(turn: Turn, meeting: Any) -> str:
    services = turn.services
    if not _has_online_part(meeting):
        raise DomainError("presence.import.not_online")
    if attendance_source(services) is None:
        raise DomainError("presence.import.no_source")
    now = services.clock()
    if meeting.starts_at > now:
        raise DomainError("presence.import.not_yet")
    state = await presence_repository(services).get_import(meeting.id)
    ended_at = state.ended_at if state else min(meeting.ends_at, now)
    await start_import_cycle(services, meeting, ended_at, requested_by=turn.caller.member_key)
    return turn.t("presence.import.started", title=meeting.title)


async def import_command(turn: Turn) -> None:
    """``présences importer``: the meeting of this chat, else the latest ended online one."""
    services = turn.services
    meeting = None
    if turn.where.conversation_id:
        meeting = await meetings.find_by_chat(services, turn.where.conversation_id)
    if meeting is None:
        now = services.clock()
        ended = [
            m
            for m in await meetings_between(
                services, now - timedelta(days=IMPORT_LOOKBACK_DAYS), now
            )
            if _has_online_part(m) and m.starts_at <= now
        ]
        meeting = ended[-1] if ended else None
    if meeting is None:
        await turn.say("presence.import.none")
        return
    await turn.say_text(await _import(turn, meeting))


async def import_action(turn: Turn, data: Mapping[str, Any]) -> MessageReply:
    return MessageReply(await _import(turn, await _meeting(turn.services, data)))


# ---- certificates -----------------------------------------------------------------------------


async def current_certificate(
    services: Services, meeting: Any, line: rules.MemberAttendance, who: Person
) -> Certificate:
    """The member's certificate for this meeting, issued anew when the hours or the name
    changed since the last one (the old code then reads "superseded")."""
    repository = presence_repository(services)
    existing = await repository.current_certificate(line.member_key, "meeting", meeting.id)
    if (
        existing is not None
        and existing.credited_minutes == line.credited_minutes
        and existing.member_name == who.name
    ):
        return existing
    certificate = Certificate(
        code=_new_code(),
        kind="meeting",
        member_key=line.member_key,
        member_name=who.name,
        subject=meeting.id,
        title=meeting.title,
        held_on=meeting.starts_at.astimezone(services.timezone).date().isoformat(),
        credited_minutes=line.credited_minutes,
        issued_at=services.clock(),
    )
    await repository.add_certificate(certificate)
    logger.info("presence: certificate issued for meeting %s", meeting.id)
    return certificate


async def offer_certificates(
    services: Services, meeting: Any, attendance: MeetingAttendance | None = None
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
            line.credited_minutes / 60,
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


async def _meeting_pdf(
    services: Services,
    meeting: Any,
    line: rules.MemberAttendance,
    who: Person,
    certificate: Certificate,
    t: Translator,
) -> bytes:
    animateur = next(iter(services.profile.current.animateurs), None)
    view = pdf.MeetingCertificate(
        community=services.profile.current.name,
        title=meeting.title,
        date_text=meeting_date(meeting, services, t),
        time_text=time_range(meeting, services, t),
        place_text=place_text(meeting, t),
        member_name=display_name(who, t),
        discipline=discipline_label(who.discipline, t),
        institution=who.institution,
        hours_text=hours_text(certificate.credited_minutes, t),
        minutes_text=duration_text(line.minutes, t),
        general_objective=meeting.general_objective,
        specific_objectives=tuple(meeting.specific_objectives),
        responsable_name=animateur.name if animateur else "",
        responsable_role=animateur.title.get(t.locale) if animateur and animateur.title else "",
        issued_text=long_date(certificate.issued_at.astimezone(services.timezone), t),
        code=certificate.code,
        rule_text=rule_text(services, t),
    )
    return await asyncio.to_thread(pdf.meeting_certificate_pdf, view, t)


def _period_text(services: Services, period: Period, t: Translator) -> str:
    """The hours year in words: the cycle's (« Cycle 2026-2027, du … ») unless the community
    counts hours over its own twelve months (``[presence] hours_year_start_month``)."""
    if services.profile.current.presence.get("hours_year_start_month") is None:
        return cycle_text(period.label, period.start, period.end, t)
    return hours_year_text(period.label, period.start, period.end, t)


async def _year_pdf(
    services: Services,
    period: Period,
    who: Person,
    lines: list[tuple[Any, rules.MemberAttendance]],
    t: Translator,
) -> tuple[Certificate, bytes]:
    repository = presence_repository(services)
    total = sum(line.credited_minutes for _, line in lines)
    certificate = await repository.current_certificate(who.member_key, "year", period.label)
    if (
        certificate is None
        or certificate.credited_minutes != total
        or certificate.member_name != who.name
    ):
        certificate = Certificate(
            code=_new_code(),
            kind="year",
            member_key=who.member_key,
            member_name=who.name,
            subject=period.label,
            title=period.label,
            held_on=period.key,
            credited_minutes=total,
            issued_at=services.clock(),
        )
        await repository.add_certificate(certificate)
    animateur = next(iter(services.profile.current.animateurs), None)
    view = pdf.YearSummary(
        community=services.profile.current.name,
        year=period.label,
        period_text=_period_text(services, period, t),
        member_name=display_name(who, t),
        discipline=discipline_label(who.discipline, t),
        institution=who.institution,
        lines=tuple(
            pdf.YearLine(
                date_text=meeting_date(meeting, services, t),
                title=meeting.title,
                mode_text=mode_label(line.mode, t),
                hours_text=hours_text(line.credited_minutes, t),
            )
            for meeting, line in lines
        ),
        total_text=hours_text(total, t),
        responsable_name=animateur.name if animateur else "",
        responsable_role=animateur.title.get(t.locale) if animateur and animateur.title else "",
        issued_text=long_date(certificate.issued_at.astimezone(services.timezone), t),
        code=certificate.code,
        rule_text=rule_text(services, t),
    )
    return certificate, await asyncio.to_thread(pdf.year_summary_pdf, view, t)


async def _member_meetings(
    services: Services, member_key: str, start: datetime, end: datetime
) -> list[tuple[Any, MeetingAttendance, rules.MemberAttendance]]:
    found = []
    now = services.clock()
    for meeting in await meetings_between(services, start, end):
        if meeting.starts_at > now:
            continue
        attendance = await meeting_attendance(services, meeting)
        line = attendance.line(member_key)
        if line is not None and line.present:
            found.append((meeting, attendance, line))
    return found


async def certificates_card(turn: Turn) -> dict[str, Any]:
    """The caller's certificates (newest first) and yearly summaries, with fresh links."""
    services = turn.services
    t = turn.t
    key = turn.caller.member_key
    who = await person(services, key)
    issued = await presence_repository(services).certificates_of(key)
    hours_year = cycles.hours_year_of_community(services.profile.current)
    # Certificates and hours belong to the meeting's date, not the day they were issued.
    periods = sorted(
        {hours_year.of(date.fromisoformat(c.held_on)) for c in issued if c.kind == "meeting"},
        key=lambda p: p.start,
        reverse=True,
    )
    links: list[CertificateLink] = []
    for period in periods:
        start, end = hours_year.reach(period, services.timezone)
        lines = [
            (meeting, line)
            for meeting, _, line in await _member_meetings(services, key, start, end)
            if line.credited_minutes > 0
        ]
        for meeting, line in reversed(lines[-MAX_LISTED_CERTIFICATES:]):
            certificate = await current_certificate(services, meeting, line, who)
            content = await _meeting_pdf(services, meeting, line, who, certificate, t)
            url = await services.downloads.publish(
                content,
                t("presence.filename.meeting", date=certificate.held_on),
                "application/pdf",
                owner_key=key,
                ttl=LINK_TTL,
            )
            links.append(
                CertificateLink(
                    label=t("presence.certs.meeting", title=meeting.title),
                    detail=t.plural(
                        "presence.certs.detail",
                        certificate.credited_minutes / 60,
                        date=meeting_date(meeting, services, t),
                        hours=hours_text(certificate.credited_minutes, t),
                        code=certificate.code,
                    ),
                    url=url,
                )
            )
        if lines:
            summary, content = await _year_pdf(services, period, who, lines, t)
            url = await services.downloads.publish(
                content,
                t("presence.filename.year", year=period.label),
                "application/pdf",
                owner_key=key,
                ttl=LINK_TTL,
            )
            links.append(
                CertificateLink(
                    label=t("presence.certs.year", year=period.label),
                    detail=t.plural(
                        "presence.certs.year_detail",
                        summary.credited_minutes / 60,
                        hours=hours_text(summary.credited_minutes, t),
                        code=summary.code,
                    ),
                    url=url,
                )
            )
    logger.info("presence: %d certificate link(s) handed out", len(links))
    return build_certificates_card(links, t)


async def show_certificates(turn: Turn) -> None:
    _private(turn)
    await turn.send_card(await certificates_card(turn))


async def certificates_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(await certificates_card(turn))


async def verify_certificate(turn: Turn) -> None:
    """``attestation vérifier CODE`` (animateurs)."""
    _private(turn)
    code = turn.args.strip().upper()
    if not code:
        await turn.say("presence.verify.usage")
        return
    found = await presence_repository(turn.services).certificate(code)
    if found is None:
        await turn.say("presence.verify.unknown", code=code[:20])
        return
    t = turn.t
    if found.revoked_at is not None:
        key = "presence.verify.year_revoked" if found.kind == "year" else "presence.verify.revoked"
        await turn.say(
            key,
            code=found.code,
            name=found.member_name or t("presence.verify.forgotten"),
            title=found.title,
            date=_held_on_text(found.held_on, t),
            revoked=long_date(found.revoked_at.astimezone(turn.services.timezone), t),
        )
        return
    key = "presence.verify.year" if found.kind == "year" else "presence.verify.meeting"
    text = t.plural(
        key,
        found.credited_minutes / 60,
        code=found.code,
        name=found.member_name or t("presence.verify.forgotten"),
        title=found.title,
        date=_held_on_text(found.held_on, t),
        hours=hours_text(found.credited_minutes, t),
        issued=long_date(found.issued_at.astimezone(turn.services.timezone), t),
    )
    if found.superseded:
        text = f"{text} {t('presence.verify.superseded')}"
    await turn.say_text(text)


# ---- views ------------------------------------------------------------------------------------


async def mine_card(turn: Turn, period: Period) -> dict[str, Any]:
    services = turn.services
    t = turn.t
    hours_year = cycles.hours_year_of_community(services.profile.current)
    start, end = hours_year.reach(period, services.timezone)
    found = await _member_meetings(services, turn.caller.member_key, start, end)
    provisional = False
    lines: list[HistoryLine] = []
    for meeting, attendance, line in found:
        pending = _has_online_part(meeting) and (
            attendance.import_state is None or attendance.import_state.status == "pending"
        )
        provisional = provisional or pending
        value = t.plural(
            "presence.mine.value",
            line.credited_minutes / 60,
            mode=mode_label(line.mode, t),
            time=duration_text(line.minutes, t),
            hours=hours_text(line.credited_minutes, t),
        )
        if pending:
            value = f"{value} {t('presence.mine.provisional')}"
        lines.append(
            HistoryLine(
                label=t(
                    "presence.mine.label",
                    date=meeting_date(meeting, services, t),
                    title=meeting.title,
                ),
                value=value,
            )
        )
    total = sum(line.credited_minutes for _, _, line in found)
    return build_mine_card(
        t,
        heading=t("presence.mine.title", year=period.label),
        period=_period_text(services, period, t),
        total=t("presence.mine.total", year=period.label, hours=hours_text(total, t)),
        empty=t("presence.mine.none", year=period.label),
        lines=lines,
        has_provisional=provisional,
    )


async def show_attendance(turn: Turn) -> None:
    """``présences``: a member's own history and yearly hours; an animateur gets the recent
    meetings to open (``présences moi`` shows their own history too). ``présences 2024``."""
    _private(turn)
    services = turn.services
    args = turn.args.strip()
    me = args.casefold() in (turn.t("presence.me_word").casefold(), "me", "moi")
    if me:
        args = ""
    hours_year = cycles.hours_year_of_community(services.profile.current)
    today = services.now().date()
    period = rules.parse_period(args, hours_year, today)
    if period is None:
        await turn.say("presence.usage", example=hours_year.of(today).label)
        return
    if turn.caller.is_animateur and not me and not args:
        await turn.send_card(await recent_card(turn))
        return
    await turn.send_card(await mine_card(turn, period))


async def recent_card(turn: Turn) -> dict[str, Any]:
    services = turn.services
    t = turn.t
    now = services.clock()
    meetings = [
        m
        for m in await meetings_between(services, now - timedelta(days=RECENT_DAYS), now)
        if m.starts_at <= now
    ]
    items = [
        RecentMeeting(
            meeting_id=m.id,
            label=m.title,
            detail=t(
                "presence.recent.detail",
                date=meeting_date(m, services, t),
                mode=meeting_mode_label(m.mode, t),
            ),
        )
        for m in reversed(meetings)
    ]
    return build_recent_card(items, t)


def _import_line(attendance: MeetingAttendance, t: Translator, services: Services) -> str:
    meeting = attendance.meeting
    if not _has_online_part(meeting):
        return t("presence.import_status.not_online")
    state = attendance.import_state
    if state is None:
        return t("presence.import_status.none")
    if state.status == "pending" and state.next_at is not None:
        return t(
            "presence.import_status.pending",
            when=short_time(state.next_at.astimezone(services.timezone), t),
        )
    return t(f"presence.import_status.{state.status}")


async def meeting_card(turn: Turn, meeting: Any, notice: str = "") -> dict[str, Any]:
    services = turn.services
    t = turn.t
    attendance = await meeting_attendance(services, meeting)
    keys = [line.member_key for line in attendance.lines]
    invited = list(await meetings.invited_member_keys(services, meeting.id))
    people = await _names(services, sorted(set(keys) | set(invited)))
    lines = [
        ListLine(
            name=display_name(people[line.member_key], t),
            detail=", ".join(
                part
                for part in (
                    people[line.member_key].institution,
                    discipline_label(people[line.member_key].discipline, t),
                )
                if part
            )
            or t("presence.list.no_profile"),
            figures=t.plural(
                "presence.list.figures",
                line.credited_minutes / 60,
                mode=mode_label(line.mode, t),
                time=duration_text(line.minutes, t),
                hours=hours_text(line.credited_minutes, t),
                sources=sources_label(line.sources, t),
            ),
        )
        for line in sorted(
            (line for line in attendance.lines if line.present or line.corrected),
            key=lambda line: display_name(people[line.member_key], t).casefold(),
        )
    ]
    choices = sorted(
        (Choice(display_name(p, t), key) for key, p in people.items()),
        key=lambda c: c.title.casefold(),
    )
    unmatched = [
        Choice(
            t(
                "presence.list.unmatched_line",
                name=u.name or t("presence.unknown_member"),
                email=u.email or "-",
                time=duration_text(u.minutes, t),
            ),
            u.key,
        )
        for u in attendance.unmatched
    ]
    audit = [
        t(
            "presence.audit.line",
            at=long_date_time(c.at.astimezone(services.timezone), t),
            by=(await person(services, c.by)).name if c.by != FORGOTTEN else FORGOTTEN,
            what=t(
                f"presence.audit.{c.kind}",
                minutes=c.minutes if c.minutes is not None else 0,
                code=c.certificate_code,
            ),
            who=display_name(await person(services, c.member_key), t)
            if c.member_key != FORGOTTEN
            else FORGOTTEN,
            reason=c.reason or "-",
        )
        for c in (await presence_repository(services).corrections(meeting.id))[-10:]
    ]
    present = sum(1 for line in attendance.lines if line.present)
    view = MeetingListView(
        meeting_id=meeting.id,
        heading=t("presence.list.title", title=meeting.title),
        subtitle=t(
            "presence.list.subtitle",
            date=meeting_date(meeting, services, t),
            mode=meeting_mode_label(meeting.mode, t),
        ),
        summary=t(
            "presence.list.summary",
            **people_counts(present, len(attendance.unmatched), t),
            training=hours_text(attendance.training_minutes, t),
        ),
        import_line=_import_line(attendance, t, services),
        lines=lines,
        unmatched=unmatched,
        members=choices,
        audit=audit,
        can_import=_has_online_part(meeting),
        notice=notice,
    )
    return build_meeting_card(view, t)


async def open_meeting(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    meeting = await _meeting(turn.services, data)
    return CardReply(await meeting_card(turn, meeting))


async def correct(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Animateurs: add, adjust or remove a member's presence, with a reason (audit trail)."""
    services = turn.services
    meeting = await _meeting(services, data)
    target = _text(data, "correct_member", 200)
    kind = _text(data, "kind", 20)
    mode = _text(data, "mode", 20) or CURRENT_MODE
    reason = _text(data, "reason", 200)
    if not target or kind not in _KINDS or mode not in (*rules.MODES, CURRENT_MODE):
        raise DomainError("errors.bad_card_data")
    if not reason:
        raise DomainError("presence.errors.reason_required")
    minutes: int | None = None
    if kind != "remove":
        raw = data.get("minutes")
        limit = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
        try:
            minutes = int(str(raw).strip()) if raw not in (None, "") else None
        except ValueError:
            minutes = None
        if minutes is None or not 0 <= minutes <= limit:
            raise DomainError("presence.errors.bad_minutes", max=limit)
    if mode == CURRENT_MODE:  # a correction changes only what the animateur changed
        mode = await _current_mode(services, meeting, target)
    await presence_repository(services).add_correction(
        Correction(
            id=uuid.uuid4().hex,
            meeting_id=meeting.id,
            member_key=target,
            kind=kind,
            minutes=minutes,
            mode=mode,
            reason=reason,
            by=turn.caller.member_key,
            at=services.clock(),
        )
    )
    logger.info("presence: correction %s on meeting %s", kind, meeting.id)
    revoked = await revoke_uncredited(services, meeting, turn.caller.member_key, reason)
    who = display_name(await person(services, target), turn.t)
    notice = turn.t("presence.correct.done", name=who)
    return CardReply(
        await meeting_card(turn, meeting, notice=await _with_revoked(turn, notice, revoked))
    )


async def _current_mode(services: Services, meeting: Any, member_key: str) -> str:
    """The member's mode as the meeting's list shows it; for someone not seen, the meeting's
    own (in the room unless the meeting is online only)."""
    line = (await meeting_attendance(services, meeting)).line(member_key)
    if line is not None and line.mode in rules.MODES:
        return line.mode
    return rules.MODE_ONLINE if meeting.mode == "virtuel" else rules.MODE_ROOM


async def assign(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Animateurs: give an unmatched Graph attendee to a member (kept in the audit trail)."""
    services = turn.services
    meeting = await _meeting(services, data)
    attendee = _text(data, "attendee", 300)
    target = _text(data, "member", 200)
    attendance = await meeting_attendance(services, meeting)
    loose = next((u for u in attendance.unmatched if u.key == attendee), None)
    if loose is None or not target:
        raise DomainError("presence.errors.bad_assignment")
    await presence_repository(services).add_correction(
        Correction(
            id=uuid.uuid4().hex,
            meeting_id=meeting.id,
            member_key=target,
            kind="assign",
            minutes=loose.minutes,
            mode=rules.MODE_ONLINE,
            reason=turn.t("presence.assign.reason"),
            by=turn.caller.member_key,
            at=services.clock(),
            attendee_key=attendee,
        )
    )
    logger.info("presence: attendee assigned on meeting %s", meeting.id)
    revoked = await revoke_uncredited(
        services, meeting, turn.caller.member_key, turn.t("presence.assign.reason")
    )
    who = display_name(await person(services, target), turn.t)
    notice = turn.t("presence.assign.done", name=who)
    return CardReply(
        await meeting_card(turn, meeting, notice=await _with_revoked(turn, notice, revoked))
    )


async def revoke_uncredited(
    services: Services, meeting: Any, by: str, reason: str
) -> list[Certificate]:
    """After a correction: revoke the certificate of every member of the meeting left with no
    credited hours, and their yearly summary that counted it (a new one is issued when they
    ask for it). Each revocation is an entry of the audit trail. Certificates of members who
    asked to be forgotten stay as they are. Returns the meeting certificates revoked."""
    repository = presence_repository(services)
    issued = [c for c in await repository.certificates_for("meeting", meeting.id) if c.member_key]
    if not issued:
        return []
    attendance = await meeting_attendance(services, meeting)
    now = services.clock()
    revoked: list[Certificate] = []
    for certificate in issued:
        line = attendance.line(certificate.member_key)
        if line is not None and line.credited_minutes > 0:
            continue
        done = await repository.revoke_certificate(certificate.code, now)
        if done is None:
            continue
        revoked.append(done)
        hours_year = cycles.hours_year_of_community(services.profile.current)
        label = hours_year.of(date.fromisoformat(certificate.held_on)).label
        year = await repository.current_certificate(certificate.member_key, "year", label)
        summary = await repository.revoke_certificate(year.code, now) if year else None
        for kind, code in (("revoke", done.code), ("revoke_year", summary.code if summary else "")):
            if code:
                await repository.add_correction(
                    Correction(
                        id=uuid.uuid4().hex,
                        meeting_id=meeting.id,
                        member_key=certificate.member_key,
                        kind=kind,
                        minutes=None,
                        mode="",
                        reason=reason,
                        by=by,
                        at=now,
                        certificate_code=code,
                    )
                )
        logger.info("presence: a certificate of meeting %s revoked (no credited hours)", meeting.id)
    return revoked


async def _with_revoked(turn: Turn, notice: str, revoked: list[Certificate]) -> str:
    parts = [notice]
    for certificate in revoked:
        who = display_name(await person(turn.services, certificate.member_key), turn.t)
        parts.append(turn.t("presence.correct.revoked", name=who, code=certificate.code))
    return " ".join(parts)


async def send_certificates(turn: Turn, data: Mapping[str, Any]) -> MessageReply:
    meeting = await _meeting(turn.services, data)
    if meeting.starts_at > turn.services.clock():
        raise DomainError("presence.import.not_yet")
    count = await offer_certificates(turn.services, meeting)
    return MessageReply(turn.t.plural("presence.certs.sent", count))


# ---- exports ----------------------------------------------------------------------------------


def _csv(rows: list[list[str]], t: Translator) -> bytes:
    header = [
        t(f"presence.csv.{c}")
        for c in (
            "date",
            "meeting",
            "name",
            "email",
            "institution",
            "discipline",
            "mode",
            "minutes",
            "hours",
            "sources",
        )
    ]
    return csv_bytes([header, *rows])


async def _csv_rows(services: Services, meeting: Any, t: Translator) -> list[list[str]]:
    attendance = await meeting_attendance(services, meeting)
    day = meeting.starts_at.astimezone(services.timezone).date().isoformat()
    rows = []
    for line in attendance.lines:
        if not line.present:
            continue
        who = await person(services, line.member_key)
        rows.append(
            [
                day,
                meeting.title,
                display_name(who, t),
                who.email,
                who.institution,
                discipline_label(who.discipline, t),
                mode_label(line.mode, t),
                str(line.minutes),
                hours_text(line.credited_minutes, t),
                sources_label(line.sources, t),
            ]
        )
    return sorted(rows, key=lambda r: r[2].casefold())


async def _file_card(turn: Turn, content: bytes, filename: str, text: str) -> dict[str, Any]:
    url = await turn.services.downloads.publish(
        content,
        filename,
        "text/csv; charset=utf-8",
        owner_key=turn.caller.member_key,
        ttl=LINK_TTL,
    )
    return build_file_card(
        turn.t,
        title=turn.t("presence.export.title"),
        text=text,
        button=turn.t("presence.export.download"),
        url=url,
    )


async def export_meeting(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    services = turn.services
    meeting = await _meeting(services, data)
    rows = await _csv_rows(services, meeting, turn.t)
    day = meeting.starts_at.astimezone(services.timezone).date().isoformat()
    text = turn.t.plural("presence.export.meeting_ready", len(rows), title=meeting.title)
    card = await _file_card(
        turn, _csv(rows, turn.t), turn.t("presence.filename.csv", name=day), text
    )
    return CardReply(card)


async def export_year(turn: Turn) -> None:
    """``présences export [2026-2027 | 2026]``: every presence of an hours year (the cycle by
    default), for time sheets."""
    _private(turn)
    services = turn.services
    hours_year = cycles.hours_year_of_community(services.profile.current)
    today = services.now().date()
    period = rules.parse_period(turn.args, hours_year, today)
    if period is None:
        await turn.say("presence.export.usage", example=hours_year.of(today).label)
        return
    start, end = hours_year.reach(period, services.timezone)
    now = services.clock()
    rows: list[list[str]] = []
    for meeting in await meetings_between(services, start, end):
        if meeting.starts_at <= now:
            rows.extend(await _csv_rows(services, meeting, turn.t))
    text = turn.t.plural("presence.export.year_ready", len(rows), year=period.label)
    text = f"{_period_text(services, period, turn.t)}. {text}"
    filename = turn.t("presence.filename.csv", name=period.label)
    await turn.send_card(await _file_card(turn, _csv(rows, turn.t), filename, text))


# ---- personal data ------------------------------------------------------------------------------


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    records = await presence_repository(services).member_records(member_key)
    return {f"presence_{name}": rows for name, rows in records.items()}


async def forget_member(services: Services, member_key: str) -> None:
    """Erase the member's presence records. Certificates already issued keep their code,
    meeting, date and hours without the name, so a code on a certificate handed to a
    professional order can still be confirmed; corrections keep what was done, not about whom."""
    who = await person(services, member_key)
    removed = await presence_repository(services).forget_member(
        member_key, tuple(e for e in (who.email,) if e)
    )
    logger.info("presence: %d record(s) erased for a member", removed)
