"""Vitality report cards: the report itself (figures, charts with text fallbacks, scope buttons,
export links) and the animateurs' list of projects.

The builders take plain, already worded views (:class:`ReportView`, :class:`ProjectsView`,
assembled by dialogs/vitality/views.py from the computed figures): no figure is computed
here. The formatting helpers below turn a number into text in the card's language (Babel), with
« < 5 » for a figure hidden by the small-group rule.

Charts (``Chart.HorizontalBar.Stacked``, ``Chart.Donut``, ``Chart.HorizontalBar``) are Teams
extensions that the official 1.5 schema does not know (PLATFORM.md §7): each carries a
``fallback`` with the same information as text, and ``charts=False`` renders the text version
only. They are chosen to fit a card 400 px wide: bars with their values written beside them and
no numeric axis (a count never reads « 0.33 »), a legend wherever colour carries meaning, the
same colour for the same meaning, short date labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent

from cards.i18n import Translator
from cards.render import render


class VitalityVerb(StrEnum):
    show = "vitality.show"  # the report for another period or scope
    remove_project = "vitality.remove_project"
    add_project = "vitality.add_project"


# The polls feature's action that prepares a ready-made survey (the report card offers the
# outcomes survey with it).
OUTCOMES_VERB = "polls.post_template"
OUTCOMES_TEMPLATE = "outcomes"

# ---- formatting --------------------------------------------------------------------------------

COUNT, PERCENT, HOURS, MEAN = "count", "percent", "hours", "mean"


def chart_day_text(day: date, t: Translator) -> str:
    """A chart label that fits a 400 px card: « 12 sept. », « 1er oct. » / "Sep 12"."""
    if t.locale == "fr-CA" and day.day == 1:
        return format_date(day, "'1er' MMM", locale=t.babel_locale)
    return format_skeleton("MMMd", day, locale=t.babel_locale)


def number_text(value: float, t: Translator, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, pattern, locale=t.babel_locale)


def figure_text(
    value: float | None,
    suppressed: bool,
    kind: str,
    t: Translator,
    threshold: int,
    complement: bool = False,
) -> str:
    """A figure as people read it: « 12 », « 77 % », « 31,5 h », « 4,2 / 5 », « < 5 » (a count
    of fewer people, hidden), « non publié (moins de 5 personnes) » (a rate or mean on fewer
    people), « non publié (…) » (hidden so that a small count cannot be recovered by
    subtraction) or « — » (nothing to compute)."""
    if suppressed and complement:
        return t("vitality.suppressed_complement", threshold=threshold)
    if suppressed and kind != COUNT:
        return t("vitality.suppressed_rate", threshold=threshold)
    if suppressed:
        return t("vitality.suppressed", threshold=threshold)
    if value is None:
        return t("vitality.none")
    if kind == PERCENT:
        return format_percent(value, locale=t.babel_locale)
    if kind == HOURS:
        return t("vitality.hours", hours=number_text(value, t, 1))
    if kind == MEAN:
        return t("vitality.mean_on_5", mean=number_text(value, t, 1))
    return number_text(value, t)


# ---- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str  # stable id of the figure (CSV), e.g. "members.active_start"
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...] = ()
    note: str = ""  # shown under the rows (e.g. « aucune donnée »)


@dataclass(frozen=True)
class Series:
    legend: str
    points: tuple[tuple[str, float], ...]  # (x label, y)


@dataclass(frozen=True)
class Scope:
    """A button to see another period or scope."""

    label: str
    start: str  # ISO dates
    end: str
    committee: str


@dataclass(frozen=True)
class ReportView:
    title: str
    subtitle: str
    privacy: str
    sections: tuple[Section, ...]  # participation, exchanges, satisfaction, training, value
    meetings: Section  # attendance per meeting: the attendance chart's text version
    attendance_chart: tuple[Series, ...]  # empty: no chart
    attendance_chart_title: str
    engagement_chart: tuple[tuple[str, float], ...]  # (legend, value); empty: no chart
    engagement_chart_title: str
    engagement_text: str  # the donut's text version
    satisfaction_chart: tuple[Series, ...]
    satisfaction_chart_title: str
    satisfaction_text: str
    scopes: tuple[Scope, ...]
    csv_url: str
    pdf_links: tuple[tuple[str, str], ...]  # (label, url)
    details: tuple[Section, ...] = ()  # in the exports only: every meeting, poll by poll
    # « Efficacité »: one sub-section per part (objectives, learnings, practice, value, projects
    # by kind, …), in order.
    effectiveness: tuple[Section, ...] = ()
    offer_outcomes: bool = False  # the « Lancer le sondage Retombées » button


def _facts(rows: Sequence[Row]) -> list[dict[str, str]]:
    return [{"title": r.label, "value": r.value} for r in rows]


def _section(section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "facts": _facts(section.rows),
        "has_facts": bool(section.rows),
        "note": section.note,
        "has_note": bool(section.note),
    }


# One colour per meaning, the same in every chart: in the room / online, the engagement levels.
SERIES_COLORS = ("categoricalBlue", "categoricalPurple", "categoricalTeal")
ENGAGEMENT_COLORS = ("good", "categoricalLightBlue", "neutral")


def _stacked_bars(series: Sequence[Series]) -> list[dict[str, Any]]:
    """One horizontal bar per label (a meeting), one coloured part per series with its legend
    and value: no numeric axis (counts never read « 0.33 »), labels on their own line."""
    if not series:
        return []
    return [
        {
            "title": label,
            "data": [
                {"legend": s.legend, "value": s.points[i][1], "color": SERIES_COLORS[n]}
                for n, s in enumerate(series)
            ],
        }
        for i, (label, _) in enumerate(series[0].points)
    ]


def build_report_card(view: ReportView, t: Translator, *, charts: bool = True) -> dict[str, Any]:
    """The report card. ``charts=False``: the text versions only (for clients and validators
    that do not know Teams' chart elements)."""
    by_key = {s.key: _section(s) for s in view.sections}
    attendance_chart = charts and bool(view.attendance_chart)
    engagement_chart = charts and bool(view.engagement_chart)
    satisfaction_chart = charts and bool(view.satisfaction_chart)
    return render(
        "vitality_report",
        {
            "title": view.title,
            "subtitle": view.subtitle,
            "privacy": view.privacy,
            "participation": by_key["participation"],
            "exchanges": by_key["exchanges"],
            "satisfaction": by_key["satisfaction"],
            "training": by_key["training"],
            "value": by_key["value"],
            "effectiveness": [_section(s) for s in view.effectiveness],
            "has_effectiveness": bool(view.effectiveness),
            "offer_outcomes": view.offer_outcomes,
            "outcomes_verb": OUTCOMES_VERB,
            "outcomes_template": OUTCOMES_TEMPLATE,
            "meetings": _section(view.meetings),
            "attendance_chart_on": attendance_chart,
            "attendance_facts_on": not attendance_chart and bool(view.meetings.rows),
            "attendance_chart_title": view.attendance_chart_title,
            "attendance_chart_data": _stacked_bars(view.attendance_chart),
            "engagement_chart_on": engagement_chart,
            "engagement_chart_title": view.engagement_chart_title,
            "engagement_chart_data": [
                {"legend": legend, "value": value, "color": ENGAGEMENT_COLORS[i % 3]}
                for i, (legend, value) in enumerate(view.engagement_chart)
            ],
            "engagement_text": view.engagement_text,
            "satisfaction_chart_on": satisfaction_chart,
            "satisfaction_chart_title": view.satisfaction_chart_title,
            # One bar per survey with its mean written beside it (no axis of « 4.37 »).
            "satisfaction_chart_data": [
                {"x": x, "y": round(y, 1)}
                for series in view.satisfaction_chart[:1]
                for x, y in series.points
            ],
            "satisfaction_text": view.satisfaction_text,
            "scopes": [
                {
                    "label": s.label,
                    "start": s.start,
                    "end": s.end,
                    "committee": s.committee,
                }
                for s in view.scopes
            ],
            "has_scopes": bool(view.scopes),
            "csv_url": view.csv_url,
            "pdf_links": [{"label": label, "url": url} for label, url in view.pdf_links],
        },
        t,
    )


@dataclass(frozen=True)
class ProjectLine:
    id: str
    day: str
    title: str
    description: str
    kind: str = ""  # the kind's name in the card's language, "" when not given
    organisations: str = ""  # « CISSS de la Montérégie-Est, Maison Victor-Gadbois »
    link: str = ""  # https://…


@dataclass(frozen=True)
class ProjectsView:
    message: str  # what just happened (« Projet ajouté… »), or ""
    projects: tuple[ProjectLine, ...]
    kinds: tuple[tuple[str, str], ...] = ()  # (kind, name) for the form's choice
    today: str = ""  # the form's default day, YYYY-MM-DD


def build_projects_card(view: ProjectsView, t: Translator) -> dict[str, Any]:
    """The animateurs' list of projects and tools, each with a button to remove it."""
    return render(
        "vitality_projects",
        {
            "message": view.message,
            "has_message": bool(view.message),
            "projects": [
                {
                    "id": p.id,
                    "day": p.day,
                    "title": p.title,
                    "description": p.description,
                    "has_description": bool(p.description),
                    "about": t(
                        "vitality.projects.about", kind=p.kind, organisations=p.organisations
                    )
                    if p.kind and p.organisations
                    else p.kind or p.organisations,
                    "has_about": bool(p.kind or p.organisations),
                    "link": p.link,
                    "has_link": bool(p.link),
                }
                for p in view.projects
            ],
            "has_projects": bool(view.projects),
            "empty": not view.projects,
            "kinds": [{"title": name, "value": kind} for kind, name in view.kinds],
            "today": view.today,
            "add_verb": str(VitalityVerb.add_project),
        },
        t,
    )
