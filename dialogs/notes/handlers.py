"""Commands and card actions of « ce qu'on retient »: the animateurs' notes, the archive of
past meetings, the members' anonymous takeaways, follow-ups marked done."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cards.dates import cycle_text
from cards.notes import (
    TakeawayView,
    build_archive_card,
    build_follow_up_card,
    build_form_card,
    build_notes_card,
    build_takeaway_card,
)
from dialogs.feature import feature_hooks
from dialogs.meetings.queries import MeetingRef
from dialogs.notes import jobs, meetings, rules, views
from dialogs.notes.repositories import notes_repository
from dialogs.screening import screen
from dialogs.turn import CardReply, DomainError, Turn
from storage.notes_repository import FollowUp, MeetingNotes
from storage.times import utc_iso

logger = logging.getLogger(__name__)


def _checked_id(data: Mapping[str, Any], name: str = "meeting_id") -> str:
    try:
        return rules.check_id(data.get(name), name)
    except rules.BadCardData:
        raise DomainError("errors.bad_card_data") from None


async def _meeting(turn: Turn, meeting_id: str) -> MeetingRef:
    meeting = await meetings.get(turn.services, meeting_id)
    if meeting is None:
        raise DomainError("notes.errors.not_found")
    return meeting


def _past(turn: Turn, meeting: MeetingRef) -> None:
    if meeting.status == "cancelled" or meeting.ends_at > turn.services.clock():
        raise DomainError("notes.errors.not_past")


async def _view_card(turn: Turn, meeting: MeetingRef, notice: str = "") -> dict[str, Any]:
    view = await views.notes_view(
        turn.services, meeting, turn.t, can_edit=turn.caller.is_animateur, notice=notice
    )
    return build_notes_card(view, turn.t)


async def _form_card(
    turn: Turn, meeting: MeetingRef, notes: MeetingNotes | None, **kw: Any
) -> dict[str, Any]:
    caller = (turn.caller.member_key, turn.caller.name)
    form = await views.notes_form(turn.services, meeting, turn.t, caller, notes=notes, **kw)
    return build_form_card(form, turn.t)


async def _opened(turn: Turn, meeting: MeetingRef) -> dict[str, Any]:
    """An animateur gets the form while the meeting has no notes; everyone else the notes."""
    _past(turn, meeting)
    if turn.caller.is_animateur and await notes_repository(turn.services).get(meeting.id) is None:
        return await _form_card(turn, meeting, None)
    return await _view_card(turn, meeting)


# ---- commands ---------------------------------------------------------------------------------


async def show(turn: Turn) -> None:
    """``rencontre notes [n|date]``: the notes of a past meeting (the form for an animateur
    while there are none); without a number, the recent one, or a choice."""
    services, now = turn.services, turn.services.clock()
    arg = " ".join(turn.args.split())
    if arg.isdigit():
        _, listed = await meetings.current_archive(services, now)
    else:
        listed = await meetings.recent_past(services, now)
    picked = rules.pick(listed, arg, now, services.timezone)
    if picked.problem == "none":
        await turn.say("notes.errors.no_past_meeting")
        return
    if picked.problem:
        await turn.say("notes.errors.not_found")
        return
    if picked.meeting is not None:
        await turn.send_card(await _opened(turn, picked.meeting))
        return
    _, numbered = await meetings.current_archive(services, now)
    positions = {m.id: index + 1 for index, m in enumerate(numbered)}
    view = await views.archive_view(
        services,
        picked.choices,
        turn.t,
        turn.t("notes.list.choose"),
        intro=turn.t("notes.list.choose_intro"),
        numbers=[positions.get(m.id, 0) for m in picked.choices],
    )
    await turn.send_card(build_archive_card(view, turn.t))


async def past_meetings(turn: Turn) -> None:
    """``rencontres passées [2026-2027]``: the cycle's past meetings, with their notes and how
    many takeaways, newest first and numbered for ``rencontre notes <n>``."""
    services, now = turn.services, turn.services.clock()
    current, listed = await meetings.current_archive(services, now)
    period = current
    named = meetings.cycle_period(services, now, " ".join(turn.args.split()))
    if named is not None and turn.args.strip() and named != current:
        period, listed = named, await meetings.archive(services, now, named)
    title = turn.t(
        "notes.list.title", cycle=cycle_text(period.label, period.start, period.end, turn.t)
    )
    # Numbers are those ``rencontre notes <n>`` understands: the current archive's only.
    numbers = [] if period == current else [0] * len(listed)
    view = await views.archive_view(services, listed, turn.t, title, numbers=numbers)
    await turn.send_card(build_archive_card(view, turn.t))


# ---- card actions -----------------------------------------------------------------------------


async def open_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    meeting = await _meeting(turn, _checked_id(data))
    return CardReply(await _opened(turn, meeting))


async def edit(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    meeting = await _meeting(turn, _checked_id(data))
    _past(turn, meeting)
    notes = await notes_repository(turn.services).get(meeting.id)
    return CardReply(await _form_card(turn, meeting, notes))


def _follow_ups(draft: rules.Draft, before: MeetingNotes | None) -> tuple[FollowUp, ...]:
    """The draft's rows as follow-ups: a row of a stored follow-up keeps its id and, when
    still taken by the same member, its « done »."""
    found = []
    for row in draft.rows:
        stored = before.follow_up(row.id) if before and row.id else None
        found.append(
            FollowUp(
                id=stored.id if stored else secrets.token_hex(4),
                text=row.text,
                member_key=row.member_key,
                due_on=row.due_on,
                done=bool(stored and stored.done and stored.member_key == row.member_key),
            )
        )
    return tuple(found)


async def save(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The form's « Enregistrer »: check, screen with the guard, store, redraw the meeting
    card and plan the follow-up reminders. When the guard finds identifiers nothing is stored
    and nothing of the text is logged."""
    services = turn.services
    meeting = await _meeting(turn, _checked_id(data))
    _past(turn, meeting)
    repository = notes_repository(services)
    before = await repository.get(meeting.id)
    named = [f.member_key for f in (before.follow_ups if before else ())]
    caller = (turn.caller.member_key, turn.caller.name)
    people = await views.form_people(services, meeting, caller, named)
    allowed = rules.tokens_of([*(p.key for p in people), *named])
    try:
        draft, problem = rules.read_form(data, allowed)
    except rules.BadCardData as bad:
        logger.info("bad card data in field %s", bad)
        raise DomainError("errors.bad_card_data") from None
    if problem:
        return CardReply(await _form_card(turn, meeting, before, draft=draft, problem=problem))
    names = await meetings.known_names(services, turn.caller.name)
    findings = screen(draft.texts(), names, "notes")
    if findings:
        return CardReply(await _form_card(turn, meeting, before, draft=draft, findings=findings))
    notes = MeetingNotes(
        id=meeting.id,
        key_points=draft.key_points,
        decisions=draft.decisions,
        resources=rules.resource_lines(draft.resources),
        follow_ups=_follow_ups(draft, before),
        updated_at=utc_iso(services.clock()),
    )
    await repository.save(notes)
    logger.info("notes of meeting %s saved by %s", meeting.id, turn.caller.member_key)
    for hook in feature_hooks(services, "on_agenda_changed"):
        await hook(services, meeting.id)
    await services.jobs.replan()
    return CardReply(await _view_card(turn, meeting, notice="saved"))


