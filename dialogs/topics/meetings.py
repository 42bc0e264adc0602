"""Planned meetings, read from the meetings feature (``dialogs/meetings/queries.py``).

Imported lazily, so the topic bank works (without scheduling) in an installation that has no
meetings feature; ``available()`` tells which.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from types import ModuleType

from dialogs.topics.rules import MeetingLike
from dialogs.turn import Services

QUERIES_MODULE = "dialogs.meetings.queries"


def _queries() -> ModuleType | None:
    try:
        return importlib.import_module(QUERIES_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name in ("dialogs.meetings", QUERIES_MODULE):
            return None
        raise


def available() -> bool:
    return _queries() is not None


async def upcoming(services: Services, now: datetime) -> list[MeetingLike]:
    """Planned meetings not over yet, soonest first."""
    queries = _queries()
    if queries is None:
        return []
    found: list[MeetingLike] = list(await queries.upcoming(services, now))
    found = [m for m in found if m.status == "planned" and m.ends_at > now]
    return sorted(found, key=lambda m: m.starts_at)


async def refresh_agendas(services: Services, *meeting_ids: str) -> None:
    """Redraw the channel cards of meetings whose agenda changed (their topics or cases)."""
    queries = _queries()
    if queries is None:
        return
    for meeting_id in sorted({m for m in meeting_ids if m}):
        await queries.refresh_card(services, meeting_id)


async def get(services: Services, meeting_id: str) -> MeetingLike | None:
    queries = _queries()
    if queries is None or not meeting_id:
        return None
    found: MeetingLike | None = await queries.get(services, meeting_id)
    return found
