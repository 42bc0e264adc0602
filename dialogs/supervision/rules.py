"""Ad hoc supervision as plain functions: no I/O, no clock (``now`` is an argument), codes only.

- the request form: what a request holds, how the card's inputs are read and checked;
- the delays: when an unanswered request is reminded to the animateurs, then offered back to
  its requester as a case for the next meeting (« aujourd'hui »: a few hours; « cette
  semaine »: two local days; « prochaine rencontre »: a few days before it), on local days and
  wall-clock hours of the community's time zone (DST included);
- routing: the animateurs and the resource persons whose expertise matches the themes;
- first-wins: only an open request can be taken, so of two accepts the second changes nothing;
- the counts of ``bilan`` (never the content).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import quote

from dialogs.onboarding.queries import split_tags
from storage.supervision_repository import SupervisionRequest
from storage.times import parse_utc

URGENCIES = ("today", "week", "meeting")
OPEN, TAKEN, OFFERED, CANCELLED, EXPIRED = "open", "taken", "offered", "cancelled", "expired"
OUTCOMES = (TAKEN, OFFERED, CANCELLED, EXPIRED)

TITLE_MIN, TITLE_MAX = 3, 120
TEXT_MIN, CONTEXT_MAX, QUESTION_MAX = 10, 1500, 600
THEMES_MAX, MAX_THEMES = 200, 8

TODAY_DELAY = timedelta(hours=3)  # « aujourd'hui »: reminded after a few hours
TODAY_GRACE = timedelta(hours=3)  # then the requester is asked a few hours later
WEEK_DAYS = 2  # « cette semaine »: reminded after two local days
WEEK_GRACE_DAYS = 1  # asked one local day later
MEETING_REMIND_DAYS = 3  # « prochaine rencontre »: reminded 3 local days before it
MEETING_ASK_DAYS = 2  # asked 2 local days before it
MEETING_HOUR = time(9, 0)  # at 9:00 local time
MIN_DELAY = timedelta(hours=3)  # never reminded sooner than this after the request
# Reminders and questions wait for these local hours (a request made at 21 h does not wake the
# animateurs at midnight); None: any hour.
WAKING_HOURS: tuple[time, time] | None = (time(8, 0), time(20, 0))


class BadCardData(ValueError):
    """Card data that no card of ours sends (tampered or stale): the field's name."""


@dataclass(frozen=True)
class Draft:
    title: str
    context: str
    question: str
    urgency: str
    themes: tuple[str, ...]

    def texts(self) -> dict[str, str]:
        """The free texts the de-identification guard reads, in form order."""
        return {"title": self.title, "context": self.context, "question": self.question}


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadCardData(name)
    return value.strip()[:limit]


def read_form(data: Mapping[str, Any]) -> tuple[Draft, str]:
    """The form's values and the first problem (a code of ``supervision.problem.*``, "")."""
    urgency = _text(data, "urgency", 20)
    if urgency and urgency not in URGENCIES:
        raise BadCardData("urgency")
    draft = Draft(
        title=" ".join(_text(data, "title", TITLE_MAX).split()),
        context=_text(data, "context", CONTEXT_MAX),
        question=_text(data, "question", QUESTION_MAX),
        urgency=urgency,
        themes=split_tags(_text(data, "themes", THEMES_MAX))[:MAX_THEMES],
    )
    if len(draft.title) < TITLE_MIN:
        return draft, "title_length"
    if len(draft.context) < TEXT_MIN:
        return draft, "context_length"
    if len(draft.question) < TEXT_MIN:
        return draft, "question_length"
    if not draft.urgency:
        return draft, "urgency_missing"
    if not draft.themes:
        return draft, "themes_missing"
    return draft, ""


def request_id_of(data: Mapping[str, Any]) -> str:
    value = data.get("request_id")
    if not isinstance(value, str) or not value or len(value) > 40 or not value.isalnum():
        raise BadCardData("request_id")
    return value


# ---- delays ----------------------------------------------------------------------------------


def _local_days_later(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """The same wall-clock time ``days`` local days later (23 or 25 hours across DST)."""
    local = moment.astimezone(tz)
    later = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=tz)
    return later.astimezone(moment.tzinfo)


def _local_day_at(moment: datetime, days_before: int, at: time, tz: tzinfo) -> datetime:
    day = moment.astimezone(tz).date() - timedelta(days=days_before)
    return datetime.combine(day, at, tzinfo=tz).astimezone(moment.tzinfo)


@dataclass(frozen=True)
class Deadlines:
    remind_at: datetime  # the animateurs are reminded
    ask_at: datetime  # the requester is asked about offering it as a case


def deadlines(
    urgency: str, created: datetime, tz: tzinfo, meeting_start: datetime | None = None
) -> Deadlines:
    """When an unanswered request is reminded, then offered back. « prochaine rencontre »
    without a planned meeting follows « cette semaine »; a meeting too close is never reminded
    sooner than ``MIN_DELAY`` after the request, and the question always comes after the
    reminder."""
    if urgency == "today":
        remind = waking(created + TODAY_DELAY, tz)
        return Deadlines(remind, waking(remind + TODAY_GRACE, tz))
    if urgency == "meeting" and meeting_start is not None:
        remind = waking(
            max(
                _local_day_at(meeting_start, MEETING_REMIND_DAYS, MEETING_HOUR, tz),
                created + MIN_DELAY,
            ),
            tz,
        )
        ask = _local_day_at(meeting_start, MEETING_ASK_DAYS, MEETING_HOUR, tz)
        return Deadlines(remind, waking(max(ask, remind + TODAY_GRACE), tz))
    remind = waking(_local_days_later(created, WEEK_DAYS, tz), tz)
    return Deadlines(remind, waking(_local_days_later(remind, WEEK_GRACE_DAYS, tz), tz))


