"""Vitality report: commands, card actions and what the feature keeps about a member."""

from __future__ import annotations

from cards.vitality import VitalityVerb
from dialogs.feature import Action, Command
from dialogs.roles import Role
from dialogs.vitality import handlers, privacy

# ``bilan`` is open to every role at the router: its handler lets in the animateurs and the
# sponsors of the community profile and politely refuses everyone else.
COMMANDS = (
    Command("report", handlers.show_report, Role.SPONSOR),
    Command("report.project", handlers.add_project, Role.ANIMATEUR),
)

ACTIONS = (
    Action(VitalityVerb.show, handlers.show_report_action, Role.MEMBER),
    Action(VitalityVerb.remove_project, handlers.remove_project_action, Role.ANIMATEUR),
    Action(VitalityVerb.add_project, handlers.add_project_action, Role.ANIMATEUR),
)


member_data = privacy.member_data
forget_member = privacy.forget_member
