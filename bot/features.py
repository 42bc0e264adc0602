"""The features this bot is made of. A new feature adds its ``routes`` module here."""

from __future__ import annotations

from types import ModuleType

from dialogs.core import routes as core
from dialogs.library import routes as library
from dialogs.meetings import routes as meetings
from dialogs.notes import routes as notes
from dialogs.onboarding import routes as onboarding
from dialogs.polls import routes as polls
from dialogs.presence import routes as presence
from dialogs.supervision import routes as supervision
from dialogs.topics import routes as topics
from dialogs.vitality import routes as vitality

# Order matters for event hooks: meetings links a meeting chat before presence reads it.
FEATURES: tuple[ModuleType, ...] = (
    core,
    onboarding,
    meetings,
    topics,
    polls,
    presence,
    vitality,
    library,
    supervision,
    notes,
)
