"""Cards of « ce qu'on retient »: the animateurs' notes form, one meeting's notes and takeaways,
the archive of past meetings (and the chooser), the takeaway question, the follow-up reminder;
the views the handlers fill and the feature's verbs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cards.findings import FindingLine as FindingLine
from cards.findings import finding_lines
from cards.i18n import Translator
from cards.render import render


class NotesVerb(StrEnum):
    open = "notes.open"
    edit = "notes.edit"
    save = "notes.save"
    takeaway = "notes.takeaway"
    done = "notes.done"


@dataclass(frozen=True)
class Choice:
    title: str
    value: str


@dataclass(frozen=True)
class FollowUpInput:
    id: str
    text: str
    member_key: str
    due_on: str


@dataclass(frozen=True)
class NotesForm:
    meeting_id: str
    heading: str  # the meeting: title and date, worded
    key_points: str = ""
    decisions: str = ""
    resources: str = ""
    rows: tuple[FollowUpInput, ...] = ()
    members: tuple[Choice, ...] = ()
    problem: str = ""  # notes.problem.* code
    findings: tuple[FindingLine, ...] = ()


@dataclass(frozen=True)
class FollowUpLine:
    text: str
    who: str  # a name, "" when unassigned
    due: str  # worded day, "" when none
    done: bool


@dataclass(frozen=True)
class LinkLine:
    title: str
    url: str


@dataclass(frozen=True)
class NotesView:
    meeting_id: str
    heading: str
    has_notes: bool
    key_points: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    follow_ups: tuple[FollowUpLine, ...] = ()
    resources: tuple[LinkLine, ...] = ()
    takeaways: tuple[str, ...] = ()
    can_edit: bool = False
    notice: str = ""  # notes.notice.* code


@dataclass(frozen=True)
class ArchiveLine:
    meeting_id: str
    number: int  # in « rencontres passées », 0 when not listed there
    heading: str
    has_notes: bool
    takeaways: int


@dataclass(frozen=True)
class ArchiveView:
    title: str  # worded: the cycle, or « which meeting? »
    lines: tuple[ArchiveLine, ...]
    intro: str = ""


@dataclass(frozen=True)
class TakeawayView:
    meeting_id: str
    heading: str
    text: str = ""
    problem: str = ""  # notes.takeaway.problem.* code
    findings: tuple[FindingLine, ...] = ()
    answered: bool = False  # thanks (or already answered): no input
    notice: str = ""  # notes.takeaway.notice.* code


@dataclass(frozen=True)
class FollowUpReminder:
    meeting_id: str
    follow_up_id: str
    heading: str
    text: str
    due: str
    done: bool = False


def _field_label(field: str, t: Translator) -> str:
    if field.startswith("fu_text_"):
        return t("notes.field.follow_up_n", n=int(field.rsplit("_", 1)[1]) + 1)
    return t(f"notes.field.{field}")


def _findings(findings: tuple[FindingLine, ...], t: Translator) -> list[dict[str, str]]:
    return finding_lines(findings, t, "notes", _field_label)


def build_form_card(form: NotesForm, t: Translator) -> dict[str, Any]:
    members = [{"title": c.title, "value": c.value} for c in form.members]
    return render(
        "notes_form",
        {
            "heading": form.heading,
            "has_problem": bool(form.problem),
            "problem": t(f"notes.problem.{form.problem}") if form.problem else "",
            "has_findings": bool(form.findings),
            "findings": _findings(form.findings, t),
            "key_points": form.key_points,
            "decisions": form.decisions,
            "resources": form.resources,
            "rows": [
                {
                    "n": str(index),
                    "label": t("notes.field.follow_up_n", n=index + 1),
                    "text": row.text,
                    "who": row.member_key,
                    "due": row.due_on,
                    "members": members,
                }
                for index, row in enumerate(form.rows)
            ],
            "meeting_id": form.meeting_id,
            "row_count": len(form.rows),
            "fu_ids": [row.id for row in form.rows],
        },
        t,
    )


def _follow_up_text(line: FollowUpLine, t: Translator) -> str:
    parts = [line.text, line.who or t("notes.view.nobody")]
    if line.due:
        parts.append(t("notes.view.due", day=line.due))
    if line.done:
        parts.append(t("notes.view.done"))
    return " · ".join(parts)


def build_notes_card(view: NotesView, t: Translator) -> dict[str, Any]:
    return render(
        "notes_view",
        {
            "heading": view.heading,
            "has_notice": bool(view.notice),
            "notice": t(f"notes.notice.{view.notice}") if view.notice else "",
            "no_notes": not view.has_notes,
            "has_key_points": bool(view.key_points),
            "key_points": "\n".join(f"- {line}" for line in view.key_points),
            "has_decisions": bool(view.decisions),
            "decisions": "\n".join(f"- {line}" for line in view.decisions),
            "has_follow_ups": bool(view.follow_ups),
            "follow_ups": [{"line": f"- {_follow_up_text(f, t)}"} for f in view.follow_ups],
            "has_resources": bool(view.resources),
            "resources": [
                {"line": f"[{r.title}]({r.url})" if r.url else r.title} for r in view.resources
            ],
            "takeaways_title": t.plural("notes.view.takeaways", len(view.takeaways)),
            "has_takeaways": bool(view.takeaways),
            "takeaways": [
                {"line": t("notes.view.takeaway_line", text=text)} for text in view.takeaways
            ],
            "can_edit": view.can_edit,
            "meeting_id": view.meeting_id,
        },
        t,
    )


def build_archive_card(view: ArchiveView, t: Translator) -> dict[str, Any]:
    return render(
        "notes_list",
        {
            "title": view.title,
            "has_intro": bool(view.intro),
            "intro": view.intro,
            "empty": not view.lines,
            "lines": [
                {
                    "meeting_id": line.meeting_id,
                    "heading": (
                        t("notes.list.line", n=line.number, meeting=line.heading)
                        if line.number
                        else line.heading
                    ),
                    "meta": " · ".join(
                        (
                            t("notes.list.has_notes")
                            if line.has_notes
                            else t("notes.list.no_notes"),
                            t.plural("notes.list.takeaways", line.takeaways),
                        )
                    ),
                }
                for line in view.lines
            ],
        },
        t,
    )


def build_takeaway_card(view: TakeawayView, t: Translator) -> dict[str, Any]:
    return render(
        "notes_takeaway",
        {
            "heading": view.heading,
            "asking": not view.answered,
            "answered": view.answered,
            "notice": t(f"notes.takeaway.notice.{view.notice}") if view.notice else "",
            "has_problem": bool(view.problem),
            "problem": t(f"notes.takeaway.problem.{view.problem}") if view.problem else "",
            "has_findings": bool(view.findings),
            "findings": _findings(view.findings, t),
            "text": view.text,
            "meeting_id": view.meeting_id,
        },
        t,
    )


def build_follow_up_card(view: FollowUpReminder, t: Translator) -> dict[str, Any]:
    return render(
        "notes_followup",
        {
            "heading": view.heading,
            "text": view.text,
            "has_due": bool(view.due),
            "due": t("notes.view.due", day=view.due) if view.due else "",
            "open": not view.done,
            "done": view.done,
            "meeting_id": view.meeting_id,
            "follow_up_id": view.follow_up_id,
        },
        t,
    )
