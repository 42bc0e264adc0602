"""Variants of the poll card (the template fixtures show one of each card): answer form with
every question type, closed with results, results hidden by the anonymity threshold, and the
chart drawn with Teams' chart element behind a fallback."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import cards.polls as poll_cards
from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.polls import PollView, build_poll_card, named_csv
from cards.render import MAX_CARD_BYTES
from dialogs.polls import rules
from storage.poll_repository import Ballot, Choice, Question
from tests.cards.card_schema import charts_of, schema_errors, split_charts
from tests.cards.fixtures.polls import TZ, sample_results

QUESTIONS = (
    Question("q1", "single", "Mode?", (Choice("c1", "Présentiel"), Choice("c2", "Virtuel"))),
    Question(
        "q2", "multiple", "Thèmes?", tuple(Choice(f"c{i}", f"Thème {i}") for i in range(1, 11)), 3
    ),
    Question("q3", "scale", "Satisfaction?", low_label="Pas du tout", high_label="Tout à fait"),
    Question("q4", "text", "Commentaire", required=False),
)


def view(t: Translator, **changes: Any) -> PollView:
    poll, results = sample_results(t)
    base = PollView(
        poll_id="p1",
        title="Sondage",
        anonymous=False,
        is_open=True,
        deadline=poll.deadline_at,
        closed_at=None,
        audience_label=t("polls.audience.members_line"),
        questions=QUESTIONS,
        threshold=5,
        tz=TZ,
    )
    return replace(base, **changes)


def variants(t: Translator) -> dict[str, dict[str, Any]]:
    poll, results = sample_results(t)
    satisfaction = {"questions": poll.questions, "anonymous": True, "results": results}
    hidden = rules.tally(poll, [("", {"q1": 4})] * 2, 12, 5)
    return {
        "form": build_poll_card(view(t, show_form=True, form_values={"q2": ["c1", "c2"]}), t),
        "form_with_problems": build_poll_card(
            view(t, show_form=True, problems=[rules.Problem("required_missing", question="Mode?")]),
            t,
        ),
        "closed_results": build_poll_card(
            view(t, is_open=False, closed_at=poll.deadline_at, is_manager=True, **satisfaction), t
        ),
        "hidden": build_poll_card(view(t, **{**satisfaction, "results": hidden}), t),
        "answered_anonymously": build_poll_card(
            view(t, anonymous=True, answered=True, refresh_user_ids=["29:x"]), t
        ),
        "shared": build_poll_card(
            view(t, show_form=True, refresh_user_ids=[f"29:{i}" for i in range(60)]), t
        ),
    }


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_variant_is_a_valid_card(locale: str) -> None:
    for name, card in variants(Translator(locale)).items():
        assert schema_errors(card) == [], name
        text = json.dumps(card, ensure_ascii=False)
        assert "${" not in text, name
        assert len(text.encode("utf-16-le")) < MAX_CARD_BYTES, name


def test_form_has_one_input_per_question_and_no_client_side_required() -> None:
    """Required answers are checked by the bot: client-side ``isRequired`` would also block the
    animateurs' buttons (close, change the deadline) on the same card."""
    card = variants(Translator("fr-CA"))["form"]
    text = json.dumps(card)
    assert "isRequired" not in text
    for qid in ("q1", "q2", "q3", "q4"):
        assert f'"id": "{qid}"' in text
    assert '"value": "c1,c2"' in text  # a multiple answer comes back as the card sends it


def test_hidden_results_show_no_counts() -> None:
    t = Translator("fr-CA")
    card = variants(t)["hidden"]
    text = json.dumps(card, ensure_ascii=False)
    assert t("polls.results.hidden", threshold=5, answers=2) in text
    assert "FactSet" not in text


def test_chart_with_a_text_fallback() -> None:
    """Each question's counts are a Chart.HorizontalBar whose fallback is the same counts as
    text bars; the card without its charts (what a client without charts renders) is valid."""
    t = Translator("fr-CA")
    card = variants(t)["closed_results"]
    charts = charts_of(card)
    assert [c["type"] for c in charts] == ["Chart.HorizontalBar"] * 4
    assert charts[0]["fallback"]["type"] == "FactSet"
    assert [point["y"] for point in charts[0]["data"]] == [0, 0, 1, 2, 2]
    assert [f["value"].split()[1] for f in charts[0]["fallback"]["facts"]] == [
        "0",
        "0",
        "1",
        "2",
        "2",
    ]
    assert schema_errors(split_charts(card, [])) == []


def test_text_bars_only_when_charts_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(poll_cards, "NATIVE_CHARTS", False)
    card = variants(Translator("en"))["closed_results"]
    assert charts_of(card) == []
    assert json.dumps(card).count('"FactSet"') == 4
    assert schema_errors(card) == []


def test_named_csv_lines() -> None:
    t = Translator("en")
    ballots = [
        Ballot(
            "p1",
            "m1",
            "Ana",
            {"q1": "c2", "q2": ["c1", "c3"], "q3": 5},
            "2024-05-07T13:00:00+00:00",
        )
    ]
    text = named_csv(QUESTIONS, ballots, t, TZ).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Name", "Answered on", "Mode?", "Thèmes?", "Satisfaction?", "Commentaire"]
    assert rows[1] == [
        "Ana",
        "Tuesday, May 7, 2024, 9:00 AM",
        "Virtuel",
        "Thème 1; Thème 3",
        "5 — Tout à fait",
        "",
    ]


def test_free_texts_are_capped_on_the_card() -> None:
    t = Translator("fr-CA")
    poll, _ = sample_results(t)
    answers = [("", {"q1": 4, "q5": f"{i:02d} " + "mot " * 600}) for i in range(30)]
    results = rules.tally(poll, answers, 40, 5)
    card = build_poll_card(view(t, questions=poll.questions, anonymous=True, results=results), t)
    text = json.dumps(card, ensure_ascii=False)
    assert text.count("«") == poll_cards.MAX_TEXTS_SHOWN
    assert t.plural("polls.results.more_texts", 15) in text
    assert "mot " * 80 not in text  # each text cut to about 280 characters
    assert len(text.encode("utf-16-le")) < MAX_CARD_BYTES


def test_the_english_poll_texts_say_meeting_not_rencontre() -> None:
    """« rencontre » stays only as a French gloss in parentheses (« Meeting satisfaction
    (satisfaction de la rencontre) »); an English sentence says « meeting »."""
    catalog = json.loads(
        (Path(poll_cards.__file__).parent / "locales" / "en" / "polls.json").read_text("utf-8")
    )
    texts = [
        v
        for value in catalog.values()
        for v in (value.values() if isinstance(value, dict) else [value])
    ]
    leaks = [t for t in texts if "rencontre" in re.sub(r"\([^)]*\)", "", t)]
    assert leaks == []
    en = Translator("en")
    assert en("polls.template.availability.title") == "Availability for the next meeting"
