"""Pure rules of « ce qu'on retient »: when members are asked for their takeaway, who is
asked, when a follow-up is reminded, which past meeting a command names, and reading the notes
form (card data is untrusted)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol, TypeVar

# The takeaway card goes out at this local time the day after the meeting; after ASK_WINDOW
# (a bot down for long) it is not sent any more, and takeaways are accepted until ANSWER_WINDOW.
ASK_AT = time(10, 0)
ASK_WINDOW = timedelta(days=3)
ANSWER_WINDOW = timedelta(days=30)
# A follow-up is reminded at this local time, on its due day or, without one, a week before
# the next meeting of the same committee.
REMIND_AT = time(9, 0)
BEFORE_NEXT_MEETING = timedelta(days=7)
REMIND_WINDOW = timedelta(days=14)
# Meetings ended within this many days are the « recent » ones ``rencontre notes`` opens.
RECENT_DAYS = 7
CHOOSER_MAX = 6
# The presenters' resources shared from this long before the meeting count as theirs for it.
RESOURCES_BEFORE = timedelta(days=30)
RESOURCES_MAX = 5
SUMMARY_LINES = 3

TEXT_MAX = 2000
RESOURCES_TEXT_MAX = 1500
FOLLOW_UP_MAX = 300
TAKEAWAY_MAX = 600
TAKEAWAY_MIN = 3
ROWS_MIN = 3
ROWS_MAX = 8
# Member choices a notes form may carry in all (rows × people), to stay well under the card
# size limit; a bigger roster is narrowed to the meeting's people (dialogs/notes/views.py).
CHOICES_BUDGET = 320
TOKEN_LENGTH = 10
ID_MAX = 40

DONE = "done"
_LINK = re.compile(r"https://[^\s<>\"]+\.[^\s<>\"]+", re.I)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


class BadCardData(ValueError):
    """Card data that no card of ours sends (tampered): the name of the field."""


class MeetingLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def committee_ids(self) -> tuple[str, ...]: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


M = TypeVar("M", bound=MeetingLike)


# ---- when ---------------------------------------------------------------------------------


def _local_at(day: date, at: time, tz: tzinfo) -> datetime:
    """``at`` on ``day`` in ``tz`` (9 or 10 h always exist, whatever the DST change)."""
    return datetime.combine(day, at, tz)


def takeaway_ask_at(ends_at: datetime, tz: tzinfo) -> datetime:
    """10 h (local) the day after the meeting's local end day."""
    day = ends_at.astimezone(tz).date() + timedelta(days=1)
    return _local_at(day, ASK_AT, tz)


def takeaway_ask_due(ends_at: datetime, now: datetime, tz: tzinfo) -> bool:
    """The takeaway card may go out now: from the ask time, for ASK_WINDOW."""
    ask_at = takeaway_ask_at(ends_at, tz)
    return ask_at <= now < ask_at + ASK_WINDOW


def takeaway_open(ends_at: datetime, now: datetime) -> bool:
    """A takeaway is accepted after the meeting and for ANSWER_WINDOW."""
    return ends_at <= now < ends_at + ANSWER_WINDOW


def next_meeting_of_committee(meeting: MeetingLike, meetings: Iterable[M]) -> M | None:
    """The first meeting after ``meeting`` sharing one of its committees (cancelled ones
    left out); any meeting after it when ``meeting`` names no committee."""
    wanted = set(meeting.committee_ids)
    later = [
        m
        for m in meetings
        if m.id != meeting.id
        and m.status != "cancelled"
        and m.starts_at > meeting.starts_at
        and (not wanted or wanted & set(m.committee_ids))
    ]
    return min(later, key=lambda m: m.starts_at, default=None)


def follow_up_remind_at(
    due_on: date | None, next_meeting_starts_at: datetime | None, tz: tzinfo
) -> datetime | None:
    """9 h (local) on the due day; without one, 9 h a week before the next meeting of the same
    committee; None when neither is known."""
    if due_on is not None:
        return _local_at(due_on, REMIND_AT, tz)
    if next_meeting_starts_at is not None:
        day = next_meeting_starts_at.astimezone(tz).date() - BEFORE_NEXT_MEETING
        return _local_at(day, REMIND_AT, tz)
    return None


