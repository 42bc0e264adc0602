"""``python -m bot`` (``make run``): read the environment, build the app, serve."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot import backups
from bot.app import create_app
from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError
from bot.startup_checks import install_startup_checks
from storage.community import PROFILE_FILE, CommunityProfileError
from storage.store import StoreCorrupted

logger = logging.getLogger("bot")


def main() -> int:
    configure_logging("text")
    try:
        settings = Settings.from_env()
        if len(sys.argv) > 1:  # python -m bot backup DEST | restore ARCHIVE [FOLDER]
            return backups.main(sys.argv[1:], settings.data_dir)
        configure_logging(settings.log_format)
        profile_path = (settings.data_dir / PROFILE_FILE).resolve()
        existed = profile_path.exists()
        app = create_app(settings)
        install_startup_checks(app, settings)
    except (SettingsError, CommunityProfileError, StoreCorrupted) as problem:
        logger.error("Veilleuse cannot start: %s", problem)
        return 2
    logger.info(
        "community profile %s: %s",
        "loaded" if existed else "created from the example (edit it, then type « recharger »)",
        profile_path,
    )
    url = f"http://{settings.host}:{settings.port}"
    logger.info("serving %s/api/messages (Bot Framework) and %s/healthz", url, url)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
