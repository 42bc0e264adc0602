"""What other features may ask about polls (the vitality report). Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialogs.polls import rules
from dialogs.polls.context import poll_repository
from dialogs.polls.views import results_of
from dialogs.turn import Services
from storage.poll_repository import parse_iso


@dataclass(frozen=True)
class PollSummary:
    id: str
    title: str
    kind: str  # "poll" | "needs" | "satisfaction" | "availability"
    anonymous: bool
    audience_size: int  # 0 when unknown (a channel poll before member profiles existed)
    answers: int
    closed_at: datetime | None
    meeting_id: str
    # Scale question label → mean (1–5), only when there are at least as many answers as the
    # small-group threshold (and the question itself was answered by that many).
    scale_means: dict[str, float] = field(default_factory=dict)


async def polls_in_range(services: Services, start: datetime, end: datetime) -> list[PollSummary]:
    """Polls posted in ``[start, end)`` (drafts left out), oldest first."""
    found: list[PollSummary] = []
    for poll in await poll_repository(services).all():
        published = parse_iso(poll.published_at)
        if poll.status == "draft" or published is None or not start <= published < end:
            continue
        results = await results_of(services, poll)
        found.append(
            PollSummary(
                id=poll.id,
                title=poll.title,
                kind=poll.kind,
                anonymous=poll.anonymous,
                audience_size=len(poll.audience_keys),
                answers=results.answers,
                closed_at=parse_iso(poll.closed_at),
                meeting_id=poll.meeting_id,
                scale_means=rules.scale_means(results),
            )
        )
    return found
