"""The ``bot_http`` fixture for the demo year tests."""

from __future__ import annotations

from tests.bot.conftest import bot_http  # noqa: F401 (the fixture, for this folder)