def waking(moment: datetime, tz: tzinfo) -> datetime:
    """``moment``, or the start of the next waking hours (``WAKING_HOURS``, local time) when it
    falls in the night: before the start, that day's start; from the end, the next day's."""
    if WAKING_HOURS is None:
        return moment
    start, end = WAKING_HOURS
    local = moment.astimezone(tz)
    if local.time() < start:
        day = local.date()
    elif local.time() >= end:
        day = local.date() + timedelta(days=1)
    else:
        return moment
    return datetime.combine(day, start, tzinfo=tz).astimezone(moment.tzinfo)


# ---- routing ---------------------------------------------------------------------------------


def recipients(
    animateur_keys: Iterable[str], resource_person_keys: Iterable[str], requester_key: str
) -> tuple[str, ...]:
    """Who receives the request: the animateurs, then the resource persons (whose expertise
    matched, see ``onboarding.queries.resource_persons``); once each, never the requester."""
    keys = [k for k in (*animateur_keys, *resource_person_keys) if k and k != requester_key]
    return tuple(dict.fromkeys(keys))


def may_accept(request: SupervisionRequest, member_key: str, is_animateur: bool) -> bool:
    """Those it was routed to, and any animateur; never the requester."""
    if member_key == request.requester_key:
        return False
    return is_animateur or member_key in request.routed_to


# ---- changes (None: nothing to change) --------------------------------------------------------


def taken(
    request: SupervisionRequest, member_key: str, name: str, at: str
) -> SupervisionRequest | None:
    """First wins: an open request becomes the member's; any other stays as it is."""
    if request.status != OPEN:
        return None
    return replace(request, status=TAKEN, taker_key=member_key, taker_name=name, taken_at=at)


def cancelled(request: SupervisionRequest, at: str) -> SupervisionRequest | None:
    if request.status != OPEN:
        return None
    return replace(request, status=CANCELLED, closed_at=at)


def reminded(request: SupervisionRequest, at: str) -> SupervisionRequest | None:
    if request.status != OPEN or request.reminded_at:
        return None
    return replace(request, reminded_at=at)


def asked(request: SupervisionRequest, at: str) -> SupervisionRequest | None:
    if request.status != OPEN or request.asked_at:
        return None
    return replace(request, asked_at=at)


def offered(request: SupervisionRequest, case_id: str, at: str) -> SupervisionRequest | None:
    """The requester agreed: it goes to the next meeting as a case (only once asked)."""
    if request.status != OPEN or not request.asked_at:
        return None
    return replace(request, status=OFFERED, case_id=case_id, closed_at=at)


def expired(request: SupervisionRequest, at: str) -> SupervisionRequest | None:
    """The requester declined the offer (only once asked)."""
    if request.status != OPEN or not request.asked_at:
        return None
    return replace(request, status=EXPIRED, closed_at=at)


# ---- the chat link ---------------------------------------------------------------------------


def chat_link(user: str, message: str = "") -> str:
    """A Teams deep link opening a 1:1 chat with ``user`` (UPN / e-mail, or Entra object id)."""
    link = f"https://teams.microsoft.com/l/chat/0/0?users={quote(user, safe='@.')}"
    if message:
        link += f"&message={quote(message, safe='')}"
    return link


# ---- counts for bilan -----------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionStats:
    """Ad hoc supervision requests made in a period (counts only, never their content).

    ``requests``: made in [start, end). ``taken``: of those, taken by someone.
    ``median_hours_to_answer``: median time from the request to its « Je m'en occupe », in
    hours (None when none was taken). ``outcomes``: how each ended, by code — taken, offered
    (brought to a meeting as a case), cancelled, expired (neither); still open ones are not
    counted there."""

    requests: int
    taken: int
    median_hours_to_answer: float | None
    outcomes: Mapping[str, int]


def stats(
    requests: Iterable[SupervisionRequest], start: datetime, end: datetime
) -> SupervisionStats:
    made = [r for r in requests if start <= parse_utc(r.created_at) < end]
    answered = [r for r in made if r.taken_at]
    hours = [
        (parse_utc(r.taken_at) - parse_utc(r.created_at)).total_seconds() / 3600 for r in answered
    ]
    outcomes = {code: sum(1 for r in made if r.status == code) for code in OUTCOMES}
    return SupervisionStats(
        requests=len(made),
        taken=len(answered),
        median_hours_to_answer=round(statistics.median(hours), 2) if hours else None,
        outcomes=outcomes,
    )


def open_of(requests: Sequence[SupervisionRequest], requester_key: str) -> list[SupervisionRequest]:
    """The requester's open requests, newest first."""
    mine = [r for r in requests if r.requester_key == requester_key and r.status == OPEN]
    return sorted(mine, key=lambda r: r.created_at, reverse=True)
