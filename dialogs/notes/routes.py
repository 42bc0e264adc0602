"""« Ce qu'on retient »: commands, card actions, jobs, the meeting card's sections, privacy."""

from __future__ import annotations

from cards.notes import NotesVerb
from dialogs.feature import Action, Command
from dialogs.notes import handlers, jobs, privacy, views
from dialogs.roles import Role

COMMANDS = (
    Command("meeting.notes", handlers.show),
    Command("meetings.past", handlers.past_meetings),
)

ACTIONS = (
    Action(NotesVerb.open, handlers.open_action),
    Action(NotesVerb.edit, handlers.edit, Role.ANIMATEUR),
    Action(NotesVerb.save, handlers.save, Role.ANIMATEUR),
    Action(NotesVerb.takeaway, handlers.takeaway),
    Action(NotesVerb.done, handlers.done),
)

plan_jobs = jobs.plan_jobs
member_data = privacy.member_data
forget_member = privacy.forget_member
# Read by the meetings feature without importing this one (dialogs/events.py).
meeting_card_sections = views.card_sections
