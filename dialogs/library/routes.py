"""The CdeP's library (bibliothèque): commands, card actions, privacy hooks."""

from __future__ import annotations

from cards.library import LibraryVerb
from dialogs.feature import Action, Command
from dialogs.library import handlers
from dialogs.library.privacy import forget_member, member_data

COMMANDS = (
    Command("resource", handlers.share),
    Command("resources", handlers.search),
)

ACTIONS = (
    Action(LibraryVerb.new, handlers.new_action),
    Action(LibraryVerb.submit, handlers.submit),
    Action(LibraryVerb.useful, handlers.useful),
)

__all__ = ["ACTIONS", "COMMANDS", "forget_member", "member_data"]
