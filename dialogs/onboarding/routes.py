"""Onboarding: commands, card actions, Teams event hooks, jobs and « mes données » hooks."""

from __future__ import annotations

from cards.onboarding import OnboardingVerb as V
from dialogs.feature import Action, Command
from dialogs.onboarding import directory, handlers, jobs, my_data, roster
from dialogs.onboarding.handlers import on_bot_installed, on_members_added, on_members_removed
from dialogs.onboarding.privacy import forget_member, member_data
from dialogs.roles import Role

COMMANDS = (
    Command("profile", handlers.show_profile, in_manifest=True),
    Command("who", directory.who_can_help, in_manifest=True),
    Command("welcome", handlers.show_welcome),
    Command("rules", handlers.show_rules),
    Command("my_data", my_data.show_my_data, in_manifest=True),
    Command("members", roster.show_roster, Role.ANIMATEUR),
    Command("mentor", roster.mentor_command, Role.ANIMATEUR),
)

ACTIONS = (
    Action(V.show_welcome, handlers.show_welcome_action),
    Action(V.open_profile, handlers.open_profile),
    Action(V.review_profile, handlers.review_profile),
    Action(V.save_profile, handlers.save_profile),
    Action(V.show_rules, handlers.show_rules_action),
    Action(V.ack_rules, handlers.acknowledge_rules),
    Action(V.followup_ok, handlers.followup_ok),
    Action(V.show_my_data, my_data.show_my_data_action),
    Action(V.export_my_data, my_data.export_my_data),
    Action(V.ask_erase, my_data.ask_erase),
    Action(V.erase_my_data, my_data.erase_my_data),
    Action(V.show_roster, roster.show_roster_action, Role.ANIMATEUR),
    Action(V.open_mentor, roster.open_mentor, Role.ANIMATEUR),
    Action(V.assign_mentor, roster.assign_mentor_action, Role.ANIMATEUR),
    Action(V.export_roster, roster.export_roster, Role.ANIMATEUR),
    Action(V.open_import, roster.open_import, Role.ANIMATEUR),
    Action(V.import_roster, roster.import_roster, Role.ANIMATEUR),
    Action(V.set_followup_days, roster.set_followup_days, Role.ANIMATEUR),
)


plan_jobs = jobs.plan_jobs


__all__ = [
    "ACTIONS",
    "COMMANDS",
    "forget_member",
    "member_data",
    "on_bot_installed",
    "on_members_added",
    "on_members_removed",
    "plan_jobs",
]
