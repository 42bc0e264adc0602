"""Ad hoc clinical supervision: command, card actions, jobs and privacy hooks."""

from __future__ import annotations

from cards.supervision import SupervisionVerb
from dialogs.feature import Action, Command
from dialogs.supervision import handlers
from dialogs.supervision.jobs import plan_jobs
from dialogs.supervision.privacy import forget_member, member_data

COMMANDS = (Command("supervision", handlers.ask),)

ACTIONS = (
    Action(SupervisionVerb.submit, handlers.submit),
    Action(SupervisionVerb.accept, handlers.accept),
    Action(SupervisionVerb.cancel, handlers.cancel),
    Action(SupervisionVerb.consent, handlers.consent),
    Action(SupervisionVerb.view, handlers.view),
)

__all__ = ["ACTIONS", "COMMANDS", "forget_member", "member_data", "plan_jobs"]
