"""The vitality report's figures, as plain functions of plain records (no I/O, no clock, no
wording).

Every figure of the report (README, « Bilan de vitalité ») is computed here from the frozen
input records below, which ``inputs.py`` fills from the other features' queries. A source that is
not installed (or failed) is ``None`` in :class:`VitalityInputs`, and the figures built on it are
``None`` too: the report then says « aucune donnée ».

Small groups: a figure computed on fewer people than the community's
``small_group_threshold`` is a :class:`Figure` with ``suppressed=True`` and no value (shown as
« < 5 »), see :func:`guarded`. Pooled rates (participation, poll response) leave the suppressed
meetings and polls out, so a hidden figure cannot be recovered by subtraction.

Dates are local dates of the community; a period is inclusive at both ends. ``today`` is the
date of the report: a period that is not over yet is counted up to ``today`` (``as_of``).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from cards.i18n import fold
from dialogs.cycles import Cycle, Period

__all__ = ["Period"]  # re-exported: the report's periods are the community's (dialogs/cycles.py)

DEFAULT_CYCLE = Cycle()

MAX_PERIOD_DAYS = 366 * 10

# Engagement levels: share of the meetings a member was invited to that they attended.
CORE, ACTIVE, PERIPHERAL = "core", "active", "peripheral"
LEVELS = (CORE, ACTIVE, PERIPHERAL)
# Trend of the participation rate: least-squares slope, in rate per meeting.
RISING, STABLE, FALLING = "rising", "stable", "falling"
TREND_SLOPE = 0.02
TREND_MIN_MEETINGS = 3
RETENTION_MONTHS = (3, 6)
SCALE = (1, 2, 3, 4, 5)
IN_ROOM, ONLINE = "salle", "en_ligne"


# ---- periods and the command's arguments --------------------------------------------------


def cycle_starting(year: int, cycle: Cycle = DEFAULT_CYCLE) -> Period:
    """The cycle whose first month is in ``year`` (September ``year`` to June ``year + 1`` by
    default)."""
    return cycle.starting(year)


def cycle_of(day: date, cycle: Cycle = DEFAULT_CYCLE) -> Period:
    """The current cycle on ``day``; between two cycles, the one that just ended."""
    return cycle.of(day)


def previous_cycle(period: Period, cycle: Cycle = DEFAULT_CYCLE) -> Period:
    return cycle.previous(period)


def next_cycle(period: Period, cycle: Cycle = DEFAULT_CYCLE) -> Period:
    return cycle.next(period)


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    committee_id: str = ""  # "" = the whole CdeP


class ArgsError(ValueError):
    """The command's arguments cannot be used; ``code`` is a catalog id."""

    def __init__(self, code: str, **values: str) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CYCLE = re.compile(r"^(\d{4})(\s*[-/]\s*(\d{4}))?$")


def parse_day(text: str) -> date | None:
    match = _DAY.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_request(
    args: str,
    today: date,
    committee_ids: Sequence[str],
    committee_words: Collection[str],
    cycle: Cycle = DEFAULT_CYCLE,
) -> ReportRequest:
    """``bilan [AAAA-MM-JJ [AAAA-MM-JJ] | AAAA-AAAA] [[comité] <id>]``, in any order.

    No date: the current cycle (:func:`cycle_of`). One date: from that date to today. Two
    dates: that period. ``2024-2025`` or ``2024``: the cycle that starts in 2024 (September 2024
    to June 2025 by default). A committee id, with or without the word « comité » /
    "committee" before it, limits the report to that committee.
    Raises :class:`ArgsError`.
    """
    days: list[date] = []
    chosen: Period | None = None
    committee = ""
    known = {fold(c): c for c in committee_ids}
    words = {fold(w) for w in committee_words}
    tokens = args.split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        folded = fold(token)
        i += 1
        if _DAY.match(token):
            day = parse_day(token)
            if day is None:
                raise ArgsError("vitality.errors.bad_date", text=token)
            days.append(day)
        elif _CYCLE.match(token):
            found = cycle.parse(token)
            if found is None or chosen is not None:
                raise ArgsError("vitality.errors.bad_cycle", text=token)
            chosen = found
        elif folded in words:
            if i >= len(tokens):
                raise ArgsError("vitality.errors.committee_missing")
            wanted = fold(tokens[i])
            i += 1
            if wanted not in known:
                raise ArgsError("vitality.errors.unknown_committee", committee=tokens[i - 1])
            committee = _one_committee(committee, known[wanted])
        elif folded in known:
            committee = _one_committee(committee, known[folded])
        else:
            raise ArgsError("vitality.errors.bad_args", text=" ".join(tokens))
    if len(days) > 2 or (days and chosen is not None):
        raise ArgsError("vitality.errors.too_many_dates")
    if chosen is not None:
        period = chosen
    elif len(days) == 2:
        period = Period(days[0], days[1])
    elif len(days) == 1:
        period = Period(days[0], today)
    else:
        period = cycle.of(today)
    if period.start > period.end:
        raise ArgsError("vitality.errors.start_after_end")
    if (period.end - period.start).days > MAX_PERIOD_DAYS:
        raise ArgsError("vitality.errors.too_long")
    return ReportRequest(period, committee)


def request_from_card(data: Mapping[str, object], committee_ids: Collection[str]) -> ReportRequest:
    """The period and scope a report card's button carries. Raises :class:`ArgsError` with
    ``errors.bad_card_data`` on anything but two ISO dates in order and a known committee."""
    start, end, committee = data.get("start"), data.get("end"), data.get("committee", "")
    if not isinstance(start, str) or not isinstance(end, str) or not isinstance(committee, str):
        raise ArgsError("errors.bad_card_data")
    first, last = parse_day(start), parse_day(end)
    if first is None or last is None or first > last:
        raise ArgsError("errors.bad_card_data")
    if (last - first).days > MAX_PERIOD_DAYS or (committee and committee not in committee_ids):
        raise ArgsError("errors.bad_card_data")
    return ReportRequest(Period(first, last), committee)


