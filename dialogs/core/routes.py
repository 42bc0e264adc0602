"""Core commands and card actions: help, language, reload of the community profile."""

from __future__ import annotations

from typing import Any

from cards.verbs import Verb
from dialogs.core import handlers, language
from dialogs.feature import Action, Command
from dialogs.roles import Role
from dialogs.turn import Services

COMMANDS = (
    Command("help", handlers.show_help, in_manifest=True),
    Command("language", handlers.choose_language),
    Command("reload", handlers.reload_profile, Role.ANIMATEUR),
)

ACTIONS = (
    Action(Verb.show_help, handlers.show_help_action),
    Action(Verb.set_language, handlers.set_language_action),
)


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    """The one thing core keeps: whether the client's language was offered (once)."""
    if await language.offered_to(services, member_key):
        return {"language_offer": {"offered": True}}
    return {}


async def forget_member(services: Services, member_key: str) -> None:
    await language.forget_offer(services, member_key)
