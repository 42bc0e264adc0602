"""« Supervision clinique ad hoc » and « Ce que les rencontres laissent » worded for the card, the
CSV and the PDF, from the sample report (tests/dialogs/vitality/samples.py: 11 supervision
requests, 5 past meetings, 7 takeaways)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

from cards.dates import short_date
from cards.i18n import Translator
from cards.vitality import build_report_card
from dialogs.vitality.exports import report_csv
from dialogs.vitality.report_pdf import report_pdf
from dialogs.vitality.rules import NotesFacts, SupervisionFacts, VitalityInputs
from dialogs.vitality.views import report_view
from tests.card_walk import texts_of
from tests.dialogs.presence.pdf_text import extract_text
from tests.dialogs.vitality.samples import (
    LONG_TAKEAWAY,
    TODAY,
    profile,
    sample_inputs,
    sample_notes,
    sample_report,
)

FR = Translator("fr-CA")
EN = Translator("en")
NBSP = "\u00a0"


def part(
    key: str, t: Translator = FR, inputs: VitalityInputs | None = None, committee: str = ""
) -> dict[str, str]:
    view = report_view(sample_report(committee, inputs), profile(), t)
    (found,) = [p for p in view.effectiveness if p.key == f"effectiveness.{key}"]
    return {r.label: r.value for r in found.rows} | {"": found.note}


def fig(key: str, t: Translator = FR) -> str:
    return t(f"vitality.figure.{key}")


def test_supervision_counts_only() -> None:
    found = part("supervision")
    assert found[fig("supervision.requests")] == "11"
    assert found[fig("supervision.taken")] == f"55{NBSP}%"  # 6 / 11
    assert found[fig("supervision.median")] == FR("vitality.hours", hours="4,5")
    outcomes = found[fig("supervision.outcomes")]
    assert FR("vitality.supervision.outcome_count", outcome="prises en charge", count="6") in (
        outcomes
    )
    # 3 expired and 2 open: each fewer than 5 people.
    hidden = FR("vitality.suppressed", threshold=5)
    assert FR("vitality.supervision.outcome_count", outcome="sans suite", count=hidden) in outcomes
    assert found[""] == ""
    en = part("supervision", EN)
    assert en[fig("supervision.taken", EN)] == "55%"
    assert "taken on: 6" in en[fig("supervision.outcomes", EN)]


def test_few_requests_say_why_and_show_no_detail() -> None:
    inputs = replace(sample_inputs(), supervision=SupervisionFacts(3, 3, 1.0, (("taken", 3),)))
    found = part("supervision", inputs=inputs)
    assert found == {
        fig("supervision.requests"): FR("vitality.suppressed", threshold=5),
        "": FR("vitality.supervision.hidden", threshold=5),
    }
    none = part("supervision", inputs=replace(inputs, supervision=SupervisionFacts(0, 0)))
    assert none == {"": FR("vitality.supervision.none")}


def test_a_source_that_failed_or_a_committee_s_report() -> None:
    failed = replace(sample_inputs(), supervision=None, notes=None)
    assert part("supervision", inputs=failed) == {"": FR("vitality.no_data_section")}
    assert part("left_behind", inputs=failed) == {"": FR("vitality.no_data_section")}
    assert part("left_behind", committee="ch") == {"": FR("vitality.cdep_only")}


def test_what_the_meetings_leave_behind_with_three_recent_takeaways() -> None:
    found = part("left_behind")
    assert found[fig("left_behind.notes")] == FR("vitality.out_of", part="4", whole="5")
    assert found[fig("left_behind.takeaways")] == "7"
    assert found[fig("left_behind.meetings_with_takeaways")] == "3 sur 5"
    assert found[fig("left_behind.follow_ups")] == "4 sur 6"
    # The newest meeting (22 January 2026) has three: the long one is cut at ~140 characters.
    view = report_view(sample_report(), profile(), FR)
    (section,) = [p for p in view.effectiveness if p.key == "effectiveness.left_behind"]
    quoted = [r for r in section.rows if r.key.startswith("left_behind.takeaway.")]
    day = short_date(sample_notes().texts[4].day, FR)
    assert {r.label for r in quoted} == {FR("vitality.left_behind.takeaway", day=day)}
    first = quoted[0].value
    assert first.endswith("…")
    assert len(first) <= 140
    assert first.startswith(LONG_TAKEAWAY[:100])
    assert [r.value for r in quoted[1:]] == [
        "Prendre soin de soi entre deux visites.",
        "Écouter la famille aussi.",
    ]
    assert "Demander plus tôt l'aide de l'équipe." not in str(view)


def test_fewer_takeaways_than_the_threshold_are_neither_counted_nor_quoted() -> None:
    notes = sample_notes()
    few = replace(notes, meetings_with_takeaways=1, takeaways=2, texts=notes.texts[:2])
    found = part("left_behind", inputs=replace(sample_inputs(), notes=few))
    assert found[fig("left_behind.takeaways")] == FR("vitality.suppressed", threshold=5)
    assert found[fig("left_behind.meetings_with_takeaways")] == FR(
        "vitality.suppressed_complement", threshold=5
    )
    assert found[""] == FR("vitality.left_behind.hidden", threshold=5)
    assert not [v for v in found.values() if "équipe" in v or "deuil" in v]
    nothing = NotesFacts(8, 0, 0, 0, 0, 0)
    quiet = part("left_behind", inputs=replace(sample_inputs(), notes=nothing))
    assert quiet == {"": FR("vitality.left_behind.nothing", count="8")}


def test_the_card_csv_and_pdf_hold_both_parts() -> None:
    view = report_view(sample_report(), profile(), FR)
    texts = texts_of(build_report_card(view, FR, charts=False))
    assert FR("vitality.effectiveness.supervision") in texts
    assert FR("vitality.effectiveness.left_behind") in texts
    assert "Écouter la famille aussi." in texts

    rows = list(
        csv.reader(io.StringIO(report_csv(view, FR, TODAY).decode("utf-8-sig")), delimiter=";")
    )

    def section(key: str) -> str:
        return FR(
            "vitality.effectiveness.csv_section",
            section=FR("vitality.section.effectiveness"),
            part=FR(f"vitality.effectiveness.{key}"),
        )

    assert [section("supervision"), fig("supervision.requests"), "11"] in rows
    assert [section("left_behind"), fig("left_behind.takeaways"), "7"] in rows
    assert [section("left_behind"), fig("left_behind.follow_ups"), "4 sur 6"] in rows

    # One paragraph each, above the outcomes' columns: on the one page even when it is full.
    data = report_pdf(view, FR, TODAY)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    pdf = extract_text(data).replace(NBSP, " ")
    fact = FR("vitality.fact", label=fig("supervision.requests"), value="11")
    assert fact.replace(NBSP, " ") in pdf
    assert "Écouter la famille" not in pdf  # the quotes stay in the card and the CSV
    for words in (
        FR("vitality.effectiveness.supervision"),
        fig("supervision.requests"),
        FR("vitality.effectiveness.left_behind"),
        fig("left_behind.takeaways"),
    ):
        assert words in pdf
