"""The report's CSV: every figure of the card (and every meeting, poll and project), one per
line.

Three columns (section, indicator, value), headed in the reader's language, values formatted as
on the card (« 77 % », « < 5 »). Like the other exports of Veilleuse, it opens straight into
columns in French Excel: UTF-8 with a byte-order mark, ``;`` between cells (``,`` is the decimal
mark in French), CRLF line ends. A cell that a spreadsheet would read as a formula (a project's
title starting with « = », « + », « - » or « @ ») is prefixed with « ' ».
"""

from __future__ import annotations

import csv
import io
from datetime import date

from cards.i18n import Translator
from cards.vitality import ReportView, Section, day_text

CSV_CONTENT_TYPE = "text/csv"  # bot/app.py refuses a charset here (the BOM says UTF-8)
CSV_DELIMITER = ";"
ORDER = ("participation", "meetings", "exchanges", "polls", "satisfaction", "training", "value")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _section_lines(section: Section) -> list[list[str]]:
    lines = [[section.title, row.label, row.value] for row in section.rows]
    if section.note:
        lines.append([section.title, section.note, ""])
    return lines


def report_csv(view: ReportView, t: Translator, generated_on: date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    header = [t("vitality.csv.section"), t("vitality.csv.indicator"), t("vitality.csv.value")]
    about = t("vitality.csv.report")
    lines = [
        [about, t("vitality.csv.report"), view.title],
        [about, t("vitality.csv.period"), view.subtitle],
        [about, t("vitality.csv.privacy"), view.privacy],
        [about, t("vitality.csv.generated"), day_text(generated_on, t)],
    ]
    # The exports' versions (every meeting, every project) replace the card's cut.
    sections = {s.key: s for s in (*view.sections, *view.details)}
    for key in ORDER:
        if key in sections:
            lines += _section_lines(sections[key])
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in line] for line in lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