def _one_committee(current: str, new: str) -> str:
    if current and current != new:
        raise ArgsError("vitality.errors.two_committees")
    return new


PROJECT_TITLE_MIN, PROJECT_TITLE_MAX = 3, 120
PROJECT_DESCRIPTION_MAX = 500
PROJECT_ORGANISATIONS_MAX = 10
PROJECT_ORGANISATION_MAX = 100
PROJECT_LINK_MAX = 500
_LINK = re.compile(r"^https://[^\s<>\"]+$")
_ORG_SEPARATORS = re.compile(r"[;,\n]")


@dataclass(frozen=True)
class ProjectDraft:
    title: str
    description: str
    done_on: date
    kind: str = ""
    organisations: tuple[str, ...] = ()
    link: str = ""


def parse_organisations(text: str) -> tuple[str, ...]:
    """« CISSS de la Montérégie-Centre, Maison Victor-Gadbois » → the names (``,`` ``;`` or one
    per line), blanks and repeats left out. Raises :class:`ArgsError`."""
    names: list[str] = []
    for part in _ORG_SEPARATORS.split(text):
        name = " ".join(part.split())
        if name and fold(name) not in {fold(n) for n in names}:
            names.append(name)
    if len(names) > PROJECT_ORGANISATIONS_MAX or any(
        len(n) > PROJECT_ORGANISATION_MAX for n in names
    ):
        raise ArgsError(
            "vitality.errors.project_organisations",
            count=str(PROJECT_ORGANISATIONS_MAX),
            max=str(PROJECT_ORGANISATION_MAX),
        )
    return tuple(names)


def parse_link(text: str) -> str:
    """ "" or an https:// address; a bare « www.… » address as people type it gets https://.
    Raises :class:`ArgsError`."""
    link = text.strip()
    if link.casefold().startswith("www."):
        link = f"https://{link}"
    if link and (len(link) > PROJECT_LINK_MAX or not _LINK.match(link)):
        raise ArgsError("vitality.errors.project_link")
    return link


def parse_kind(text: str, kind_words: Mapping[str, str]) -> str:
    """A kind by its word in either language (« outil clinique », "training"…) or its id; ""
    for none. Raises :class:`ArgsError`."""
    folded = fold(" ".join(text.split()))
    if not folded:
        return UNSPECIFIED_KIND
    if folded in PROJECT_KINDS:
        return folded
    if folded in kind_words:
        return kind_words[folded]
    raise ArgsError("vitality.errors.project_kind", text=text.strip())


def check_project(draft: ProjectDraft, today: date) -> ProjectDraft:
    """The title, description and day rules of every project. Raises :class:`ArgsError`."""
    title, description = " ".join(draft.title.split()), " ".join(draft.description.split())
    if draft.done_on > today:
        raise ArgsError("vitality.errors.project_future")
    if not PROJECT_TITLE_MIN <= len(title) <= PROJECT_TITLE_MAX:
        raise ArgsError(
            "vitality.errors.project_title",
            min=str(PROJECT_TITLE_MIN),
            max=str(PROJECT_TITLE_MAX),
        )
    if len(description) > PROJECT_DESCRIPTION_MAX:
        raise ArgsError("vitality.errors.project_description", max=str(PROJECT_DESCRIPTION_MAX))
    if draft.kind not in (UNSPECIFIED_KIND, *PROJECT_KINDS):
        raise ArgsError("errors.bad_card_data")
    return ProjectDraft(
        title, description, draft.done_on, draft.kind, draft.organisations, draft.link
    )


def parse_project(
    args: str, today: date, kind_words: Mapping[str, str] | None = None
) -> ProjectDraft:
    """``[AAAA-MM-JJ] Titre [| description [| type [| organisations [| lien]]]]``: the day
    defaults to today and cannot be later; the type is a word of ``kind_words`` (folded word →
    kind) or a kind id; organisations are separated by commas. Raises :class:`ArgsError`."""
    text = args.strip()
    done_on = today
    first, _, rest = text.partition(" ")
    if _DAY.match(first):
        day = parse_day(first)
        if day is None:
            raise ArgsError("vitality.errors.bad_date", text=first)
        done_on, text = day, rest
    parts = [*text.split("|", 4), "", "", "", ""]
    title, description, kind, organisations, link = parts[:5]
    return check_project(
        ProjectDraft(
            title,
            description,
            done_on,
            parse_kind(kind, kind_words or {}),
            parse_organisations(organisations),
            parse_link(link),
        ),
        today,
    )


# ---- input records --------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSpan:
    """A person of the CdeP: when they arrived and left (``None``: before Veilleuse knew /
    still here), and their committees."""

    key: str
    committee_ids: frozenset[str] = frozenset()
    arrived_on: date | None = None
    departed_on: date | None = None


@dataclass(frozen=True)
class MeetingFacts:
    """A meeting. ``held``: it took place (over, not cancelled). ``invited``: member keys
    (see :func:`invited_keys`)."""

    id: str
    day: date
    committee_ids: frozenset[str] = frozenset()
    held: bool = True
    invited: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Attendance:
    """One member's presence at one meeting."""

    meeting_id: str
    member_key: str
    mode: str  # IN_ROOM | ONLINE
    credited_hours: float = 0.0


@dataclass(frozen=True)
class PollFacts:
    """A poll or survey. ``audience_size``: people asked (0: unknown); ``answers``: people who
    answered. ``scale_mean``: mean of its scale questions' means; ``scale_counts``: how many
    answers gave 1, 2, 3, 4, 5 (all scale questions together), when known."""

    id: str
    kind: str  # poll | needs | satisfaction | availability
    closed_on: date | None
    audience_size: int
    answers: int
    meeting_id: str = ""
    committee_id: str = ""
    scale_mean: float | None = None
    scale_counts: tuple[int, int, int, int, int] | None = None


