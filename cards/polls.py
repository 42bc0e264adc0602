"""Cards of polls and surveys (sondages), their verbs, and the CSV export's text.

Templates: ``polls_new`` (choose a blank poll or a ready-made survey), ``polls_draft`` (the
draft: settings and questions), ``polls_question`` (one form per question type), ``polls_poll``
(the poll: answer form, « Votre réponse », results, the animateurs' buttons), ``polls_list``
and ``polls_review`` (free text that looks identifying, before anything is stored).

Results are charts: each question's counts are a ``Chart.HorizontalBar`` (a Teams extension,
not in the official 1.5 schema, PLATFORM.md §7) whose ``fallback`` is the same counts drawn as
text bars in a FactSet, which every client renders (mobile, Playground). With
:data:`NATIVE_CHARTS` off, only the text bars are sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any, Protocol

from babel.numbers import format_decimal, format_percent

from cards.csv_export import csv_bytes
from cards.dates import long_date, long_date_time
from cards.i18n import Translator
from cards.render import render

# Off: send only the text bars (for a host that mishandles chart elements).
NATIVE_CHARTS = True
_BAR_CELLS = 10
# Free-text answers shown on a card (all of them are in the CSV export), each cut to this length.
MAX_TEXTS_SHOWN = 15
TEXT_SHOWN_LENGTH = 280


class PollVerb(StrEnum):
    new = "polls.new"
    post_template = "polls.post_template"
    open_draft = "polls.open_draft"
    add_question = "polls.add_question"
    edit_question = "polls.edit_question"
    save_question = "polls.save_question"
    remove_question = "polls.remove_question"
    publish = "polls.publish"
    discard = "polls.discard"
    answer = "polls.answer"
    change_answer = "polls.change_answer"
    view = "polls.view"
    close = "polls.close"
    reopen = "polls.reopen"
    extend = "polls.extend"
    export = "polls.export"
    list = "polls.list"


TEMPLATES = ("custom", "needs", "satisfaction", "availability", "outcomes")


# Duck types of storage/poll_repository.py and dialogs/polls/rules.py values, so this module
# stays free of imports from the other layers. Members are read-only properties, as those
# values are frozen dataclasses.
class ChoiceLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def exclusive(self) -> bool: ...


class QuestionLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def choices(self) -> Sequence[ChoiceLike]: ...

    @property
    def max_choices(self) -> int: ...

    @property
    def low_label(self) -> str: ...

    @property
    def high_label(self) -> str: ...

    @property
    def required(self) -> bool: ...


class ProblemLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def question(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def limit(self) -> int: ...


# ---- formatting -----------------------------------------------------------------------------


def format_moment(moment: datetime, t: Translator, tz: tzinfo) -> str:
    """« mardi 7 mai 2024, 17 h 00 » / « Tuesday, May 7, 2024, 5:00 PM »."""
    return long_date_time(moment.astimezone(tz), t)


def format_day(day: date, t: Translator) -> str:
    return long_date(day, t)


def format_share(share: float, t: Translator) -> str:
    return format_percent(share, locale=t.babel_locale)


def format_mean(mean: float, t: Translator) -> str:
    return format_decimal(mean, format="0.0", locale=t.babel_locale)


def problem_text(problem: ProblemLike, t: Translator) -> str:
    return t(
        f"polls.problem.{problem.code}",
        question=problem.question,
        line=problem.line,
        limit=problem.limit,
    )


def scale_value_label(question: QuestionLike, value: int, t: Translator) -> str:
    if value == 1 and question.low_label:
        return t("polls.scale.value_labelled", value=value, label=question.low_label)
    if value == 5 and question.high_label:
        return t("polls.scale.value_labelled", value=value, label=question.high_label)
    return str(value)


def answer_text(question: QuestionLike, value: Any, t: Translator) -> str:
    """A member's answer to one question, as they would say it."""
    if question.kind == "text":
        return str(value)
    if question.kind == "scale":
        return scale_value_label(question, int(value), t)
    labels = {c.id: c.label for c in question.choices}
    picked = value if isinstance(value, list) else [value]
    return t("polls.list_separator").join(labels.get(str(p), str(p)) for p in picked)


