"""The bot as ``make bench`` runs it: ``python -m tests.bench_server DATA_DIR PORT``.

The real application (``create_app``), authentication off, logging at WARNING (like the echo
sample, which logs nothing per turn).
"""

import logging
import sys
from pathlib import Path

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(data_dir=Path(sys.argv[1]), port=int(sys.argv[2]))
    web.run_app(create_app(settings), host="127.0.0.1", port=settings.port, print=None)
