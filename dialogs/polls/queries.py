"""What other features may ask about polls (the vitality report). Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialogs.polls import rules
from dialogs.polls.audience import poll_repository
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
    # The committee the poll was addressed to; "" for a poll to the channel or to all members.
    committee_id: str = ""
    # Value (1–5) → how many answers gave it, over all the scale questions together; empty
    # under the same condition as ``scale_means`` (results that may not be shown).
    scale_counts: dict[int, int] = field(default_factory=dict)


def scale_counts(results: rules.Results) -> dict[int, int]:
    """Answers at 1, 2, 3, 4 and 5 over the scale questions whose results may be shown (the
    questions :func:`rules.scale_means` keeps); empty when none may be."""
    if results.answers < results.threshold or results.hidden:
        return {}
    scales = [
        r
        for r in results.questions
        if r.question.kind == "scale" and r.mean is not None and not r.hidden
    ]
    if not scales:
        return {}
    return {
        value: sum(c.count for r in scales for c in r.counts if c.choice.id == str(value))
        for value in rules.SCALE
    }


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
                committee_id=poll.committee_id if poll.audience == "committee" else "",
                scale_counts=scale_counts(results),
            )
        )
    return found