def _problems(problems: Sequence[ProblemLike], t: Translator) -> list[dict[str, str]]:
    return [{"text": problem_text(p, t)} for p in problems]


# ---- choosing what to post ------------------------------------------------------------------


def build_new_card(t: Translator, templates: Sequence[str] = TEMPLATES) -> dict[str, Any]:
    """The choice of a blank poll or a ready-made survey, among ``templates``."""
    options = [
        {
            "template": name,
            "name": t(f"polls.new.{name}.name"),
            "description": t(f"polls.new.{name}.description"),
        }
        for name in templates
    ]
    return render("polls_new", {"options": options}, t)


def build_outcomes_offer_card(cycle: str, t: Translator) -> dict[str, Any]:
    """To each animateur after the cycle's last meeting: prepare the outcomes survey?"""
    data = {
        "text": t("polls.outcomes_offer.text", cycle=cycle),
        "verb": str(PollVerb.post_template),
        "template": "outcomes",
    }
    return render("polls_outcomes_offer", data, t)


# ---- the draft --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftView:
    draft_id: str
    heading: str
    title: str
    anonymous: bool
    visibility: str
    audience_value: str  # channel | members | committee:<id>
    audience_options: Sequence[tuple[str, str]]  # (value, label)
    deadline_date: str  # YYYY-MM-DD in the community's time zone ("" when unset)
    deadline_time: str  # HH:MM
    questions: Sequence[QuestionLike]
    threshold: int
    problems: Sequence[ProblemLike] = ()
    notice: str = ""


def question_summary(question: QuestionLike, t: Translator) -> str:
    kind = t(f"polls.kind.{question.kind}")
    parts = [kind]
    if question.kind in ("single", "multiple"):
        parts.append(t("polls.list_separator").join(c.label for c in question.choices))
    if question.kind == "multiple" and question.max_choices:
        parts.append(t("polls.draft.at_most", limit=question.max_choices))
    if question.kind == "scale":
        parts.append(
            t(
                "polls.draft.scale_labels",
                low=question.low_label or "1",
                high=question.high_label or "5",
            )
        )
    parts.append(t("polls.draft.required" if question.required else "polls.draft.optional"))
    return " · ".join(parts)


def build_draft_card(view: DraftView, t: Translator) -> dict[str, Any]:
    questions = [
        {
            "heading": t("polls.poll.question_label", number=number, label=q.label),
            "summary": question_summary(q, t),
            "question_id": q.id,
        }
        for number, q in enumerate(view.questions, start=1)
    ]
    visibility_choices = [
        {"label": t(f"polls.visibility.{value}"), "value": value}
        for value in ("live", "after_close", "animateurs")
    ]
    data = {
        "draft_id": view.draft_id,
        "heading": view.heading,
        "title": view.title,
        "anonymous_value": "true" if view.anonymous else "false",
        "anonymity_note": t("polls.anonymity.explained", threshold=view.threshold),
        "visibility": view.visibility,
        "visibility_choices": visibility_choices,
        "audience": view.audience_value,
        "audience_choices": [{"label": label, "value": v} for v, label in view.audience_options],
        "deadline_date": view.deadline_date,
        "deadline_time": view.deadline_time,
        "questions": questions,
        "no_questions": not questions,
        "has_problems": bool(view.problems),
        "problems": _problems(view.problems, t),
        "has_notice": bool(view.notice),
        "notice": view.notice,
        "kinds": [
            {"kind": kind, "label": t(f"polls.draft.add.{kind}")}
            for kind in ("single", "multiple", "scale", "text")
        ],
    }
    return render("polls_draft", data, t)


@dataclass(frozen=True)
class QuestionFormView:
    draft_id: str
    kind: str
    question_id: str  # "" for a new question
    label: str = ""
    choices_text: str = ""
    max_choices: int = 0
    low_label: str = ""
    high_label: str = ""
    required: bool = True
    problems: Sequence[ProblemLike] = ()


