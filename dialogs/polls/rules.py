"""The rules of polls and surveys, as plain functions: no I/O, no clock, no wording.

They take values (``now`` included) and return values or :class:`Problem` codes; the cards turn
codes into sentences (catalog ids ``polls.problem.<code>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dialogs.holidays import quebec_holidays
from storage.poll_repository import AnswerValue, Choice, Poll, Question

KINDS = ("poll", "needs", "satisfaction", "availability", "outcomes")
QUESTION_KINDS = ("single", "multiple", "scale", "text")
VISIBILITIES = ("live", "after_close", "animateurs")
AUDIENCES = ("channel", "committee", "members")
SCALE = (1, 2, 3, 4, 5)

MAX_CHOICES = 10
MAX_QUESTIONS = 20
MAX_TITLE = 150
MAX_LABEL = 300
MAX_CHOICE_LABEL = 150
MAX_SCALE_LABEL = 80
MAX_TEXT_ANSWER = 2000
MAX_DEADLINE_AHEAD = timedelta(days=366)
MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5
# Reminders to those who have not answered: (code, time before the deadline), earliest first.
# Before the deadline: « 48h » is two calendar days earlier at the same local time (even across a
# daylight-saving change), « 4h » four hours of real time earlier.
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("48h", timedelta(days=2)),
    ("4h", timedelta(hours=4)),
)
TAMPERED = "tampered"

_BULLET = re.compile(r"^\s*(?:[-*•·–]+|\d{1,2}[.)])\s*")


@dataclass(frozen=True)
class Problem:
    """Something to fix, as a code (catalog ``polls.problem.<code>``) and the values the
    sentence needs."""

    code: str
    question: str = ""
    line: int = 0
    limit: int = 0


def small_group_threshold(configured: int | None) -> int:
    """Below this many answers, nothing of an anonymous poll is shown. Never below 3."""
    return max(MIN_THRESHOLD, configured or DEFAULT_THRESHOLD)


# ---- creating a poll ------------------------------------------------------------------------


def parse_choice_lines(text: str) -> tuple[list[str], list[Problem]]:
    """One choice per line. Blank lines are skipped; a line with only a bullet is an empty
    choice; duplicates, more than 10 choices or fewer than 2 are refused."""
    labels: list[str] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        label = _BULLET.sub("", raw, count=1).strip()
        if not label:
            problems.append(Problem("empty_choice", line=number))
        elif len(label) > MAX_CHOICE_LABEL:
            problems.append(Problem("choice_too_long", line=number, limit=MAX_CHOICE_LABEL))
        elif label.casefold() in {known.casefold() for known in labels}:
            problems.append(Problem("duplicate_choice", line=number))
        else:
            labels.append(label)
    return labels, problems


def question_problems(question: Question) -> list[Problem]:
    """What is wrong with a question (created in a form, taken from a template, or stored)."""
    label = question.label.strip()
    problems: list[Problem] = []
    if question.kind not in QUESTION_KINDS:
        return [Problem(TAMPERED)]
    if not label:
        problems.append(Problem("label_required"))
    elif len(label) > MAX_LABEL:
        problems.append(Problem("label_too_long", question=label[:40], limit=MAX_LABEL))
    if question.kind in ("single", "multiple"):
        problems.extend(_choice_problems(question, label))
    elif question.choices or question.max_choices:
        problems.append(Problem(TAMPERED))
    if question.kind == "scale":
        for text in (question.low_label, question.high_label):
            if len(text) > MAX_SCALE_LABEL:
                problems.append(
                    Problem("scale_label_too_long", question=label, limit=MAX_SCALE_LABEL)
                )
    return problems


def _choice_problems(question: Question, label: str) -> list[Problem]:
    choices = question.choices
    problems: list[Problem] = []
    if len(choices) > MAX_CHOICES:
        problems.append(Problem("too_many_choices", question=label, limit=MAX_CHOICES))
    if len([c for c in choices if not c.exclusive]) < 2:
        problems.append(Problem("too_few_choices", question=label))
    if any(not c.label.strip() for c in choices):
        problems.append(Problem("empty_choice", question=label))
    if any(len(c.label) > MAX_CHOICE_LABEL for c in choices):
        problems.append(Problem("choice_too_long", question=label, limit=MAX_CHOICE_LABEL))
    folded = [c.label.strip().casefold() for c in choices]
    if len(set(folded)) != len(folded):
        problems.append(Problem("duplicate_choice", question=label))
    if len({c.id for c in choices}) != len(choices):
        problems.append(Problem(TAMPERED))
    top = len(choices)
    if question.kind == "multiple" and not 0 <= question.max_choices <= top:
        problems.append(Problem("max_choices_invalid", question=label, limit=top))
    if question.kind == "single" and question.max_choices:
        problems.append(Problem(TAMPERED))
    return problems


def build_question(
    question_id: str,
    kind: str,
    label: str,
    *,
    choices_text: str = "",
    max_text: str = "",
    low_label: str = "",
    high_label: str = "",
    required: bool = True,
) -> tuple[Question | None, list[Problem]]:
    """A question from the fields of a question form, or the problems to show."""
    if kind not in QUESTION_KINDS:
        return None, [Problem(TAMPERED)]
    problems: list[Problem] = []
    choices: tuple[Choice, ...] = ()
    if kind in ("single", "multiple"):
        labels, problems = parse_choice_lines(choices_text)
        choices = tuple(Choice(f"c{i}", text) for i, text in enumerate(labels, start=1))
    max_choices = 0
    if kind == "multiple" and max_text.strip():
        try:
            max_choices = int(float(max_text.strip()))
        except ValueError:
            max_choices = -1
    question = Question(
        id=question_id,
        kind=kind,
        label=label.strip(),
        choices=choices,
        max_choices=max_choices,
        low_label=low_label.strip() if kind == "scale" else "",
        high_label=high_label.strip() if kind == "scale" else "",
        required=required,
    )
    seen = {(p.code, p.line) for p in problems}
    for problem in question_problems(question):
        # Line-level problems were already reported with their line number.
        if problem.code in ("empty_choice", "duplicate_choice", "choice_too_long") and any(
            code == problem.code for code, _ in seen
        ):
            continue
        problems.append(problem)
    return (None if problems else question), problems


def next_question_id(questions: Sequence[Question]) -> str:
    numbers = [int(q.id[1:]) for q in questions if re.fullmatch(r"q\d+", q.id)]
    return f"q{max(numbers, default=0) + 1}"


def parse_deadline(date_text: str, time_text: str, tz: tzinfo) -> datetime | None:
    """``2024-05-07`` and ``17:00`` (an Input.Date and an Input.Time) as an aware moment in the
    community's time zone; None when either is missing or malformed."""
    try:
        day = date.fromisoformat(date_text.strip())
        hour = time.fromisoformat(time_text.strip() or "")
    except ValueError:
        return None
    return datetime.combine(day, hour.replace(second=0, microsecond=0), tzinfo=tz)


