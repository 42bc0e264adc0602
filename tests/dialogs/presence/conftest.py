from tests.bot.conftest import bot_http  # noqa: F401 (the fixture, for this folder)