@dataclass(frozen=True)
class TopicFacts:
    """A topic of the bank. ``committee_ids``: those of the meeting it went to, if any."""

    id: str
    proposed_on: date
    supporters: int = 0
    treated_on: date | None = None
    committee_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CaseFacts:
    """A complex case. ``discussed_on``: when it was treated at a meeting."""

    id: str
    submitted_on: date
    discussed_on: date | None = None
    committee_ids: frozenset[str] = frozenset()


# What a project or tool is (« bilan projet »); "" for a project recorded before kinds existed.
PROJECT_KINDS = ("clinical_tool", "document", "training", "collaboration")
UNSPECIFIED_KIND = ""


@dataclass(frozen=True)
class ProjectFacts:
    """A project or tool the community produced (kept by the animateurs): its kind (one of
    PROJECT_KINDS, or "" when not said), the organisations that use it, a link."""

    id: str
    title: str
    description: str
    done_on: date
    kind: str = UNSPECIFIED_KIND
    organisations: tuple[str, ...] = ()
    link: str = ""


@dataclass(frozen=True)
class OutcomesFacts:
    """An outcomes survey (« Retombées et apprentissages ») posted on ``day``: ``answers``
    people answered; ``objectives``: each objective's key (``o1`` for the community profile's
    first objective), its question's label and the answers at 1, 2, 3, 4, 5;
    ``learned`` / ``practice`` / ``value``: (choice label, how many chose it) with how many
    answered that question. The tallies are empty when the polls feature may not show them."""

    poll_id: str
    day: date
    answers: int
    committee_id: str = ""
    meeting_id: str = ""
    objectives: tuple[tuple[str, str, tuple[int, int, int, int, int]], ...] = ()
    learned: tuple[tuple[str, int], ...] = ()
    learned_respondents: int = 0
    practice: tuple[tuple[str, int], ...] = ()
    practice_respondents: int = 0
    value: tuple[tuple[str, int], ...] = ()
    value_respondents: int = 0


@dataclass(frozen=True)
class SupervisionFacts:
    """Ad hoc supervision requests made in the period (counts only, never their content):
    how many, how many were taken, the median hours to the first « Je m'en occupe » (None: none
    taken), and how they ended (SUPERVISION_OUTCOMES code → requests; open ones are not there)."""

    requests: int
    taken: int
    median_hours: float | None = None
    outcomes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class TakeawayFacts:
    """One anonymous takeaway (« ce que je retiens ») of a past meeting: never who wrote it."""

    meeting_id: str
    day: date
    text: str


@dataclass(frozen=True)
class NotesFacts:
    """What the period's past meetings left behind (« ce qu'on retient » and the takeaways)."""

    meetings: int
    meetings_with_notes: int
    meetings_with_takeaways: int
    takeaways: int
    follow_ups: int
    follow_ups_done: int
    texts: tuple[TakeawayFacts, ...] = ()


@dataclass(frozen=True)
class VitalityInputs:
    """Everything the report is computed from; ``None`` = that source is not available."""

    members: tuple[MemberSpan, ...] | None = None
    meetings: tuple[MeetingFacts, ...] | None = None
    attendance: tuple[Attendance, ...] | None = None
    certificates: int | None = None
    polls: tuple[PollFacts, ...] | None = None
    topics: tuple[TopicFacts, ...] | None = None
    cases: tuple[CaseFacts, ...] | None = None
    projects: tuple[ProjectFacts, ...] = ()
    outcomes: tuple[OutcomesFacts, ...] | None = None
    supervision: SupervisionFacts | None = None
    notes: NotesFacts | None = None


