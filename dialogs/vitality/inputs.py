"""Gather the report's records from the other features, as the plain records of ``rules.py``.

Each feature is asked through its own ``queries`` module: a feature whose query fails gives
``None`` for its records, and the report says « aucune donnée » for what depends on it. Only
ids, dates, committee ids and counts are read: no name, no text written by a member (except
the projects' own titles, and the choices of the outcomes survey: topic titles of the bank,
which passed the de-identification guard; never the survey's free-text answers).

Sources:

- members: ``dialogs.onboarding.queries.roster``;
- meetings: ``dialogs.meetings.queries.in_range`` and ``rsvps`` (who was invited is worked out
  from the roster on the meeting's day, see ``rules.invited_keys``; without a roster, the
  meetings feature's ``invited_member_keys``);
- presence: ``dialogs.presence.queries.attendance_in_range`` and ``certificates_in_range``;
- polls: ``dialogs.polls.queries.polls_in_range`` (with the committee a poll was addressed to,
  and the answers at 1–5 of its scale questions when its results may be shown);
- topics and cases: the topic bank's and the case queue's repositories, as
  ``dialogs.topics.queries`` gives them;
- outcomes surveys (« Efficacité »): ``dialogs.polls.queries.outcomes_in_range`` (tallies of
  the objectives, learnings, practice changes and value, when their results may be shown);
- ad hoc supervision: ``dialogs.supervision.queries.stats`` (counts of the requests made in
  the period, how many were taken, the median time to the first answer, how they ended; never
  their content);
- what the meetings leave behind: ``dialogs.notes.queries.takeaways_stats`` (past meetings,
  those with notes and takeaways, follow-ups named and done) and ``takeaways`` (the members'
  anonymous takeaways: no author, guarded by the notes feature);
- projects: this feature's own repository.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from dialogs.meetings import queries as meetings
from dialogs.notes import queries as notes
from dialogs.onboarding import queries as onboarding
from dialogs.polls import queries as polls
from dialogs.presence import queries as presence
from dialogs.supervision import queries as supervision
from dialogs.topics import queries as topics
from dialogs.turn import Services
from dialogs.vitality import rules
from dialogs.vitality.rules import (
    Attendance,
    CaseFacts,
    MeetingFacts,
    MemberSpan,
    NotesFacts,
    OutcomesFacts,
    PollFacts,
    ProjectFacts,
    ReportRequest,
    SupervisionFacts,
    TakeawayFacts,
    TopicFacts,
    VitalityInputs,
)
from storage.vitality_repository import TinyDbVitalityRepository, VitalityRepository

logger = logging.getLogger(__name__)

T = TypeVar("T")
COMPONENT = "vitality"


def vitality_repository(services: Services) -> VitalityRepository:
    return services.component(
        COMPONENT, lambda s: TinyDbVitalityRepository(s.store.database("vitality"))
    )


async def _safely(source: str, read: Callable[[], Awaitable[T]]) -> T | None:
    """The records of one source, or None when its feature failed (logged, not shown)."""
    try:
        return await read()
    except Exception:  # one feature's failure leaves its section empty, not the whole report
        logger.exception("vitality: the %s source failed", source)
        return None


def local_day(moment: datetime | str | date | None, zone: ZoneInfo) -> date | None:
    """A stored moment (aware datetime, or ISO text) as the community's local date."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            return None
        return moment.astimezone(zone).date()
    return moment


