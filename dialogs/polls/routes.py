"""Polls and surveys (sondages): commands, card actions, jobs and personal data."""

from __future__ import annotations

from cards.polls import PollVerb
from dialogs.feature import Action, Command
from dialogs.polls import handlers
from dialogs.polls.jobs import plan_jobs
from dialogs.polls.member_data import forget_member, member_data
from dialogs.roles import Role

COMMANDS = (
    Command("poll", handlers.create, Role.ANIMATEUR),
    Command("polls", handlers.list_polls, in_manifest=True),
)

_A = Role.ANIMATEUR
ACTIONS = (
    Action(PollVerb.new, handlers.new, _A),
    Action(PollVerb.post_template, handlers.post_template, _A),
    Action(PollVerb.open_draft, handlers.open_draft, _A),
    Action(PollVerb.add_question, handlers.add_question, _A),
    Action(PollVerb.edit_question, handlers.edit_question, _A),
    Action(PollVerb.save_question, handlers.save_question, _A),
    Action(PollVerb.remove_question, handlers.remove_question, _A),
    Action(PollVerb.publish, handlers.publish, _A),
    Action(PollVerb.discard, handlers.discard, _A),
    Action(PollVerb.close, handlers.close, _A),
    Action(PollVerb.reopen, handlers.reopen, _A),
    Action(PollVerb.extend, handlers.extend, _A),
    Action(PollVerb.export, handlers.export, _A),
    Action(PollVerb.answer, handlers.answer),
    Action(PollVerb.change_answer, handlers.change_answer),
    Action(PollVerb.view, handlers.view),
    Action(PollVerb.list, handlers.show_list),
)

__all__ = ["ACTIONS", "COMMANDS", "forget_member", "member_data", "plan_jobs"]
