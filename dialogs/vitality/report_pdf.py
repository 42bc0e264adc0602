"""The one-page PDF report a lead can send to a manager (fpdf2).

Always exactly one A4 page: the participation figures on the left, exchanges, satisfaction and
training on the right, the attendance chart (stacked bars, in the room / online, one bar per
meeting) and the engagement levels below, then the projects; a list that would overflow is cut
with « … et N autres (voir le fichier CSV) ».

Fonts: the PDF standard Helvetica, in the Windows-1252 encoding, which covers French (accents,
« », ’, œ, –, …); a character outside it is printed as « ? ». A Unicode TrueType font would lift
that limit but none ships with the virtualenv (see the README).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import cast

from fpdf import FPDF

from cards.dates import day_month_year
from cards.i18n import Translator
from cards.vitality import ReportView, Row, Section, Series, number_text

PDF_CONTENT_TYPE = "application/pdf"
ENCODING = "cp1252"
FONT = "Helvetica"
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 13.0
GAP = 6.0
COLUMN_W = (PAGE_W - 2 * MARGIN - GAP) / 2
VALUE_W = 33.0
DATE_W = 24.0
ROW_FONT = 7.6
LINE_H = 3.5
FOOTER_H = 9.0
CHART_H = 52.0
INK = (33, 37, 41)
SUBTLE = (108, 117, 125)
ACCENT = (46, 94, 140)
ROOM = (46, 94, 140)
ONLINE = (120, 170, 210)
LEVELS = ((46, 94, 140), (120, 170, 210), (200, 210, 220))


def printable(text: str) -> str:
    """``text`` in the core fonts' encoding: thin spaces become no-break spaces, anything else
    outside Windows-1252 becomes « ? »."""
    text = text.replace("\u202f", "\u00a0").replace("\u2009", "\u00a0")
    return text.encode(ENCODING, errors="replace").decode(ENCODING)


class _Page:
    def __init__(self, t: Translator, compress: bool) -> None:
        self.t = t
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.core_fonts_encoding = ENCODING
        pdf.set_compression(compress)
        pdf.set_auto_page_break(False)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.add_page()
        self.pdf = pdf
        self.bottom = PAGE_H - MARGIN - FOOTER_H

    def font(self, size: float, style: str = "", color: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(FONT, style, size)
        self.pdf.set_text_color(*color)

    def text(self, x: float, y: float, width: float, text: str, line_h: float = LINE_H) -> float:
        """Wrapped text at (x, y); returns the y below it."""
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(width, line_h, printable(text), align="L")
        return self.pdf.get_y()

    def height(self, width: float, text: str, line_h: float = LINE_H) -> float:
        # fpdf2 annotates the union of every ``output`` mode; "LINES" gives the list of lines.
        lines = cast(
            list[str],
            self.pdf.multi_cell(width, line_h, printable(text), dry_run=True, output="LINES"),
        )
        return len(lines) * line_h

    def heading(self, x: float, y: float, width: float, title: str) -> float:
        self.font(9.5, "B", ACCENT)
        self.pdf.set_xy(x, y)
        self.pdf.cell(width, 5, printable(title))
        self.pdf.set_draw_color(*ACCENT)
        self.pdf.set_line_width(0.3)
        self.pdf.line(x, y + 5.2, x + width, y + 5.2)
        return y + 6.5

    def rows(
        self,
        x: float,
        y: float,
        width: float,
        rows: Sequence[Row],
        bottom: float,
        *,
        listing: bool = False,
    ) -> float:
        """Label / value rows (figures: value bold on the right; ``listing``: a narrow label,
        the value as text); stops with « … and N more » where the space ends."""
        label_w = DATE_W if listing else width - VALUE_W
        value_w = width - label_w
        for index, row in enumerate(rows):
            self.font(ROW_FONT)
            needed = max(self.height(label_w - 1, row.label), self.height(value_w, row.value))
            last = index == len(rows) - 1
            # Keep room for the « … and N more » line unless this is the last row.
            if y + needed > (bottom if last else bottom - LINE_H):
                return self._more(x, y, width, len(rows) - index)
            self.text(x, y, label_w - 1, row.label)
            self.font(ROW_FONT, "" if listing else "B")
            self.pdf.set_xy(x + label_w, y)
            self.pdf.multi_cell(
                value_w, LINE_H, printable(row.value), align="L" if listing else "R"
            )
            y += needed + 0.9
        return y

    def _more(self, x: float, y: float, width: float, count: int) -> float:
        self.font(ROW_FONT, "I", SUBTLE)
        return self.text(x, y, width, self.t("vitality.pdf.more", count=count))

    def section(
        self,
        x: float,
        y: float,
        width: float,
        section: Section,
        bottom: float,
        *,
        listing: bool = False,
    ) -> float:
        y = self.heading(x, y, width, section.title)
        y = self.rows(x, y, width, section.rows, bottom, listing=listing)
        if section.note and y + LINE_H <= bottom:
            self.font(ROW_FONT, "I", SUBTLE)
            y = self.text(x, y, width, section.note)
        return y + 2.5


def _attendance_chart(
    page: _Page, x: float, y: float, w: float, h: float, view: ReportView
) -> None:
    pdf = page.pdf
    y = page.heading(x, y, w, view.meetings.title)
    series: Sequence[Series] = view.attendance_chart
    if not series:
        page.font(ROW_FONT, "I", SUBTLE)
        page.text(x, y, w, view.meetings.note or view.engagement_text)
        return
    room, online = series[0], series[1]
    totals = [a[1] + b[1] for a, b in zip(room.points, online.points, strict=True)]
    top = max(max(totals), 1.0) * 1.12  # room for the totals above the bars
    legend_h, label_h = 6.0, 7.0
    plot_y, plot_h = y + legend_h, h - legend_h - label_h - 7
    slot = w / len(totals)
    bar = min(slot * 0.62, 12.0)
    pdf.set_draw_color(*SUBTLE)
    pdf.set_line_width(0.2)
    pdf.line(x, plot_y + plot_h, x + w, plot_y + plot_h)
    for i, ((label, in_room), (_, on_line)) in enumerate(
        zip(room.points, online.points, strict=True)
    ):
        bx = x + i * slot + (slot - bar) / 2
        room_h = plot_h * in_room / top
        online_h = plot_h * on_line / top
        pdf.set_fill_color(*ROOM)
        pdf.rect(bx, plot_y + plot_h - room_h, bar, room_h, style="F")
        pdf.set_fill_color(*ONLINE)
        pdf.rect(bx, plot_y + plot_h - room_h - online_h, bar, online_h, style="F")
        page.font(6, "B")
        pdf.set_xy(bx - 2, plot_y + plot_h - room_h - online_h - 3.2)
        pdf.cell(bar + 4, 3, printable(f"{int(in_room + on_line)}"), align="C")
        page.font(5.5, "", SUBTLE)
        pdf.set_xy(x + i * slot, plot_y + plot_h + 0.8)
        pdf.multi_cell(slot, 2.4, printable(label), align="C")
    _legend(page, x, y, ((room.legend, ROOM), (online.legend, ONLINE)))


def _legend(
    page: _Page, x: float, y: float, items: Sequence[tuple[str, tuple[int, int, int]]]
) -> None:
    pdf = page.pdf
    page.font(6.5)
    for legend, color in items:
        pdf.set_fill_color(*color)
        pdf.rect(x, y + 0.8, 2.6, 2.6, style="F")
        pdf.set_xy(x + 3.4, y)
        text = printable(legend)
        pdf.cell(pdf.get_string_width(text) + 1, 4, text)
        x += pdf.get_string_width(text) + 9


def _engagement_chart(page: _Page, x: float, y: float, w: float, view: ReportView) -> None:
    pdf = page.pdf
    y = page.heading(x, y, w, view.engagement_chart_title)
    if not view.engagement_chart:
        page.font(ROW_FONT, "I", SUBTLE)
        page.text(x, y, w, view.engagement_text)
        return
    total = sum(v for _, v in view.engagement_chart) or 1.0
    bx = x
    for (_legend_text, value), color in zip(view.engagement_chart, LEVELS, strict=False):
        width = w * value / total
        pdf.set_fill_color(*color)
        pdf.rect(bx, y + 1, width, 12, style="F")
        bx += width
    _legend(
        page,
        x,
        y + 15,
        [
            (page.t("vitality.fact", label=name, value=str(int(value))), color)
            for (name, value), color in zip(view.engagement_chart, LEVELS, strict=False)
        ],
    )


def _satisfaction_chart(
    page: _Page, x: float, y: float, w: float, bottom: float, view: ReportView
) -> None:
    """Mean satisfaction (out of 5) of each survey, one bar per survey, as far as room allows."""
    series = view.satisfaction_chart
    if not series or y + 20 > bottom:
        return
    pdf = page.pdf
    y = page.heading(x, y, w, view.satisfaction_chart_title)
    label_w, bar_h = 20.0, 5.0
    for label, mean in series[0].points:
        if y + bar_h + 1 > bottom:
            break
        page.font(6.5, "", SUBTLE)
        pdf.set_xy(x, y)
        pdf.cell(label_w, bar_h, printable(label))
        track = w - label_w - 14
        pdf.set_fill_color(*LEVELS[2])
        pdf.rect(x + label_w, y + 0.8, track, bar_h - 1.6, style="F")
        pdf.set_fill_color(*ACCENT)
        pdf.rect(x + label_w, y + 0.8, track * min(mean, 5.0) / 5.0, bar_h - 1.6, style="F")
        page.font(6.5, "B")
        pdf.set_xy(x + label_w + track + 1, y)
        pdf.cell(
            13, bar_h, printable(page.t("vitality.pdf.out_of_5", value=_decimal(mean, page.t)))
        )
        y += bar_h + 1.2


def _part_height(section: Section) -> float:
    """About what a part of « Efficacité » takes in a column (its title, rows or note): a row
    takes as many lines as its longer side needs (about 55 characters a line for a label, 22
    for a value; a note, about 60 a line)."""
    lines = [
        max(1, math.ceil(len(row.label) / 55), math.ceil(len(row.value) / 22))
        for row in section.rows
    ]
    note = math.ceil(len(section.note) / 60) * LINE_H
    return 4.5 + sum(n * LINE_H + 0.9 for n in lines) + note


def _columns(parts: Sequence[Section]) -> tuple[list[Section], list[Section]]:
    """Each part, in order, goes to the column that is shorter so far."""
    left: list[Section] = []
    right: list[Section] = []
    for part in parts:
        shorter = left if sum(map(_part_height, left)) <= sum(map(_part_height, right)) else right
        shorter.append(part)
    return left, right


# Parts of « Efficacité » printed as one full-width paragraph each, above the two columns: the
# figures between meetings are short, and so always find room on the one page (their quoted
# takeaways stay in the card and the CSV).
STRIP_PARTS = ("effectiveness.left_behind", "effectiveness.supervision")
QUOTE_PREFIX = "left_behind.takeaway."


def _strip_text(part: Section, t: Translator) -> str:
    facts = [
        t("vitality.fact", label=row.label, value=row.value)
        for row in part.rows
        if not row.key.startswith(QUOTE_PREFIX)
    ]
    return " · ".join([*facts, *([part.note] if part.note else [])])


def _strip_height(page: _Page, width: float, parts: Sequence[Section]) -> float:
    page.font(ROW_FONT)
    return sum(
        page.height(width, f"{p.title} — {_strip_text(p, page.t)}") + 1.2
        for p in parts
        if p.key in STRIP_PARTS
    )


def _effectiveness(
    page: _Page, x: float, y: float, width: float, parts: Sequence[Section], bottom: float
) -> float:
    """« Efficacité »: the STRIP_PARTS as paragraphs, then the others on two columns
    (:func:`_columns`); returns the y below it."""
    if not parts:
        return y
    y = page.heading(x, y, width, page.t("vitality.section.effectiveness"))
    for part in (p for p in parts if p.key in STRIP_PARTS):
        page.pdf.set_xy(x, y)
        page.font(ROW_FONT, "B", ACCENT)
        page.pdf.write(LINE_H, printable(f"{part.title} — "))
        page.font(ROW_FONT)
        page.pdf.write(LINE_H, printable(_strip_text(part, page.t)))
        y = page.pdf.get_y() + LINE_H + 1.2
    columns = _columns([p for p in parts if p.key not in STRIP_PARTS])
    lowest = y
    for n, column in enumerate(columns):
        cx, cy = x + n * (COLUMN_W + GAP), y
        for part in column:
            if cy + LINE_H > bottom:
                break
            page.font(ROW_FONT, "B", ACCENT)
            cy = page.text(cx, cy, COLUMN_W, part.title) + 0.6
            cy = page.rows(cx, cy, COLUMN_W, part.rows, bottom)
            if part.note and cy + LINE_H <= bottom:
                page.font(ROW_FONT, "I", SUBTLE)
                cy = page.text(cx, cy, COLUMN_W, part.note)
            cy += 1.5
        lowest = max(lowest, cy)
    return lowest + 1


def _decimal(value: float, t: Translator) -> str:
    return number_text(value, t, 1)


def report_pdf(
    view: ReportView, t: Translator, generated_on: date, *, compress: bool = True
) -> bytes:
    page = _Page(t, compress)
    pdf = page.pdf
    width = PAGE_W - 2 * MARGIN
    page.font(15, "B", ACCENT)
    y = page.text(MARGIN, MARGIN, width, view.title, 6.5)
    page.font(9.5)
    y = page.text(MARGIN, y + 0.5, width, view.subtitle, 4.5)
    page.font(7, "I", SUBTLE)
    y = page.text(MARGIN, y + 0.5, width, view.privacy, 3.2) + 3

    by_key = {s.key: s for s in view.sections}
    columns_bottom = page.bottom - CHART_H - 38
    left = page.section(MARGIN, y, COLUMN_W, by_key["participation"], columns_bottom)
    right_x = MARGIN + COLUMN_W + GAP
    right = y
    for key in ("exchanges", "satisfaction", "training"):
        right = page.section(right_x, right, COLUMN_W, by_key[key], columns_bottom)
    y = max(left, right) + 1

    # The charts take the room the projects leave (the page is used down to its footer).
    projects = next((s for s in view.details if s.key == "value"), by_key["value"])
    projects_h = 9.0 + len(projects.rows[:8]) * (LINE_H + 0.9)
    parts = view.effectiveness
    columned = [p for p in parts if p.key not in STRIP_PARTS]
    effect_h = (
        8.0
        + _strip_height(page, width, parts)
        + max(sum(map(_part_height, c)) for c in _columns(columned))
        if parts
        else 0.0
    )
    smallest = CHART_H * 0.5 if parts else CHART_H
    chart_h = min(max(smallest, page.bottom - y - projects_h - effect_h - 4), 2.2 * CHART_H)
    _attendance_chart(page, MARGIN, y, COLUMN_W * 1.25, chart_h, view)
    engagement_x = MARGIN + COLUMN_W * 1.25 + GAP
    side_w = PAGE_W - MARGIN - engagement_x
    _engagement_chart(page, engagement_x, y, side_w, view)
    _satisfaction_chart(page, engagement_x, y + 30, side_w, y + chart_h, view)
    y += chart_h + 2

    # « Efficacité », then the projects below it.
    y = _effectiveness(page, MARGIN, y, width, parts, page.bottom - min(projects_h, 16.0))

    # Every project (the exports' version), as many as fit; the rest is in the CSV.
    page.section(MARGIN, y, width, projects, page.bottom, listing=True)

    page.font(6.5, "I", SUBTLE)
    pdf.set_draw_color(*SUBTLE)
    pdf.line(
        MARGIN, PAGE_H - MARGIN - FOOTER_H + 1, PAGE_W - MARGIN, PAGE_H - MARGIN - FOOTER_H + 1
    )
    page.text(
        MARGIN,
        PAGE_H - MARGIN - FOOTER_H + 2,
        width,
        t("vitality.pdf.footer", day=day_month_year(generated_on, t)),
        3,
    )
    return bytes(pdf.output())
