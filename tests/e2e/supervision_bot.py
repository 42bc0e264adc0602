"""``python -m tests.e2e.supervision_bot``: Veilleuse as ``python -m bot`` runs it, with what
the supervision end-to-end test needs and production gets elsewhere:

- the delays of « aujourd'hui » shortened to seconds (``SUPERVISION_E2E_DELAY``), so the
  scheduler reminds the animateurs, then asks the requester, while the test waits;
- the members' profiles: Jean-François offers supervision on caregivers (« proches aidants »),
  as a member does with the profile card's resource-person option.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta

from aiohttp import web

from bot.app import RUNTIME, create_app
from bot.settings import Settings
from dialogs.onboarding.queries import profile_repository
from dialogs.supervision import rules
from storage.member_repository import member_key
from storage.profile_repository import MemberProfile
from tests.e2e.playground import JEAN_FRANCOIS, NATHALIE, SOPHIE

logger = logging.getLogger("tests.e2e.supervision_bot")


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    delay = timedelta(seconds=float(os.environ.get("SUPERVISION_E2E_DELAY", "6")))
    rules.TODAY_DELAY = delay
    rules.TODAY_GRACE = delay
    rules.WAKING_HOURS = None  # seconds-long delays, whatever the hour the suite runs at
    settings = Settings.from_env()
    app = create_app(settings)

    async def seed(app: web.Application) -> None:
        services = app[RUNTIME].services
        await profile_repository(services).save_many(
            [
                MemberProfile(
                    member_key(JEAN_FRANCOIS.id, JEAN_FRANCOIS.aad_object_id),
                    name=JEAN_FRANCOIS.name,
                    email=JEAN_FRANCOIS.email,
                    teams_user_id=JEAN_FRANCOIS.id,
                    expertise=("proches aidants", "soins palliatifs"),
                    resource_person=True,
                ),
                *(
                    MemberProfile(
                        member_key(p.id, p.aad_object_id),
                        name=p.name,
                        email=p.email,
                        teams_user_id=p.id,
                    )
                    for p in (SOPHIE, NATHALIE)
                ),
            ]
        )
        logger.info("supervision e2e: profiles seeded, delays of %s", delay)

    app.on_startup.insert(0, seed)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
