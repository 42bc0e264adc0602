"""``python -m tests.e2e.notes_bot``: Veilleuse as ``python -m bot`` runs it, plus what the
notes end-to-end test needs: a clock at 11 h the day after a meeting, a week back (the takeaway
question is due, and the scheduler, on real time, runs that job at once); that meeting in the
meetings data set (committee « ch », ended the day before); the Playground members' profiles and
their answers to it (Sophie in the room, Nathalie online, Jean-François absent).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import RUNTIME, create_app
from bot.settings import Settings
from dialogs.meetings.queries import meeting_repository
from dialogs.onboarding.queries import profile_repository
from storage.meeting_repository import AgendaEntry, Meeting, Rsvp
from storage.profile_repository import MemberProfile
from tests.e2e.playground import ISABELLE, JEAN_FRANCOIS, NATHALIE, SOPHIE

logger = logging.getLogger("tests.e2e.notes_bot")
MEETING_ID = "e2e-notes-meeting"
TITLE = "Journée régionale du comité des CH"


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings.from_env()
    tz = ZoneInfo("America/Montreal")  # the shipped community profile's time zone
    # A week ago, so the jobs planned on this clock fall in the scheduler's (real) past and
    # run at once.
    today = datetime.now(UTC).astimezone(tz).date() - timedelta(days=7)
    morning = datetime.combine(today, time(11, 0), tz)
    offset = datetime.now(UTC) - morning
    app = create_app(settings, clock=lambda: datetime.now(UTC) - offset)
    services = app[RUNTIME].services
    yesterday = today - timedelta(days=1)
    starts = datetime.combine(yesterday, time(9, 0), tz)

    async def seed(app: web.Application) -> None:
        await meeting_repository(services).save(
            Meeting(
                id=MEETING_ID,
                title=TITLE,
                committee_ids=("ch",),
                starts_at=starts,
                ends_at=starts + timedelta(hours=7),
                mode="hybride",
                agenda=(AgendaEntry("09:00", "10:30", "atelier_conference", "Le deuil", ""),),
            )
        )
        people = (ISABELLE, SOPHIE, NATHALIE, JEAN_FRANCOIS)
        await profile_repository(services).save_many(
            [
                MemberProfile(
                    key=p.aad_object_id.casefold(),
                    name=p.name,
                    email=p.email,
                    committee_ids=("ch",),
                )
                for p in people
            ]
        )
        repository = meeting_repository(services)
        for person, choice in (
            (SOPHIE, "salle"),
            (NATHALIE, "en_ligne"),
            (JEAN_FRANCOIS, "absent"),
        ):
            await repository.set_rsvp(
                Rsvp(
                    MEETING_ID, person.aad_object_id.casefold(), choice, starts - timedelta(days=3)
                )
            )
        logger.info("notes e2e: a meeting ended yesterday, profiles and answers seeded")

    app.on_startup.insert(0, seed)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