def bounds(request: ReportRequest, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as aware moments: [first day 0 h, day after the last 0 h)."""
    period = request.period
    start = datetime.combine(period.start, time(0), tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


# ---- members --------------------------------------------------------------------------------


async def _members(services: Services) -> tuple[MemberSpan, ...] | None:
    roster = onboarding.roster

    async def read() -> tuple[MemberSpan, ...]:
        return tuple(
            MemberSpan(
                key=str(e.member_key),
                committee_ids=frozenset(e.committee_ids),
                arrived_on=e.arrived_on,
                departed_on=e.departed_on,
            )
            for e in await roster(services)
        )

    return await _safely("members", read)


# ---- meetings -------------------------------------------------------------------------------


async def _meetings(
    services: Services,
    start: datetime,
    end: datetime,
    members: tuple[MemberSpan, ...] | None,
) -> tuple[MeetingFacts, ...] | None:
    async def read() -> tuple[MeetingFacts, ...]:
        facts: list[MeetingFacts] = []
        for ref in await meetings.in_range(services, start, end):
            day = local_day(ref.starts_at, services.timezone)
            if day is None:
                continue
            answers: Mapping[str, str] = await meetings.rsvps(services, ref.id)
            committees = frozenset(ref.committee_ids)
            if members is not None:
                invited = rules.invited_keys(day, committees, members, answers)
            else:
                invited = frozenset(await meetings.invited_member_keys(services, ref.id))
                invited |= set(answers)
            facts.append(
                MeetingFacts(
                    id=str(ref.id),
                    day=day,
                    committee_ids=committees,
                    held=ref.status == "done",
                    invited=frozenset(invited),
                )
            )
        return tuple(facts)

    return await _safely("meetings", read)


# ---- presence -------------------------------------------------------------------------------


async def _attendance(
    services: Services, start: datetime, end: datetime
) -> tuple[Attendance, ...] | None:
    query = presence.attendance_in_range

    async def read() -> tuple[Attendance, ...]:
        return tuple(
            Attendance(
                meeting_id=str(a.meeting_id),
                member_key=str(a.member_key),
                mode=rules.IN_ROOM if a.mode == rules.IN_ROOM else rules.ONLINE,
                credited_hours=float(a.credited_hours or 0),
            )
            for a in await query(services, start, end)
        )

    return await _safely("attendance", read)


async def _certificates(services: Services, start: datetime, end: datetime) -> int | None:
    query = presence.certificates_in_range

    async def read() -> int:
        return int(await query(services, start, end))

    return await _safely("certificates", read)


# ---- polls ----------------------------------------------------------------------------------


def _scale_counts(counts: Mapping[int, int]) -> tuple[int, int, int, int, int] | None:
    """``{1: n, …, 5: n}`` as a 5-tuple; None when the polls feature gives none (no scale
    question, or results that may not be shown)."""
    if not counts:
        return None
    one, two, three, four, five = (int(counts.get(value, 0)) for value in rules.SCALE)
    return (one, two, three, four, five)


def _mean(values: Iterable[float]) -> float | None:
    found = [float(v) for v in values]
    return sum(found) / len(found) if found else None


async def _polls(
    services: Services, start: datetime, end: datetime
) -> tuple[PollFacts, ...] | None:
    query = polls.polls_in_range

    async def read() -> tuple[PollFacts, ...]:
        return tuple(
            PollFacts(
                id=str(p.id),
                kind=str(p.kind),
                closed_on=local_day(p.closed_at, services.timezone),
                audience_size=int(p.audience_size or 0),
                answers=int(p.answers or 0),
                meeting_id=str(p.meeting_id),
                committee_id=str(p.committee_id),
                scale_mean=_mean(p.scale_means.values()),
                scale_counts=_scale_counts(p.scale_counts),
            )
            for p in await query(services, start, end)
        )

    return await _safely("polls", read)


async def _outcomes(
    services: Services, start: datetime, end: datetime
) -> tuple[OutcomesFacts, ...] | None:
    query = polls.outcomes_in_range

    async def read() -> tuple[OutcomesFacts, ...]:
        facts: list[OutcomesFacts] = []
        for s in await query(services, start, end):
            day = local_day(s.published_at, services.timezone)
            if day is None:
                continue
            facts.append(
                OutcomesFacts(
                    poll_id=str(s.id),
                    day=day,
                    answers=int(s.answers),
                    committee_id=str(s.committee_id),
                    meeting_id=str(s.meeting_id),
                    objectives=tuple((o.question_id, o.label, o.counts) for o in s.objectives),
                    learned=s.learned.counts,
                    learned_respondents=s.learned.respondents,
                    practice=s.practice.counts,
                    practice_respondents=s.practice.respondents,
                    value=s.value.counts,
                    value_respondents=s.value.respondents,
                )
            )
        return tuple(facts)

    return await _safely("outcomes", read)


# ---- topics and cases -----------------------------------------------------------------------


class _MeetingDays:
    """A meeting's local day and committees, from the period's meetings or, for a meeting
    outside the period, from the meetings feature (cached)."""

    def __init__(self, services: Services, meetings: tuple[MeetingFacts, ...] | None) -> None:
        self._services = services
        self._known: dict[str, tuple[date, frozenset[str]] | None] = {
            m.id: (m.day, m.committee_ids) for m in meetings or ()
        }

    async def of(self, meeting_id: str) -> tuple[date, frozenset[str]] | None:
        if not meeting_id:
            return None
        if meeting_id not in self._known:
            ref = await meetings.get(self._services, meeting_id)
            day = local_day(ref.starts_at, self._services.timezone) if ref else None
            self._known[meeting_id] = (day, frozenset(ref.committee_ids)) if ref and day else None
        return self._known[meeting_id]


async def _treated_day(
    status: str, meeting_id: str, updated_at: str, meetings: _MeetingDays, zone: ZoneInfo
) -> date | None:
    """When a topic or case was treated: its meeting's day, else when it was marked so."""
    if status != "treated":
        return None
    found = await meetings.of(meeting_id)
    return found[0] if found else local_day(updated_at, zone)


async def _committees_of(meetings: _MeetingDays, meeting_id: str) -> frozenset[str]:
    found = await meetings.of(meeting_id)
    return found[1] if found else frozenset()


async def _topics(services: Services, meetings: _MeetingDays) -> tuple[TopicFacts, ...] | None:
    repository = topics.topic_repository(services)
    zone = services.timezone

    async def read() -> tuple[TopicFacts, ...]:
        facts: list[TopicFacts] = []
        for topic in await repository.all():
            proposed = local_day(topic.created_at, zone)
            if proposed is None or topic.status == "merged":
                continue
            facts.append(
                TopicFacts(
                    id=str(topic.id),
                    proposed_on=proposed,
                    supporters=len(topic.supporters),
                    treated_on=await _treated_day(
                        topic.status, topic.meeting_id, topic.updated_at, meetings, zone
                    ),
                    committee_ids=await _committees_of(meetings, topic.meeting_id),
                )
            )
        return tuple(facts)

    return await _safely("topics", read)


async def _cases(services: Services, meetings: _MeetingDays) -> tuple[CaseFacts, ...] | None:
    repository = topics.case_repository(services)
    zone = services.timezone

    async def read() -> tuple[CaseFacts, ...]:
        facts: list[CaseFacts] = []
        for case in await repository.all():
            submitted = local_day(case.created_at, zone)
            if submitted is None:
                continue
            facts.append(
                CaseFacts(
                    id=str(case.id),
                    submitted_on=submitted,
                    discussed_on=await _treated_day(
                        case.status, case.meeting_id, case.updated_at, meetings, zone
                    ),
                    committee_ids=await _committees_of(
                        meetings, case.meeting_id or case.desired_meeting_id
                    ),
                )
            )
        return tuple(facts)

    return await _safely("cases", read)


# ---- between meetings ---------------------------------------------------------------------------


async def _supervision(
    services: Services, start: datetime, end: datetime
) -> SupervisionFacts | None:
    query = supervision.stats

    async def read() -> SupervisionFacts:
        found = await query(services, start, end)
        return SupervisionFacts(
            requests=int(found.requests),
            taken=int(found.taken),
            median_hours=(
                float(found.median_hours_to_answer)
                if found.median_hours_to_answer is not None
                else None
            ),
            outcomes=tuple((str(code), int(n)) for code, n in found.outcomes.items()),
        )

    return await _safely("supervision", read)


async def _notes(services: Services, start: datetime, end: datetime) -> NotesFacts | None:
    counts, texts = notes.takeaways_stats, notes.takeaways

    async def read() -> NotesFacts:
        found = await counts(services, start, end)
        return NotesFacts(
            meetings=int(found.meetings),
            meetings_with_notes=int(found.meetings_with_notes),
            meetings_with_takeaways=int(found.meetings_with_takeaways),
            takeaways=int(found.takeaways),
            follow_ups=int(found.follow_ups),
            follow_ups_done=int(found.follow_ups_done),
            texts=tuple(
                TakeawayFacts(str(t.meeting_id), t.held_on, str(t.text))
                for t in await texts(services, start, end)
            ),
        )

    return await _safely("notes", read)


# ---- everything -----------------------------------------------------------------------------


async def projects(services: Services) -> tuple[ProjectFacts, ...]:
    return tuple(
        ProjectFacts(
            p.id, p.title, p.description, p.done_on, p.kind, tuple(p.organisations), p.link
        )
        for p in await vitality_repository(services).projects()
    )


async def gather(services: Services, request: ReportRequest) -> VitalityInputs:
    """The records of every available source for the request's period."""
    start, end = bounds(request, services.timezone)
    members = await _members(services)
    meetings = await _meetings(services, start, end, members)
    days = _MeetingDays(services, meetings)
    return VitalityInputs(
        members=members,
        meetings=meetings,
        attendance=await _attendance(services, start, end),
        certificates=await _certificates(services, start, end),
        polls=await _polls(services, start, end),
        topics=await _topics(services, days),
        cases=await _cases(services, days),
        projects=await projects(services),
        outcomes=await _outcomes(services, start, end),
        supervision=await _supervision(services, start, end),
        notes=await _notes(services, start, end),
    )
