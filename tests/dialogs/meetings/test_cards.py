"""Meeting cards: dates in full French, times « 9 h 00 », size with a long agenda."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time

from cards.dates import long_date, short_time
from cards.i18n import Translator
from cards.meetings import (
    FORM_MAX_ROWS,
    AgendaLine,
    CardSection,
    CommitteeLine,
    FormRow,
    ListEntry,
    PlanLine,
    SectionLine,
    Viewer,
    agenda_text,
    build_form_card,
    build_list_card,
    build_meeting_card,
    per_committee_text,
)
from cards.render import MAX_CARD_BYTES
from dialogs.meetings.handlers import LIST_LIMIT, YEAR_LIMIT
from tests.bot.conftest import texts_of
from tests.cards.card_schema import schema_errors
from tests.cards.fixtures.meetings import annexe_c_view, form_view

FR = Translator("fr-CA")
EN = Translator("en")


def test_dates_and_times_in_each_language() -> None:
    assert long_date(date(2024, 5, 7), FR) == "mardi 7 mai 2024"
    assert short_time(time(9, 0), FR) == "9 h 00"
    assert short_time(time(13, 15), FR) == "13 h 15"
    assert long_date(date(2024, 5, 7), EN) == "Tuesday, May 7, 2024"
    assert short_time(time(13, 15), EN) == "1:15 PM"


def test_agenda_lines_read_like_annexe_c() -> None:
    workshop = AgendaLine(time(13, 15), time(16, 0), "atelier_conference", "Diversité", "Karine")
    assert agenda_text(workshop, FR) == FR(
        "meetings.agenda.presented_by",
        text=FR(
            "meetings.agenda.kind_title",
            kind=FR("meetings.kind.atelier_conference"),
            title="Diversité",
        ),
        presenter="Karine",
    )
    plain = AgendaLine(time(9, 0), time(9, 45), "tour_de_table", "tour de table")
    assert agenda_text(plain, FR) == FR("meetings.kind.tour_de_table")
    other = AgendaLine(time(9, 0), time(9, 45), "autre", "Pause")
    assert agenda_text(other, FR) == "Pause"


def test_25_agenda_items_and_many_names_stay_under_the_limit() -> None:
    view = annexe_c_view(agenda_items=25)
    names = {c: [f"Prénom{i} Nom-de-famille{i}" for i in range(60)] for c in view.choices}
    viewer = Viewer(my_choice="salle", can_manage=True, names_by_choice=names, unanswered=12)
    for t in (FR, EN):
        card = build_meeting_card(view, t, viewer, [f"29:{i}" for i in range(60)])
        assert schema_errors(card) == []
        assert len(json.dumps(card, ensure_ascii=False).encode("utf-16-le")) < MAX_CARD_BYTES
        agenda = next(
            b for b in card["body"] if b.get("type") == "FactSet" and len(b["facts"]) > 20
        )
        assert len(agenda["facts"]) == 6 + 25 + 1  # template, extra lines, end of day


def test_a_cancelled_card_offers_no_answer() -> None:
    card = build_meeting_card(annexe_c_view(status="cancelled"), FR, Viewer(can_manage=True))
    assert FR("meetings.card.cancelled_banner") in texts_of(card)
    assert "meetings.rsvp" not in json.dumps(card)
    assert "meetings.cancel" not in json.dumps(card)


def test_the_form_with_25_lines_of_maximal_text_stays_under_the_limit() -> None:
    for t in (FR, EN):
        rows = [
            FormRow(n, "09:00", "10:00", "supervision", "é" * 200, "x" * 120)
            for n in range(1, FORM_MAX_ROWS + 1)
        ]
        view = replace(form_view(t), rows=rows, values={"general_objective": "o" * 600})
        card = build_form_card(view, t)
        assert schema_errors(card) == []
        assert len(json.dumps(card, ensure_ascii=False).encode("utf-16-le")) < MAX_CARD_BYTES
        assert "meetings.add_rows" not in json.dumps(card)


def test_the_longest_lists_stay_under_the_limit() -> None:
    entries = [ListEntry(annexe_c_view(), "salle")] * max(YEAR_LIMIT, LIST_LIMIT)
    lines = [CommitteeLine("Comité des centres hospitaliers", 1, 2, 3)] * 4
    for t in (FR, EN):
        card = build_list_card(entries, t, heading="x", year=2030, committees=lines)
        assert len(json.dumps(card, ensure_ascii=False).encode("utf-16-le")) < MAX_CARD_BYTES


def test_sections_from_other_features_show_under_the_agenda() -> None:
    view = replace(
        annexe_c_view(agenda_items=2),
        sections=(
            CardSection("Ce qu'on retient", (SectionLine("Outil de détection de la détresse"),)),
            CardSection("Ressources", (SectionLine("Guide", "https://example.org/guide"),)),
            CardSection("Vide"),
        ),
    )
    card = build_meeting_card(view, FR)
    texts = texts_of(card)
    assert "Ce qu'on retient" in texts
    assert "- Outil de détection de la détresse" in texts
    assert "[Guide](https://example.org/guide)" in texts
    assert "Vide" not in texts  # a section with nothing to show is left out
    assert texts.index("Ce qu'on retient") > texts.index(FR("meetings.card.agenda"))
    assert not schema_errors(card)


def test_per_committee_counts_joint_meetings_for_every_committee() -> None:
    """The Montérégie year: each committee meets five times, three on its own and two jointly,
    so eight meetings make ten committee meetings (guide, §7.3.1)."""

    def line(day: int, *names: str, cancelled: bool = False) -> PlanLine:
        return PlanLine(date(2027, 1, day), time(9), time(16), names, "salle", cancelled=cancelled)

    year = [line(d, "CLSC") for d in (5, 6, 7)] + [line(d, "CH") for d in (12, 13, 14)]
    year += [line(19, "CLSC", "CH"), line(20, "CLSC", "CH"), line(21, "CH", cancelled=True)]
    assert per_committee_text(year, FR) == FR(
        "meetings.plan.per_committee",
        items="CLSC\u00a0: 5 rencontres, dont 2 conjointes"
        " · CH\u00a0: 5 rencontres, dont 2 conjointes",
    )
    assert per_committee_text(year, EN) == (
        "Per committee: CLSC: 5 meetings, 2 of them joint · CH: 5 meetings, 2 of them joint"
    )
    assert per_committee_text([line(5, "CLSC")], FR) == ""  # one committee alone: nothing to add
    # The committees keep one order whatever line comes first: the profile's when given, else
    # the one a joint meeting names them in (a CH line first no longer puts the CH first).
    mixed = [line(4, "CH"), *year]
    assert per_committee_text(mixed, EN).startswith("Per committee: CLSC: 5 meetings")
    assert per_committee_text(mixed, EN, ["CH", "CLSC"]).startswith("Per committee: CH: 6")