def build_question_card(view: QuestionFormView, t: Translator) -> dict[str, Any]:
    data = {
        "draft_id": view.draft_id,
        "kind": view.kind,
        "question_id": view.question_id,
        "heading": t(f"polls.question.heading.{view.kind}"),
        "help": t(f"polls.question.help.{view.kind}"),
        "label": view.label,
        "has_choices": view.kind in ("single", "multiple"),
        "choices_text": view.choices_text,
        "is_multiple": view.kind == "multiple",
        "max_choices": view.max_choices,
        "is_scale": view.kind == "scale",
        "low_label": view.low_label,
        "high_label": view.high_label,
        "required_value": "true" if view.required else "false",
        "has_problems": bool(view.problems),
        "problems": _problems(view.problems, t),
    }
    return render("polls_question", data, t)


# ---- the poll ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollView:
    """What one person sees of a poll (or, with no person, the card everyone sees)."""

    poll_id: str
    title: str
    anonymous: bool
    is_open: bool
    deadline: datetime
    closed_at: datetime | None
    audience_label: str
    questions: Sequence[QuestionLike]
    threshold: int
    tz: tzinfo
    show_form: bool = False
    form_values: Mapping[str, Any] = field(default_factory=dict)
    my_answer: Mapping[str, Any] | None = None
    answer_kept: bool = True  # False: anonymous, shown once, not stored with the name
    answered: bool = False
    can_change: bool = False
    results: Any = None  # rules.Results, or None when not visible to this person
    # Question id → choice ids, most votes first (« Disponibilités »), and → the best choices.
    rankings: Mapping[str, Sequence[str]] = field(default_factory=dict)
    best: Mapping[str, Sequence[str]] = field(default_factory=dict)
    is_manager: bool = False
    notice: str = ""
    notice_style: str = "default"  # default | good | attention
    problems: Sequence[ProblemLike] = ()
    refresh_user_ids: Sequence[str] = ()
    download_url: str = ""


def _form_questions(view: PollView, t: Translator) -> list[dict[str, Any]]:
    rows = []
    for number, q in enumerate(view.questions, start=1):
        value = view.form_values.get(q.id)
        if isinstance(value, list):
            value = ",".join(value)
        is_scale = q.kind == "scale"
        choices = (
            [{"id": str(v), "label": scale_value_label(q, v, t)} for v in range(1, 6)]
            if is_scale
            else [{"id": c.id, "label": c.label} for c in q.choices]
        )
        hint = ""
        if q.kind == "multiple":
            hint = (
                t("polls.poll.hint_max", limit=q.max_choices)
                if q.max_choices
                else t("polls.poll.hint_multiple")
            )
        rows.append(
            {
                "id": q.id,
                "label": t("polls.poll.question_label", number=number, label=q.label)
                + ("" if q.required else t("polls.poll.optional_suffix")),
                "is_choice": q.kind != "text",
                "is_text": q.kind == "text",
                "multi": q.kind == "multiple",
                "choices": choices,
                "value": "" if value is None else str(value),
                "required": q.required,
                "has_hint": bool(hint),
                "hint": hint,
            }
        )
    return rows


def _my_answer(view: PollView, t: Translator) -> list[dict[str, str]]:
    if view.my_answer is None:
        return []
    facts = []
    for q in view.questions:
        if q.id in view.my_answer:
            facts.append({"label": q.label, "text": answer_text(q, view.my_answer[q.id], t)})
        else:
            facts.append({"label": q.label, "text": t("polls.poll.no_answer")})
    return facts


def _bar(share: float) -> str:
    filled = round(share * _BAR_CELLS)
    return "█" * filled + "░" * (_BAR_CELLS - filled)


def _result_rows(result: Any, t: Translator) -> list[dict[str, Any]]:
    question = result.question
    rows = []
    for counted in result.counts:
        label = (
            scale_value_label(question, int(counted.choice.id), t)
            if question.kind == "scale"
            else counted.choice.label
        )
        rows.append(
            {
                "label": label,
                "count": counted.count,
                "bar": t(
                    "polls.results.bar",
                    bar=_bar(counted.share),
                    count=counted.count,
                    share=format_share(counted.share, t),
                ),
            }
        )
    return rows


def _result_note(result: Any, view: PollView, t: Translator) -> str:
    question = result.question
    if result.hidden:
        return t("polls.results.question_hidden", threshold=view.threshold)
    answered = t.plural("polls.results.respondents", result.respondents)
    if question.kind == "scale" and result.mean is not None:
        return t("polls.results.mean", mean=format_mean(result.mean, t), respondents=answered)
    best = view.best.get(question.id)
    if best:
        names = t("polls.list_separator").join(best)
        return t("polls.results.best", choices=names, respondents=answered)
    return answered


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN_LENGTH else text[: TEXT_SHOWN_LENGTH - 1] + "…"


