"""The topic bank and the complex-case queue: commands, card actions, jobs, privacy hooks."""

from __future__ import annotations

from cards.topics import TopicVerb
from dialogs.feature import Action, Command
from dialogs.roles import Role
from dialogs.topics import board, cases, handlers, queries
from dialogs.topics.jobs import plan_jobs
from dialogs.topics.privacy import forget_member, member_data

COMMANDS = (
    Command("topic", handlers.propose),
    Command("topics", handlers.show_bank, in_manifest=True),
    Command("topics.post", handlers.post_board, Role.ANIMATEUR),
    Command("case", cases.new_case, in_manifest=True),
    Command("cases.mine", cases.my_cases),
    Command("cases.queue", cases.case_queue, Role.ANIMATEUR),
)

ACTIONS = (
    Action(TopicVerb.new, handlers.new_action),
    Action(TopicVerb.submit, handlers.submit),
    Action(TopicVerb.support, handlers.support),
    Action(TopicVerb.bank, handlers.bank_action),
    Action(TopicVerb.detail, handlers.detail_action),
    Action(TopicVerb.edit, handlers.edit_action),
    Action(TopicVerb.withdraw, handlers.withdraw_action),
    Action(TopicVerb.schedule, handlers.schedule_action, Role.ANIMATEUR),
    Action(TopicVerb.unschedule, handlers.unschedule_action, Role.ANIMATEUR),
    Action(TopicVerb.treated, handlers.treated_action, Role.ANIMATEUR),
    Action(TopicVerb.archive, handlers.archive_action, Role.ANIMATEUR),
    Action(TopicVerb.reopen, handlers.reopen_action, Role.ANIMATEUR),
    Action(TopicVerb.merge, handlers.merge_action, Role.ANIMATEUR),
    Action(TopicVerb.board_refresh, board.refresh_action),
    Action(TopicVerb.case_new, cases.new_action),
    Action(TopicVerb.case_submit, cases.submit),
    Action(TopicVerb.case_detail, cases.detail_action),
    Action(TopicVerb.case_withdraw, cases.withdraw_action),
    Action(TopicVerb.case_list, cases.list_action),
    Action(TopicVerb.case_schedule, cases.schedule_action, Role.ANIMATEUR),
    Action(TopicVerb.case_unschedule, cases.unschedule_action, Role.ANIMATEUR),
    Action(TopicVerb.case_treated, cases.treated_action, Role.ANIMATEUR),
    Action(TopicVerb.case_archive, cases.archive_action, Role.ANIMATEUR),
)

# Read by the meetings feature for its cards, without importing this one (dialogs/events.py).
agenda_items = queries.scheduled_for

__all__ = ["ACTIONS", "COMMANDS", "agenda_items", "forget_member", "member_data", "plan_jobs"]