# ---- small groups -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number of the report. ``value`` is ``None`` when there is nothing to compute (no
    meeting, a division by zero) or when ``suppressed``. ``population``: how many people it is
    computed on (``None``: not a figure about people). ``complement``: hidden although not small
    itself, so that a small count beside it cannot be recovered by subtraction."""

    value: float | None
    population: int | None = None
    suppressed: bool = False
    complement: bool = False


def guarded(value: float | None, population: int | None, threshold: int) -> Figure:
    """The figure, hidden when computed on at least one person but fewer than ``threshold``."""
    hidden = population is not None and 0 < population < threshold
    return Figure(None if hidden else value, population, hidden)


def guarded_rate(value: float | None, population: float, threshold: int) -> Figure:
    """A rate, hidden when computed on fewer than ``threshold`` people (even a fraction of one:
    a turnover over an average of 0.5 members is about one person)."""
    hidden = value is not None and population < threshold
    return Figure(None if hidden else value, math.ceil(population), hidden)


def counted(count: int, threshold: int, population: int | None = None) -> Figure:
    """A count of people: hidden when it is at least one but fewer than ``threshold``, or when
    the group it is taken from is that small."""
    group = count if population is None else population
    hidden = 0 < count < threshold or 0 < group < threshold
    return Figure(None if hidden else count, group, hidden)


def suppressed_cells(counts: Sequence[int], threshold: int) -> tuple[Figure, ...]:
    """Counts of people that add up to a known total (e.g. members by engagement level). Each
    small count is hidden (primary suppression); then, while a hidden count could be recovered
    from the total minus the shown ones (a single hidden cell, or hidden cells adding up to
    fewer than ``threshold`` people), the smallest shown count is hidden too (complementary
    suppression)."""
    hidden = {i for i, c in enumerate(counts) if 0 < c < threshold}
    primary = set(hidden)

    def exposed() -> bool:
        total = sum(counts[i] for i in hidden)
        return bool(hidden) and (len(hidden) == 1 or 0 < total < threshold)

    while exposed() and len(hidden) < len(counts):
        shown = sorted((c, i) for i, c in enumerate(counts) if i not in hidden)
        hidden.add(shown[0][1])
    return tuple(
        Figure(None, c, True, complement=i not in primary) if i in hidden else Figure(c, c, False)
        for i, c in enumerate(counts)
    )


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


# ---- membership -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def was_member_on(member: MemberSpan, day: date) -> bool:
    """Arrived by then (or arrival unknown) and not yet left."""
    arrived = member.arrived_on is None or member.arrived_on <= day
    return arrived and (member.departed_on is None or member.departed_on > day)


def was_member_during(member: MemberSpan, start: date, end: date) -> bool:
    arrived = member.arrived_on is None or member.arrived_on <= end
    return arrived and (member.departed_on is None or member.departed_on > start)


def in_scope(members: Iterable[MemberSpan], committee_id: str) -> list[MemberSpan]:
    return [m for m in members if not committee_id or committee_id in m.committee_ids]


@dataclass(frozen=True)
class Membership:
    active_at_start: Figure
    active_at_end: Figure
    arrivals: Figure
    departures: Figure
    turnover: Figure  # departures / mean of the active members at the start and at the end
    people: int  # members of the scope at some time in the period


def membership(
    members: Sequence[MemberSpan], period: Period, today: date, threshold: int
) -> Membership:
    as_of = period.as_of(today)
    during = [m for m in members if was_member_during(m, period.start, as_of)]
    people = len(during)
    at_start = sum(1 for m in members if was_member_on(m, period.start))
    at_end = sum(1 for m in members if was_member_on(m, as_of))
    arrivals = sum(1 for m in members if m.arrived_on and period.start <= m.arrived_on <= as_of)
    departures = sum(1 for m in members if m.departed_on and period.start <= m.departed_on <= as_of)
    average = (at_start + at_end) / 2
    start_fig = counted(at_start, threshold, people)
    end_fig = counted(at_end, threshold, people)
    moves: tuple[Figure, ...] = (
        counted(arrivals, threshold, people),
        counted(departures, threshold, people),
    )
    if moves[0].suppressed != moves[1].suppressed and not (
        start_fig.suppressed or end_fig.suppressed
    ):  # at the end = at the start + arrivals - departures: hide both moves
        moves = tuple(
            m if m.suppressed else Figure(None, m.population, True, complement=True) for m in moves
        )
    turnover = guarded_rate(ratio(departures, average), min(average, people), threshold)
    if moves[1].suppressed and not turnover.suppressed:
        # Hidden with the departures: with the counts at the start and the end, it would give
        # them back.
        turnover = Figure(None, turnover.population, True, complement=True)
    return Membership(
        active_at_start=start_fig,
        active_at_end=end_fig,
        arrivals=moves[0],
        departures=moves[1],
        turnover=turnover,
        people=people,
    )


def newcomer_retention(
    members: Sequence[MemberSpan], period: Period, today: date, months: int, threshold: int
) -> Figure:
    """Of the members who arrived in the period at least ``months`` months before ``today``,
    the share who had not left ``months`` months after their arrival."""
    as_of = period.as_of(today)
    eligible = [
        m
        for m in members
        if m.arrived_on
        and period.start <= m.arrived_on <= as_of
        and add_months(m.arrived_on, months) <= today
    ]
    kept = sum(
        1
        for m in eligible
        if m.arrived_on
        and (m.departed_on is None or m.departed_on > add_months(m.arrived_on, months))
    )
    return guarded(ratio(kept, len(eligible)), len(eligible), threshold)


# ---- meetings and participation ---------------------------------------------------------------


def invited_keys(
    day: date,
    committee_ids: Collection[str],
    members: Iterable[MemberSpan],
    answered: Iterable[str],
) -> frozenset[str]:
    """Who was invited to a meeting: the members of its committees (everyone when it names
    none) on its day, plus anyone who answered its invitation."""
    wanted = set(committee_ids)
    invited = {
        m.key for m in members if was_member_on(m, day) and (not wanted or wanted & m.committee_ids)
    }
    return frozenset(invited | set(answered))


@dataclass(frozen=True)
class MeetingStat:
    meeting_id: str
    day: date
    committee_ids: frozenset[str]
    invited: int
    in_room: Figure
    online: Figure
    present: Figure
    rate: Figure  # present / invited
    present_count: int = 0  # for pooling only (the shown figure may be hidden)


@dataclass(frozen=True)
class _Held:
    """A held meeting of the scope: who was invited and who came (keys), in scope."""

    facts: MeetingFacts
    invited: frozenset[str]
    present: Mapping[str, Attendance]


def _held_meetings(
    meetings: Sequence[MeetingFacts],
    attendance: Sequence[Attendance],
    period: Period,
    today: date,
    committee_id: str,
    people: frozenset[str] | None,
) -> list[_Held]:
    as_of = period.as_of(today)
    by_meeting: dict[str, dict[str, Attendance]] = {}
    for record in attendance:
        if people is not None and record.member_key not in people:
            continue
        by_meeting.setdefault(record.meeting_id, {}).setdefault(record.member_key, record)
    held: list[_Held] = []
    for meeting in sorted(meetings, key=lambda m: (m.day, m.id)):
        if not meeting.held or not period.start <= meeting.day <= as_of:
            continue
        if committee_id and meeting.committee_ids and committee_id not in meeting.committee_ids:
            continue
        present = by_meeting.get(meeting.id, {})
        invited = meeting.invited if people is None else meeting.invited & people
        held.append(_Held(meeting, invited | frozenset(present), present))
    return held


def meeting_stat(held: _Held, threshold: int) -> MeetingStat:
    invited = len(held.invited)
    in_room = sum(1 for a in held.present.values() if a.mode == IN_ROOM)
    online = sum(1 for a in held.present.values() if a.mode != IN_ROOM)
    present = in_room + online
    small = 0 < invited < threshold
    room_fig, online_fig = (
        (guarded(in_room, invited, threshold), guarded(online, invited, threshold))
        if small or 0 < present < threshold
        else suppressed_cells((in_room, online), threshold)
    )
    if 0 < present < threshold:  # the count of people present is small itself
        room_fig = online_fig = Figure(None, present, True)
    return MeetingStat(
        meeting_id=held.facts.id,
        day=held.facts.day,
        committee_ids=held.facts.committee_ids,
        invited=invited,
        in_room=room_fig,
        online=online_fig,
        present=guarded(present, invited, threshold) if small else counted(present, threshold),
        rate=guarded(ratio(present, invited), invited, threshold),
        present_count=present,
    )


def pooled_rate(stats: Sequence[MeetingStat], held: Sequence[_Held], threshold: int) -> Figure:
    """All presences / all invitations, over the meetings whose figures are shown."""
    shown = [(s, h) for s, h in zip(stats, held, strict=True) if not s.rate.suppressed]
    if not shown and stats:  # every meeting was too small to show
        return Figure(None, max(s.invited for s in stats), True)
    present = sum(s.present_count for s, _ in shown)
    invited = sum(s.invited for s, _ in shown)
    people = len(frozenset().union(*(h.invited for _, h in shown))) if shown else 0
    return guarded(ratio(present, invited), people, threshold)


def trend(rates: Sequence[float]) -> str | None:
    """``rising``, ``falling`` or ``stable``: the least-squares slope of the participation rate
    over the meetings in order, against ±TREND_SLOPE per meeting. None with too few meetings."""
    n = len(rates)
    if n < TREND_MIN_MEETINGS:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(rates) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(rates))
    den = sum((i - mean_x) ** 2 for i in range(n))
    slope = num / den
    if slope > TREND_SLOPE:
        return RISING
    if slope < -TREND_SLOPE:
        return FALLING
    return STABLE


def engagement_level(attended: int, invited: int) -> str:
    """core: ≥ 75 % of the meetings one was invited to; active: ≥ 25 %; peripheral: less."""
    if 4 * attended >= 3 * invited:
        return CORE
    if 4 * attended >= invited:
        return ACTIVE
    return PERIPHERAL


@dataclass(frozen=True)
class Engagement:
    core: Figure
    active: Figure
    peripheral: Figure
    people: int  # members invited to at least one held meeting


def engagement(held: Sequence[_Held], threshold: int) -> Engagement:
    invited: dict[str, int] = {}
    attended: dict[str, int] = {}
    for meeting in held:
        for key in meeting.invited:
            invited[key] = invited.get(key, 0) + 1
        for key in meeting.present:
            attended[key] = attended.get(key, 0) + 1
    levels = [engagement_level(attended.get(k, 0), n) for k, n in invited.items()]
    people = len(invited)
    if 0 < people < threshold:
        hidden = Figure(None, people, True)
        return Engagement(hidden, hidden, hidden, people)
    core, active, peripheral = suppressed_cells(
        [levels.count(level) for level in LEVELS], threshold
    )
    return Engagement(core=core, active=active, peripheral=peripheral, people=people)


@dataclass(frozen=True)
class Training:
    hours_total: Figure
    hours_per_person: Figure  # total / members present at least once
    people: int
    certificates: Figure | None  # None: not available (source absent, or a committee report)


def training(held: Sequence[_Held], certificates: int | None, threshold: int) -> Training:
    hours = sum(a.credited_hours for h in held for a in h.present.values())
    people = len({k for h in held for k in h.present})
    return Training(
        hours_total=guarded(round(hours, 2), people, threshold),
        hours_per_person=guarded(ratio(hours, people), people, threshold),
        people=people,
        certificates=None if certificates is None else guarded(certificates, people, threshold),
    )


# ---- exchanges --------------------------------------------------------------------------------


def _for_committee(committee_ids: frozenset[str], committee_id: str) -> bool:
    return not committee_id or committee_id in committee_ids


@dataclass(frozen=True)
class Exchanges:
    topics_proposed: Figure | None
    topics_supported: Figure | None  # proposed in the period and supported at least once
    topics_treated: Figure | None
    cases_submitted: Figure | None
    cases_discussed: Figure | None


def exchanges(
    topics: Sequence[TopicFacts] | None,
    cases: Sequence[CaseFacts] | None,
    period: Period,
    today: date,
    committee_id: str,
    people: int | None,
    threshold: int,
) -> Exchanges:
    """Counts of topics and cases. In a committee's report, only those that went to one of its
    meetings count. ``people``: members of the scope (small-group rule)."""
    as_of = period.as_of(today)

    def within(day: date | None) -> bool:
        return day is not None and period.start <= day <= as_of

    def count(n: int) -> Figure:
        return guarded(n, people, threshold)

    proposed = supported = treated = submitted = discussed = None
    if topics is not None:
        mine = [t for t in topics if _for_committee(t.committee_ids, committee_id)]
        new = [t for t in mine if within(t.proposed_on)]
        proposed = count(len(new))
        supported = count(sum(1 for t in new if t.supporters > 0))
        treated = count(sum(1 for t in mine if within(t.treated_on)))
    if cases is not None:
        mine_cases = [c for c in cases if _for_committee(c.committee_ids, committee_id)]
        submitted = count(sum(1 for c in mine_cases if within(c.submitted_on)))
        discussed = count(sum(1 for c in mine_cases if within(c.discussed_on)))
    return Exchanges(proposed, supported, treated, submitted, discussed)


# ---- polls and satisfaction -------------------------------------------------------------------


@dataclass(frozen=True)
class PollStat:
    poll_id: str
    kind: str
    closed_on: date
    audience: int
    answers: int
    rate: Figure  # answers / audience (None when the audience is unknown)


@dataclass(frozen=True)
class Polls:
    count: int
    by_kind: Mapping[str, int]
    response_rate: Figure  # all answers / all people asked, over the polls shown
    polls: tuple[PollStat, ...]


def _closed_polls(
    polls: Sequence[PollFacts],
    period: Period,
    today: date,
    committee_id: str,
    meeting_ids: Collection[str],
) -> list[PollFacts]:
    as_of = period.as_of(today)
    found = [
        p
        for p in polls
        if p.closed_on is not None
        and period.start <= p.closed_on <= as_of
        and (not committee_id or p.committee_id == committee_id or p.meeting_id in meeting_ids)
    ]
    return sorted(found, key=lambda p: (p.closed_on or period.start, p.id))


def poll_summary(
    polls: Sequence[PollFacts],
    period: Period,
    today: date,
    committee_id: str,
    meeting_ids: Collection[str],
    threshold: int,
) -> Polls:
    """Polls closed in the period (a committee's: those addressed to it or tied to one of its
    meetings)."""
    closed = _closed_polls(polls, period, today, committee_id, meeting_ids)
    stats = tuple(
        PollStat(
            poll_id=p.id,
            kind=p.kind,
            closed_on=p.closed_on or period.start,
            audience=p.audience_size,
            answers=p.answers,
            rate=guarded(ratio(p.answers, p.audience_size), p.audience_size, threshold),
        )
        for p in closed
    )
    shown = [s for s in stats if s.audience > 0 and not s.rate.suppressed]
    hidden = [s.audience for s in stats if s.rate.suppressed]
    asked = sum(s.audience for s in shown)
    answered = sum(s.answers for s in shown)
    biggest = max((s.audience for s in shown), default=0)
    by_kind: dict[str, int] = {}
    for s in stats:
        by_kind[s.kind] = by_kind.get(s.kind, 0) + 1
    rate = guarded(ratio(answered, asked), biggest, threshold)
    if not shown and hidden:  # every poll was too small to show
        rate = Figure(None, max(hidden), True)
    return Polls(count=len(stats), by_kind=by_kind, response_rate=rate, polls=stats)


@dataclass(frozen=True)
class SatisfactionPoint:
    poll_id: str
    closed_on: date
    respondents: int
    mean: Figure  # on 5
    distribution: tuple[Figure, ...] | None  # share of the answers at 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Satisfaction:
    points: tuple[SatisfactionPoint, ...]
    mean: Figure  # weighted by respondents, over the surveys shown
    distribution: tuple[Figure, ...] | None  # over the surveys shown that have counts


def _shares(counts: Sequence[int], population: int, threshold: int) -> tuple[Figure, ...]:
    total = sum(counts)
    return tuple(guarded(ratio(c, total), population, threshold) for c in counts)


def satisfaction(
    polls: Sequence[PollFacts],
    period: Period,
    today: date,
    committee_id: str,
    meeting_ids: Collection[str],
    threshold: int,
) -> Satisfaction:
    """Satisfaction surveys closed in the period, in order."""
    surveys = [
        p
        for p in _closed_polls(polls, period, today, committee_id, meeting_ids)
        if p.kind == "satisfaction"
    ]
    points = tuple(
        SatisfactionPoint(
            poll_id=p.id,
            closed_on=p.closed_on or period.start,
            respondents=p.answers,
            mean=guarded(p.scale_mean, p.answers, threshold),
            distribution=(
                _shares(p.scale_counts, p.answers, threshold) if p.scale_counts else None
            ),
        )
        for p in surveys
    )
    shown = [
        (point, survey)
        for point, survey in zip(points, surveys, strict=True)
        if not point.mean.suppressed and point.mean.value is not None
    ]
    weight = sum(point.respondents for point, _ in shown)
    total = sum((point.mean.value or 0) * point.respondents for point, _ in shown)
    biggest = max((point.respondents for point, _ in shown), default=0)
    counted = [s.scale_counts for _, s in shown if s.scale_counts]
    distribution = None
    if counted:
        sums = [sum(c[i] for c in counted) for i in range(len(SCALE))]
        distribution = _shares(sums, max(s.answers for _, s in shown if s.scale_counts), threshold)
    mean = guarded(ratio(total, weight), biggest, threshold)
    if not shown and any(p.mean.suppressed for p in points):  # every survey was too small
        mean = Figure(None, max(p.respondents for p in points), True)
    return Satisfaction(points=points, mean=mean, distribution=distribution)


# ---- effectiveness (« Efficacité »: the guide's step 5) -----------------------------------------

TOP_CHOICES = 5


@dataclass(frozen=True)
class ObjectiveResult:
    """How far one of the community's objectives was reached, over the outcomes surveys."""

    key: str  # "o1": the community profile's first objective
    label: str  # the survey question's label
    respondents: int
    mean: Figure  # on 5
    distribution: tuple[Figure, ...]  # share of the answers at 1, 2, 3, 4, 5