async def takeaway(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« Ce que je retiens »: once per member and meeting, stored without the member (only a
    participation mark), after the guard."""
    services = turn.services
    try:
        meeting_id, text, problem = rules.read_takeaway(data)
    except rules.BadCardData as bad:
        logger.info("bad card data in field %s", bad)
        raise DomainError("errors.bad_card_data") from None
    meeting = await _meeting(turn, meeting_id)
    key = turn.caller.member_key
    heading = meetings.heading(meeting, services, turn.t)
    repository = notes_repository(services)
    if key in await repository.participants(meeting.id):
        return CardReply(_takeaway_card(turn, meeting, heading, answered="already"))
    if meeting.status != "cancelled" and services.clock() < meeting.ends_at:
        raise DomainError("notes.takeaway.errors.not_yet")  # not « no longer possible »
    if meeting.status == "cancelled" or not rules.takeaway_open(meeting.ends_at, services.clock()):
        raise DomainError("notes.takeaway.errors.closed")
    if key not in await jobs.invited(services, meeting):
        raise DomainError("notes.takeaway.errors.not_invited")
    if problem:
        return CardReply(_takeaway_card(turn, meeting, heading, text=text, problem=problem))
    names = await meetings.known_names(services, turn.caller.name)
    findings = screen({"takeaway": text}, names, "takeaway")
    if findings:
        return CardReply(_takeaway_card(turn, meeting, heading, text=text, findings=findings))
    recorded = await repository.record_takeaway(meeting.id, key, text)
    if recorded:
        logger.info("a takeaway was recorded for meeting %s", meeting.id)
    return CardReply(
        _takeaway_card(turn, meeting, heading, answered="thanks" if recorded else "already")
    )


def _takeaway_card(
    turn: Turn, meeting: MeetingRef, heading: str, answered: str = "", **kw: Any
) -> dict[str, Any]:
    view = TakeawayView(meeting.id, heading, answered=bool(answered), notice=answered, **kw)
    return build_takeaway_card(view, turn.t)


async def done(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """« C'est fait » on a follow-up reminder: by the member who took it, or an animateur."""
    meeting_id = _checked_id(data)
    follow_up_id = _checked_id(data, "follow_up_id")
    meeting = await _meeting(turn, meeting_id)
    repository = notes_repository(turn.services)
    notes = await repository.get(meeting_id)
    found = notes.follow_up(follow_up_id) if notes else None
    if found is None:
        raise DomainError("notes.errors.follow_up_gone")
    if found.member_key != turn.caller.member_key and not turn.caller.is_animateur:
        raise DomainError("notes.errors.not_yours")

    def mark(n: MeetingNotes) -> MeetingNotes:
        return replace(
            n,
            follow_ups=tuple(
                replace(f, done=True) if f.id == follow_up_id else f for f in n.follow_ups
            ),
        )

    await repository.update(meeting_id, mark)
    logger.info("follow-up %s of meeting %s marked done", follow_up_id, meeting_id)
    turn.services.jobs.cancel(jobs.follow_up_job_id(meeting_id, follow_up_id))
    for hook in feature_hooks(turn.services, "on_agenda_changed"):
        await hook(turn.services, meeting_id)
    view = jobs.reminder_view(turn.services, meeting, found, turn.t, done=True)
    return CardReply(build_follow_up_card(view, turn.t))