def _ordered_rows(result: Any, view: PollView, t: Translator) -> list[dict[str, Any]]:
    rows = _result_rows(result, t)
    order = view.rankings.get(result.question.id)
    if not order:
        return rows
    by_id = {c.choice.id: row for c, row in zip(result.counts, rows, strict=True)}
    return [by_id[i] for i in order if i in by_id]


def _results(view: PollView, t: Translator) -> dict[str, Any]:
    results = view.results
    if results is None:
        return {"show_results": False, "result_questions": []}
    participation = results.participation
    if participation is None:
        line = t.plural("polls.results.answers", results.answers)
    else:
        line = t(
            "polls.results.participation",
            answers=t.plural("polls.results.answers", results.answers),
            audience=results.audience_size,
            share=format_share(participation, t),
        )
    questions = []
    for result in [] if results.hidden else results.questions:
        shown = not result.hidden and result.respondents > 0
        rows = _ordered_rows(result, view, t)
        has_rows = shown and result.question.kind != "text"
        texts = [
            {
                "line": t("polls.results.text_by", text=_clip(text), author=author)
                if author
                else t("polls.results.text", text=_clip(text))
            }
            for author, text in result.texts[:MAX_TEXTS_SHOWN]
        ]
        more = len(result.texts) - MAX_TEXTS_SHOWN
        if more > 0:
            texts.append({"line": t.plural("polls.results.more_texts", more)})
        questions.append(
            {
                "label": result.question.label,
                "note": _result_note(result, view, t),
                "rows": rows,
                "chart_data": [{"x": r["label"], "y": r["count"]} for r in rows],
                "native_chart": has_rows and NATIVE_CHARTS,
                "drawn_chart": has_rows and not NATIVE_CHARTS,
                "texts": texts if shown else [],
            }
        )
    return {
        "show_results": True,
        "participation_line": line,
        "results_hidden": results.hidden,
        "results_hidden_line": t(
            "polls.results.hidden", threshold=results.threshold, answers=results.answers
        ),
        "result_questions": questions,
    }


def _status_line(view: PollView, t: Translator) -> str:
    if view.is_open:
        return t("polls.poll.open_until", deadline=format_moment(view.deadline, t, view.tz))
    closed = view.closed_at or view.deadline
    return t("polls.poll.closed_on", closed=format_moment(closed, t, view.tz))


def build_poll_card(view: PollView, t: Translator) -> dict[str, Any]:
    show_form = view.show_form and view.is_open
    data: dict[str, Any] = {
        "poll_id": view.poll_id,
        "title": view.title,
        "status_line": _status_line(view, t),
        "audience_line": view.audience_label,
        "anonymous": view.anonymous,
        "anonymity_note": t("polls.anonymity.explained", threshold=view.threshold),
        "named": not view.anonymous,
        "has_notice": bool(view.notice),
        "notice": view.notice,
        "notice_color": {"good": "Good", "attention": "Attention"}.get(
            view.notice_style, "Default"
        ),
        "has_problems": bool(view.problems),
        "problems": _problems(view.problems, t),
        "show_form": show_form,
        "form_questions": _form_questions(view, t) if show_form else [],
        "has_my_answer": view.my_answer is not None and not show_form,
        "my_answer": _my_answer(view, t),
        "answer_note": t("polls.poll.answer_not_kept")
        if not view.answer_kept
        else t("polls.poll.answer_kept_anonymous")
        if view.anonymous
        else "",
        "has_answer_note": view.my_answer is not None and (view.anonymous or not view.answer_kept),
        "answered_anonymously": view.answered and view.my_answer is None and view.anonymous,
        "can_change": view.can_change and view.is_open and not show_form,
        "is_manager": view.is_manager,
        "can_close": view.is_manager and view.is_open,
        "can_reopen": view.is_manager and not view.is_open,
        "can_export": view.is_manager,
        "has_download": bool(view.download_url),
        "download_url": view.download_url,
        "default_time": "17:00",
        "refresh_user_ids": list(view.refresh_user_ids),
        **_results(view, t),
    }
    return render("polls_poll", data, t)


