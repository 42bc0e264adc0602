"""The supervision HTTP tests drive the real app (tests/bot/conftest.py)."""

from __future__ import annotations

from tests.bot.conftest import bot_http  # noqa: F401