def remind_due(remind_at: datetime, now: datetime) -> bool:
    return remind_at <= now < remind_at + REMIND_WINDOW


# ---- who ----------------------------------------------------------------------------------


def to_ask(present: Iterable[str], rsvps: Mapping[str, str], already: Iterable[str]) -> list[str]:
    """Members asked for a takeaway: those present (presence), or, when presence recorded
    nobody, those who answered they would come; never one who already answered. Sorted."""
    keys = {k for k in present if k}
    if not keys:
        keys = {k for k, choice in rsvps.items() if k and choice in ("salle", "en_ligne")}
    return sorted(keys - set(already))


def presenter_names(agenda_presenters: Iterable[str], topic_presenters: Iterable[str]) -> list[str]:
    """Presenter names of a meeting, each once (several names in one slot: « A et B »,
    « A, B », « A / B »)."""
    found: dict[str, str] = {}
    for text in (*agenda_presenters, *topic_presenters):
        for part in re.split(r",|;|/|&|\bet\b|\band\b", text or ""):
            name = " ".join(part.split())
            if len(name) >= 3:
                found.setdefault(name.casefold(), name)
    return list(found.values())


# ---- which meeting ------------------------------------------------------------------------


def past(meetings: Iterable[M], now: datetime) -> list[M]:
    """Meetings over at ``now`` (cancelled ones left out), newest first."""
    over = [m for m in meetings if m.status != "cancelled" and m.ends_at <= now]
    return sorted(over, key=lambda m: m.starts_at, reverse=True)


@dataclass(frozen=True)
class Pick:
    """What ``rencontre notes [n|date]`` names: one meeting, a choice to make, or a problem
    code (``none`` | ``not_found``)."""

    meeting: Any = None
    choices: tuple[Any, ...] = ()
    problem: str = ""


def pick(archive: Sequence[M], arg: str, now: datetime, tz: tzinfo) -> Pick:
    """``archive``: past meetings newest first, numbered from 1. ``arg``: a number of that
    list, a local day (``2026-11-12``), or nothing: the meeting ended in the last RECENT_DAYS
    when there is exactly one, else a choice among the latest."""
    arg = arg.strip()
    if not archive:
        return Pick(problem="none")
    if not arg:
        recent = [m for m in archive if now - m.ends_at <= timedelta(days=RECENT_DAYS)]
        if len(recent) == 1:
            return Pick(meeting=recent[0])
        return Pick(choices=tuple((recent or list(archive))[:CHOOSER_MAX]))
    if arg.isdigit():
        index = int(arg)
        if 1 <= index <= len(archive):
            return Pick(meeting=archive[index - 1])
        return Pick(problem="not_found")
    day = parse_day(arg)
    if day is None:
        return Pick(problem="not_found")
    same = [m for m in archive if m.starts_at.astimezone(tz).date() == day]
    if len(same) == 1:
        return Pick(meeting=same[0])
    if same:
        return Pick(choices=tuple(same))
    return Pick(problem="not_found")


def parse_day(text: str) -> date | None:
    text = text.strip()
    if not _ISO_DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# ---- the notes form -----------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpRow:
    id: str  # "" for a new one
    text: str
    member_key: str
    due_on: str


@dataclass(frozen=True)
class Draft:
    meeting_id: str
    key_points: str
    decisions: str
    resources: str  # as typed, one link a line
    rows: tuple[FollowUpRow, ...]

    def texts(self) -> dict[str, str]:
        """The free texts the guard screens, by field name."""
        found = {
            "key_points": self.key_points,
            "decisions": self.decisions,
            "resources": self.resources,
        }
        for index, row in enumerate(self.rows):
            found[f"fu_text_{index}"] = row.text
        return {name: text for name, text in found.items() if text}


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit * 2:
        raise BadCardData(name)
    lines = [" ".join(line.split()) for line in value.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)[:limit].strip()


def check_id(value: Any, name: str = "meeting_id") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise BadCardData(name)
    return value


def row_count(data: Mapping[str, Any]) -> int:
    rows = data.get("rows", ROWS_MIN)
    if isinstance(rows, str) and rows.isdigit():
        rows = int(rows)
    if not isinstance(rows, int) or isinstance(rows, bool) or not 0 <= rows <= ROWS_MAX:
        raise BadCardData("rows")
    return rows