def deadline_problems(deadline: datetime | None, now: datetime) -> list[Problem]:
    if deadline is None:
        return [Problem("deadline_invalid")]
    if deadline <= now:
        return [Problem("deadline_past")]
    if deadline - now > MAX_DEADLINE_AHEAD:
        return [Problem("deadline_too_far")]
    return []


def default_deadline(now: datetime, days: int) -> datetime:
    """``days`` days after ``now`` (aware, in the community's time zone) at 17 h."""
    day = (now + timedelta(days=days)).date()
    return datetime.combine(day, time(17, 0), tzinfo=now.tzinfo)


def candidate_dates(today: date, count: int = 5, weeks_ahead: int = 3) -> list[date]:
    """Week days from ``weeks_ahead`` weeks on, Québec statutory holidays left out: a
    starting point for « Disponibilités » (the animateur may put any date back)."""
    found: list[date] = []
    day = today + timedelta(weeks=weeks_ahead)
    while len(found) < count:
        if day.weekday() < 5 and day not in quebec_holidays(day.year):
            found.append(day)
        day += timedelta(days=1)
    return found


def parse_audience(value: str, committee_ids: Sequence[str]) -> tuple[str, str] | None:
    """``channel``, ``members`` or ``committee:<id>`` → (audience, committee id); None when the
    value is not one of those (tampered) or names a committee the profile does not have."""
    if value in ("channel", "members"):
        return value, ""
    prefix, _, committee = value.partition(":")
    if prefix == "committee" and committee in committee_ids:
        return "committee", committee
    return None


