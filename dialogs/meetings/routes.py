"""Meetings: commands, card actions, reminder jobs, meeting-chat events, personal data."""

from __future__ import annotations

from cards.meetings import MeetingVerb
from dialogs.feature import Action, Command
from dialogs.meetings import handlers, jobs, privacy, queries, views
from dialogs.roles import Role

COMMANDS = (
    Command("meeting", handlers.plan, Role.ANIMATEUR),
    Command("meetings", handlers.list_meetings, in_manifest=True),
    Command("plan", handlers.plan_cycle, Role.ANIMATEUR),
)

ACTIONS = (
    Action(MeetingVerb.save, handlers.save, Role.ANIMATEUR),
    Action(MeetingVerb.add_rows, handlers.add_rows, Role.ANIMATEUR),
    Action(MeetingVerb.edit, handlers.edit, Role.ANIMATEUR),
    Action(MeetingVerb.cancel, handlers.cancel, Role.ANIMATEUR),
    Action(MeetingVerb.year, handlers.year, Role.ANIMATEUR),
    Action(MeetingVerb.link_chat, handlers.link_chat, Role.ANIMATEUR),
    Action(MeetingVerb.rsvp, handlers.rsvp),
    Action(MeetingVerb.view, handlers.view),
    Action(MeetingVerb.invite, handlers.send_invite),
    Action(MeetingVerb.plan_edit, handlers.plan_edit, Role.ANIMATEUR),
    Action(MeetingVerb.plan_publish, handlers.plan_publish, Role.ANIMATEUR),
    Action(MeetingVerb.plan_poll, handlers.plan_poll, Role.ANIMATEUR),
    Action(MeetingVerb.calendar, handlers.calendar_ics),
)

plan_jobs = jobs.plan_jobs
on_meeting_event = handlers.on_meeting_event
member_data = privacy.member_data
forget_member = privacy.forget_member
# Hooks other features raise or read without importing this one (dialogs/events.py).
on_agenda_changed = views.refresh_card
upcoming_meetings = queries.upcoming
