"""Run the suite as if "now" were another moment: ``pytest --at 2027-03-14T02:30``.

The moment is a local time of the community (America/Montreal) unless it carries an offset.
Every clock the code reads (``datetime.now``, ``time.time``, ``date.today``) starts there and
ticks on (time-machine); monotonic clocks (asyncio's) are left alone. ``make test-dates`` runs
the date-sensitive tests at each of the hard dates listed in tests/dates.py.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

COMMUNITY_TZ = ZoneInfo("America/Montreal")
_TRAVEL_KEY = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--at",
        default="",
        help="run as if now were this moment (ISO 8601; local America/Montreal time if naive)",
    )


def moment_of(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=COMMUNITY_TZ)


def pytest_configure(config: pytest.Config) -> None:
    at = config.getoption("--at")
    if not at:
        return
    travel = time_machine.travel(moment_of(at), tick=True)
    travel.start()
    config.stash[_TRAVEL_KEY] = travel


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = config.stash.get(_TRAVEL_KEY, None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    at = config.getoption("--at")
    return f"now: {moment_of(at).isoformat()} (time-machine)" if at else None