def publish_problems(
    poll: Poll, now: datetime, committee_ids: Sequence[str], shared_conversation: bool
) -> list[Problem]:
    """Everything that stops a draft from being posted."""
    problems: list[Problem] = []
    title = poll.title.strip()
    if not title:
        problems.append(Problem("title_required"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem("title_too_long", limit=MAX_TITLE))
    if not poll.questions:
        problems.append(Problem("no_questions"))
    elif len(poll.questions) > MAX_QUESTIONS:
        problems.append(Problem("too_many_questions", limit=MAX_QUESTIONS))
    for question in poll.questions:
        problems.extend(question_problems(question))
    if poll.visibility not in VISIBILITIES or poll.audience not in AUDIENCES:
        problems.append(Problem(TAMPERED))
    if poll.audience == "committee" and poll.committee_id not in committee_ids:
        problems.append(Problem("committee_unknown"))
    if poll.audience == "channel" and not shared_conversation:
        problems.append(Problem("channel_needs_channel"))
    deadline = datetime.fromisoformat(poll.deadline) if poll.deadline else None
    problems.extend(deadline_problems(deadline, now))
    return problems


# ---- answering ------------------------------------------------------------------------------


def is_open(poll: Poll, now: datetime) -> bool:
    return poll.status == "open" and now < poll.deadline_at


def in_audience(poll: Poll, member_key: str, in_poll_conversation: bool) -> bool:
    """Anyone may answer a poll whose audience is unknown; a channel poll also takes answers
    from whoever sees it in its channel (people who joined after it was posted)."""
    if not poll.audience_keys or member_key in poll.audience_keys:
        return True
    return poll.audience == "channel" and in_poll_conversation


def parse_ballot(
    poll: Poll, data: Mapping[str, object]
) -> tuple[dict[str, AnswerValue], list[Problem]]:
    """The answers in a card's data (inputs named after the question ids), or no answers and the
    problems. A choice that is not in the question, a scale value out of 1–5 or a value of the
    wrong type is ``tampered`` (reported alone)."""
    answers: dict[str, AnswerValue] = {}
    problems: list[Problem] = []
    for question in poll.questions:
        raw = data.get(question.id)
        value, problem = _parse_answer(question, raw)
        if problem is not None:
            problems.append(problem)
        elif value is not None:
            answers[question.id] = value
        elif question.required:
            problems.append(Problem("required_missing", question=question.label))
    if not problems and not answers:
        problems.append(Problem("empty_ballot"))
    if any(p.code == TAMPERED for p in problems):
        return {}, [Problem(TAMPERED)]
    return ({}, problems) if problems else (answers, [])


def _parse_answer(question: Question, raw: object) -> tuple[AnswerValue | None, Problem | None]:
    if raw is None or raw == "" or raw == []:
        return None, None
    if question.kind == "text":
        if not isinstance(raw, str):
            return None, Problem(TAMPERED)
        text = raw.strip()
        if len(text) > MAX_TEXT_ANSWER:
            return None, Problem("text_too_long", question=question.label, limit=MAX_TEXT_ANSWER)
        return (text or None), None
    if question.kind == "scale":
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            return None, Problem(TAMPERED)
        text = str(raw).strip()
        if text not in {str(v) for v in SCALE}:
            return None, Problem(TAMPERED)
        return int(text), None
    known = {c.id: c for c in question.choices}
    if isinstance(raw, str):
        picked = [part.strip() for part in raw.split(",") if part.strip()]
    elif isinstance(raw, list) and all(isinstance(p, str) for p in raw):
        picked = [str(p) for p in raw]
    else:
        return None, Problem(TAMPERED)
    if any(p not in known for p in picked) or len(set(picked)) != len(picked):
        return None, Problem(TAMPERED)
    if question.kind == "single":
        return (picked[0], None) if len(picked) == 1 else (None, Problem(TAMPERED))
    if len(picked) > len(question.choices):
        return None, Problem(TAMPERED)
    if question.max_choices and len(picked) > question.max_choices:
        return None, Problem(
            "too_many_selected", question=question.label, limit=question.max_choices
        )
    if len(picked) > 1 and any(known[p].exclusive for p in picked):
        return None, Problem("exclusive_combined", question=question.label)
    order = [c.id for c in question.choices]
    return sorted(picked, key=order.index), None


# ---- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceCount:
    choice: Choice
    count: int
    share: float  # of those who answered the question, 0–1


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    respondents: int
    counts: tuple[ChoiceCount, ...] = ()  # choices, or the values 1–5 of a scale
    mean: float | None = None  # scale
    texts: tuple[tuple[str, str], ...] = ()  # (author, text); author "" when anonymous
    hidden: bool = False  # anonymous, and fewer respondents than the threshold


@dataclass(frozen=True)
class Results:
    answers: int
    audience_size: int  # 0 when unknown
    threshold: int
    hidden: bool  # anonymous, and fewer answers than the threshold
    questions: tuple[QuestionResult, ...]

    @property
    def participation(self) -> float | None:
        if not self.audience_size:
            return None
        return min(1.0, self.answers / self.audience_size)


def tally(
    poll: Poll,
    answers: Sequence[tuple[str, Mapping[str, AnswerValue]]],
    audience_size: int,
    threshold: int,
) -> Results:
    """Counts, shares, means and texts. ``answers`` are (author, answers) pairs, author "" for
    anonymous ones. For an anonymous poll nothing is shown below ``threshold`` answers, and a
    question answered by fewer than ``threshold`` people is hidden on its own."""
    hidden = poll.anonymous and len(answers) < threshold
    results = tuple(
        _tally_question(q, answers, threshold if poll.anonymous else 0) for q in poll.questions
    )
    return Results(len(answers), audience_size, threshold, hidden, results)


def _tally_question(
    question: Question,
    answers: Sequence[tuple[str, Mapping[str, AnswerValue]]],
    threshold: int,
) -> QuestionResult:
    given = [(author, a[question.id]) for author, a in answers if question.id in a]
    respondents = len(given)
    hidden = respondents < threshold

    def share(count: int) -> float:
        return count / respondents if respondents else 0.0

    if question.kind == "text":
        texts = tuple((author, str(v)) for author, v in given)
        return QuestionResult(question, respondents, texts=texts, hidden=hidden)
    if question.kind == "scale":
        values = [int(v) for _, v in given if isinstance(v, int)]
        counts = tuple(
            ChoiceCount(Choice(str(v), str(v)), values.count(v), share(values.count(v)))
            for v in SCALE
        )
        mean = sum(values) / len(values) if values else None
        return QuestionResult(question, respondents, counts, mean=mean, hidden=hidden)
    picked: list[str] = []
    for _, value in given:
        picked.extend(value if isinstance(value, list) else [str(value)])
    counts = tuple(
        ChoiceCount(c, picked.count(c.id), share(picked.count(c.id))) for c in question.choices
    )
    return QuestionResult(question, respondents, counts, hidden=hidden)


def ranked(result: QuestionResult) -> list[ChoiceCount]:
    """Choices by number of votes, most first, ties in the question's order; "none of these"
    choices are left out (« Disponibilités » shows the best dates first)."""
    listed = [c for c in result.counts if not c.choice.exclusive]
    return sorted(listed, key=lambda c: -c.count)


def best_choices(result: QuestionResult) -> list[ChoiceCount]:
    """The choices with the most votes (several when tied); none when nobody voted."""
    listed = ranked(result)
    if not listed or listed[0].count == 0:
        return []
    return [c for c in listed if c.count == listed[0].count]


def results_visible(poll: Poll, *, is_manager: bool, answered: bool, now: datetime) -> bool:
    """Whether this person may see the results now (the anonymity threshold applies after).
    A manager is an animateur or the member who created the poll."""
    if is_manager:
        return True
    closed = not is_open(poll, now)
    if poll.visibility == "live":
        return answered or closed
    if poll.visibility == "after_close":
        return closed
    return False


def scale_means(results: Results) -> dict[str, float]:
    """Scale question label → mean, only when the results may be shown."""
    if results.answers < results.threshold or results.hidden:
        return {}
    means: dict[str, float] = {}
    for result in results.questions:
        if result.question.kind == "scale" and result.mean is not None and not result.hidden:
            label = result.question.label
            key = label if label not in means else f"{label} ({result.question.id})"
            means[key] = round(result.mean, 2)
    return means


# ---- reminders and closing ------------------------------------------------------------------


def before_deadline(deadline: datetime, ahead: timedelta, tz: tzinfo) -> datetime:
    """``deadline - ahead``: whole days count in local days (same local time), the rest in
    real time."""
    if ahead.days and not ahead.seconds:
        local = deadline.astimezone(tz).replace(tzinfo=None) - ahead
        return local.replace(tzinfo=tz).astimezone(UTC)
    return deadline - ahead


def reminder_times(poll: Poll, tz: tzinfo = UTC) -> list[tuple[str, datetime]]:
    """The reminders still to send for an open poll: (code, when)."""
    if poll.status != "open":
        return []
    deadline = poll.deadline_at
    return [
        (code, before_deadline(deadline, ahead, tz))
        for code, ahead in REMINDERS
        if code not in poll.reminders_done
    ]


def reminder_due(poll: Poll, code: str, now: datetime, tz: tzinfo = UTC) -> bool:
    """Send reminder ``code`` now? Only for an open poll before its deadline, once its time
    has come, and not when a later reminder's time has come too (after a restart, one
    reminder goes out, not two)."""
    if poll.status != "open" or code in poll.reminders_done or now >= poll.deadline_at:
        return False
    deadline = poll.deadline_at
    codes = [c for c, _ in REMINDERS]
    if code not in codes:
        return False
    ahead = dict(REMINDERS)[code]
    if now < before_deadline(deadline, ahead, tz):
        return False
    later = REMINDERS[codes.index(code) + 1 :]
    return not any(now >= before_deadline(deadline, later_ahead, tz) for _, later_ahead in later)


def close_due(poll: Poll, now: datetime) -> bool:
    return poll.status == "open" and now >= poll.deadline_at
