"""The ready-made surveys an animateur posts in two clicks and may adapt first.

- « Analyse des besoins » (``needs``): the yearly training and clinical-support needs, themes
  wished for, preferred meeting modes and lengths (guide, step 2: "réalisée annuellement, à
  l'aide de certains outils comme des sondages"). Anonymous, results after closing.
- « Satisfaction de la rencontre » (``satisfaction``): after a meeting, overall satisfaction, the
  usefulness of each part (volet d'échange, réflexif, formatif) and a free comment (guide,
  Annexe A step 5). Anonymous, results after closing.
- « Disponibilités » (``availability``): candidate dates for the next meeting; the results rank
  the dates. Named (everyone sees who can come), results live.
- « Retombées et apprentissages » (``outcomes``): at the end of the cycle, how far each of the
  community's own objectives (``objectives`` of the community profile) was reached, what the
  member learned and applied (choices drawn from the topics treated during the cycle), changes
  in their practice and the value for their organisation (guide, Annexe A step 5:
  effectiveness). Anonymous, results after closing; the vitality report (« Efficacité ») reads
  its answers by question id (:data:`OUTCOME_IDS`).
- ``custom``: a blank poll.

The texts are taken from the catalogs in the animateur's language when the draft is made; from
then on they are the animateur's own text, which they may edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cards.i18n import Translator
from cards.polls import format_day
from dialogs.cycles import Cycle
from dialogs.polls import rules
from storage.poll_repository import Choice, Question

DEFAULT_CYCLE = Cycle()
NEEDS_LOOKAHEAD = timedelta(days=90)

# « Retombées et apprentissages »: question ids the vitality report reads. One scale question
# per objective, ``o1`` … ``oN`` (OBJECTIVE_PREFIX + its rank in the profile).
OBJECTIVE_PREFIX = "o"
LEARNED, LEARNED_TEXT = "learned", "learned_text"
PRACTICE, PRACTICE_TEXT = "practice", "practice_text"
VALUE, VALUE_TEXT = "value", "value_text"
OUTCOME_IDS = (LEARNED, LEARNED_TEXT, PRACTICE, PRACTICE_TEXT, VALUE, VALUE_TEXT)
MAX_OBJECTIVES = 8
MAX_TOPIC_CHOICES = 8  # + « Autre » = 9 of rules.MAX_CHOICES
PRACTICE_CHOICES = 5
VALUE_CHOICES = 5


@dataclass(frozen=True)
class Blueprint:
    """What a new draft starts with."""

    kind: str
    title: str
    questions: tuple[Question, ...]
    anonymous: bool
    visibility: str
    deadline: datetime


@dataclass(frozen=True)
class MeetingInfo:
    title: str
    starts_at: datetime | None


def _scale(qid: str, label: str, low: str, high: str) -> Question:
    return Question(qid, "scale", label, low_label=low, high_label=high)


def _choices(*labels: str) -> tuple[Choice, ...]:
    return tuple(Choice(f"c{i}", label) for i, label in enumerate(labels, start=1))


def _listed_or_none(question_id: str, t: Translator, key: str, count: int) -> Question:
    """An optional multiple-choice question ``key``: the choices ``key.1`` to ``key.<count>``,
    then ``key.none`` that excludes them."""
    listed = _choices(*(t(f"{key}.{i}") for i in range(1, count + 1)))
    none = Choice(f"c{count + 1}", t(f"{key}.none"), exclusive=True)
    return Question(question_id, "multiple", t(key), (*listed, none), required=False)


def needs(t: Translator, now: datetime, cycle: Cycle = DEFAULT_CYCLE) -> Blueprint:
    """The yearly needs analysis, titled with the cycle it prepares: the one in force three
    months from now (in May–June, the coming cycle)."""
    p = "polls.template.needs"
    themes = tuple(t(f"{p}.theme.{i}") for i in range(1, 9))
    questions = (
        Question("q1", "multiple", t(f"{p}.themes"), _choices(*themes), max_choices=3),
        _scale("q2", t(f"{p}.support"), t(f"{p}.support_low"), t(f"{p}.support_high")),
        Question(
            "q3",
            "single",
            t(f"{p}.mode"),
            _choices(t(f"{p}.mode.presentiel"), t(f"{p}.mode.virtuel"), t(f"{p}.mode.hybride")),
        ),
        Question(
            "q4",
            "single",
            t(f"{p}.length"),
            _choices(t(f"{p}.length.half"), t(f"{p}.length.full"), t(f"{p}.length.two_halves")),
        ),
        Question("q5", "text", t(f"{p}.other"), required=False),
    )
    title = t(f"{p}.title", year=cycle.of((now + NEEDS_LOOKAHEAD).date()).label)
    return Blueprint(
        "needs", title, questions, True, "after_close", rules.default_deadline(now, 14)
    )


def satisfaction(t: Translator, now: datetime, meeting: MeetingInfo | None = None) -> Blueprint:
    p = "polls.template.satisfaction"
    low, high = t(f"{p}.useful_low"), t(f"{p}.useful_high")
    questions = (
        _scale("q1", t(f"{p}.overall"), t(f"{p}.overall_low"), t(f"{p}.overall_high")),
        _scale("q2", t(f"{p}.exchange"), low, high),
        _scale("q3", t(f"{p}.reflective"), low, high),
        _scale("q4", t(f"{p}.training"), low, high),
        Question("q5", "text", t(f"{p}.comment"), required=False),
    )
    if meeting is not None and meeting.title:
        when = format_day(meeting.starts_at.date(), t) if meeting.starts_at else ""
        title = (
            t(f"{p}.title_meeting", meeting=meeting.title, date=when)
            if when
            else t(f"{p}.title_named", meeting=meeting.title)
        )
    else:
        title = t(f"{p}.title")
    return Blueprint(
        "satisfaction", title, questions, True, "after_close", rules.default_deadline(now, 7)
    )


def availability(t: Translator, now: datetime, dates: list[date] | None = None) -> Blueprint:
    p = "polls.template.availability"
    days = dates or rules.candidate_dates(now.date())
    labels = [format_day(day, t) for day in days]
    choices = (*_choices(*labels), Choice(f"c{len(labels) + 1}", t(f"{p}.none"), exclusive=True))
    questions = (
        Question("q1", "multiple", t(f"{p}.dates"), choices),
        Question("q2", "text", t(f"{p}.comment"), required=False),
    )
    return Blueprint(
        "availability", t(f"{p}.title"), questions, False, "live", rules.default_deadline(now, 5)
    )


def _clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (no-break spaces of French typography kept)."""
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def objective_question_id(rank: int) -> str:
    """``o1`` for the profile's first objective."""
    return f"{OBJECTIVE_PREFIX}{rank}"


