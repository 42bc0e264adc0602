"""The report's CSV: every figure of the card (and every meeting, poll and project), one per
line.

Three columns (section, indicator, value), headed in the reader's language, values formatted as
on the card (« 77 % », « < 5 »). Like the other exports of Veilleuse, it opens straight into
columns in French Excel: UTF-8 with a byte-order mark, ``;`` between cells (``,`` is the decimal
mark in French), CRLF line ends. A cell that a spreadsheet would read as a formula (a project's
title starting with « = », « + », « - » or « @ ») is prefixed with « ' ».
"""

from __future__ import annotations

from datetime import date

from cards.csv_export import CSV_CONTENT_TYPE, CSV_DELIMITER, csv_bytes, safe_cell
from cards.dates import day_month_year
from cards.i18n import Translator
from cards.vitality import ReportView, Section

__all__ = ["CSV_CONTENT_TYPE", "CSV_DELIMITER", "report_csv", "safe_cell"]
ORDER = (
    "participation",
    "meetings",
    "exchanges",
    "polls",
    "satisfaction",
    "training",
    "effectiveness",
    "value",
)


def _section_lines(section: Section) -> list[list[str]]:
    lines = [[section.title, row.label, row.value] for row in section.rows]
    if section.note:
        lines.append([section.title, section.note, ""])
    return lines


def _effectiveness_lines(view: ReportView, t: Translator) -> list[list[str]]:
    """« Efficacité — Changements de pratique » etc.: one part after the other."""
    section = t("vitality.section.effectiveness")
    lines: list[list[str]] = []
    for part in view.effectiveness:
        title = t("vitality.effectiveness.csv_section", section=section, part=part.title)
        lines += _section_lines(Section(part.key, title, part.rows, part.note))
    return lines


def report_csv(view: ReportView, t: Translator, generated_on: date) -> bytes:
    header = [t("vitality.csv.section"), t("vitality.csv.indicator"), t("vitality.csv.value")]
    about = t("vitality.csv.report")
    lines = [
        [about, t("vitality.csv.report"), view.title],
        [about, t("vitality.csv.period"), view.subtitle],
        [about, t("vitality.csv.privacy"), view.privacy],
        [about, t("vitality.csv.generated"), day_month_year(generated_on, t)],
    ]
    # The exports' versions (every meeting, every project) replace the card's cut.
    sections = {s.key: s for s in (*view.sections, *view.details)}
    for key in ORDER:
        if key == "effectiveness":
            lines += _effectiveness_lines(view, t)
        elif key in sections:
            lines += _section_lines(sections[key])
    return csv_bytes([header, *lines])
