"""Core commands and card actions: help, language, reload of the community profile."""

from __future__ import annotations

from cards.verbs import Verb
from dialogs.core import handlers
from dialogs.feature import Action, Command
from dialogs.roles import Role

COMMANDS = (
    Command("help", handlers.show_help, in_manifest=True),
    Command("language", handlers.choose_language),
    Command("reload", handlers.reload_profile, Role.ANIMATEUR),
)

ACTIONS = (
    Action(Verb.show_help, handlers.show_help_action),
    Action(Verb.set_language, handlers.set_language_action),
)