@dataclass(frozen=True)
class ChoiceLine:
    label: str
    count: Figure  # people who chose it


@dataclass(frozen=True)
class Effectiveness:
    surveys: int  # outcomes surveys in the period
    respondents: Figure  # answers to them, all together
    objectives: tuple[ObjectiveResult, ...]
    learnings: tuple[ChoiceLine, ...]  # the most chosen first, at most TOP_CHOICES
    practice: tuple[ChoiceLine, ...]
    value: tuple[ChoiceLine, ...]
    projects_by_kind: tuple[tuple[str, int], ...]  # (kind, projects), PROJECT_KINDS order, "" last


def _outcome_surveys(
    outcomes: Sequence[OutcomesFacts],
    period: Period,
    today: date,
    committee_id: str,
    meeting_ids: Collection[str],
) -> list[OutcomesFacts]:
    as_of = period.as_of(today)
    return sorted(
        (
            o
            for o in outcomes
            if period.start <= o.day <= as_of
            and (not committee_id or o.committee_id == committee_id or o.meeting_id in meeting_ids)
        ),
        key=lambda o: (o.day, o.poll_id),
    )


def _objective_rank(key: str) -> tuple[int, str]:
    digits = key.lstrip("o")
    return (int(digits), key) if digits.isdigit() else (10**6, key)