def outcomes(
    t: Translator,
    now: datetime,
    objectives: Sequence[str] = (),
    topics: Sequence[str] = (),
    cycle: Cycle = DEFAULT_CYCLE,
) -> Blueprint:
    """« Retombées et apprentissages » of the cycle in force: ``objectives`` are the
    community's own (in the animateur's language), ``topics`` the titles of the topics treated
    during the cycle, most recent first (generic themes when there are none)."""
    p = "polls.template.outcomes"
    low, high = t(f"{p}.reached_low"), t(f"{p}.reached_high")
    questions: list[Question] = [
        _scale(
            objective_question_id(rank),
            _clip(t(f"{p}.objective", objective=text), rules.MAX_LABEL),
            low,
            high,
        )
        for rank, text in enumerate(objectives[:MAX_OBJECTIVES], start=1)
        if text.strip()
    ]
    learned = [_clip(title, rules.MAX_CHOICE_LABEL) for title in topics[:MAX_TOPIC_CHOICES]]
    if not learned:
        learned = [t(f"{p}.learned.generic.{i}") for i in range(1, 6)]
    learned = list(dict.fromkeys(learned))  # two topics of the same title: one choice
    questions += [
        Question(
            LEARNED,
            "multiple",
            t(f"{p}.learned"),
            _choices(*learned, t(f"{p}.other")),
            required=False,
        ),
        Question(LEARNED_TEXT, "text", t(f"{p}.learned_text"), required=False),
        _listed_or_none(PRACTICE, t, f"{p}.practice", PRACTICE_CHOICES),
        Question(PRACTICE_TEXT, "text", t(f"{p}.practice_text"), required=False),
        _listed_or_none(VALUE, t, f"{p}.value", VALUE_CHOICES),
        Question(VALUE_TEXT, "text", t(f"{p}.value_text"), required=False),
    ]
    title = t(f"{p}.title", year=cycle.of(now.date()).label)
    return Blueprint(
        "outcomes", title, tuple(questions), True, "after_close", rules.default_deadline(now, 21)
    )


def custom(t: Translator, now: datetime) -> Blueprint:
    return Blueprint("poll", "", (), False, "live", rules.default_deadline(now, 7))


def blueprint(
    template: str,
    t: Translator,
    now: datetime,
    meeting: MeetingInfo | None = None,
    cycle: Cycle = DEFAULT_CYCLE,
    objectives: Sequence[str] = (),
    topics: Sequence[str] = (),
) -> Blueprint:
    """``template`` is one of cards.polls.TEMPLATES (checked by the caller)."""
    if template == "outcomes":
        return outcomes(t, now, objectives, topics, cycle)
    if template == "needs":
        return needs(t, now, cycle)
    if template == "satisfaction":
        return satisfaction(t, now, meeting)
    if template == "availability":
        return availability(t, now)
    return custom(t, now)
