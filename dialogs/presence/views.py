"""Presence as people see it: wording of hours, modes and meetings, and the card data of the
lists (mine, recent meetings, one meeting) and of the check-in card."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from babel.numbers import format_decimal

from cards.dates import cycle_text, hours_year_text, long_date, long_date_time, short_time
from cards.i18n import Translator, translator
from cards.presence import (
    Choice,
    HistoryLine,
    ListLine,
    MeetingListView,
    RecentMeeting,
    build_checkin_card,
    build_meeting_card,
    build_mine_card,
    build_recent_card,
)
from dialogs import cycles
from dialogs.cycles import Period
from dialogs.meetings import queries as meetings
from dialogs.meetings.queries import MeetingRef
from dialogs.presence import rules
from dialogs.presence.queries import (
    MeetingAttendance,
    Person,
    credit_policy,
    meeting_attendance,
    meetings_between,
    person,
    presence_repository,
)
from dialogs.turn import Services, Turn
from storage.meeting_vocabulary import ONLINE_MODES, MeetingMode
from storage.member_repository import Member
from storage.presence_repository import (
    FORGOTTEN,
)

logger = logging.getLogger(__name__)
RECENT_DAYS = 120


# ---- formatting ---------------------------------------------------------------------------------


def hours_text(minutes: int, t: Translator) -> str:
    return str(format_decimal(rules.hours(minutes), format="#,##0.##", locale=t.babel_locale))


def people_counts(present: int, unmatched: int, t: Translator) -> dict[str, str]:
    """« 1 personne présente », « 5 personnes présentes »; « 1 participant non associé »…"""
    return {
        "present": t.plural("presence.count.present", present),
        "unmatched": t.plural("presence.count.unmatched", unmatched),
    }


def held_on_text(held_on: str, t: Translator) -> str:
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


def time_range(meeting: MeetingRef, services: Services, t: Translator) -> str:
    start = meeting.starts_at.astimezone(services.timezone)
    end = meeting.ends_at.astimezone(services.timezone)
    return t("presence.time_range", start=short_time(start, t), end=short_time(end, t))


def meeting_date(meeting: MeetingRef, services: Services, t: Translator) -> str:
    return long_date(meeting.starts_at.astimezone(services.timezone), t)


def meeting_line(meeting: MeetingRef, services: Services, t: Translator) -> str:
    return t(
        "presence.meeting_line",
        title=meeting.title,
        date=meeting_date(meeting, services, t),
        time=time_range(meeting, services, t),
    )


def place_text(meeting: MeetingRef, t: Translator) -> str:
    place = meeting.place or t("presence.place.unknown")
    if meeting.mode == "virtuel":
        return t("presence.place.virtuel")
    if meeting.mode == MeetingMode.HYBRID:
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


def has_online_part(meeting: MeetingRef) -> bool:
    return meeting.mode in ONLINE_MODES and bool(meeting.join_url or meeting.online_meeting_id)


async def names_of(services: Services, keys: list[str]) -> dict[str, Person]:
    return {key: await person(services, key) for key in keys}


def room_checkin_card(services: Services, meeting: MeetingRef) -> dict[str, Any]:
    t = translator(services.profile.current.default_locale)
    return build_checkin_card(
        t, meeting_id=meeting.id, meeting_line=meeting_line(meeting, services, t)
    )


def period_text(services: Services, period: Period, t: Translator) -> str:
    """The hours year in words: the cycle's (« Cycle 2026-2027, du … ») unless the community
    counts hours over its own twelve months (``[presence] hours_year_start_month``)."""
    if services.profile.current.presence.get("hours_year_start_month") is None:
        return cycle_text(period.label, period.start, period.end, t)
    return hours_year_text(period.label, period.start, period.end, t)


async def member_meetings(
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


# ---- views ------------------------------------------------------------------------------------


async def mine_card(turn: Turn, period: Period) -> dict[str, Any]:
    services = turn.services
    t = turn.t
    hours_year = cycles.hours_year_of_community(services.profile.current)
    start, end = hours_year.reach(period, services.timezone)
    found = await member_meetings(services, turn.caller.member_key, start, end)
    provisional = False
    lines: list[HistoryLine] = []
    for meeting, attendance, line in found:
        pending = has_online_part(meeting) and (
            attendance.import_state is None or attendance.import_state.status == "pending"
        )
        provisional = provisional or pending
        value = t.plural(
            "presence.mine.value",
            rules.hours(line.credited_minutes),
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
        period=period_text(services, period, t),
        total=t("presence.mine.total", year=period.label, hours=hours_text(total, t)),
        empty=t("presence.mine.none", year=period.label),
        lines=lines,
        has_provisional=provisional,
    )


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


def import_line(attendance: MeetingAttendance, t: Translator, services: Services) -> str:
    meeting = attendance.meeting
    if not has_online_part(meeting):
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


async def meeting_card(turn: Turn, meeting: MeetingRef, notice: str = "") -> dict[str, Any]:
    services = turn.services
    t = turn.t
    attendance = await meeting_attendance(services, meeting)
    keys = [line.member_key for line in attendance.lines]
    invited = list(await meetings.invited_member_keys(services, meeting.id))
    people = await names_of(services, sorted(set(keys) | set(invited)))
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
                rules.hours(line.credited_minutes),
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
        import_line=import_line(attendance, t, services),
        lines=lines,
        unmatched=unmatched,
        members=choices,
        audit=audit,
        can_import=has_online_part(meeting),
        notice=notice,
    )
    return build_meeting_card(view, t)
