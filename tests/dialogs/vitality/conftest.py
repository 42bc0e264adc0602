"""The ``bot_http`` fixture for the vitality HTTP tests."""

from __future__ import annotations

from tests.bot.conftest import bot_http  # noqa: F401 (the fixture, for this folder)