def member_token(member_key: str) -> str:
    """The short value naming a member in the form's choices (a card holds one list per
    follow-up row: full keys would make it too big for a large roster)."""
    return hashlib.sha256(member_key.encode("utf-8")).hexdigest()[:TOKEN_LENGTH]


def tokens_of(member_keys: Iterable[str]) -> dict[str, str]:
    """Token → member key."""
    return {member_token(key): key for key in member_keys if key}


def rows_for(existing: int, people: int) -> int:
    """How many follow-up rows the form shows: the existing ones and one more (at least
    ROWS_MIN, at most ROWS_MAX), fewer blank ones when the member lists would make the card too
    big (rows × people choices within CHOICES_BUDGET), never fewer than the existing ones."""
    wanted = min(ROWS_MAX, max(ROWS_MIN, existing + 1))
    while wanted > max(existing, 1) and wanted * people > CHOICES_BUDGET:
        wanted -= 1
    return max(wanted, min(existing, ROWS_MAX))


def read_form(data: Mapping[str, Any], members: Mapping[str, str]) -> tuple[Draft, str]:
    """The draft and a problem code (``""``, ``empty``, ``link``, ``due``, ``who``); raises
    :class:`BadCardData` on data no card of ours sends (unknown member, bad ids). ``members``:
    the choices' values (tokens) → member keys."""
    meeting_id = check_id(data.get("meeting_id"))
    rows = row_count(data)
    ids = data.get("fu_ids", [])
    if not isinstance(ids, list) or len(ids) > rows:
        raise BadCardData("fu_ids")
    problem = ""
    found: list[FollowUpRow] = []
    for index in range(rows):
        follow_up_id = ids[index] if index < len(ids) else ""
        if follow_up_id:
            check_id(follow_up_id, "fu_ids")
        text = _text(data, f"fu_text_{index}", FOLLOW_UP_MAX)
        who = data.get(f"fu_who_{index}", "") or ""
        if not isinstance(who, str) or (who and who not in members):
            raise BadCardData(f"fu_who_{index}")
        due = data.get(f"fu_due_{index}", "") or ""
        if not isinstance(due, str) or len(due) > 20:
            raise BadCardData(f"fu_due_{index}")
        if due and parse_day(due) is None:
            problem = problem or "due"
        if not text:
            continue
        if not who:
            problem = problem or "who"
        found.append(FollowUpRow(follow_up_id, text, members[who] if who else "", due))
    draft = Draft(
        meeting_id=meeting_id,
        key_points=_text(data, "key_points", TEXT_MAX),
        decisions=_text(data, "decisions", TEXT_MAX),
        resources=_text(data, "resources", RESOURCES_TEXT_MAX),
        rows=tuple(found),
    )
    if (
        not problem
        and draft.resources
        and not all(_LINK.search(line) for line in draft.resources.split("\n"))
    ):
        problem = "link"
    if not problem and not (draft.key_points or draft.decisions or draft.rows or draft.resources):
        problem = "empty"
    return draft, problem


def resource_lines(text: str) -> tuple[str, ...]:
    return tuple(line for line in text.split("\n") if line.strip())


def split_link(line: str) -> tuple[str, str]:
    """(title, url) of a resource line: the link, and what is typed before it (or the link)."""
    found = _LINK.search(line)
    if found is None:
        return line, ""
    url = found.group(0).rstrip(".,;)")
    title = line[: found.start()].strip(" :-–—") or url
    return title, url


def summary_lines(key_points: str, decisions: str) -> list[tuple[str, str]]:
    """The first lines of the notes, for the meeting card (short): (``point`` | ``decision``,
    text), key points first."""
    lines = [
        (kind, line.lstrip("-•* ").strip())
        for kind, text in (("point", key_points), ("decision", decisions))
        for line in text.split("\n")
        if line.strip()
    ]
    return [(kind, line) for kind, line in lines if line][:SUMMARY_LINES]


def read_takeaway(data: Mapping[str, Any]) -> tuple[str, str, str]:
    """(meeting id, takeaway text, problem code ``""`` | ``too_short``)."""
    meeting_id = check_id(data.get("meeting_id"))
    text = _text(data, "takeaway", TAKEAWAY_MAX)
    return meeting_id, text, "" if len(text) >= TAKEAWAY_MIN else "too_short"
