"""Vitality report: commands, card actions and what the feature keeps about a member."""

from __future__ import annotations

from typing import Any

from cards.vitality import VitalityVerb
from dialogs.feature import Action, Command
from dialogs.roles import Role
from dialogs.turn import Services
from dialogs.vitality import handlers
from dialogs.vitality.inputs import vitality_repository

# ``bilan`` is open to every role at the router: its handler lets in the animateurs and the
# sponsors of the community profile and politely refuses everyone else.
COMMANDS = (
    Command("report", handlers.show_report, Role.SPONSOR),
    Command("report.project", handlers.add_project, Role.ANIMATEUR),
)

ACTIONS = (
    Action(VitalityVerb.show, handlers.show_report_action, Role.MEMBER),
    Action(VitalityVerb.remove_project, handlers.remove_project_action, Role.ANIMATEUR),
)


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    """The projects this person added to the report (as an animateur)."""
    added = await vitality_repository(services).projects_added_by(member_key)
    if not added:
        return {}
    return {
        "vitality_projects_added": [
            {"title": p.title, "done_on": p.done_on.isoformat()} for p in added
        ]
    }


async def forget_member(services: Services, member_key: str) -> None:
    """The projects stay (they belong to the community) without their author."""
    await vitality_repository(services).forget_member(member_key)
