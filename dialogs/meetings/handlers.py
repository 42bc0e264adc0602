"""Meeting commands, card actions and Teams meeting events.

- ``rencontre`` / ``meeting`` (animateurs, in a channel or group chat): the planning form,
  pre-filled from Annexe C. Publishing turns that form message into the meeting card, in place.
- ``rencontres`` / ``meetings``: upcoming meetings; ``rencontres année`` / ``meetings year``
  (animateurs): the year, with each committee's count against its planned number.
- ``planifier`` / ``plan`` (animateurs): the proposal of a cycle's missing meetings
  (dialogs/meetings/planning.py) and those that exist, in one card; each line can be moved,
  removed or added, « Publier tout » creates them all (as ``rencontre`` does) and posts the
  cycle calendar (dialogs/meetings/calendar.py).
- Card actions: answer (RSVP), per-person view (card refresh), .ics invite, edit, cancel.
- Meeting chat: at the meeting-start event, the agenda and the rules of the frame; after the
  meeting-end event, the offer of the satisfaction survey to the animateur.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from cards.dates import cycle_text, long_date
from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from cards.meetings import (
    FORM_MAX_ROWS,
    CommitteeLine,
    ListEntry,
    PlanLine,
    PlanRow,
    PlanState,
    build_form_card,
    build_list_card,
    build_plan_card,
    build_start_card,
)
from dialogs import cycles
from dialogs.events import MeetingEvent, MeetingEventKind
from dialogs.feature import feature_hooks
from dialogs.meetings import calendar, form, invite, notify, planning, queries, rules, views
from dialogs.turn import ActionResult, CardReply, DomainError, MessageReply, Services, Turn
from storage.community import CommunityProfile
from storage.meeting_repository import Meeting, MeetingRepository, Rsvp

logger = logging.getLogger(__name__)

# Meetings a list card shows at most (the card must stay under Teams' size limit).
LIST_LIMIT = 20
YEAR_LIMIT = 30


def _repository(services: Services) -> MeetingRepository:
    return queries.meeting_repository(services)


def _lock(services: Services, meeting_id: str) -> asyncio.Lock:
    """One lock per meeting: a change and the card update that shows it happen together, so
    two answers at the same moment cannot leave the card showing the older count."""
    locks: defaultdict[str, asyncio.Lock] = services.component(
        "meetings.locks", lambda _s: defaultdict(asyncio.Lock)
    )
    return locks[meeting_id]


async def _meeting(services: Services, data: Mapping[str, Any]) -> Meeting:
    meeting = await _repository(services).get(form.checked_meeting_id(data))
    if meeting is None:
        raise DomainError("meetings.error.not_found")
    return meeting


async def _reply(turn: Turn, meeting: Meeting) -> ActionResult:
    """Execute: the caller's own view. Submit (older clients): the returned card replaces
    the message for everyone, so on the channel card it must be the shared card."""
    if not views.is_invoke(turn) and views.on_channel_card(turn, meeting):
        return CardReply(await views.shared_card(turn.services, meeting))
    return CardReply(await views.personal_card(turn, meeting))


async def _refresh_card(turn: Turn, meeting: Meeting) -> None:
    """Show a change on the channel card. A Submit on the card itself is applied by the bot
    from the returned card; anything else updates the card message."""
    if not views.is_invoke(turn) and views.on_channel_card(turn, meeting):
        return
    await views.update_channel_card(turn, meeting)


# ---- planning ----------------------------------------------------------------------------


async def plan(turn: Turn) -> None:
    """``rencontre``: the planning form, in the conversation where the card will live."""
    if turn.where.personal:
        await turn.say("meetings.plan.use_channel")
        return
    profile = turn.services.profile.current
    view = form.new_form(
        profile, turn.t, rules.annexe_c_agenda(), profile.mandate.get(turn.t.locale)
    )
    await turn.send_card(build_form_card(view, turn.t))


def _editing(data: Mapping[str, Any]) -> bool:
    editing = data.get("editing", False)
    if not isinstance(editing, bool):
        raise DomainError("errors.bad_card_data")
    return editing


async def add_rows(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """The form again, with what was typed and five more agenda lines."""
    meeting_id = form.checked_meeting_id(data)
    rows = form.row_count(data)
    if rows > FORM_MAX_ROWS:
        raise DomainError("errors.bad_card_data")
    view = form.typed_form(
        turn.services.profile.current,
        turn.t,
        data,
        meeting_id=meeting_id,
        editing=_editing(data),
        rows=rows,
    )
    return CardReply(build_form_card(view, turn.t))


async def save(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """Publish a new meeting or save an edited one."""
    services = turn.services
    meeting_id = form.checked_meeting_id(data)
    editing = _editing(data)
    typed = form.plan_input(data)
    async with _lock(services, meeting_id):
        existing = await _repository(services).get(meeting_id)
        if not editing and existing is not None:  # "Publier" clicked twice
            return await _reply(turn, existing)
        if editing and existing is None:
            raise DomainError("meetings.error.not_found")
        if existing is not None and not _can_change(existing, services.clock()):
            raise DomainError("meetings.error.not_editable")
        profile = services.profile.current
        checked, problems = rules.check_plan(
            typed,
            now=services.clock(),
            tz=services.timezone,
            committee_ids=[c.id for c in profile.committees],
            venue_names=[v.name for v in profile.venues],
            current_start=existing.starts_at if existing else None,
        )
        if checked is None:
            logger.info("meeting %s form refused: %s", meeting_id, [p.code for p in problems])
            view = form.typed_form(
                profile,
                turn.t,
                data,
                meeting_id=meeting_id,
                editing=editing,
                rows=form.row_count(data),
                errors=form.problem_texts(problems, turn.t),
            )
            return CardReply(build_form_card(view, turn.t))
        if existing is None:
            meeting = await _publish(turn, meeting_id, checked)
        else:
            meeting = await _apply_edit(turn, existing, checked)
        return await _reply(turn, meeting)


def _can_change(meeting: Meeting, now: datetime) -> bool:
    return meeting.status == rules.STATUS_PLANNED and now < meeting.ends_at


def _fields(plan_: rules.Plan) -> dict[str, Any]:
    return {
        "title": plan_.title,
        "committee_ids": plan_.committee_ids,
        "starts_at": plan_.starts_at,
        "ends_at": plan_.ends_at,
        "mode": plan_.mode,
        "place": plan_.place,
        "join_url": plan_.join_url,
        "general_objective": plan_.general_objective,
        "specific_objectives": plan_.specific_objectives,
        "agenda": plan_.agenda,
        "remind_unanswered_days": plan_.remind_unanswered_days,
        "remind_coming_days": plan_.remind_coming_days,
    }


async def _publish(
    turn: Turn, meeting_id: str, plan_: rules.Plan, *, batch: bool = False
) -> Meeting:
    """The form message becomes the meeting card (or, without one, the card is posted).
    ``batch`` (« Publier tout » of a cycle's proposal): the card is posted here, and the caller
    replans the jobs and draws the cycle calendar once for all."""
    services = turn.services
    where = turn.where
    in_place = bool(where.reply_to_id) and not batch
    now = services.clock()
    meeting = Meeting(
        id=meeting_id,
        **_fields(plan_),
        created_by=turn.caller.member_key,
        created_at=now,
        updated_at=now,
        card_conversation_id=where.conversation_id,
        card_activity_id=where.reply_to_id if in_place else "",
    )
    if not meeting.card_activity_id:
        posted = await turn.send_card(await views.shared_card(services, meeting))
        meeting = replace(meeting, card_activity_id=posted or "")
    await _repository(services).save(meeting)
    notify.replan_reminders(services, None, meeting)
    if batch:
        return meeting
    await services.jobs.replan()  # other features plan from meetings (check-in, ...)
    if in_place:
        await _refresh_card(turn, meeting)
    await calendar.refresh_for(turn, meeting)
    logger.info("meeting %s planned by %s", meeting.id, turn.caller.member_key)
    return meeting


async def _apply_edit(turn: Turn, before: Meeting, plan_: rules.Plan) -> Meeting:
    """Save the change; keep the answers the new mode still offers, ask the others again,
    tell those coming when the date, time, mode, place or link changed."""
    services = turn.services
    repository = _repository(services)
    after = replace(
        before,
        **_fields(plan_),
        revision=before.revision + 1,
        updated_at=services.clock(),
    )
    if after.starts_at != before.starts_at:
        after = replace(after, reminders_sent=())
    answers = await queries.rsvps(services, before.id)
    invalid = rules.invalidated_choices(before.mode, after.mode)
    asked = await repository.remove_rsvps(before.id, invalid) if invalid else []
    await repository.save(after)
    notify.replan_reminders(services, before, after)
    await services.jobs.replan()  # other features plan from meetings (check-in, ...)
    if rules.changed_logistics(before, after):
        told = [key for key in rules.coming(answers) if key not in asked]
        await notify.notify_changed(services, before, after, told)
    for choice in invalid:
        keys = [key for key in asked if answers.get(key) == choice]
        if keys:
            await notify.ask_again(services, after, keys, choice)
    await _refresh_card(turn, after)
    await calendar.refresh_for(turn, after)
    logger.info("meeting %s edited (revision %d)", after.id, after.revision)
    return after


async def edit(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    services = turn.services
    meeting = await _meeting(services, data)
    if not _can_change(meeting, services.clock()):
        raise DomainError("meetings.error.not_editable")
    if not views.is_invoke(turn) and views.on_channel_card(turn, meeting):
        # A Submit would put the form on the channel card for everyone.
        raise DomainError("meetings.error.needs_new_client")
    tz = services.timezone
    start, end = meeting.starts_at.astimezone(tz), meeting.ends_at.astimezone(tz)
    view = form.edit_form(
        services.profile.current,
        turn.t,
        meeting,
        await views.full_agenda(services, meeting),
        start.date().isoformat(),
        rules.hhmm(start.time()),
        rules.hhmm(end.time()),
    )
    return CardReply(build_form_card(view, turn.t))


async def cancel(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    services = turn.services
    meeting_id = form.checked_meeting_id(data)
    async with _lock(services, meeting_id):
        meeting = await _meeting(services, data)
        if meeting.status == rules.STATUS_CANCELLED:
            return await _reply(turn, meeting)
        if not _can_change(meeting, services.clock()):
            raise DomainError("meetings.error.not_editable")
        answers = await queries.rsvps(services, meeting.id)
        cancelled = replace(
            meeting,
            status=rules.STATUS_CANCELLED,
            revision=meeting.revision + 1,
            updated_at=services.clock(),
        )
        await _repository(services).save(cancelled)
        notify.replan_reminders(services, meeting, cancelled)
        await services.jobs.replan()  # other features plan from meetings (check-in, ...)
        await notify.notify_cancelled(services, cancelled, rules.coming(answers))
        await _refresh_card(turn, cancelled)
        await calendar.refresh_for(turn, cancelled)
        logger.info("meeting %s cancelled by %s", meeting.id, turn.caller.member_key)
        return await _reply(turn, cancelled)


# ---- answers and views -------------------------------------------------------------------


async def rsvp(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    services = turn.services
    choice = data.get("choice")
    if choice not in rules.CHOICES:
        raise DomainError("errors.bad_card_data")
    meeting_id = form.checked_meeting_id(data)
    async with _lock(services, meeting_id):
        meeting = await _meeting(services, data)
        now = services.clock()
        if not rules.is_open_for_answers(meeting, now):
            raise DomainError("meetings.rsvp.closed")
        if choice not in rules.allowed_choices(meeting.mode):
            raise DomainError("meetings.rsvp.not_offered")
        previous = await _repository(services).set_rsvp(
            Rsvp(meeting.id, turn.caller.member_key, str(choice), now)
        )
        if previous != choice:
            logger.info("meeting %s answer recorded", meeting.id)
            await _refresh_card(turn, meeting)
        return await _reply(turn, meeting)


async def view(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """The caller's own view (card refresh; "details" from the list and notices)."""
    return await _reply(turn, await _meeting(turn.services, data))


async def send_invite(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """A download link to the .ics invite, valid 24 hours."""
    services = turn.services
    meeting = await _meeting(services, data)
    meeting_view = await views.meeting_view(services, meeting, turn.t)
    content = invite.build_ics(
        meeting,
        turn.t,
        now=services.clock(),
        address=meeting_view.address,
        agenda_lines=invite.agenda_lines_for_ics(meeting_view.agenda, turn.t),
    )
    url = await services.downloads.publish(
        content,
        invite.invite_filename(turn.t, meeting_view.starts_at.date().isoformat()),
        invite.ICS_CONTENT_TYPE,
        owner_key=turn.caller.member_key,
    )
    logger.info("meeting %s invite published", meeting.id)
    if views.is_invoke(turn):
        return CardReply(await views.personal_card(turn, meeting, invite_url=url))
    return MessageReply(turn.t("meetings.invite.link", url=url))


# ---- lists -------------------------------------------------------------------------------


def _year_words() -> set[str]:
    return {fold(Translator(loc)("meetings.list.year_word")) for loc in SUPPORTED_LOCALES}


async def list_meetings(turn: Turn) -> None:
    """``rencontres``: upcoming meetings; ``rencontres année`` / ``rencontres 2026-2027`` /
    ``rencontres 2026``: a cycle of the community, by committee (animateurs)."""
    services = turn.services
    words = fold(turn.args)
    cycle = cycles.of_community(services.profile.current)
    today = services.now().date()
    if words:
        period = cycle.of(today) if words in _year_words() else cycle.parse(words)
        if period is None:
            example = cycle.of(today)
            await turn.say("meetings.list.usage", example=example.label, first=example.start.year)
            return
        if not turn.caller.is_animateur:
            await turn.say("errors.forbidden")
            return
        await turn.send_card(await _year_card(turn, period))
        return
    upcoming = [
        m
        for m in await _repository(services).all()
        if m.status == rules.STATUS_PLANNED and m.ends_at > services.clock()
    ]
    mine = await queries.committees_of_member(services, turn.caller.member_key)
    if mine and not turn.caller.is_animateur:  # a member sees their committees' meetings
        upcoming = [m for m in upcoming if mine & set(m.committee_ids)]
    entries = await _entries(turn, upcoming[:LIST_LIMIT])
    card = build_list_card(
        entries,
        turn.t,
        heading=turn.t("meetings.list.heading"),
        year=cycle.of(today).start.year,
        show_year_button=turn.caller.is_animateur,
    )
    await turn.send_card(card)


async def year(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """The « Voir l'année » button: ``year`` is the first calendar year of a cycle."""
    raw = data.get("year")
    if not isinstance(raw, int) or isinstance(raw, bool) or not 2000 <= raw <= 2100:
        raise DomainError("errors.bad_card_data")
    cycle = cycles.of_community(turn.services.profile.current)
    return CardReply(await _year_card(turn, cycle.starting(raw)))


async def _entries(turn: Turn, meetings: list[Meeting]) -> list[ListEntry]:
    entries = []
    for meeting in meetings:
        answers = await queries.rsvps(turn.services, meeting.id)
        meeting_view = await views.meeting_view(turn.services, meeting, turn.t, answers)
        entries.append(ListEntry(meeting_view, answers.get(turn.caller.member_key, "")))
    return entries


async def _year_card(turn: Turn, period: cycles.Period) -> dict[str, Any]:
    """A cycle's meetings and each committee's count against its planned number per cycle."""
    services = turn.services
    cycle = cycles.of_community(services.profile.current)
    start, end = cycle.reach(period, services.timezone)
    meetings = await _repository(services).starting_between(start, end)
    profile = services.profile.current
    counts = rules.committee_year(meetings, {c.id: c.meetings_per_year for c in profile.committees})
    names = {c.id: c.name.get(turn.t.locale) for c in profile.committees}
    lines = [CommitteeLine(names[c.committee_id], c.own, c.joint, c.planned_target) for c in counts]
    return build_list_card(
        await _entries(turn, meetings[:YEAR_LIMIT]),
        turn.t,
        heading=turn.t("meetings.year.heading", year=period.label),
        period=cycle_text(period.label, period.start, period.end, turn.t),
        year=period.start.year,
        year_label=period.label,
        committees=lines,
    )


# ---- planning a cycle --------------------------------------------------------------------

PLAN_MAX_LABEL = 20
# Seconds between two cards « Publier tout » posts in the channel: Teams accepts at most 7
# messages in any second and 8 in any two seconds per conversation (docs/PLATFORM.md §5), and
# replies in a turn do not go through the messenger's throttle.
POST_SPACING = 0.3
_SEEN = re.compile(r"^[a-f0-9]{16}$")


def _plan_mode(profile: CommunityProfile) -> str:
    return profile.planning_mode or (rules.MODE_HYBRID if profile.venues else rules.MODE_VIRTUAL)


def _plan_venues(profile: CommunityProfile) -> list[str]:
    return [v.name for v in profile.venues] if _plan_mode(profile) != rules.MODE_VIRTUAL else []


def _committee_ids(profile: CommunityProfile) -> list[str]:
    return [c.id for c in profile.committees]


async def _availability_dates(services: Services, period: cycles.Period) -> list[date]:
    """The best dates of the cycle's « Disponibilités » poll (polls' hook), best first."""
    found: list[date] = []
    for hook in feature_hooks(services, "availability_dates"):
        try:
            found.extend(await hook(services, period))
        except Exception:  # the polls feature failing must not hide the proposal
            logger.exception("availability dates lookup failed")
    return found


def _seen(meetings: list[Meeting]) -> str:
    return planning.fingerprint([m.id for m in meetings])


async def plan_cycle(turn: Turn) -> None:
    """``planifier`` / ``planifier 2027-2028``: the proposal of every meeting the profile calls
    for in a cycle (dialogs/meetings/planning.py), editable, and the meetings that exist."""
    services = turn.services
    cycle = cycles.of_community(services.profile.current)
    today = services.now().date()
    words = turn.args.strip()
    period = cycle.parse(words) if words else planning.coming_cycle(cycle, today)
    if period is None:
        example = planning.coming_cycle(cycle, today)
        await turn.say("meetings.plan.usage", example=example.label, first=example.start.year)
        return
    if period.end < today:  # nothing can be planned in a cycle that is over
        await turn.say(
            "meetings.plan.ended",
            year=period.label,
            example=planning.coming_cycle(cycle, today).label,
        )
        return
    await turn.send_card(await _fresh_plan_card(turn, period))


async def _fresh_plan_card(turn: Turn, period: cycles.Period, notice: str = "") -> dict[str, Any]:
    """The proposal computed from the profile, the cycle's meetings and the poll's dates."""
    services = turn.services
    profile = services.profile.current
    tz = services.timezone
    meetings = await calendar.cycle_meetings(services, period)
    kept = [m for m in meetings if m.status != rules.STATUS_CANCELLED]
    held = [planning.Held(m.starts_at.astimezone(tz).date(), m.committee_ids) for m in kept]
    preferred = await _availability_dates(services, period)
    plan = planning.propose(
        period,
        committees=[(c.id, c.meetings_per_year) for c in profile.committees],
        joint=planning.joint_count(len(profile.committees), profile.joint_meetings_per_year),
        held=held,
        venues=_plan_venues(profile),
        today=services.now().date(),
        preferred=preferred,
    )
    entries = planning.entries_of(plan, _committee_ids(profile))
    return await _plan_card(
        turn,
        period,
        entries,
        meetings=meetings,
        seen=_seen(meetings),
        preferred=preferred,
        unplaced=plan.unplaced,
        notice=notice,
    )


async def _plan_card(
    turn: Turn,
    period: cycles.Period,
    entries: list[planning.PlanEntry],
    *,
    meetings: list[Meeting] | None = None,
    seen: str,
    preferred: list[date] | None = None,
    unplaced: int = 0,
    notice: str = "",
    errors: list[str] | None = None,
    poll_drafted: bool = False,
) -> dict[str, Any]:
    services = turn.services
    profile = services.profile.current
    tz = services.timezone
    t = turn.t
    locale = t.locale
    if meetings is None:
        meetings = await calendar.cycle_meetings(services, period)
    if preferred is None:
        preferred = await _availability_dates(services, period)
    all_ids = _committee_ids(profile)
    mode = _plan_mode(profile)
    entries = sorted(entries)
    venues = planning.rotate_venues(entries, _plan_venues(profile))
    rows = [
        PlanRow(
            PlanLine(
                day=entry.day,
                start=rules.DEFAULT_START,
                end=rules.DEFAULT_END,
                committee_names=views.committee_names(
                    profile, entry.committee_ids(all_ids), locale
                ),
                mode=mode,
                place=venue,
            ),
            entry.day.isoformat(),
            from_poll=entry.day in preferred,
        )
        for entry, venue in zip(entries, venues, strict=True)
    ]
    existing = [
        PlanLine(
            day=m.starts_at.astimezone(tz).date(),
            start=m.starts_at.astimezone(tz).time(),
            end=m.ends_at.astimezone(tz).time(),
            committee_names=views.committee_names(profile, m.committee_ids, locale),
            mode=m.mode,
            place=m.place,
            title=m.title,
            cancelled=m.status == rules.STATUS_CANCELLED,
        )
        for m in meetings[:YEAR_LIMIT]
    ]
    series = [(c.id, c.name.get(locale)) for c in profile.committees]
    if len(all_ids) > 1:
        series.append((planning.JOINT_CODE, t("meetings.plan.joint_choice")))
    polled = sum(1 for row in rows if row.from_poll)
    can_poll = (
        not preferred
        and not poll_drafted  # its draft was just posted: not a second one, nor « no poll yet »
        and bool(feature_hooks(services, "launch_availability"))
    )
    poll_note = ""
    if polled:
        poll_note = t.plural("meetings.plan.poll_used", polled)
    elif can_poll and rows:
        poll_note = t("meetings.plan.poll_none")
    return build_plan_card(
        t,
        period=cycle_text(period.label, period.start, period.end, t),
        state=PlanState(
            label=period.label,
            lines=planning.encode_entries(entries),
            seen=seen,
            first_day=period.start.isoformat(),
            last_day=period.end.isoformat(),
        ),
        proposals=rows,
        existing=existing,
        unplaced=unplaced,
        series=series,
        can_publish=not turn.where.personal,
        can_poll=can_poll,
        poll_note=poll_note,
        notice=notice,
        errors=errors or [],
        hint=t("meetings.plan.in_personal") if turn.where.personal and rows else "",
    )


def _plan_period(services: Services, data: Mapping[str, Any]) -> cycles.Period:
    label = data.get("plan")
    if not isinstance(label, str) or len(label) > PLAN_MAX_LABEL:
        raise DomainError("errors.bad_card_data")
    period = cycles.of_community(services.profile.current).parse(label)
    if period is None or period.label != label:
        raise DomainError("errors.bad_card_data")
    return period


def _plan_seen(data: Mapping[str, Any]) -> str:
    seen = data.get("seen")
    if not isinstance(seen, str) or not _SEEN.match(seen):
        raise DomainError("errors.bad_card_data")
    return seen


def _plan_entries(
    turn: Turn, period: cycles.Period, data: Mapping[str, Any]
) -> tuple[list[planning.PlanEntry], list[str]]:
    """The card's lines (tampered ones refused), with the card's inputs applied: the lines whose
    « Retirer » box is ticked left out, the dates typed; a typed date outside the cycle or past
    keeps the line's date and says why."""
    services = turn.services
    all_ids = _committee_ids(services.profile.current)
    today = services.now().date()
    entries = planning.decode_entries(data.get("lines"))
    if entries is None:
        raise DomainError("errors.bad_card_data")
    problems = {planning.entry_problem(e, period, all_ids, today) for e in entries} - {""}
    if problems == {"past"}:  # a card drawn before one of its days went by: not tampered
        raise DomainError("meetings.plan.outdated")
    if problems:
        raise DomainError("errors.bad_card_data")
    errors: list[str] = []
    moved = []
    for index, entry in enumerate(entries):
        typed, dropped = data.get(f"day_{index}", ""), data.get(f"drop_{index}", "false")
        if not isinstance(typed, str) or len(typed) > 20 or dropped not in ("true", "false", ""):
            raise DomainError("errors.bad_card_data")
        if dropped == "true":  # « Retirer » ticked
            continue
        day = rules.parse_day(typed) if typed.strip() else entry.day
        if day is None:
            raise DomainError("errors.bad_card_data")
        candidate = replace(entry, day=day)
        problem = planning.entry_problem(candidate, period, all_ids, today)
        if not problem and day != entry.day:
            problem = planning.day_problem(day, period)
        if problem:
            errors.append(
                turn.t(
                    f"meetings.plan.error.{problem}",
                    number=index + 1,
                    date=long_date(day, turn.t),
                    year=period.label,
                )
            )
            candidate = entry
        moved.append(candidate)
    return moved, errors


async def plan_edit(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """The proposal card again with its inputs applied (« Appliquer les modifications »: dates
    typed, lines ticked « Retirer » left out), and a line added (``op: add``: ``add_series``,
    ``add_day``)."""
    services = turn.services
    period = _plan_period(services, data)
    seen = _plan_seen(data)
    entries, errors = _plan_entries(turn, period, data)
    op = data.get("op")
    if op == "add":
        error = _add_entry(turn, period, entries, data)
        if error:
            errors.append(error)
    elif op != "redraw":
        raise DomainError("errors.bad_card_data")
    return CardReply(await _plan_card(turn, period, entries, seen=seen, errors=errors))


def _add_entry(
    turn: Turn, period: cycles.Period, entries: list[planning.PlanEntry], data: Mapping[str, Any]
) -> str:
    """Add the line the card's « Ajouter une rencontre » describes; the reason when it cannot."""
    all_ids = _committee_ids(turn.services.profile.current)
    series, typed = data.get("add_series", ""), data.get("add_day", "")
    if not isinstance(series, str) or not isinstance(typed, str) or len(typed) > 20:
        raise DomainError("errors.bad_card_data")
    if series not in all_ids and not (series == planning.JOINT_CODE and len(all_ids) > 1):
        raise DomainError("errors.bad_card_data")
    if not typed.strip():
        return turn.t("meetings.plan.error.add_day")
    day = rules.parse_day(typed)
    if day is None:
        raise DomainError("errors.bad_card_data")
    entry = planning.PlanEntry(day, series)
    if planning.entry_problem(entry, period, all_ids, turn.services.now().date()):
        return turn.t(
            "meetings.plan.error.add_outside", date=long_date(day, turn.t), year=period.label
        )
    closed = planning.day_problem(day, period)
    if closed:
        return turn.t(f"meetings.plan.error.add_{closed}", date=long_date(day, turn.t))
    if len(entries) >= planning.MAX_ENTRIES:
        return turn.t("meetings.plan.error.too_many")
    entries.append(entry)
    return ""


def _line_plan(services: Services, entry: planning.PlanEntry, venue: str) -> rules.Plan:
    """A published line: the meeting ``rencontre`` would create with its defaults (Annexe C
    agenda, 9 h–16 h, the community's general objective, default reminders), no Teams link."""
    profile = services.profile.current
    t = views.community_translator(services)
    ids = entry.committee_ids(_committee_ids(profile))
    names = t("meetings.card.committee_separator").join(
        views.committee_names(profile, ids, t.locale)
    )
    if len(ids) > 1:
        names = t("meetings.card.joint", committees=names)
    tz = services.timezone
    mode = _plan_mode(profile)
    # « Rencontre conjointe : … » is a title already (not « Rencontre – Rencontre conjointe »).
    title = names if len(ids) > 1 else t("meetings.plan.title", committees=names)
    return rules.Plan(
        title=title[: rules.LIMITS["title"]],
        committee_ids=ids,
        starts_at=rules.at_local(entry.day, rules.DEFAULT_START, tz),
        ends_at=rules.at_local(entry.day, rules.DEFAULT_END, tz),
        mode=mode,
        place=venue if mode != rules.MODE_VIRTUAL else "",
        join_url="",
        general_objective=profile.mandate.get(t.locale)[: rules.LIMITS["general_objective"]],
        specific_objectives=(),
        agenda=rules.annexe_c_agenda(),
        remind_unanswered_days=rules.DEFAULT_REMIND_UNANSWERED,
        remind_coming_days=rules.DEFAULT_REMIND_COMING,
    )


async def plan_publish(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """« Publier tout »: each line becomes a meeting exactly as ``rencontre`` publishes one
    (its card posted here, its reminders), then the cycle calendar card. A line publishes at
    most once (its meeting id comes from the line), and a card drawn before the cycle changed
    (a second click, an older card) publishes nothing: it is redrawn instead."""
    services = turn.services
    if turn.where.personal:
        raise DomainError("meetings.plan.in_personal")
    period = _plan_period(services, data)
    seen = _plan_seen(data)
    entries, errors = _plan_entries(turn, period, data)
    if errors:
        return CardReply(await _plan_card(turn, period, entries, seen=seen, errors=errors))
    async with _lock(services, f"plan:{period.label}"):
        if _seen(await calendar.cycle_meetings(services, period)) != seen:
            logger.info("cycle %s: stale proposal card, nothing published", period.label)
            return CardReply(await _fresh_plan_card(turn, period, turn.t("meetings.plan.stale")))
        entries = sorted(entries)
        venues = planning.rotate_venues(entries, _plan_venues(services.profile.current))
        created = 0
        for entry, venue in zip(entries, venues, strict=True):
            meeting_id = planning.line_meeting_id(period.label, entry)
            async with _lock(services, meeting_id):
                if await _repository(services).get(meeting_id) is not None:
                    continue
                if created:
                    await asyncio.sleep(POST_SPACING)
                await _publish(turn, meeting_id, _line_plan(services, entry, venue), batch=True)
                created += 1
        if created:
            await services.jobs.replan()  # other features plan from meetings (check-in, ...)
            await asyncio.sleep(POST_SPACING)
        await calendar.post_or_redraw(turn, period)
    logger.info(
        "cycle %s: %d meetings published by %s", period.label, created, turn.caller.member_key
    )
    notice = (
        turn.t.plural("meetings.plan.published", created)
        if created
        else turn.t("meetings.plan.calendar_posted")
    )
    if created and _plan_mode(services.profile.current) != rules.MODE_IN_PERSON:
        notice = turn.t(
            "meetings.plan.notice_join", first=notice, second=turn.t("meetings.plan.link_later")
        )
    return CardReply(await _fresh_plan_card(turn, period, notice))


async def plan_poll(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """« Lancer un sondage Disponibilités »: the polls feature's draft, pre-filled with the
    proposal's dates (its ``launch_availability`` hook), posted below the proposal."""
    services = turn.services
    period = _plan_period(services, data)
    seen = _plan_seen(data)
    entries, errors = _plan_entries(turn, period, data)
    hooks = feature_hooks(services, "launch_availability")
    if not hooks:
        raise DomainError("meetings.plan.poll_unavailable")
    days = sorted({e.day for e in entries})
    await hooks[0](turn, days)
    logger.info("cycle %s: availability poll drafted with %d dates", period.label, len(days))
    notice = turn.t("meetings.plan.poll_launched")
    return CardReply(
        await _plan_card(
            turn, period, entries, seen=seen, notice=notice, errors=errors, poll_drafted=True
        )
    )


async def calendar_ics(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """The cycle calendar's button: a download link to one .ics with every meeting, built now
    (so always up to date), valid 24 hours."""
    services = turn.services
    period = _plan_period(services, data)
    url = await calendar.publish_ics(services, period, turn.t, turn.caller.member_key)
    logger.info("cycle %s calendar published", period.label)
    if views.is_invoke(turn):
        return CardReply(await calendar.calendar_card(services, period, turn.t, ics_url=url))
    return MessageReply(turn.t("meetings.calendar.link_message", url=url))


# ---- the meeting chat --------------------------------------------------------------------


async def on_meeting_event(turn: Turn, event: MeetingEvent) -> None:
    if event.kind == MeetingEventKind.start:
        await _meeting_started(turn, event)
    elif event.kind == MeetingEventKind.end:
        await _meeting_ended(turn, event)


async def _event_meeting(services: Services, event: MeetingEvent) -> rules.EventMatch:
    """The meeting whose chat this is: already linked, else by join link and a scheduled
    window near the event, else by title on the same day."""
    repository = _repository(services)
    linked = await repository.find_by_chat(event.conversation_id)
    if linked is not None:
        return rules.EventMatch(linked)
    at = event.start_time or event.at
    return rules.match_event_meeting(
        await repository.all(), event.join_url, event.title, at, services.timezone
    )


async def _meeting_started(turn: Turn, event: MeetingEvent) -> None:
    """Link the meeting chat to the meeting, then post the agenda and the rules (once). When
    the link is shared by several meetings near that moment, ask the animateurs which one."""
    services = turn.services
    match = await _event_meeting(services, event)
    if match.ambiguous:
        await notify.ask_which_meeting(services, event.conversation_id, match.ambiguous)
        logger.info(
            "meeting start in %s: %d plausible meetings",
            event.conversation_id,
            len(match.ambiguous),
        )
        return
    meeting = match.meeting
    if meeting is None:
        logger.info("meeting start in %s matches no planned meeting", event.conversation_id)
        return
    if meeting.status != rules.STATUS_PLANNED:
        return
    first = not meeting.started_posted
    linked = replace(
        meeting,
        chat_conversation_id=event.conversation_id,
        teams_meeting_id=event.meeting_id or meeting.teams_meeting_id,
        started_posted=True,
    )
    if linked != meeting:
        await _repository(services).save(linked)
    if not first:
        return
    await turn.send_card(await _start_card(services, linked))
    logger.info("meeting %s started: agenda posted in its chat", meeting.id)


async def _start_card(services: Services, meeting: Meeting) -> dict[str, Any]:
    t = views.community_translator(services)
    meeting_view = await views.meeting_view(services, meeting, t)
    frame = [item.get(t.locale) for item in services.profile.current.rules.items]
    return build_start_card(meeting_view, frame, t)


async def link_chat(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """The animateur's answer to « which meeting just started? »: link that meeting chat to
    the chosen meeting and post the agenda and the rules there (once)."""
    services = turn.services
    chat = data.get("chat")
    if not isinstance(chat, str) or not chat.startswith("19:") or len(chat) > 300:
        raise DomainError("errors.bad_card_data")
    async with _lock(services, form.checked_meeting_id(data)):
        meeting = await _meeting(services, data)
        day = meeting.starts_at.astimezone(services.timezone).date()
        already = await _repository(services).find_by_chat(chat)
        if already is not None:
            return MessageReply(turn.t("meetings.which.already", title=already.title))
        if meeting.status != rules.STATUS_PLANNED or meeting.chat_conversation_id:
            raise DomainError("meetings.error.not_found")
        linked = replace(meeting, chat_conversation_id=chat, started_posted=True)
        await _repository(services).save(linked)
    await notify.post_in_chat(services, linked, chat, await _start_card(services, linked))
    logger.info("meeting %s linked to its chat by an animateur", meeting.id)
    return MessageReply(
        turn.t("meetings.which.done", title=meeting.title, date=long_date(day, turn.t))
    )


async def _meeting_ended(turn: Turn, event: MeetingEvent) -> None:
    services = turn.services
    meeting = (await _event_meeting(services, event)).meeting
    if meeting is None or meeting.survey_offered or not notify.survey_available(services):
        return
    await _repository(services).save(replace(meeting, survey_offered=True))
    await notify.offer_survey(services, meeting)
    logger.info("meeting %s ended: survey offered", meeting.id)
