"""The report as a card (with Teams charts and their text fallbacks), a CSV and a one-page PDF."""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.render import MAX_CARD_BYTES
from cards.vitality import build_report_card
from dialogs.vitality import rules
from dialogs.vitality.exports import report_csv, safe_cell
from dialogs.vitality.report_pdf import printable, report_pdf
from dialogs.vitality.rules import (
    Attendance,
    MeetingFacts,
    MemberSpan,
    PollFacts,
    ProjectFacts,
    ReportRequest,
    VitalityInputs,
    compute_report,
    cycle_starting,
)
from dialogs.vitality.views import MAX_MEETING_LINES, Links, report_view
from tests.bot.conftest import texts_of
from tests.card_walk import facts_of
from tests.cards.card_schema import charts_of, schema_errors
from tests.dialogs.vitality.samples import TODAY, profile, sample_inputs, sample_report, sample_view

LOCALES = pytest.mark.parametrize("locale", SUPPORTED_LOCALES)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {fact["title"]: fact["value"] for fact in facts_of(card)}


@LOCALES
def test_the_card_with_charts_is_valid(locale: str) -> None:
    t = Translator(locale)
    card = build_report_card(sample_view(t), t)
    assert schema_errors(card) == []
    kinds = [c["type"] for c in charts_of(card)]
    assert kinds == ["Chart.HorizontalBar.Stacked", "Chart.Donut", "Chart.HorizontalBar"]
    assert len(json.dumps(card, ensure_ascii=False).encode("utf-16-le")) < MAX_CARD_BYTES
    assert "${" not in json.dumps(card)


@LOCALES
def test_every_chart_has_its_text_version(locale: str) -> None:
    t = Translator(locale)
    view = sample_view(t)
    attendance, donut, line = charts_of(build_report_card(view, t))
    # Attendance: one bar per meeting, in the room and online, each part with its legend and
    # the same colour in every bar; the fallback lists the same meetings.
    for bar in attendance["data"]:
        assert [part["legend"] for part in bar["data"]] == [
            t("vitality.chart.in_room"),
            t("vitality.chart.online"),
        ]
    assert len({tuple(part["color"] for part in bar["data"]) for bar in attendance["data"]}) == 1
    assert facts(attendance["fallback"]) == {r.label: r.value for r in view.meetings.rows}
    assert texts_of(donut["fallback"]) == [view.engagement_text]
    assert texts_of(line["fallback"]) == [view.satisfaction_text]
    report = sample_report()
    assert report.engagement is not None
    # The levels shown, then the hidden ones together (issue 19: fewer than 5 people each).
    e = report.engagement
    shown = [f.value for f in (e.core, e.active, e.peripheral) if not f.suppressed]
    expected = [*shown, e.people - sum(int(v or 0) for v in shown)] if len(shown) < 3 else shown
    assert [s["value"] for s in donut["data"]] == expected
    if len(shown) < 3:
        assert donut["data"][-1]["legend"] == t("vitality.chart.not_published")


@LOCALES
def test_without_charts_the_card_shows_the_text(locale: str) -> None:
    t = Translator(locale)
    view = sample_view(t)
    card = build_report_card(view, t, charts=False)
    assert charts_of(card) == []
    shown = facts(card)
    for row in view.meetings.rows:
        assert shown[row.label] == row.value
    assert view.engagement_text not in texts_of(card)  # the figures are in the facts already


def test_the_chart_check_is_live() -> None:
    t = Translator("fr-CA")
    card = build_report_card(sample_view(t), t)
    no_fallback = json.loads(json.dumps(card).replace('"fallback"', '"fallback_gone"'))
    assert schema_errors(no_fallback)
    bad = json.loads(
        json.dumps(card).replace('"legend": "Noyau", "value": ', '"legend": 1, "value": ')
    )
    assert schema_errors(bad)


@LOCALES
def test_card_figures_match_the_report(locale: str) -> None:
    t = Translator(locale)
    shown = facts(build_report_card(sample_view(t), t))
    report = sample_report()
    assert report.membership is not None
    assert report.training is not None
    figure = t("vitality.figure.members.active_now")  # the cycle is not over on TODAY
    assert shown[figure] == str(int(report.membership.active_at_end.value or 0))
    held = report.meetings or ()
    assert shown[t("vitality.figure.meetings.held")] == str(len(held))
    assert shown[t("vitality.figure.training.certificates")] == "31"
    assert shown[t("vitality.figure.topics.proposed")] == "3"


@LOCALES
def test_small_groups_read_less_than_the_threshold(locale: str) -> None:
    t = Translator(locale)
    members = tuple(MemberSpan(f"s{i}", frozenset({"ch"})) for i in range(4))
    meeting = MeetingFacts("r1", date(2025, 10, 2), frozenset({"ch"}), True, frozenset())
    inputs = VitalityInputs(
        members=members,
        meetings=(meeting,),
        attendance=(Attendance("r1", "s1", rules.IN_ROOM, 6.0),),
        certificates=1,
        polls=(),
        topics=(),
        cases=(),
    )
    report = compute_report(inputs, ReportRequest(cycle_starting(2025), "ch"), TODAY, 5)
    view = report_view(report, profile(), t, Links("https://x.example/a", ()))
    shown = facts(build_report_card(view, t, charts=False))
    hidden = t("vitality.suppressed", threshold=5)
    for key in (
        "members.active_start",
        "members.active_now",
        "engagement.core",
        "topics.proposed",
    ):
        assert shown[t(f"vitality.figure.{key}")] == hidden, key
    # A rate or a total on fewer than 5 people is not « < 5 » (issue 19).
    for key in ("meetings.rate", "training.hours_total"):
        assert shown[t(f"vitality.figure.{key}")] == t("vitality.suppressed_rate", threshold=5)
    (line,) = view.meetings.rows
    assert line.value == t("vitality.meeting.hidden", threshold=5)
    assert charts_of(build_report_card(view, t)) == []  # nothing left to draw


