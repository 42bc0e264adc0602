"""Attestations de présence as PDF (fpdf2), in the member's language.

Two documents: one per member per meeting, and a yearly summary per member. Every sentence
comes from the catalogs (``presence.pdf.*``); this module only lays out values prepared by the
caller (dates already formatted in the member's language).

Fonts: a TrueType font is embedded so French accents and « guillemets » render everywhere. The
first found of: the ``ttf_opensans`` package (Open Sans, Apache 2.0, if installed), then DejaVu
Sans or Liberation Sans in the standard system font folders (Debian ``fonts-dejavu-core`` /
``fonts-liberation``). Without any, the PDF falls back to the standard Helvetica font, whose
Windows-1252 encoding still covers French.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cards.i18n import Translator

logger = logging.getLogger(__name__)

FONT_FAMILY = "Attestation"
_SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
_SYSTEM_FONTS = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
)
# Characters babel and typography use that Helvetica's Windows-1252 lacks.
_CP1252_SUBSTITUTES = {"\u202f": " ", "\u2009": " ", "\u2011": "-"}


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path


@cache
def find_fonts() -> FontFiles | None:
    """The TrueType fonts to embed, or None (core Helvetica then)."""
    try:
        folder = resources.files("ttf_opensans").joinpath("ttf")
        regular = Path(str(folder.joinpath("OpenSans-Regular.ttf")))
        bold = Path(str(folder.joinpath("OpenSans-Bold.ttf")))
        if regular.is_file() and bold.is_file():
            return FontFiles(regular, bold)
    except (ModuleNotFoundError, TypeError):
        pass
    for directory in _SYSTEM_FONT_DIRS:
        root = Path(directory)
        if not root.is_dir():
            continue
        for regular_name, bold_name in _SYSTEM_FONTS:
            regular_found = next(root.rglob(regular_name), None)
            bold_found = next(root.rglob(bold_name), None)
            if regular_found and bold_found:
                return FontFiles(regular_found, bold_found)
    logger.warning("no TrueType font found for certificates; using Helvetica")
    return None


@dataclass(frozen=True)
class MeetingCertificate:
    community: str
    title: str
    date_text: str  # « mardi 7 mai 2024 »
    time_text: str  # « 9 h 00 à 16 h 00 »
    place_text: str  # place and/or mode, in the member's language
    member_name: str
    discipline: str
    institution: str
    hours_text: str  # « 5,75 »
    minutes_text: str  # attended time, « 6 h 30 »
    general_objective: str
    specific_objectives: tuple[str, ...]
    responsable_name: str
    responsable_role: str
    issued_text: str
    code: str
    rule_text: str


@dataclass(frozen=True)
class YearLine:
    date_text: str
    title: str
    mode_text: str
    hours_text: str


@dataclass(frozen=True)
class YearSummary:
    community: str
    year: str  # the hours year's label, « 2026-2027 »
    period_text: str  # « Cycle 2026-2027, du 1er septembre 2026 au 30 juin 2027 »
    member_name: str
    discipline: str
    institution: str
    lines: tuple[YearLine, ...]
    total_text: str
    responsable_name: str
    responsable_role: str
    issued_text: str
    code: str
    rule_text: str


class _Document(FPDF):
    def __init__(self, fonts: FontFiles | None) -> None:
        super().__init__(format="Letter", unit="mm")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(22, 20, 22)
        self._unicode = fonts is not None
        if fonts is not None:
            self.add_font(FONT_FAMILY, "", str(fonts.regular))
            self.add_font(FONT_FAMILY, "B", str(fonts.bold))
            self._family = FONT_FAMILY
        else:
            self.core_fonts_encoding = "windows-1252"
            self._family = "Helvetica"
        self.set_creator("Veilleuse")
        self.add_page()

    def text_of(self, text: str) -> str:
        if self._unicode:
            return text
        for char, substitute in _CP1252_SUBSTITUTES.items():
            text = text.replace(char, substitute)
        return text.encode("cp1252", errors="replace").decode("cp1252")

    def para(
        self, text: str, size: float = 11, *, bold: bool = False, align: str = "L", gap: float = 2
    ) -> None:
        self.set_font(self._family, "B" if bold else "", size)
        self.multi_cell(
            0, size * 0.5, self.text_of(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.ln(gap)

    def field(self, label: str, value: str) -> None:
        if not value:
            return
        self.set_font(self._family, "B", 11)
        self.cell(48, 6, self.text_of(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_font(self._family, "", 11)
        self.multi_cell(0, 6, self.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _signature(
    doc: _Document, t: Translator, name: str, role: str, issued: str, code: str, rule: str
) -> None:
    doc.ln(6)
    doc.para(t("presence.pdf.responsable"), 10, bold=True, gap=0)
    doc.para(name, 11, gap=0)
    if role:
        doc.para(role, 10, gap=0)
    doc.ln(4)
    doc.field(t("presence.pdf.issued"), issued)
    doc.field(t("presence.pdf.code"), code)
    doc.ln(4)
    doc.para(rule, 8, gap=1)
    doc.para(t("presence.pdf.verify", code=code), 8, gap=0)


def meeting_certificate_pdf(view: MeetingCertificate, t: Translator) -> bytes:
    doc = _Document(find_fonts())
    doc.set_title(doc.text_of(f"{t('presence.pdf.title')} - {view.title}"))
    doc.para(view.community, 12, align="C", gap=4)
    doc.para(t("presence.pdf.title"), 22, bold=True, align="C", gap=2)
    doc.para(t("presence.pdf.subtitle"), 11, align="C", gap=8)
    doc.para(t("presence.pdf.certifies"), 11, gap=2)
    doc.para(view.member_name, 16, bold=True, gap=1)
    details = ", ".join(part for part in (view.discipline, view.institution) if part)
    if details:
        doc.para(details, 11, gap=4)
    doc.para(t("presence.pdf.attended"), 11, gap=2)
    doc.para(view.title, 14, bold=True, gap=3)
    doc.field(t("presence.pdf.date"), view.date_text)
    doc.field(t("presence.pdf.time"), view.time_text)
    doc.field(t("presence.pdf.place"), view.place_text)
    doc.field(t("presence.pdf.attended_time"), view.minutes_text)
    doc.field(t("presence.pdf.hours"), t("presence.pdf.hours_value", hours=view.hours_text))
    if view.general_objective or view.specific_objectives:
        doc.ln(3)
        doc.para(t("presence.pdf.objectives"), 11, bold=True, gap=1)
        if view.general_objective:
            doc.para(view.general_objective, 10, gap=1)
        for objective in view.specific_objectives:
            doc.para(f"- {objective}", 10, gap=0)
    _signature(
        doc,
        t,
        view.responsable_name,
        view.responsable_role,
        view.issued_text,
        view.code,
        view.rule_text,
    )
    return bytes(doc.output())


def year_summary_pdf(view: YearSummary, t: Translator) -> bytes:
    doc = _Document(find_fonts())
    doc.set_title(doc.text_of(f"{t('presence.pdf.year_title', year=view.year)}"))
    doc.para(view.community, 12, align="C", gap=4)
    doc.para(t("presence.pdf.year_title", year=view.year), 20, bold=True, align="C", gap=2)
    doc.para(view.period_text, 11, align="C", gap=8)
    doc.para(view.member_name, 16, bold=True, gap=1)
    details = ", ".join(part for part in (view.discipline, view.institution) if part)
    if details:
        doc.para(details, 11, gap=4)
    widths: Sequence[float] = (52, 72, 24, 24)
    headers = (
        t("presence.pdf.date"),
        t("presence.pdf.meeting"),
        t("presence.pdf.mode"),
        t("presence.pdf.hours_short"),
    )
    doc.set_font(doc._family, "B", 10)
    for width, header in zip(widths, headers, strict=True):
        doc.cell(width, 7, doc.text_of(header), border="B")
    doc.ln(8)
    doc.set_font(doc._family, "", 10)
    for line in view.lines:
        cells = (line.date_text, line.title, line.mode_text, line.hours_text)
        for width, value in zip(widths, cells, strict=True):
            text = doc.text_of(value)
            while text and doc.get_string_width(text) > width - 2:
                text = text[:-2] + "…" if doc._unicode else text[:-2] + "."
            doc.cell(width, 7, text)
        doc.ln(7)
    doc.ln(2)
    doc.set_font(doc._family, "B", 11)
    doc.cell(sum(widths[:3]), 8, doc.text_of(t("presence.pdf.total")), border="T")
    doc.cell(widths[3], 8, doc.text_of(view.total_text), border="T")
    doc.ln(10)
    _signature(
        doc,
        t,
        view.responsable_name,
        view.responsable_role,
        view.issued_text,
        view.code,
        view.rule_text,
    )
    return bytes(doc.output())
