"""Cards of the topic bank and the case queue: the views the handlers fill, the builders that
turn codes into sentences, and the feature's verbs.

Views hold codes (kind, status, problem, finding kind) and values already formatted by the
handlers (dates through Babel); builders pick the words from the catalogs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cards.i18n import Translator
from cards.render import render

KIND_CODES = ("formatif", "echange", "reflexif", "divers")
STATUS_FILTER_CODES = ("active", "open", "scheduled", "treated", "archived")
WISH_CODES = ("advice", "supervision", "resources")


class TopicVerb(StrEnum):
    new = "topics.new"
    submit = "topics.submit"
    support = "topics.support"
    bank = "topics.bank"
    detail = "topics.detail"
    edit = "topics.edit"
    withdraw = "topics.withdraw"
    schedule = "topics.schedule"
    unschedule = "topics.unschedule"
    treated = "topics.treated"
    archive = "topics.archive"
    reopen = "topics.reopen"
    merge = "topics.merge"
    board_refresh = "topics.board_refresh"
    case_new = "topics.case_new"
    case_submit = "topics.case_submit"
    case_detail = "topics.case_detail"
    case_withdraw = "topics.case_withdraw"
    case_schedule = "topics.case_schedule"
    case_unschedule = "topics.case_unschedule"
    case_treated = "topics.case_treated"
    case_archive = "topics.case_archive"
    case_list = "topics.case_list"


# ---- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    title: str
    value: str


@dataclass(frozen=True)
class TopicLine:
    """A topic in a list. ``supported``: by the person looking (None in a card many people see
    before anyone refreshes it)."""

    id: str
    title: str
    kind: str
    status: str
    supports: int
    supported: bool | None
    can_support: bool
    meeting: str = ""  # the meeting's label when scheduled


@dataclass(frozen=True)
class TopicForm:
    topic_id: str  # "" for a new topic
    title: str = ""
    description: str = ""
    kind: str = ""
    presenter: str = ""
    problem: str = ""  # a code of rules.topic_draft
    similar: tuple[TopicLine, ...] = ()
    seen: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicDetail:
    line: TopicLine
    description: str
    presenter: str
    proposer: str
    created: str
    notice: str = ""  # a code: topics.notice.<notice>
    can_edit: bool = False
    can_withdraw: bool = False
    is_animateur: bool = False
    meetings: tuple[Choice, ...] = ()
    merge_targets: tuple[Choice, ...] = ()
    resources: tuple[tuple[str, str], ...] = ()  # (title, https url) attached by the library


@dataclass(frozen=True)
class BankView:
    lines: tuple[TopicLine, ...]
    kind: str  # "" for every kind
    status: str
    page: int
    pages: int
    total: int
    is_animateur: bool
    cases: tuple[CaseLine, ...] = ()
    notice: str = ""


@dataclass(frozen=True)
class BoardView:
    lines: tuple[TopicLine, ...]
    updated: str  # formatted time of the last change


@dataclass(frozen=True)
class FindingLine:
    field: str  # the form field (title, description, context…)
    kind: str  # dialogs.deidentify kind
    text: str


@dataclass(frozen=True)
class FieldInput:
    id: str
    value: str
    multiline: bool
    max_length: int


@dataclass(frozen=True)
class FindingsView:
    """The guard's refusal: what was found, and the form's texts, redacted, to send again."""

    submit_verb: str
    cancel_verb: str
    findings: tuple[FindingLine, ...]
    fields: tuple[FieldInput, ...]
    carried: Mapping[str, Any] = field(default_factory=dict)
    field_label_prefix: str = "topics.field"


@dataclass(frozen=True)
class CaseForm:
    meetings: tuple[Choice, ...]
    title: str = ""
    context: str = ""
    tried: str = ""
    blocks: str = ""
    question: str = ""
    wishes: tuple[str, ...] = ()
    meeting: str = ""
    problem: str = ""


@dataclass(frozen=True)
class CaseLine:
    id: str
    title: str
    status: str
    created: str
    meeting: str = ""
    submitter: str = ""  # shown to the animateurs only


@dataclass(frozen=True)
class CaseDetail:
    line: CaseLine
    context: str
    tried: str
    blocks: str
    question: str
    wishes: tuple[str, ...]
    desired_meeting: str
    notice: str = ""
    can_withdraw: bool = False
    is_animateur: bool = False
    meetings: tuple[Choice, ...] = ()
    back_scope: str = "mine"  # where « back » goes: mine | queue | bank


@dataclass(frozen=True)
class CaseListView:
    scope: str  # mine | queue
    lines: tuple[CaseLine, ...]
    notice: str = ""


# ---- wording helpers -------------------------------------------------------------------------


def kind_label(kind: str, t: Translator) -> str:
    return t(f"topics.kind.{kind}")


def _meta(line: TopicLine, t: Translator) -> str:
    parts = [kind_label(line.kind, t), t.plural("topics.supports", line.supports)]
    if line.status == "scheduled" and line.meeting:
        parts.append(t("topics.line.scheduled_for", meeting=line.meeting))
    elif line.status != "open":
        parts.append(t(f"topics.status.{line.status}"))
    return " · ".join(parts)


def _line(line: TopicLine, t: Translator) -> dict[str, Any]:
    return {
        "id": line.id,
        "title": line.title,
        "meta": _meta(line, t),
        "show_support": line.can_support and not line.supported,
        "show_unsupport": line.can_support and bool(line.supported),
    }


def _choices(items: Sequence[Choice]) -> list[dict[str, str]]:
    return [{"title": c.title, "value": c.value} for c in items]


def _case_meta(line: CaseLine, t: Translator) -> str:
    parts = [
        t(f"topics.case.status.{line.status}"),
        t("topics.case.submitted_on", date=line.created),
    ]
    if line.submitter:
        parts.append(line.submitter)
    if line.meeting:
        parts.append(line.meeting)
    return " · ".join(parts)


# ---- builders --------------------------------------------------------------------------------


def build_topic_form_card(form: TopicForm, t: Translator) -> dict[str, Any]:
    return render(
        "topics_form",
        {
            "heading": t("topics.form.edit_title" if form.topic_id else "topics.form.new_title"),
            "has_problem": bool(form.problem),
            "problem": t(f"topics.problem.{form.problem}") if form.problem else "",
            "has_similar": bool(form.similar),
            "similar": [_line(line, t) for line in form.similar],
            "title": form.title,
            "description": form.description,
            "kind": form.kind,
            "kinds": [{"title": kind_label(k, t), "value": k} for k in KIND_CODES],
            "presenter": form.presenter,
            "submit_label": t(
                "topics.form.save"
                if form.topic_id
                else "topics.form.propose_anyway"
                if form.similar
                else "topics.form.propose"
            ),
            "topic_id": form.topic_id,
            "seen": list(form.seen),
        },
        t,
    )


def build_findings_card(view: FindingsView, t: Translator) -> dict[str, Any]:
    return render(
        "topics_findings",
        {
            "findings": [
                {
                    "kind": t(
                        "topics.guard.finding",
                        field=t(f"{view.field_label_prefix}.{f.field}"),
                        kind=t(f"topics.finding.{f.kind}"),
                    ),
                    "text": f.text,
                }
                for f in view.findings
            ],
            "fields": [
                {
                    "id": f.id,
                    "label": t(f"{view.field_label_prefix}.{f.id}"),
                    "value": f.value,
                    "multiline": f.multiline,
                    "max_length": f.max_length,
                }
                for f in view.fields
            ],
            "verb": view.submit_verb,
            "cancel_verb": view.cancel_verb,
            "carried": dict(view.carried),
        },
        t,
    )


def build_topic_detail_card(view: TopicDetail, t: Translator) -> dict[str, Any]:
    line = view.line
    facts = [
        {"label": t("topics.field.kind"), "value": kind_label(line.kind, t)},
        {"label": t("topics.detail.status"), "value": t(f"topics.status.{line.status}")},
        {"label": t("topics.detail.supports"), "value": t.plural("topics.supports", line.supports)},
    ]
    if line.meeting:
        facts.append({"label": t("topics.detail.meeting"), "value": line.meeting})
    if view.presenter:
        facts.append({"label": t("topics.field.presenter"), "value": view.presenter})
    facts.append(
        {
            "label": t("topics.detail.proposed"),
            "value": t("topics.detail.proposed_by", name=view.proposer, date=view.created)
            if view.proposer
            else view.created,
        }
    )
    active = line.status in ("open", "scheduled")
    return render(
        "topics_detail",
        {
            **_line(line, t),
            "has_notice": bool(view.notice),
            "notice": t(f"topics.notice.{view.notice}") if view.notice else "",
            "has_description": bool(view.description),
            "description": view.description,
            "has_resources": bool(view.resources),
            "resources": [
                {"markdown": "[{}]({})".format(title.replace("[", "(").replace("]", ")"), url)}
                for title, url in view.resources
            ],
            "facts": facts,
            "can_edit": view.can_edit,
            "can_withdraw": view.can_withdraw,
            "is_animateur": view.is_animateur,
            "can_schedule": view.is_animateur and active and bool(view.meetings),
            "no_meeting": view.is_animateur and active and not view.meetings,
            "meetings": _choices(view.meetings),
            "default_meeting": view.meetings[0].value if view.meetings else "",
            "can_merge": view.is_animateur and active and bool(view.merge_targets),
            "merge_targets": _choices(view.merge_targets),
            "default_merge": view.merge_targets[0].value if view.merge_targets else "",
            "can_unschedule": line.status == "scheduled",
            "can_treat": active,
            "can_archive": line.status in ("open", "scheduled", "treated"),
            "can_reopen": line.status in ("treated", "archived"),
        },
        t,
    )


def build_bank_card(view: BankView, t: Translator) -> dict[str, Any]:
    if view.total:
        summary = t.plural("topics.bank.summary", view.total, page=view.page + 1, pages=view.pages)
    else:
        summary = t("topics.bank.summary_none")
    return render(
        "topics_bank",
        {
            "has_notice": bool(view.notice),
            "notice": t(f"topics.notice.{view.notice}") if view.notice else "",
            # "all" rather than "": a choice with an empty value shows as an empty box.
            "kind": view.kind or "all",
            "kind_choices": [{"title": t("topics.kind.all"), "value": "all"}]
            + [{"title": kind_label(k, t), "value": k} for k in KIND_CODES],
            "status": view.status,
            "status_choices": [
                {"title": t(f"topics.filter.{s}"), "value": s} for s in STATUS_FILTER_CODES
            ],
            "summary": summary,
            "is_empty": not view.lines,
            "lines": [_line(line, t) for line in view.lines],
            "page": view.page,
            "has_cases": bool(view.cases),
            "cases": [{"id": c.id, "title": c.title, "meta": _case_meta(c, t)} for c in view.cases],
            "has_previous": view.page > 0,
            "previous_page": view.page - 1,
            "has_next": view.page + 1 < view.pages,
            "next_page": view.page + 1,
            "is_animateur": view.is_animateur,
        },
        t,
    )


def build_board_card(view: BoardView, t: Translator) -> dict[str, Any]:
    return render(
        "topics_board",
        {
            "is_empty": not view.lines,
            "lines": [_line(line, t) for line in view.lines],
            "updated": t("topics.board.updated", time=view.updated),
        },
        t,
    )


def build_case_form_card(form: CaseForm, t: Translator) -> dict[str, Any]:
    return render(
        "topics_case_form",
        {
            "has_problem": bool(form.problem),
            "problem": t(f"topics.problem.{form.problem}") if form.problem else "",
            "title": form.title,
            "context": form.context,
            "tried": form.tried,
            "blocks": form.blocks,
            "question": form.question,
            "wishes": ",".join(form.wishes),
            "wish_choices": [{"title": t(f"topics.wish.{w}"), "value": w} for w in WISH_CODES],
            "meeting": form.meeting,
            "meetings": [{"title": t("topics.case.no_preference"), "value": ""}]
            + _choices(form.meetings),
        },
        t,
    )


def build_case_detail_card(view: CaseDetail, t: Translator) -> dict[str, Any]:
    line = view.line
    facts = [
        {"label": t("topics.detail.status"), "value": t(f"topics.case.status.{line.status}")},
        {"label": t("topics.case.submitted"), "value": line.created},
        {
            "label": t("topics.case.field.wishes"),
            "value": ", ".join(t(f"topics.wish.{w}") for w in view.wishes),
        },
    ]
    if line.submitter:
        facts.append({"label": t("topics.case.submitter"), "value": line.submitter})
    if view.desired_meeting:
        facts.append({"label": t("topics.case.field.meeting"), "value": view.desired_meeting})
    if line.meeting:
        facts.append({"label": t("topics.detail.meeting"), "value": line.meeting})
    sections = [
        {"label": t(f"topics.case.field.{name}"), "text": text}
        for name, text in (
            ("context", view.context),
            ("tried", view.tried),
            ("blocks", view.blocks),
            ("question", view.question),
        )
        if text
    ]
    open_case = line.status in ("submitted", "scheduled")
    back = {"queue": "topics.action.case_queue", "bank": "topics.action.bank"}
    return render(
        "topics_case_detail",
        {
            "id": line.id,
            "title": line.title,
            "has_notice": bool(view.notice),
            "notice": t(f"topics.notice.{view.notice}") if view.notice else "",
            "facts": facts,
            "sections": sections,
            "can_withdraw": view.can_withdraw,
            "is_animateur": view.is_animateur,
            "can_schedule": view.is_animateur and open_case and bool(view.meetings),
            "no_meeting": view.is_animateur and open_case and not view.meetings,
            "meetings": _choices(view.meetings),
            "default_meeting": view.meetings[0].value if view.meetings else "",
            "can_unschedule": line.status == "scheduled",
            "can_treat": open_case,
            "can_archive": line.status != "archived",
            "back_label": t(back.get(view.back_scope, "topics.action.my_cases")),
            "back_scope": view.back_scope,
        },
        t,
    )


def build_case_list_card(view: CaseListView, t: Translator) -> dict[str, Any]:
    queue = view.scope == "queue"
    return render(
        "topics_case_list",
        {
            "has_notice": bool(view.notice),
            "notice": t(f"topics.notice.{view.notice}") if view.notice else "",
            "heading": t("topics.case.queue_title" if queue else "topics.case.mine_title"),
            "intro": t("topics.case.queue_intro" if queue else "topics.case.mine_intro"),
            "is_empty": not view.lines,
            "empty": t("topics.case.queue_empty" if queue else "topics.case.mine_empty"),
            "lines": [{"id": c.id, "title": c.title, "meta": _case_meta(c, t)} for c in view.lines],
        },
        t,
    )