def objective_results(
    surveys: Sequence[OutcomesFacts], threshold: int
) -> tuple[ObjectiveResult, ...]:
    """Each objective (by its key, in the community profile's order), its answers pooled over
    the surveys: the mean and the shares at 1–5, hidden when fewer than ``threshold`` people
    answered it."""
    pooled: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for survey in surveys:
        for key, label, counts in survey.objectives:
            labels.setdefault(key, label)
            total = pooled.setdefault(key, [0] * len(SCALE))
            for i, count in enumerate(counts):
                total[i] += count
    results: list[ObjectiveResult] = []
    for key in sorted(pooled, key=_objective_rank):
        answered = pooled[key]
        people = sum(answered)
        mean = ratio(sum(v * c for v, c in zip(SCALE, answered, strict=True)), people)
        results.append(
            ObjectiveResult(
                key=key,
                label=labels[key],
                respondents=people,
                mean=guarded(mean, people, threshold),
                distribution=_shares(answered, people, threshold),
            )
        )
    return tuple(results)


def top_choices(
    tallies: Sequence[tuple[Sequence[tuple[str, int]], int]],
    threshold: int,
    limit: int = TOP_CHOICES,
) -> tuple[ChoiceLine, ...]:
    """The most chosen answers of one question over the surveys (``tallies``: each survey's
    (choice label, count) pairs and how many answered the question): counts pooled by label,
    most first (ties in order of first appearance), choices nobody picked left out, at most
    ``limit``. A count of fewer than ``threshold`` people, or on a question answered by fewer,
    is hidden."""
    pooled: dict[str, int] = {}
    respondents = 0
    for counts, people in tallies:
        respondents += people
        for label, count in counts:
            pooled[label] = pooled.get(label, 0) + count
    order = {label: i for i, label in enumerate(pooled)}
    ranked_ = sorted(
        (item for item in pooled.items() if item[1] > 0),
        key=lambda item: (-item[1], order[item[0]]),
    )
    return tuple(
        ChoiceLine(label, counted(count, threshold, respondents))
        for label, count in ranked_[:limit]
    )


