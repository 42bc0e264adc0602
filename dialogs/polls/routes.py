"""Polls and surveys (sondages): commands, card actions, jobs and personal data."""

from __future__ import annotations

from cards.polls import PollVerb
from dialogs.feature import Action, Command
from dialogs.polls import availability, handlers
from dialogs.polls.jobs import plan_jobs
from dialogs.polls.privacy import forget_member, member_data

# Who may create and manage is decided by the handlers (animateurs; members when the
# community profile allows it, on their own polls): the router lets every member through.
COMMANDS = (
    Command("poll", handlers.create, help_role=handlers.help_role),
    Command("polls", handlers.list_polls, in_manifest=True),
)

ACTIONS = (
    Action(PollVerb.new, handlers.new),
    Action(PollVerb.post_template, handlers.post_template),
    Action(PollVerb.open_draft, handlers.open_draft),
    Action(PollVerb.add_question, handlers.add_question),
    Action(PollVerb.edit_question, handlers.edit_question),
    Action(PollVerb.save_question, handlers.save_question),
    Action(PollVerb.remove_question, handlers.remove_question),
    Action(PollVerb.publish, handlers.publish),
    Action(PollVerb.discard, handlers.discard),
    Action(PollVerb.close, handlers.close),
    Action(PollVerb.reopen, handlers.reopen),
    Action(PollVerb.extend, handlers.extend),
    Action(PollVerb.export, handlers.export),
    Action(PollVerb.answer, handlers.answer),
    Action(PollVerb.change_answer, handlers.change_answer),
    Action(PollVerb.view, handlers.view),
    Action(PollVerb.list, handlers.show_list),
)

# Hooks a lower feature calls without importing this one (dialogs/events.py): the cycle
# planning of meetings reads an availability poll's best dates and launches one.
availability_dates = availability.availability_dates
launch_availability = availability.launch_availability

__all__ = [
    "ACTIONS",
    "COMMANDS",
    "availability_dates",
    "forget_member",
    "launch_availability",
    "member_data",
    "plan_jobs",
]
