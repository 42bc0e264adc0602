"""Planned meetings as the topic bank reads them (``dialogs/meetings/queries.py``).

The meeting cards show the bank's scheduled items through the ``agenda_items`` hook of
``dialogs/topics/routes.py``; when an agenda changes, :func:`refresh_agendas` raises the
``on_agenda_changed`` hook (dialogs/events.py), so the meetings feature never imports this one.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.feature import feature_hooks
from dialogs.meetings import queries
from dialogs.meetings.queries import MeetingRef
from dialogs.turn import Services


def available() -> bool:
    """Meetings can be chosen for topics and cases (a test may say otherwise)."""
    return True


async def upcoming(services: Services, now: datetime) -> list[MeetingRef]:
    """Planned meetings not over yet, soonest first."""
    found = [m for m in await queries.upcoming(services, now)]
    found = [m for m in found if m.status == "planned" and m.ends_at > now]
    return sorted(found, key=lambda m: m.starts_at)


async def refresh_agendas(services: Services, *meeting_ids: str) -> None:
    """Redraw the channel cards of meetings whose agenda changed (their topics or cases)."""
    for meeting_id in sorted({m for m in meeting_ids if m}):
        for hook in feature_hooks(services, "on_agenda_changed"):
            await hook(services, meeting_id)


async def get(services: Services, meeting_id: str) -> MeetingRef | None:
    if not meeting_id:
        return None
    return await queries.get(services, meeting_id)
