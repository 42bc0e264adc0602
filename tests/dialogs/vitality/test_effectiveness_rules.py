"""« Efficacité » figures and the projects' fields against hand-computed values (threshold 5)."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.vitality import rules
from dialogs.vitality.rules import (
    ArgsError,
    ChoiceLine,
    Figure,
    OutcomesFacts,
    ProjectFacts,
    ReportRequest,
    VitalityInputs,
    compute_report,
    cycle_starting,
)

CYCLE = cycle_starting(2025)  # 2025-09-01 .. 2026-06-30
TODAY = date(2026, 6, 20)
KIND_WORDS = {"formation": "training", "outil clinique": "clinical_tool"}


def d(text: str) -> date:
    return date.fromisoformat(text)


# Survey A (whole CdeP, 12 answers) and survey B (committee « ch », 5 answers).
A = OutcomesFacts(
    "A",
    d("2026-06-01"),
    12,
    objectives=(("o1", "Objectif 1", (0, 1, 2, 5, 4)), ("o2", "Objectif 2", (0, 0, 1, 1, 1))),
    learned=(("Deuil", 3), ("Suicide", 6), ("Sexualité", 0)),
    learned_respondents=8,
    practice=(("Nouvel outil", 7), ("Aucun", 2)),
    practice_respondents=9,
    value=(("Outils", 5),),
    value_respondents=5,
)
B = OutcomesFacts(
    "B",
    d("2026-06-05"),
    5,
    committee_id="ch",
    objectives=(("o1", "Objective 1", (1, 0, 0, 1, 1)), ("o10", "Dixième", (0, 0, 0, 0, 5))),
    learned=(("Suicide", 2), ("Proches aidants", 3)),
    learned_respondents=5,
)


# ---- objectives -------------------------------------------------------------------------------


def test_objective_means_and_distributions_are_pooled_by_objective() -> None:
    o1, o2, o10 = rules.objective_results([A, B], threshold=5)
    # o1: A (0,1,2,5,4) + B (1,0,0,1,1) = (1,1,2,6,5): 15 people;
    # mean (1·1 + 2·1 + 3·2 + 4·6 + 5·5) / 15 = 58 / 15 = 3.8666…
    assert (o1.key, o1.label, o1.respondents) == ("o1", "Objectif 1", 15)
    assert o1.mean.value == pytest.approx(58 / 15)
    assert [f.value for f in o1.distribution] == pytest.approx(
        [1 / 15, 1 / 15, 2 / 15, 6 / 15, 5 / 15]
    )
    # o2: 3 people (< 5): neither the mean nor the shares are published.
    assert (o2.key, o2.respondents) == ("o2", 3)
    assert o2.mean == Figure(None, 3, True)
    assert all(f.suppressed and f.value is None for f in o2.distribution)
    # o10 comes after o2 (the profile's order, not the text order), 5 people: all at 5.
    assert o10.key == "o10"
    assert o10.mean.value == 5.0
    assert [f.value for f in o10.distribution] == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_one_survey_alone() -> None:
    (o1, _) = rules.objective_results([A], threshold=5)
    # (0,1,2,5,4): (2 + 6 + 20 + 20) / 12 = 48 / 12 = 4.0
    assert o1.mean == Figure(4.0, 12, False)
    assert o1.distribution[3] == Figure(5 / 12, 12, False)


# ---- choices ------------------------------------------------------------------------------------


def test_top_choices_are_pooled_ranked_and_small_counts_hidden() -> None:
    lines = rules.top_choices(
        [(A.learned, A.learned_respondents), (B.learned, B.learned_respondents)], threshold=5
    )
    # Suicide 6 + 2 = 8, Deuil 3, Proches aidants 3 (tie: first seen first), Sexualité 0 left
    # out; 8 + 5 = 13 people answered the question; 3 < 5 is hidden.
    assert lines == (
        ChoiceLine("Suicide", Figure(8, 13, False)),
        ChoiceLine("Deuil", Figure(None, 13, True)),
        ChoiceLine("Proches aidants", Figure(None, 13, True)),
    )


def test_top_choices_keep_the_first_ones_only() -> None:
    tally = ((f"c{i}", 10 + i) for i in range(8))
    lines = rules.top_choices([(tuple(tally), 40)], threshold=5, limit=3)
    assert [line.label for line in lines] == ["c7", "c6", "c5"]


def test_a_question_answered_by_too_few_hides_every_count() -> None:
    # 9 chose it but only 4 answered? impossible in practice; the group size rules anyway.
    (line,) = rules.top_choices([((("Outils", 9),), 4)], threshold=5)
    assert line == ChoiceLine("Outils", Figure(None, 4, True))


# ---- the section --------------------------------------------------------------------------------


def test_effectiveness_of_the_whole_cdep_and_of_a_committee() -> None:
    whole = rules.effectiveness([A, B], (), CYCLE, TODAY, "", set(), threshold=5)
    assert (whole.surveys, whole.respondents) == (2, Figure(17, 17, False))
    assert [o.key for o in whole.objectives] == ["o1", "o2", "o10"]
    assert whole.practice == (
        ChoiceLine("Nouvel outil", Figure(7, 9, False)),
        ChoiceLine("Aucun", Figure(None, 9, True)),
    )
    assert whole.value == (ChoiceLine("Outils", Figure(5, 5, False)),)
    clsc = rules.effectiveness([A, B], (), CYCLE, TODAY, "clsc", set(), threshold=5)
    assert (clsc.surveys, clsc.objectives, clsc.learnings) == (0, (), ())
    ch = rules.effectiveness([A, B], (), CYCLE, TODAY, "ch", set(), threshold=5)
    assert (ch.surveys, ch.respondents) == (1, Figure(5, 5, False))


def test_too_few_answers_in_all_hide_everything_of_the_surveys() -> None:
    few = OutcomesFacts("F", d("2026-06-01"), 4, objectives=(("o1", "O", (0, 0, 0, 2, 2)),))
    effect = rules.effectiveness([few], (), CYCLE, TODAY, "", set(), threshold=5)
    assert effect.surveys == 1
    assert effect.respondents == Figure(None, 4, True)
    assert (effect.objectives, effect.learnings, effect.practice, effect.value) == ((), (), (), ())


def test_surveys_outside_the_period_or_not_yet_posted_are_left_out() -> None:
    before = OutcomesFacts("P", d("2025-06-10"), 20)
    later = OutcomesFacts("L", d("2026-06-25"), 20)  # after « today »
    effect = rules.effectiveness([before, later], (), CYCLE, TODAY, "", set(), threshold=5)
    assert (effect.surveys, effect.respondents) == (0, Figure(0, 0, False))


def test_projects_by_kind() -> None:
    projects = [
        ProjectFacts("1", "a", "", d("2025-10-01"), "training"),
        ProjectFacts("2", "b", "", d("2025-10-01")),
        ProjectFacts("3", "c", "", d("2025-10-01"), "poem"),  # unknown kinds count as ""
        ProjectFacts("4", "d", "", d("2025-10-01"), "clinical_tool"),
        ProjectFacts("5", "e", "", d("2025-10-01"), "training"),
    ]
    assert rules.projects_by_kind(projects) == (("clinical_tool", 1), ("training", 2), ("", 2))


def test_the_report_has_the_section_only_with_the_polls_source() -> None:
    request = ReportRequest(CYCLE)
    project = ProjectFacts("1", "Guide", "", d("2025-10-01"), "document")
    old = ProjectFacts("0", "Ancien", "", d("2024-10-01"), "document")
    without = compute_report(VitalityInputs(projects=(project,)), request, TODAY, 5)
    assert without.effectiveness is None
    report = compute_report(
        VitalityInputs(projects=(project, old), outcomes=(A,)), request, TODAY, 5
    )
    assert report.effectiveness is not None
    assert report.effectiveness.projects_by_kind == (("document", 1),)  # the period's only
    assert report.effectiveness.respondents == Figure(12, 12, False)
    assert "outcomes" in report.sources


# ---- offering the survey ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "launched", "due"),
    [
        ("2026-04-30", False, False),
        ("2026-05-01", False, True),  # the cycle's last two months: May and June
        ("2026-06-30", False, True),
        ("2026-06-15", True, False),  # already posted during the cycle
        ("2026-07-01", False, False),  # the cycle is over
    ],
)
def test_the_report_offers_the_survey_at_the_end_of_the_cycle(
    today: str, launched: bool, due: bool
) -> None:
    assert rules.outcomes_offer_due(d(today), CYCLE, launched) is due


# ---- projects ----------------------------------------------------------------------------------


def test_a_project_with_kind_organisations_and_link() -> None:
    draft = rules.parse_project(
        "2026-01-10 Guide d'accueil | Pour les nouveaux | Formation | CISSS A, Maison B; cisss a"
        " | https://example.org/guide",
        TODAY,
        KIND_WORDS,
    )
    assert draft == rules.ProjectDraft(
        "Guide d'accueil",
        "Pour les nouveaux",
        d("2026-01-10"),
        "training",
        ("CISSS A", "Maison B"),
        "https://example.org/guide",
    )


def test_a_project_as_before_has_no_kind() -> None:
    draft = rules.parse_project("Outil de repérage | Grille", TODAY, KIND_WORDS)
    assert (draft.kind, draft.organisations, draft.link) == ("", (), "")
    assert rules.parse_project("x y z | | outil clinique", TODAY, KIND_WORDS).kind == (
        "clinical_tool"
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("Guide | | poème", "vitality.errors.project_kind"),
        ("Guide | | | | http://example.org", "vitality.errors.project_link"),
        ("Guide | | | | https://exa mple.org", "vitality.errors.project_link"),
        (
            "Guide | | | " + ", ".join(f"Org {i}" for i in range(11)),
            "vitality.errors.project_organisations",
        ),
        ("Guide | | | " + "x" * 101, "vitality.errors.project_organisations"),
    ],
)
def test_bad_project_fields_are_refused(args: str, code: str) -> None:
    with pytest.raises(ArgsError) as raised:
        rules.parse_project(args, TODAY, KIND_WORDS)
    assert raised.value.code == code


def test_a_bare_www_address_is_taken_as_https() -> None:
    assert rules.parse_link("www.cisss-monteregie.example/outil") == (
        "https://www.cisss-monteregie.example/outil"
    )
    assert rules.parse_link("  WWW.exemple.org ") == "https://WWW.exemple.org"
    assert rules.parse_link("") == ""
