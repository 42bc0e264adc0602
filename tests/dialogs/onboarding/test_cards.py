"""Onboarding cards at their limits: a big CdeP's roster, digest and mentor lists stay under the
Teams size limit and valid; the roster CSV is what French Excel opens."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.onboarding import (
    DataSection,
    DigestView,
    ExportRow,
    MyDataView,
    RosterRow,
    RosterView,
    build_digest_card,
    build_mentor_card,
    build_my_data_card,
    build_roster_card,
    build_roster_csv,
)
from cards.render import MAX_CARD_BYTES
from tests.bot.conftest import texts_of
from tests.cards.card_schema import schema_errors

COMMITTEES = [("ch", "Comité des centres hospitaliers"), ("clsc", "Comité des CLSC")]
LONG_NAME = "Marie-Josée Tremblay-Bouchard-Lévesque"
LONG_PLACE = "CISSS de la Montérégie-Centre, CLSC Samuel-de-Champlain, point de service Brossard"


def size_of(card: dict) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


def roster_rows(count: int) -> list[RosterRow]:
    return [
        RosterRow(
            key=f"6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d{i:04d}",
            name=f"{LONG_NAME} {i}",
            discipline="social_service_technician",
            institution=LONG_PLACE,
            committee_ids=["ch", "clsc"],
            missing=["profile", "rules"],
            mentor_name="Marc-André Tremblay",
            arrived_on=date(2024, 5, 1),
            is_newcomer=True,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("count", [3, 60, 800])
def test_the_roster_card_fits_whatever_the_size_of_the_cdep(locale: str, count: int) -> None:
    t = Translator(locale)
    rows = roster_rows(count)
    card = build_roster_card(RosterView("CdeP Montérégie", COMMITTEES, rows, 4, 14), t)
    assert size_of(card) < MAX_CARD_BYTES
    assert schema_errors(card) == []
    texts = texts_of(card)
    ch_group = next(b for b in card["body"] if b.get("type") == "Container")
    shown = len(ch_group["items"][1]["facts"])
    assert ch_group["items"][1]["facts"][0]["title"] == f"{LONG_NAME} 0"
    truncated = t("onboarding.roster.truncated", shown=shown, total=count)
    assert (truncated in texts) is (shown < count)
    assert shown == count or shown >= 45  # even with long names, a good part of the roster


def test_members_without_a_listed_committee_are_grouped_apart() -> None:
    t = Translator("fr-CA")
    rows = [
        RosterRow("a", "Anne", "", "", ["ch"], [], "", None, False),
        RosterRow("b", "Bob", "", "", [], [], "", None, False),
        RosterRow("c", "Chloé", "", "", ["removed-committee"], [], "", None, False),
    ]
    card = build_roster_card(RosterView("CdeP", COMMITTEES, rows, 0, 14), t)
    texts = texts_of(card)
    assert t("onboarding.roster.group", name=COMMITTEES[0][1], count=1) in texts
    assert t("onboarding.roster.group", name=t("onboarding.roster.no_committee"), count=2) in texts


def test_a_long_mentor_list_keeps_the_chosen_newcomer() -> None:
    t = Translator("fr-CA")
    people = [(f"key-{i:04d}", f"{LONG_NAME} {i} ({LONG_PLACE})") for i in range(800)]
    card = build_mentor_card(people, people, "key-0799", t)
    assert size_of(card) < MAX_CARD_BYTES
    assert schema_errors(card) == []
    newcomer = next(e for e in card["body"] if e.get("id") == "newcomer")
    assert newcomer["value"] == "key-0799"
    assert "key-0799" in [c["value"] for c in newcomer["choices"]]


def test_a_digest_after_a_mass_arrival_fits_and_says_how_many_are_left_out() -> None:
    t = Translator("fr-CA")
    names = [(f"{LONG_NAME} {i}", date(2024, 5, 6)) for i in range(700)]
    view = DigestView(
        day=date(2024, 5, 7),
        covers=(date(2024, 5, 6), date(2024, 5, 6)),
        arrivals=names,
        departures=names[:3],
        incomplete=[(name, ["profile", "rules"]) for name, _ in names],
    )
    card = build_digest_card(view, t)
    assert size_of(card) < MAX_CARD_BYTES
    assert schema_errors(card) == []
    texts = texts_of(card)
    assert t("onboarding.digest.arrivals", count=700) in texts
    arrivals, departures, incomplete = (
        block["items"][1]["facts"] for block in card["body"] if block.get("type") == "Container"
    )
    assert len(departures) == 3
    for facts in (arrivals, incomplete):
        left_out = 700 - (len(facts) - 1)
        assert facts[-1] == {"title": "…", "value": t.plural("onboarding.list.more", left_out)}


def test_long_values_of_my_data_are_shortened() -> None:
    t = Translator("en")
    view = MyDataView(sections=[DataSection("Polls", [("answer", "x" * 5000)] * 60)])
    card = build_my_data_card(view, t)
    assert size_of(card) < MAX_CARD_BYTES
    assert all(len(text) <= 300 for text in texts_of(card) if text.startswith("x"))


def test_the_roster_csv_is_what_french_excel_opens() -> None:
    t = Translator("fr-CA")
    rows = [
        ExportRow(
            "Julie Côté",
            "julie@example.org",
            "psychologist",
            "Hôpital Charles-Le Moyne; aile B",
            "ch",
            "Longueuil",
            ["Comité des CLSC"],
            None,
            date(2024, 5, 1),
            ["rules"],
        ),
        ExportRow("@cmd", "", "", "=1+1", "", "-2", [], date(2024, 6, 1), None, []),
    ]
    content = build_roster_csv(rows, t)
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][0] == t("onboarding.csv.name")
    assert table[1][:4] == [
        "Julie Côté",
        "julie@example.org",
        t("onboarding.discipline.psychologist"),
        "Hôpital Charles-Le Moyne; aile B",  # quoted, so the « ; » stays in its cell
    ]
    assert table[1][8] == t("onboarding.step.rules")
    assert table[2][0] == "'@cmd"
    assert table[2][3] == "'=1+1"
    assert table[2][5] == "'-2"
    assert table[2][7] == t("onboarding.csv.departed")
