"""Cards of the CdeP's library (bibliothèque): the share form and the list of resources, the
views the handlers fill, the builders that turn codes into words, and the feature's verbs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cards.findings import FindingLine as FindingLine
from cards.findings import finding_lines
from cards.i18n import Translator
from cards.render import render
from cards.topics import KIND_CODES, kind_label

RESOURCE_KINDS = ("tool", "article", "guide", "video", "document", "link")


class LibraryVerb(StrEnum):
    new = "library.new"
    submit = "library.submit"
    useful = "library.useful"
    browse = "library.browse"
    pending = "library.pending"
    approve = "library.approve"
    refuse = "library.refuse"
    essential = "library.essential"
    attach_form = "library.attach_form"
    attach = "library.attach"
    detach = "library.detach"


@dataclass(frozen=True)
class ResourceForm:
    title: str = ""
    url: str = ""
    kind: str = ""
    themes: str = ""
    volet: str = ""
    description: str = ""
    problem: str = ""  # a code of library.problem.*
    findings: tuple[FindingLine, ...] = ()
    validation: bool = False  # the community validates members' resources first


@dataclass(frozen=True)
class ResourceLine:
    id: str
    title: str
    url: str
    kind: str
    volet: str
    themes: str
    description: str
    author: str  # "" once the author erased their data
    useful_count: int
    marked: bool  # by the person looking
    own: bool = False  # shared by the person looking: they do not mark it « utile »
    essential: bool = False
    can_essential: bool = False  # animateurs mark and unmark « essentiel »
    can_attach: bool = False  # animateurs and the sharer attach it to a topic or a meeting


@dataclass(frozen=True)
class LibraryView:
    query: str
    lines: tuple[ResourceLine, ...]
    notice: str = ""  # library.notice.* code
    total: int = 0  # how many matched (more than ``lines`` when the list is cut)


def _meta(line: ResourceLine, t: Translator) -> str:
    parts = [t("library.list.essential")] if line.essential else []
    parts.append(t(f"library.kind.{line.kind}"))
    if line.volet:
        parts.append(kind_label(line.volet, t))
    if line.author:
        parts.append(t("library.list.shared_by", name=line.author))
    return " · ".join(parts)


def build_form_card(form: ResourceForm, t: Translator) -> dict[str, Any]:
    return render(
        "library_form",
        {
            "intro": t("library.form.intro_pending" if form.validation else "library.form.intro"),
            "has_problem": bool(form.problem),
            "problem": t(f"library.problem.{form.problem}") if form.problem else "",
            "has_findings": bool(form.findings),
            "findings": finding_lines(form.findings, t, "library"),
            "title": form.title,
            "url": form.url,
            "kind": form.kind,
            "kinds": [{"title": t(f"library.kind.{k}"), "value": k} for k in RESOURCE_KINDS],
            "themes": form.themes,
            "volet": form.volet,
            "volets": [{"title": kind_label(k, t), "value": k} for k in KIND_CODES],
            "description": form.description,
        },
        t,
    )


def _line_fields(line: ResourceLine, t: Translator) -> dict[str, Any]:
    """What the library card and the review card show of every resource line."""
    return {
        "id": line.id,
        "title": line.title,
        "url": line.url,
        "meta": _meta(line, t),
        "themes": t("library.list.themes", themes=line.themes),
        "description": line.description,
        "has_description": bool(line.description),
    }


def build_library_card(view: LibraryView, t: Translator) -> dict[str, Any]:
    heading = (
        t("library.list.title_for", query=view.query) if view.query else t("library.list.title")
    )
    return render(
        "library_list",
        {
            "heading": heading,
            "has_notice": bool(view.notice),
            "notice": t(f"library.notice.{view.notice}") if view.notice else "",
            # Right after a share that waits for validation, « aucune ressource ne correspond,
            # partagez-en une » would contradict the notice: the empty line is left out then.
            "empty": not view.lines and view.notice != "pending",
            "has_more": view.total > len(view.lines),
            "more": t.plural("library.list.more", view.total, shown=len(view.lines)),
            "query": view.query,
            "lines": [
                {
                    **_line_fields(line, t),
                    "useful": (
                        t.plural("library.list.useful_count", line.useful_count)
                        if line.useful_count
                        else t("library.list.useful_none")
                    ),
                    "can_mark": not line.marked and not line.own,
                    "marked": line.marked,
                    "can_essential": line.can_essential,
                    "essential_title": t(
                        "library.action.unmark_essential"
                        if line.essential
                        else "library.action.mark_essential"
                    ),
                    "essential_on": not line.essential,
                    "can_attach": line.can_attach,
                }
                for line in view.lines
            ],
        },
        t,
    )


# ---- validation (animateurs) ------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    lines: tuple[ResourceLine, ...]
    notice: str = ""  # library.notice.* code


def build_review_card(view: ReviewView, t: Translator) -> dict[str, Any]:
    return render(
        "library_review",
        {
            "has_notice": bool(view.notice),
            "notice": t(f"library.notice.{view.notice}") if view.notice else "",
            "empty": not view.lines,
            "has_lines": bool(view.lines),
            "lines": [
                {
                    **_line_fields(line, t),
                    "reason_id": f"reason_{line.id}",
                }
                for line in view.lines
            ],
        },
        t,
    )


# ---- attachments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    title: str
    value: str


@dataclass(frozen=True)
class AttachView:
    resource_id: str
    title: str
    topics: tuple[Choice, ...]  # value: topic:<id>
    slots: tuple[Choice, ...]  # value: meeting:<id>:<HH:MM>, title already worded
    attached: tuple[Choice, ...]  # what it is attached to now
    notice: str = ""


def build_attach_card(view: AttachView, t: Translator) -> dict[str, Any]:
    def choices(found: tuple[Choice, ...]) -> list[dict[str, str]]:
        return [{"title": c.title, "value": c.value} for c in found]

    return render(
        "library_attach",
        {
            "resource_id": view.resource_id,
            "heading": t("library.attach.title", title=view.title),
            "has_notice": bool(view.notice),
            "notice": t(f"library.notice.{view.notice}") if view.notice else "",
            "has_topics": bool(view.topics),
            "no_topics": not view.topics,
            "topics": choices(view.topics),
            "default_topic": view.topics[0].value if view.topics else "",
            "has_slots": bool(view.slots),
            "no_slots": not view.slots,
            "slots": choices(view.slots),
            "default_slot": view.slots[0].value if view.slots else "",
            "has_attached": bool(view.attached),
            "attached": choices(view.attached),
            "none_attached": not view.attached,
        },
        t,
    )


# ---- the weekly digest ------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestView:
    lines: tuple[ResourceLine, ...]


def build_digest_card(view: DigestView, t: Translator) -> dict[str, Any]:
    return render(
        "library_digest",
        {
            "heading": t("library.digest.title"),
            "intro": t.plural("library.digest.intro", len(view.lines)),
            "lines": [
                {
                    "markdown": "[{}]({})".format(
                        line.title.replace("[", "(").replace("]", ")"), line.url
                    ),
                    "meta": _meta(line, t),
                }
                for line in view.lines
            ],
        },
        t,
    )
