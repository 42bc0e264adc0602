"""What other features may ask about ad hoc supervision: counts for ``bilan`` (never content).

:class:`SupervisionStats` (dialogs/supervision/rules.py) holds, for requests made in a period:
how many, how many were taken, the median time to the first « Je m'en occupe » (hours), and
how they ended (taken, offered as a case, cancelled, expired)."""

from __future__ import annotations

from datetime import datetime

from dialogs.supervision import rules
from dialogs.supervision.repositories import supervision_repository
from dialogs.supervision.rules import SupervisionStats
from dialogs.turn import Services

__all__ = ["SupervisionStats", "stats"]


async def stats(services: Services, start: datetime, end: datetime) -> SupervisionStats:
    """Requests made in [start, end) (aware datetimes) and what became of them."""
    return rules.stats(await supervision_repository(services).all(), start, end)