def projects_by_kind(projects: Sequence[ProjectFacts]) -> tuple[tuple[str, int], ...]:
    """How many projects of each kind (kinds with none left out; unknown kinds count as "")."""
    counts: dict[str, int] = {}
    for project in projects:
        kind = project.kind if project.kind in PROJECT_KINDS else UNSPECIFIED_KIND
        counts[kind] = counts.get(kind, 0) + 1
    return tuple(
        (kind, counts[kind]) for kind in (*PROJECT_KINDS, UNSPECIFIED_KIND) if kind in counts
    )


def effectiveness(
    outcomes: Sequence[OutcomesFacts],
    projects: Sequence[ProjectFacts],
    period: Period,
    today: date,
    committee_id: str,
    meeting_ids: Collection[str],
    threshold: int,
) -> Effectiveness:
    """The « Efficacité » figures: objectives reached, what was learned and applied, practice
    changes and value for the organisations (outcomes surveys posted in the period), and the
    period's projects by kind. Below ``threshold`` answers in all, nothing of the surveys is
    shown."""
    surveys = _outcome_surveys(outcomes, period, today, committee_id, meeting_ids)
    answers = sum(s.answers for s in surveys)
    respondents = counted(answers, threshold)
    if respondents.suppressed:
        surveys = []
    return Effectiveness(
        surveys=len(_outcome_surveys(outcomes, period, today, committee_id, meeting_ids)),
        respondents=respondents,
        objectives=objective_results(surveys, threshold),
        learnings=top_choices([(s.learned, s.learned_respondents) for s in surveys], threshold),
        practice=top_choices([(s.practice, s.practice_respondents) for s in surveys], threshold),
        value=top_choices([(s.value, s.value_respondents) for s in surveys], threshold),
        projects_by_kind=projects_by_kind(projects),
    )


# ---- between meetings (ad hoc supervision, what the meetings leave behind) ----------------------

SUPERVISION_OUTCOMES = ("taken", "offered", "cancelled", "expired")
OPEN_OUTCOME = "open"  # not ended yet: requests minus the ended ones
RECENT_TAKEAWAYS = 3
TAKEAWAY_CHARS = 140


@dataclass(frozen=True)
class Supervision:
    """« Supervision ad hoc ». Below ``threshold`` requests, only that they were few is said
    (``requests`` suppressed, the rest None)."""

    requests: Figure
    taken_share: Figure | None  # taken / requests
    median_hours: Figure | None  # hidden below ``threshold`` taken requests
    outcomes: tuple[tuple[str, Figure], ...]  # SUPERVISION_OUTCOMES, then OPEN_OUTCOME


def supervision(facts: SupervisionFacts, threshold: int) -> Supervision:
    """Requests are counts of people (each made by one member): fewer than ``threshold`` hides
    every request-level figure. The outcomes add up to the requests (with the open ones), so
    they are suppressed as cells of a known total (:func:`suppressed_cells`)."""
    requests = counted(facts.requests, threshold)
    if requests.suppressed or not facts.requests:
        return Supervision(requests, None, None, ())
    by_code = dict(facts.outcomes)
    ended = [max(0, int(by_code.get(code, 0))) for code in SUPERVISION_OUTCOMES]
    cells = suppressed_cells([*ended, max(0, facts.requests - sum(ended))], threshold)
    return Supervision(
        requests=requests,
        taken_share=Figure(ratio(facts.taken, facts.requests), facts.requests),
        median_hours=guarded(facts.median_hours, facts.taken, threshold),
        outcomes=tuple(zip((*SUPERVISION_OUTCOMES, OPEN_OUTCOME), cells, strict=True)),
    )


@dataclass(frozen=True)
class LeftBehind:
    """« Ce que les rencontres laissent »: meetings are not people (shown as they are); the
    takeaways are counts of people (hidden below ``threshold``, and with them the number of
    meetings that got some); follow-ups done are shown only on at least ``threshold``
    follow-ups. ``recent``: up to RECENT_TAKEAWAYS anonymous takeaways, newest meeting first,
    only when at least ``threshold`` takeaways exist."""

    meetings: Figure
    meetings_with_notes: Figure
    takeaways: Figure
    meetings_with_takeaways: Figure
    follow_ups: Figure
    follow_ups_done: Figure
    recent: tuple[TakeawayFacts, ...]


