"""Cards of the CdeP's library (bibliothèque): the share form and the list of resources, the
views the handlers fill, the builders that turn codes into words, and the feature's verbs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cards.i18n import Translator
from cards.render import render
from cards.topics import KIND_CODES, kind_label

RESOURCE_KINDS = ("tool", "article", "guide", "video", "link")


class LibraryVerb(StrEnum):
    new = "library.new"
    submit = "library.submit"
    useful = "library.useful"


@dataclass(frozen=True)
class FindingLine:
    field: str  # title | description
    kind: str  # a dialogs/deidentify.py kind
    text: str


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


@dataclass(frozen=True)
class LibraryView:
    query: str
    lines: tuple[ResourceLine, ...]
    notice: str = ""  # library.notice.* code


def _meta(line: ResourceLine, t: Translator) -> str:
    parts = [t(f"library.kind.{line.kind}")]
    if line.volet:
        parts.append(kind_label(line.volet, t))
    if line.author:
        parts.append(t("library.list.shared_by", name=line.author))
    return " · ".join(parts)


def build_form_card(form: ResourceForm, t: Translator) -> dict[str, Any]:
    return render(
        "library_form",
        {
            "has_problem": bool(form.problem),
            "problem": t(f"library.problem.{form.problem}") if form.problem else "",
            "has_findings": bool(form.findings),
            "findings": [
                {
                    "line": t(
                        "library.finding.line",
                        field=t(f"library.field.{f.field}"),
                        kind=t(f"topics.finding.{f.kind}"),
                        text=f.text,
                    )
                }
                for f in form.findings
            ],
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
            "empty": not view.lines,
            "query": view.query,
            "lines": [
                {
                    "id": line.id,
                    "title": line.title,
                    "url": line.url,
                    "meta": _meta(line, t),
                    "themes": t("library.list.themes", themes=line.themes),
                    "description": line.description,
                    "has_description": bool(line.description),
                    "useful": t.plural("library.list.useful_count", line.useful_count),
                    "can_mark": not line.marked,
                    "marked": line.marked,
                }
                for line in view.lines
            ],
        },
        t,
    )
