"""What other features may ask about polls (the vitality report). Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialogs.polls import rules, surveys
from dialogs.polls.audience import poll_repository
from dialogs.polls.views import results_of
from dialogs.turn import Services
from storage.poll_repository import Poll, parse_iso


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


# ---- « Retombées et apprentissages » (the vitality report's « Efficacité ») ---------------------


@dataclass(frozen=True)
class ObjectiveTally:
    """One objective's scale question (``o1`` for the profile's first objective): how many
    answered 1, 2, 3, 4, 5."""

    question_id: str
    label: str
    counts: tuple[int, int, int, int, int]

    @property
    def respondents(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ChoiceTally:
    """A multiple-choice question: how many people answered it, and each choice's count."""

    respondents: int = 0
    counts: tuple[tuple[str, int], ...] = ()  # (choice label, how many chose it), card order


@dataclass(frozen=True)
class OutcomesSummary:
    """An outcomes survey posted in the range. The tallies are empty when its results may not
    be shown (anonymous, fewer answers than the small-group threshold); the vitality report
    applies its own small-group rules on top."""

    id: str
    published_at: datetime
    closed_at: datetime | None
    answers: int
    committee_id: str = ""
    meeting_id: str = ""
    objectives: tuple[ObjectiveTally, ...] = ()
    learned: ChoiceTally = ChoiceTally()
    practice: ChoiceTally = ChoiceTally()
    value: ChoiceTally = ChoiceTally()


def _is_objective(question_id: str) -> bool:
    prefix = surveys.OBJECTIVE_PREFIX
    return question_id.startswith(prefix) and question_id[len(prefix) :].isdigit()


def outcomes_tallies(
    results: rules.Results,
) -> tuple[tuple[ObjectiveTally, ...], dict[str, ChoiceTally]]:
    """The objective scales and the learned / practice / value tallies of an outcomes survey's
    results (empty when they may not be shown)."""
    if results.hidden or results.answers < results.threshold:
        return (), {}
    objectives: list[ObjectiveTally] = []
    choices: dict[str, ChoiceTally] = {}
    for result in results.questions:
        question = result.question
        if question.kind == "scale" and _is_objective(question.id):
            by_value = {c.choice.id: c.count for c in result.counts}
            one, two, three, four, five = (by_value.get(str(v), 0) for v in rules.SCALE)
            objectives.append(
                ObjectiveTally(question.id, question.label, (one, two, three, four, five))
            )
        elif question.kind == "multiple" and question.id in (
            surveys.LEARNED,
            surveys.PRACTICE,
            surveys.VALUE,
        ):
            choices[question.id] = ChoiceTally(
                result.respondents, tuple((c.choice.label, c.count) for c in result.counts)
            )
    return tuple(objectives), choices


def _outcomes_summary(poll: Poll, published: datetime, results: rules.Results) -> OutcomesSummary:
    objectives, choices = outcomes_tallies(results)
    return OutcomesSummary(
        id=poll.id,
        published_at=published,
        closed_at=parse_iso(poll.closed_at),
        answers=results.answers,
        committee_id=poll.committee_id if poll.audience == "committee" else "",
        meeting_id=poll.meeting_id,
        objectives=objectives,
        learned=choices.get(surveys.LEARNED, ChoiceTally()),
        practice=choices.get(surveys.PRACTICE, ChoiceTally()),
        value=choices.get(surveys.VALUE, ChoiceTally()),
    )


async def outcomes_in_range(
    services: Services, start: datetime, end: datetime
) -> list[OutcomesSummary]:
    """Outcomes surveys posted in ``[start, end)``, open or closed (drafts left out), oldest
    first."""
    found: list[OutcomesSummary] = []
    for poll in await poll_repository(services).all():
        published = parse_iso(poll.published_at)
        if poll.kind != "outcomes" or poll.status == "draft" or published is None:
            continue
        if start <= published < end:
            found.append(_outcomes_summary(poll, published, await results_of(services, poll)))
    return sorted(found, key=lambda s: (s.published_at, s.id))


async def outcomes_launched(services: Services, start: datetime, end: datetime) -> bool:
    """Was an outcomes survey posted in ``[start, end)`` (the cycle), whatever its answers?"""
    for poll in await poll_repository(services).all():
        published = parse_iso(poll.published_at)
        if poll.kind == "outcomes" and published is not None and start <= published < end:
            return True
    return False
