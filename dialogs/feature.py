"""How a feature plugs into the bot.

A feature package ``dialogs/<feature>/`` has a ``routes.py`` module with ``COMMANDS`` (a tuple of
:class:`Command`), ``ACTIONS`` (a tuple of :class:`Action`) and, if it schedules work,
``async def plan_jobs(services, now) -> list[PlannedJob]`` (jobs still to run, rebuilt from stored
state at every start-up). ``bot/features.py`` lists the routes modules; the routing tables, the
help card and the manifest's command list are derived from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dialogs.roles import Role
from dialogs.turn import ActionHandler, CommandHandler, Services


@dataclass(frozen=True)
class Command:
    """A text command. Its words are the catalog entries ``command.<id>.word`` (every language)
    and its help line ``command.<id>.description``. ``id`` may contain a dot for a two-word
    command (e.g. ``report.project`` → ``bilan projet``). ``help_role``, when set, says in which
    part of the help card the command is listed for this community (default: ``min_role``), for
    a command whose handler lets more people in when the community profile allows it."""

    id: str
    handler: CommandHandler
    min_role: Role = Role.MEMBER
    in_manifest: bool = False
    help_role: Callable[[Services], Role] | None = None


@dataclass(frozen=True)
class Action:
    """A card action (Action.Execute verb, or Action.Submit with a ``verb`` field)."""

    verb: str
    handler: ActionHandler
    min_role: Role = Role.MEMBER


# A job may return a value (e.g. how many messages it sent): the scheduler ignores it.
JobFunc = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class PlannedJob:
    """A one-off job with a predictable id (e.g. ``reminder:<meeting>:-7d``)."""

    id: str
    run_at: datetime
    func: JobFunc


def feature_hooks(services: Services, name: str) -> list[Callable[..., Any]]:
    """The function ``name`` of every installed feature's ``routes`` module (the optional hooks
    listed in dialogs/events.py), in the order of ``bot/features.py``."""
    found = (getattr(feature, name, None) for feature in services.features)
    return [hook for hook in found if callable(hook)]
