"""One CSV writer (cards/csv_export.py) for every export, and no formula ever reaches a
spreadsheet: the payloads go in through the bot (a poll comment, display names, a roster name)
and through each export's own function (attendance, report)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from cards.csv_export import FORMULA_STARTS, csv_bytes, safe_cell
from cards.i18n import Translator
from cards.vitality import ReportView, Row, Section
from dialogs.presence.handlers import _csv as attendance_csv
from dialogs.vitality.exports import report_csv
from storage.profile_repository import MemberProfile
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, bot_http  # noqa: F401
from tests.dialogs.onboarding.test_http import click, download, seed, urls_of
from tests.dialogs.polls.conftest import MEMBERS, Driver, action_data

FR = Translator("fr-CA")
ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://x";"Cliquez")'
PAYLOADS = (
    HYPERLINK,
    "=1+2",
    "+33 1 23",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
)


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    assert re.search(r"(?<!\r)\n", text) is None or '"' in text  # CRLF ends (newlines quoted)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


def test_one_writer_for_every_export() -> None:
    writers = [
        path.relative_to(ROOT).as_posix()
        for package in ("bot", "dialogs", "cards", "storage")
        for path in (ROOT / package).rglob("*.py")
        if "csv.writer(" in path.read_text("utf-8")
    ]
    assert writers == ["cards/csv_export.py"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_cell_is_neutralised(payload: str) -> None:
    assert safe_cell(payload) == "'" + payload
    rows = _rows(csv_bytes([["a", "b"], [payload, 3]]))
    assert rows == [["a", "b"], ["'" + payload, "3"]]


def test_plain_cells_and_numbers_stay_as_they_are() -> None:
    assert safe_cell("Hôpital Charles-Le Moyne") == "Hôpital Charles-Le Moyne"
    assert safe_cell(-3) == "-3"
    assert safe_cell(None) == ""
    assert csv_bytes([["é", "x;y"]]) == '\ufeffé;"x;y"\r\n'.encode()


async def test_a_poll_comment_and_a_display_name_never_become_formulas(
    bot_http: BotHttp,  # noqa: F811
) -> None:
    polls = Driver(bot_http)
    draft_id, _ = await polls.new_draft()
    await polls.add_question(draft_id, "text", label="Commentaire?")
    card = polls.card(await polls.publish(draft_id))
    poll_id = action_data(card, "polls.view")["poll_id"]
    attacker = (MEMBERS[0][0], '=HYPERLINK("http://x";"Nom")')
    question = next(iter(polls.raw_store()["polls"].values()))["questions"][0]["id"]
    await polls.answer(poll_id, attacker, **{question: HYPERLINK})
    await polls.answer(poll_id, MEMBERS[1], **{question: "@SUM(A1:A9)"})
    export = polls.card(await polls.click("polls.export", {"poll_id": poll_id}))
    url = next(a["url"] for a in export["body"][-1]["actions"] if a.get("type") == "Action.OpenUrl")
    response = await bot_http.client.get("/files/" + url.rsplit("/", 1)[1])
    rows = _rows(await response.read())
    _no_formula(rows)
    cells = [cell for row in rows for cell in row]
    assert "'" + HYPERLINK in cells
    assert "'@SUM(A1:A9)" in cells


async def test_a_roster_name_never_becomes_a_formula(bot_http: BotHttp) -> None:  # noqa: F811
    await seed(
        bot_http,
        MemberProfile("aad-x1", name=HYPERLINK, institution="+Hôpital"),
        MemberProfile("aad-x2", name="-Luc", email="@luc"),
    )
    body = await click(bot_http, "onboarding.export_roster", {}, aad=ANIMATEUR_AAD)
    (url,) = urls_of(body["value"])
    status, content, _ = await download(bot_http, url)
    assert status == 200
    rows = _rows(content)
    _no_formula(rows)
    assert "'" + HYPERLINK in [row[0] for row in rows]


def test_the_attendance_export_neutralises_every_cell() -> None:
    rows = _rows(
        attendance_csv(
            [[p, HYPERLINK, "@x", "", "", "", "", "1", "0,25", ""] for p in PAYLOADS], FR
        )
    )
    assert rows[0][:3] == [
        FR("presence.csv.date"),
        FR("presence.csv.meeting"),
        FR("presence.csv.name"),
    ]
    _no_formula(rows)
    assert len(rows) == 1 + len(PAYLOADS)


def test_the_report_export_neutralises_every_cell() -> None:
    section = Section(
        "value", HYPERLINK, tuple(Row(f"k{n}", p, p) for n, p in enumerate(PAYLOADS)), "-note"
    )
    view = ReportView(
        title="=title",
        subtitle="+period",
        privacy="@privacy",
        sections=(section,),
        meetings=Section("meetings", "Rencontres"),
        attendance_chart=(),
        attendance_chart_title="",
        engagement_chart=(),
        engagement_chart_title="",
        engagement_text="",
        satisfaction_chart=(),
        satisfaction_chart_title="",
        satisfaction_text="",
        scopes=(),
        csv_url="",
        pdf_links=(),
    )
    rows = _rows(report_csv(view, FR, date.today()))
    _no_formula(rows)
    assert ["'" + HYPERLINK, "'" + HYPERLINK, "'" + HYPERLINK] in rows
