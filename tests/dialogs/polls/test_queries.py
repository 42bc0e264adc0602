"""What the vitality report reads of a poll's results: the answers at 1–5 of its scale
questions, only when the results may be shown (the same condition as the scale means)."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.polls import rules
from dialogs.polls.queries import scale_counts
from storage.poll_repository import Question
from tests.dialogs.polls.test_rules import SCALE, SINGLE, TEXT, make_poll

OTHER_SCALE = Question("q6", "scale", "Utilité?", low_label="Peu", high_label="Très")
OPTIONAL_SCALE = Question("q7", "scale", "Lieu?", required=False)


def ballots(*values: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [("", dict(v)) for v in values]


@pytest.mark.parametrize(
    ("anonymous", "answers", "expected"),
    [
        # 5 answers at 4, 4, 4, 5, 5: shown.
        (True, [{"q3": 4}] * 3 + [{"q3": 5}] * 2, {1: 0, 2: 0, 3: 0, 4: 3, 5: 2}),
        # 4 anonymous answers: under the threshold, nothing.
        (True, [{"q3": 1}] * 4, {}),
        # Named, but only 4 answers: the figures would single people out, nothing.
        (False, [{"q3": 1}] * 4, {}),
        # Named, 6 answers: 1, 2, 3, 3, 5, 5.
        (False, [{"q3": v} for v in (1, 2, 3, 3, 5, 5)], {1: 1, 2: 1, 3: 2, 4: 0, 5: 2}),
    ],
)
def test_one_scale_question(
    anonymous: bool, answers: list[dict[str, Any]], expected: dict[int, int]
) -> None:
    poll = make_poll(SCALE, anonymous=anonymous)
    named = [(f"p{i}" if not anonymous else "", a) for i, a in enumerate(answers)]
    assert scale_counts(rules.tally(poll, named, 20, 5)) == expected


def test_every_scale_question_counts_together_and_others_not() -> None:
    poll = make_poll(SINGLE, SCALE, TEXT, OTHER_SCALE, anonymous=True)
    answers = ballots(
        *({"q1": "c1", "q3": 5, "q4": "Bien", "q6": 4} for _ in range(3)),
        *({"q1": "c2", "q3": 3, "q6": 2} for _ in range(2)),
    )
    # q3: 5, 5, 5, 3, 3; q6: 4, 4, 4, 2, 2 -> 1 x 0, 2 x 2, 3 x 2, 4 x 3, 5 x 3.
    assert scale_counts(rules.tally(poll, answers, 10, 5)) == {1: 0, 2: 2, 3: 2, 4: 3, 5: 3}


def test_a_scale_question_answered_by_too_few_is_left_out() -> None:
    poll = make_poll(SCALE, OPTIONAL_SCALE, anonymous=True)
    answers = ballots(*({"q3": 4} for _ in range(4)), {"q3": 2, "q7": 1})
    # q7 was answered once: hidden on its own, like its mean; q3 gives 4 x 4 and 1 x 2.
    results = rules.tally(poll, answers, 10, 5)
    assert scale_counts(results) == {1: 0, 2: 1, 3: 0, 4: 4, 5: 0}
    assert list(rules.scale_means(results)) == ["Satisfaction?"]


def test_no_scale_question_no_counts() -> None:
    poll = make_poll(SINGLE, anonymous=True)
    assert scale_counts(rules.tally(poll, ballots(*({"q1": "c1"} for _ in range(6))), 6, 5)) == {}
