"""Presence commands and card actions: meeting events, in-room check-in, the import command,
corrections, lists and exports, certificates (PDF). Jobs (check-in card, Graph import and its
retries, the certificates' 1:1 offer) are in jobs.py, card data in views.py, personal data in
privacy.py.

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
from datetime import date, timedelta
from typing import Any

from cards.csv_export import csv_bytes
from cards.dates import long_date
from cards.i18n import Translator
from cards.presence import (
    CURRENT_MODE,
    CertificateLink,
    build_certificates_card,
    build_checkin_card,
    build_file_card,
)
from dialogs import cycles
from dialogs.cycles import Period
from dialogs.events import MeetingEvent, MeetingEventKind
from dialogs.meetings import queries as meetings
from dialogs.meetings.queries import MeetingRef
from dialogs.presence import certificates as pdf
from dialogs.presence import rules
from dialogs.presence.jobs import (
    checkin_card_key,
    current_certificate,
    issued_certificate,
    offer_certificates,
    plan_closing,
    start_import_cycle,
)
from dialogs.presence.ports import (
    attendance_source,
)
from dialogs.presence.queries import (
    Person,
    get_meeting,
    meeting_attendance,
    meetings_between,
    person,
    presence_repository,
)
from dialogs.presence.views import (
    discipline_label,
    display_name,
    duration_text,
    has_online_part,
    held_on_text,
    hours_text,
    meeting_card,
    meeting_date,
    meeting_line,
    member_meetings,
    mine_card,
    mode_label,
    period_text,
    place_text,
    recent_card,
    room_checkin_card,
    rule_text,
    sources_label,
    time_range,
)
from dialogs.turn import CardReply, DomainError, MessageReply, Services, Turn
from storage.meeting_vocabulary import ROOM_MODES
from storage.member_repository import Member, member_key
from storage.presence_repository import (
    Certificate,
    CheckIn,
    CheckinCode,
    Correction,
    LiveEvent,
)

logger = logging.getLogger(__name__)

LINK_TTL = timedelta(hours=1)
IMPORT_LOOKBACK_DAYS = 60
MAX_LISTED_CERTIFICATES = 10
_KINDS = ("add", "adjust", "remove")


# ---- small helpers ----------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise DomainError("errors.bad_card_data")
    return value.strip()


async def _meeting(services: Services, data: Mapping[str, Any]) -> MeetingRef:
    meeting_id = _text(data, "meeting_id", 100)
    meeting = await get_meeting(services, meeting_id) if meeting_id else None
    if meeting is None:
        raise DomainError("presence.errors.no_meeting")
    return meeting


def _private(turn: Turn) -> None:
    if not turn.where.personal:
        raise DomainError("presence.errors.private_only")


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
        if meeting.mode in ROOM_MODES:
            if await presence_repository(services).claim_once(checkin_card_key(meeting.id)):
                await turn.send_card(room_checkin_card(services, meeting))
                logger.info("presence: check-in card posted for meeting %s", meeting.id)
            await plan_closing(services, meeting)
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


async def _record_participants(turn: Turn, meeting: MeetingRef, event: MeetingEvent) -> None:
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

    if meeting.mode not in ROOM_MODES:
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
    await plan_closing(services, meeting)
    first = (turn.caller.name or "").split(" ")[0]
    return card(t("presence.checkin.done", name=first), error=False)


async def reveal_code(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Animateurs: the check-in card with the code, shown to the one who clicked only."""
    services = turn.services
    meeting = await _meeting(services, data)
    if meeting.mode not in ROOM_MODES:
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
        if m.mode in ROOM_MODES
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


async def _import(turn: Turn, meeting: MeetingRef) -> str:
    services = turn.services
    if not has_online_part(meeting):
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
            if has_online_part(m) and m.starts_at <= now
        ]
        meeting = ended[-1] if ended else None
    if meeting is None:
        await turn.say("presence.import.none")
        return
    await turn.say_text(await _import(turn, meeting))


async def import_action(turn: Turn, data: Mapping[str, Any]) -> MessageReply:
    return MessageReply(await _import(turn, await _meeting(turn.services, data)))


def _responsable(services: Services, t: Translator) -> tuple[str, str]:
    """Who signs a certificate: the profile's first animateur, name and role (or empty)."""
    animateur = next(iter(services.profile.current.animateurs), None)
    if animateur is None:
        return "", ""
    return animateur.name, (animateur.title.get(t.locale) if animateur.title else "")


async def _meeting_pdf(
    services: Services,
    meeting: MeetingRef,
    line: rules.MemberAttendance,
    who: Person,
    certificate: Certificate,
    t: Translator,
) -> bytes:
    responsable_name, responsable_role = _responsable(services, t)
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
        responsable_name=responsable_name,
        responsable_role=responsable_role,
        issued_text=long_date(certificate.issued_at.astimezone(services.timezone), t),
        code=certificate.code,
        rule_text=rule_text(services, t),
    )
    return await asyncio.to_thread(pdf.meeting_certificate_pdf, view, t)


async def _year_pdf(
    services: Services,
    period: Period,
    who: Person,
    lines: list[tuple[Any, rules.MemberAttendance]],
    t: Translator,
) -> tuple[Certificate, bytes]:
    total = sum(line.credited_minutes for _, line in lines)
    certificate = await issued_certificate(
        services,
        who,
        kind="year",
        subject=period.label,
        title=period.label,
        held_on=period.key,
        credited_minutes=total,
    )
    responsable_name, responsable_role = _responsable(services, t)
    view = pdf.YearSummary(
        community=services.profile.current.name,
        year=period.label,
        period_text=period_text(services, period, t),
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
        responsable_name=responsable_name,
        responsable_role=responsable_role,
        issued_text=long_date(certificate.issued_at.astimezone(services.timezone), t),
        code=certificate.code,
        rule_text=rule_text(services, t),
    )
    return certificate, await asyncio.to_thread(pdf.year_summary_pdf, view, t)


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
            for meeting, _, line in await member_meetings(services, key, start, end)
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
                        rules.hours(certificate.credited_minutes),
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
                        rules.hours(summary.credited_minutes),
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
            date=held_on_text(found.held_on, t),
            revoked=long_date(found.revoked_at.astimezone(turn.services.timezone), t),
        )
        return
    key = "presence.verify.year" if found.kind == "year" else "presence.verify.meeting"
    text = t.plural(
        key,
        rules.hours(found.credited_minutes),
        code=found.code,
        name=found.member_name or t("presence.verify.forgotten"),
        title=found.title,
        date=held_on_text(found.held_on, t),
        hours=hours_text(found.credited_minutes, t),
        issued=long_date(found.issued_at.astimezone(turn.services.timezone), t),
    )
    if found.superseded:
        text = f"{text} {t('presence.verify.superseded')}"
    await turn.say_text(text)


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


async def _current_mode(services: Services, meeting: MeetingRef, member_key: str) -> str:
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
    services: Services, meeting: MeetingRef, by: str, reason: str
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


async def _csv_rows(services: Services, meeting: MeetingRef, t: Translator) -> list[list[str]]:
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
    text = f"{period_text(services, period, turn.t)}. {text}"
    filename = turn.t("presence.filename.csv", name=period.label)
    await turn.send_card(await _file_card(turn, _csv(rows, turn.t), filename, text))
