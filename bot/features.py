"""The features this bot is made of. A new feature adds its ``routes`` module here."""

from __future__ import annotations

from types import ModuleType

from dialogs.core import routes as core

FEATURES: tuple[ModuleType, ...] = (core,)
