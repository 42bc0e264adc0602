"""« Efficacité » worded for the card, the CSV and the PDF, from the sample report
(tests/dialogs/vitality/samples.py: one outcomes survey answered by 12 people)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from cards.i18n import Translator
from cards.vitality import build_report_card
from dialogs.vitality.exports import report_csv
from dialogs.vitality.report_pdf import report_pdf
from dialogs.vitality.rules import VitalityInputs
from dialogs.vitality.views import Links, report_view
from tests.card_walk import of_type, texts_of
from tests.dialogs.presence.pdf_text import extract_text
from tests.dialogs.vitality.samples import TODAY, profile, sample_inputs, sample_report

FR = Translator("fr-CA")
EN = Translator("en")


def parts(t: Translator, inputs: VitalityInputs | None = None) -> dict[str, dict[str, str]]:
    view = report_view(sample_report(inputs=inputs), profile(), t)
    return {p.key: {r.label: r.value for r in p.rows} | {"": p.note} for p in view.effectiveness}


def test_objectives_are_named_from_the_profile_in_the_reader_s_language() -> None:
    objectives = profile().objectives
    fr = parts(FR)["effectiveness.objectives"]
    assert fr[FR("vitality.figure.effectiveness.respondents")] == "12"
    # Objective 1: (0,1,2,5,4) → (2 + 6 + 20 + 20) / 12 = 4,0; shares 0, 8, 17, 42, 33 %.
    first = fr[objectives[0].get("fr-CA")]
    assert first.startswith(FR("vitality.mean_on_5", mean="4"))
    assert FR("vitality.effectiveness.share", score="4", share="42\u00a0%") in first
    # Objective 3: 3 people only.
    assert fr[objectives[2].get("fr-CA")] == FR("vitality.suppressed_rate", threshold=5)
    en = parts(EN)["effectiveness.objectives"]
    assert objectives[1].get("en") in en


def test_choices_most_cited_first_and_small_counts_hidden() -> None:
    found = parts(FR)
    assert list(found["effectiveness.learnings"].items()) == [
        ("Prévention du suicide", "8"),
        ("Deuil", "5"),
        ("Sexualité", FR("vitality.suppressed", threshold=5)),
        ("", ""),
    ]
    assert found["effectiveness.practice"]["Je réfère autrement"] == "7"
    assert found["effectiveness.projects"] == {
        FR("vitality.project_kind.clinical_tool"): "1",
        FR("vitality.project_kind.unspecified"): "1",
        "": "",
    }


def test_without_a_survey_it_is_said_once() -> None:
    found = parts(FR, replace(sample_inputs(), outcomes=()))
    assert found["effectiveness.objectives"][""] == FR("vitality.effectiveness.no_survey")
    assert set(found) == {
        "effectiveness.objectives",
        "effectiveness.projects",
        "effectiveness.left_behind",
        "effectiveness.supervision",
    }
    missing = parts(FR, replace(sample_inputs(), outcomes=None))
    assert missing["effectiveness.objectives"] == {"": FR("vitality.no_data_section")}
    # The between-meetings parts come from other features: still there without the polls.
    assert set(missing) == {
        "effectiveness.objectives",
        "effectiveness.left_behind",
        "effectiveness.supervision",
    }


def test_the_card_csv_and_pdf_hold_the_section() -> None:
    view = report_view(sample_report(), profile(), FR, Links("https://x/csv", (), True))
    card = build_report_card(view, FR, charts=False)
    texts = texts_of(card)
    assert FR("vitality.section.effectiveness") in texts
    assert FR("vitality.effectiveness.learnings") in texts
    (launch,) = [a for a in of_type(card, "Action.Execute") if a["verb"] == "polls.post_template"]
    assert launch["data"] == {"verb": "polls.post_template", "template": "outcomes"}
    quiet = build_report_card(replace(view, offer_outcomes=False), FR, charts=False)
    assert not [a for a in of_type(quiet, "Action.Execute") if a["verb"] == "polls.post_template"]

    rows = list(
        csv.reader(io.StringIO(report_csv(view, FR, TODAY).decode("utf-8-sig")), delimiter=";")
    )
    section = FR(
        "vitality.effectiveness.csv_section",
        section=FR("vitality.section.effectiveness"),
        part=FR("vitality.effectiveness.learnings"),
    )
    assert [section, "Prévention du suicide", "8"] in rows
    pdf = extract_text(report_pdf(view, FR, TODAY))
    assert FR("vitality.section.effectiveness") in pdf
    assert "Prévention du suicide" in pdf
    assert FR("vitality.effectiveness.projects") in pdf


def test_without_projects_the_card_says_so_once() -> None:
    """No project in the period: « Projets et outils par type » is left out, and the projects
    section below says there are none — once."""
    report = sample_report(inputs=replace(sample_inputs(), projects=()))
    card = build_report_card(report_view(report, profile(), FR), FR)
    assert "effectiveness.projects" not in parts(FR, replace(sample_inputs(), projects=()))
    assert texts_of(card).count(FR("vitality.project.none")) == 1
