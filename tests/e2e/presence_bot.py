"""``python -m tests.e2e.presence_bot``: Veilleuse as ``python -m bot`` runs it, plus what the
presence end-to-end test needs and production gets elsewhere:

- the real ``MsGraphAttendanceSource`` (msgraph-sdk) pointed at the local Graph stand-in
  (``PRESENCE_E2E_GRAPH_URL``) with a fixed token, in ``services.components`` — what the app
  does with real credentials (see the presence README section);
- a clock set to the morning of the scenario's meeting (mardi 7 mai 2024, 9 h 05, then running),
  so check-ins fall inside the meeting; jobs planned on that clock fall in the scheduler's past
  and run at once;
- the meeting (``tests/dialogs/presence/scenario.py``) in the meetings data set, its chat being
  the Playground's group chat (``PRESENCE_E2E_CHAT``), and the members' profiles.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from azure.core.credentials import AccessToken

from bot.app import RUNTIME, create_app
from bot.graph import MsGraphAttendanceSource
from bot.scheduler import Scheduler
from bot.settings import Settings
from dialogs.feature import PlannedJob
from dialogs.meetings.queries import meeting_repository
from dialogs.onboarding.queries import profile_repository
from dialogs.presence.ports import COMPONENT
from tests.dialogs.presence import scenario
from tests.fakes.graph_server import FIXED_TOKEN

# The job ids of the animateurs' daily digest (dialogs/onboarding/profiles.py digest_job_id).
DIGEST_PREFIX = "onboarding:digest:"

logger = logging.getLogger("tests.e2e.presence_bot")


class FixedTokenCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(FIXED_TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        return None


def keep_daily_chains_out(scheduler: Scheduler) -> None:
    """The animateurs' daily digest plans the next day when it runs. On a clock set in 2024 under
    a scheduler on the real clock, every next day is already past and runs at once: hundreds of
    digests (one more each real day) would run through the test. This scenario is about
    presence; the digest has its own tests."""
    schedule = scheduler.schedule

    def without_digest(job: PlannedJob) -> None:
        if not job.id.startswith(DIGEST_PREFIX):
            schedule(job)

    scheduler.schedule = without_digest  # type: ignore[method-assign]


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings.from_env()
    offset = datetime.now(UTC) - scenario.local(9, 5).astimezone(UTC)
    app = create_app(settings, clock=lambda: datetime.now(UTC) - offset)
    graph_url = os.environ["PRESENCE_E2E_GRAPH_URL"]
    chat = os.environ["PRESENCE_E2E_CHAT"]

    async def seed(app: web.Application) -> None:
        services = app[RUNTIME].services
        keep_daily_chains_out(app[RUNTIME].scheduler)
        await meeting_repository(services).save(scenario.meeting(chat))
        await profile_repository(services).save_many(scenario.profiles())
        services.components[COMPONENT] = MsGraphAttendanceSource.connect(
            FixedTokenCredential(), base_url=graph_url
        )
        logger.info("presence e2e: meeting and profiles seeded, Graph at the local stand-in")

    async def close(app: web.Application) -> None:
        source = app[RUNTIME].services.components.get(COMPONENT)
        if source is not None:
            await source.close()

    app.on_startup.insert(0, seed)
    app.on_cleanup.append(close)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