def short_text(text: str, limit: int = TAKEAWAY_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word with « … » when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut and not flat[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def left_behind(facts: NotesFacts, threshold: int) -> LeftBehind:
    takeaways = counted(facts.takeaways, threshold)
    with_takeaways = (
        Figure(None, facts.takeaways, True, complement=True)
        if takeaways.suppressed
        else Figure(facts.meetings_with_takeaways)
    )
    recent: tuple[TakeawayFacts, ...] = ()
    if facts.takeaways >= threshold and not takeaways.suppressed:
        newest = sorted(
            enumerate(t for t in facts.texts if t.text.strip()),
            key=lambda item: (-item[1].day.toordinal(), item[0]),
        )
        recent = tuple(
            TakeawayFacts(t.meeting_id, t.day, short_text(t.text))
            for _, t in newest[:RECENT_TAKEAWAYS]
        )
    return LeftBehind(
        meetings=Figure(facts.meetings),
        meetings_with_notes=Figure(facts.meetings_with_notes),
        takeaways=takeaways,
        meetings_with_takeaways=with_takeaways,
        follow_ups=Figure(facts.follow_ups),
        follow_ups_done=guarded(facts.follow_ups_done, facts.follow_ups, threshold),
        recent=recent,
    )


OFFER_MONTHS = 2  # the outcomes survey is offered in the cycle's last two months


def outcomes_offer_due(today: date, cycle: Period, launched: bool) -> bool:
    """Does ``bilan`` offer to launch the outcomes survey: in the last OFFER_MONTHS months of
    the cycle in force (May–June by default), when none was posted during that cycle."""
    first = add_months(date(cycle.end.year, cycle.end.month, 1), 1 - OFFER_MONTHS)
    return not launched and first <= today <= cycle.end


# ---- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VitalityReport:
    request: ReportRequest
    today: date
    threshold: int
    membership: Membership | None
    retention: Mapping[int, Figure] | None  # months -> share of newcomers still members
    meetings: tuple[MeetingStat, ...] | None  # None: no meeting data
    participation_rate: Figure | None  # None: no presence data
    trend: str | None
    engagement: Engagement | None
    exchanges: Exchanges
    polls: Polls | None
    satisfaction: Satisfaction | None
    training: Training | None
    projects: tuple[ProjectFacts, ...]
    sources: frozenset[str] = field(default_factory=frozenset)  # the sources available
    effectiveness: Effectiveness | None = None  # None: no outcomes data (polls not available)
    # None: that feature could not be read, or a committee's report (counted for the CdeP only)
    supervision: Supervision | None = None
    left_behind: LeftBehind | None = None

    @property
    def as_of(self) -> date:
        return self.request.period.as_of(self.today)


def compute_report(
    inputs: VitalityInputs, request: ReportRequest, today: date, threshold: int
) -> VitalityReport:
    """Every figure of the report, from the records."""
    period, committee = request.period, request.committee_id
    members = in_scope(inputs.members, committee) if inputs.members is not None else None
    people = frozenset(m.key for m in members) if members is not None and committee else None
    scope_size = (
        sum(1 for m in members if was_member_during(m, period.start, period.as_of(today)))
        if members is not None
        else None
    )

    member_figures = retention = None
    if members is not None:
        member_figures = membership(members, period, today, threshold)
        retention = {
            months: newcomer_retention(members, period, today, months, threshold)
            for months in RETENTION_MONTHS
        }

    stats: tuple[MeetingStat, ...] | None = None
    rate = eng = train = None
    direction = None
    meeting_ids: set[str] = set()
    if inputs.meetings is not None:
        attendance = inputs.attendance or ()
        held = _held_meetings(inputs.meetings, attendance, period, today, committee, people)
        meeting_ids = {h.facts.id for h in held}
        stats = tuple(meeting_stat(h, threshold) for h in held)
        if inputs.attendance is not None:
            rate = pooled_rate(stats, held, threshold)
            direction = trend([s.rate.value for s in stats if s.rate.value is not None])
            eng = engagement(held, threshold)
            certificates = inputs.certificates if not committee else None
            train = training(held, certificates, threshold)
    if inputs.meetings is not None:
        meeting_ids |= {
            m.id
            for m in inputs.meetings
            if committee and committee in m.committee_ids and period.contains(m.day)
        }

    polls = sat = None
    if inputs.polls is not None:
        polls = poll_summary(inputs.polls, period, today, committee, meeting_ids, threshold)
        sat = satisfaction(inputs.polls, period, today, committee, meeting_ids, threshold)

    period_projects = tuple(
        sorted(
            (p for p in inputs.projects if period.contains(p.done_on)),
            key=lambda p: (p.done_on, p.title),
        )
    )
    effect = None
    if inputs.outcomes is not None:
        effect = effectiveness(
            inputs.outcomes, period_projects, period, today, committee, meeting_ids, threshold
        )

    sources = {
        name
        for name, value in (
            ("members", inputs.members),
            ("meetings", inputs.meetings),
            ("attendance", inputs.attendance),
            ("certificates", inputs.certificates),
            ("polls", inputs.polls),
            ("topics", inputs.topics),
            ("cases", inputs.cases),
            ("outcomes", inputs.outcomes),
            ("supervision", inputs.supervision),
            ("notes", inputs.notes),
        )
        if value is not None
    }
    return VitalityReport(
        request=request,
        today=today,
        threshold=threshold,
        membership=member_figures,
        retention=retention,
        meetings=stats,
        participation_rate=rate,
        trend=direction,
        engagement=eng,
        exchanges=exchanges(
            inputs.topics, inputs.cases, period, today, committee, scope_size, threshold
        ),
        polls=polls,
        satisfaction=sat,
        training=train,
        projects=period_projects,
        sources=frozenset(sources),
        effectiveness=effect,
        supervision=(
            supervision(inputs.supervision, threshold)
            if inputs.supervision is not None and not committee
            else None
        ),
        left_behind=(
            left_behind(inputs.notes, threshold)
            if inputs.notes is not None and not committee
            else None
        ),
    )