# ---- the list of polls ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedPoll:
    poll_id: str
    title: str
    is_open: bool
    deadline: datetime
    closed_at: datetime | None
    answered: bool
    answers: int | None = None  # shown to those who manage the poll


def build_list_card(
    polls: Sequence[ListedPoll],
    drafts: Sequence[tuple[str, str]],
    *,
    can_create: bool,
    tz: tzinfo,
    t: Translator,
) -> dict[str, Any]:
    rows = []
    for p in polls:
        status = (
            t("polls.poll.open_until", deadline=format_moment(p.deadline, t, tz))
            if p.is_open
            else t("polls.poll.closed_on", closed=format_moment(p.closed_at or p.deadline, t, tz))
        )
        details = [status]
        if p.answers is not None:
            details.append(t.plural("polls.results.answers", p.answers))
        if p.answered:
            details.append(t("polls.list.answered"))
        rows.append({"poll_id": p.poll_id, "title": p.title, "details": " · ".join(details)})
    data = {
        "polls": rows,
        "no_polls": not rows,
        "drafts": [
            {"draft_id": i, "title": title or t("polls.list.untitled")} for i, title in drafts
        ],
        "has_drafts": bool(drafts),
        "can_create": can_create,
    }
    return render("polls_list", data, t)


# ---- free text that looks identifying ---------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    poll_id: str
    title: str
    findings: Sequence[tuple[str, str]]  # (kind, text found)
    texts: Sequence[tuple[str, str, str]]  # (question id, question label, redacted text)
    answer_data: Mapping[str, Any]  # the other answers, sent back with the edited texts


def finding_label(kind: str, t: Translator) -> str:
    key = f"polls.identifier.{kind}"
    return t(key) if t.has(key) else t("polls.identifier.other")


def build_review_card(view: ReviewView, t: Translator) -> dict[str, Any]:
    data = {
        "poll_id": view.poll_id,
        "title": view.title,
        "findings": [
            {"line": t("polls.review.finding", text=text, kind=finding_label(kind, t))}
            for kind, text in view.findings
        ],
        "texts": [{"id": qid, "label": label, "value": text} for qid, label, text in view.texts],
        "answer_data": {**view.answer_data, "verb": str(PollVerb.answer), "poll_id": view.poll_id},
    }
    return render("polls_review", data, t)


# ---- CSV export ---------------------------------------------------------------------------


def _csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    return csv_bytes(rows)


def named_csv(
    questions: Sequence[QuestionLike],
    ballots: Sequence[Any],
    t: Translator,
    tz: tzinfo,
) -> bytes:
    """One line per person: name, when, then one column per question."""
    header = [t("polls.csv.name"), t("polls.csv.answered_at"), *(q.label for q in questions)]
    rows: list[list[Any]] = [header]
    for ballot in ballots:
        answered = datetime.fromisoformat(ballot.at) if ballot.at else None
        line = [ballot.name, format_moment(answered, t, tz) if answered else ""]
        line += [
            answer_text(q, ballot.answers[q.id], t) if q.id in ballot.answers else ""
            for q in questions
        ]
        rows.append(line)
    return _csv_bytes(rows)


def aggregate_csv(results: Any, t: Translator) -> bytes:
    """Counts only (anonymous polls): question, answer, count, share; means; free texts."""
    rows: list[list[Any]] = [
        [t("polls.csv.question"), t("polls.csv.answer"), t("polls.csv.count"), t("polls.csv.share")]
    ]
    for result in results.questions:
        question = result.question
        if result.hidden:
            rows.append([question.label, t("polls.csv.hidden"), "", ""])
            continue
        for counted in result.counts:
            label = (
                scale_value_label(question, int(counted.choice.id), t)
                if question.kind == "scale"
                else counted.choice.label
            )
            rows.append([question.label, label, counted.count, format_share(counted.share, t)])
        if question.kind == "scale" and result.mean is not None:
            rows.append([question.label, t("polls.csv.mean"), format_mean(result.mean, t), ""])
        for _, text in result.texts:
            rows.append([question.label, text, 1, ""])
    return _csv_bytes(rows)