@LOCALES
def test_an_empty_report_says_no_data(locale: str) -> None:
    t = Translator(locale)
    report = compute_report(VitalityInputs(), ReportRequest(cycle_starting(2025)), TODAY, 5)
    view = report_view(report, profile(), t)
    card = build_report_card(view, t)
    assert schema_errors(card) == []
    assert charts_of(card) == []
    texts = texts_of(card)
    assert t("vitality.no_data_section") in texts
    assert t("vitality.project.none") in texts
    assert set(facts(card).values()) == {t("vitality.no_data")}


def test_a_long_period_shows_the_latest_meetings_and_exports_all() -> None:
    t = Translator("fr-CA")
    inputs = sample_inputs()
    assert inputs.meetings is not None
    assert inputs.members is not None
    start = date(2021, 9, 2)
    meetings = tuple(
        MeetingFacts(
            f"x{i}",
            start + timedelta(days=30 * i),
            frozenset({"ch"}),
            True,
            frozenset(m.key for m in inputs.members if "ch" in m.committee_ids),
        )
        for i in range(40)
    )
    attendance = tuple(
        Attendance(m.id, key, rules.IN_ROOM, 6.0) for m in meetings for key in sorted(m.invited)[:6]
    )
    report = compute_report(
        replace(inputs, meetings=meetings, attendance=attendance),
        ReportRequest(rules.Period(start, TODAY)),
        TODAY,
        5,
    )
    view = report_view(report, profile(), t)
    assert len(view.meetings.rows) == MAX_MEETING_LINES
    assert view.meetings.note == t("vitality.meeting.more", count="16")
    rows = read_csv(report_csv(view, t, TODAY))
    meeting_rows = [r for r in rows if r[0] == t("vitality.section.meetings")]
    assert len(meeting_rows) == 40
    assert schema_errors(build_report_card(view, t)) == []


@LOCALES
def test_the_csv_holds_every_figure_of_the_card(locale: str) -> None:
    t = Translator(locale)
    view = sample_view(t)
    data = report_csv(view, t, TODAY)
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets read the accents
    rows = read_csv(data)
    assert rows[0] == [
        t("vitality.csv.section"),
        t("vitality.csv.indicator"),
        t("vitality.csv.value"),
    ]
    assert all(len(r) == 3 for r in rows)
    exported = {(r[1], r[2]) for r in rows}
    for section in (*view.sections, view.meetings):
        for row in section.rows:
            assert (row.label, row.value) in exported, row.key
    # Poll by poll, hidden ones included (three people asked).
    assert (
        t(
            "vitality.poll.label",
            kind=t("vitality.poll_kind.availability"),
            day=_short(date(2026, 1, 5), t),
        ),
        t("vitality.poll.hidden", threshold=5),
    ) in exported


def _short(day: date, t: Translator) -> str:
    from cards.dates import short_date

    return short_date(day, t)


def _pdf_text(data: bytes) -> bytes:
    """The PDF's page content, decompressed."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    out = b""
    for stream in streams:
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            out += stream
    return out


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


@LOCALES
def test_the_pdf_is_one_page_in_the_reader_language(locale: str) -> None:
    t = Translator(locale)
    data = report_pdf(sample_view(t), t, TODAY)
    assert data.startswith(b"%PDF-")
    assert _pages(data) == 1
    content = _pdf_text(data)
    assert printable(t("vitality.section.participation")).encode("cp1252") in content
    assert printable(t("vitality.title", community="CdeP Montérégie")).encode("cp1252") in content


def test_a_crowded_report_still_fits_one_page() -> None:
    t = Translator("fr-CA")
    inputs = sample_inputs()
    projects = tuple(
        ProjectFacts(
            f"j{i}",
            f"Projet numéro {i} " + "x" * 90,
            "é" * 400,
            date(2025, 9, 1) + timedelta(days=i),
        )
        for i in range(60)
    )
    surveys = tuple(
        PollFacts(
            f"q{i}",
            "satisfaction",
            date(2025, 9, 5) + timedelta(days=7 * i),
            20,
            12,
            "",
            "",
            4.0,
            (1, 1, 2, 4, 4),
        )
        for i in range(25)
    )
    report = compute_report(
        replace(inputs, projects=projects, polls=(*(inputs.polls or ()), *surveys)),
        ReportRequest(cycle_starting(2025)),
        TODAY,
        5,
    )
    view = report_view(report, profile(), t)
    data = report_pdf(view, t, TODAY, compress=False)
    assert _pages(data) == 1
    # The lists were cut, and say so (PDF strings escape their parentheses).
    assert b" autres \\(voir le fichier CSV\\)" in data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Rencontre à l'hôpital « Charles-Le Moyne » – œuvre…",
            "Rencontre à l'hôpital « Charles-Le Moyne » – œuvre…",
        ),
        ("77\u202f%", "77\u00a0%"),  # Babel's narrow no-break space
        ("Projet ☕ 2026", "Projet ? 2026"),  # outside Windows-1252
    ],
)
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("< 5", "< 5"),
        ("Outil", "Outil"),
    ],
)
def test_csv_cells_are_never_formulas(text: str, expected: str) -> None:
    assert safe_cell(text) == expected
