"""The « Retombées et apprentissages » blueprint and the tallies the vitality report reads."""

from __future__ import annotations

from datetime import UTC, datetime

from cards.i18n import Translator
from dialogs.polls import rules, surveys
from dialogs.polls.queries import ChoiceTally, ObjectiveTally, outcomes_tallies
from storage.poll_repository import Poll

FR = Translator("fr-CA")
NOW = datetime(2026, 6, 3, 14, 0, tzinfo=UTC)


def test_one_scale_per_objective_then_learnings_practice_and_value() -> None:
    plan = surveys.outcomes(
        FR, NOW, ["Objectif A", " ", "Objectif C"], ["Deuil", "Deuil", "Suicide"]
    )
    assert (plan.kind, plan.anonymous, plan.visibility) == ("outcomes", True, "after_close")
    ids = [q.id for q in plan.questions]
    # A blank objective is left out but keeps its rank: « o3 » stays the profile's third.
    assert ids == ["o1", "o3", *surveys.OUTCOME_IDS]
    assert [q.kind for q in plan.questions[:2]] == ["scale", "scale"]
    learned = plan.questions[2]
    # The same title twice is one choice; « Autre » closes the list.
    assert [c.label for c in learned.choices] == [
        "Deuil",
        "Suicide",
        FR("polls.template.outcomes.other"),
    ]
    practice = next(q for q in plan.questions if q.id == surveys.PRACTICE)
    assert [c.exclusive for c in practice.choices] == [False] * 5 + [True]
    assert all(not rules.question_problems(q) for q in plan.questions)
    assert plan.title == FR("polls.template.outcomes.title", year="2025-2026")


def test_limits_of_a_card_are_kept() -> None:
    objectives = [f"Objectif {i} " + "x" * 400 for i in range(12)]
    topics = [f"Sujet {i} " + "y" * 200 for i in range(12)]
    plan = surveys.outcomes(FR, NOW, objectives, topics)
    scales = [q for q in plan.questions if q.kind == "scale"]
    assert len(scales) == surveys.MAX_OBJECTIVES
    assert all(len(q.label) <= rules.MAX_LABEL for q in scales)
    learned = next(q for q in plan.questions if q.id == surveys.LEARNED)
    assert len(learned.choices) == surveys.MAX_TOPIC_CHOICES + 1 <= rules.MAX_CHOICES
    assert all(len(c.label) <= rules.MAX_CHOICE_LABEL for c in learned.choices)
    assert all(not rules.question_problems(q) for q in plan.questions)


def _poll(anonymous: bool = True) -> Poll:
    plan = surveys.outcomes(FR, NOW, ["A", "B"], ["Deuil"])
    return Poll(
        "p1",
        "outcomes",
        plan.title,
        plan.questions,
        "open",
        anonymous,
        "after_close",
        "channel",
        "2026-06-20T21:00:00+00:00",
        "k",
        "2026-06-03T14:00:00+00:00",
        "fr-CA",
    )


def test_tallies_by_objective_and_question() -> None:
    poll = _poll()
    answers = [
        ("", {"o1": 4, "o2": 5, "learned": ["c1"], "practice": ["c1", "c2"]}),
        ("", {"o1": 5, "o2": 5, "learned": ["c1", "c2"], "value": ["c3"]}),
        ("", {"o1": 4, "o2": 3}),
        ("", {"o1": 2, "o2": 4, "practice": ["c6"]}),
        ("", {"o1": 4, "o2": 4, "learned": ["c2"]}),
    ]
    objectives, choices = outcomes_tallies(rules.tally(poll, answers, 0, 5))
    assert objectives == (
        ObjectiveTally("o1", poll.questions[0].label, (0, 1, 0, 3, 1)),
        ObjectiveTally("o2", poll.questions[1].label, (0, 0, 1, 2, 2)),
    )
    assert choices[surveys.LEARNED] == ChoiceTally(
        3, (("Deuil", 2), (FR("polls.template.outcomes.other"), 2))
    )
    assert choices[surveys.PRACTICE].respondents == 2
    # Below the threshold, nothing leaves the polls feature.
    assert outcomes_tallies(rules.tally(poll, answers[:4], 0, 5)) == ((), {})
