"""What presence keeps about a member (« mes données ») and its erasure."""

from __future__ import annotations

import logging
from typing import Any

from dialogs.presence.queries import (
    person,
    presence_repository,
)
from dialogs.turn import Services

logger = logging.getLogger(__name__)


# ---- personal data ------------------------------------------------------------------------------


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    records = await presence_repository(services).member_records(member_key)
    return {f"presence_{name}": rows for name, rows in records.items()}


async def forget_member(services: Services, member_key: str) -> None:
    """Erase the member's presence records. Certificates already issued keep their code,
    meeting, date and hours without the name, so a code on a certificate handed to a
    professional order can still be confirmed; corrections keep what was done, not about whom."""
    who = await person(services, member_key)
    removed = await presence_repository(services).forget_member(
        member_key, tuple(e for e in (who.email,) if e)
    )
    logger.info("presence: %d record(s) erased for a member", removed)
