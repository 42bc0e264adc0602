"""French typography (cards/i18n.py ``french_typography``): no-break spaces inside « » and
before :, narrow no-break spaces before ; ! ?, in every fr-CA catalog entry and every rendered
fr-CA fixture card; English catalogs are exactly their files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cards.i18n import NBSP, NNBSP, Translator, french_typography, load_catalog
from tests.cards.fixtures import all_cards

ROOT = Path(__file__).resolve().parents[2]
_URL_OR_FIELD = re.compile(r"\{[^{}]*\}|\b[a-z][a-z0-9+.-]*://\S+")


def _problems(text: str) -> list[str]:
    """Where ``text`` breaks the rules (format fields and addresses are not prose)."""
    prose = _URL_OR_FIELD.sub("x", text)
    found: list[str] = []
    for pattern, rule in (
        (r"«(?!\u00a0)", "« without a no-break space after it"),
        (r"(?<!\u00a0)»", "» without a no-break space before it"),
        (r"(?<=\S)(?<!\u00a0):(?=\s|$)", "colon without a no-break space before it"),
        (r"(?<=[^\s\u202f;!?])[;!?](?=\s|$|[»)])", "; ! ? without a narrow no-break space"),
        (r" [;!?:»]", "an ordinary (breakable) space before ; ! ? : »"),
    ):
        found += [
            f"{rule}: …{prose[max(0, m.start() - 15) : m.end() + 5]}…"
            for m in re.finditer(pattern, prose)
        ]
    return found


def _messages(locale: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in load_catalog(locale).items():
        for form, text in value.items() if isinstance(value, dict) else [("", value)]:
            flat[f"{key}#{form}" if form else key] = text
    return flat


def test_every_fr_ca_catalog_entry_is_typeset() -> None:
    problems = {key: p for key, text in _messages("fr-CA").items() if (p := _problems(text))}
    assert problems == {}


def test_spacing_before_exclamation_and_question_marks_is_consistent() -> None:
    texts = _messages("fr-CA").values()
    marks = [m.group(0) for text in texts for m in re.finditer(r".(?=[!?])", text)]
    assert marks, "no ! or ? in the fr-CA catalog: the check looks at nothing"
    assert {mark for mark in marks if mark not in "!?"} == {NNBSP}


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [
            s
            for key, value in node.items()
            if key not in ("url", "iconUrl")
            for s in _strings(value)
        ]
    return []


def test_every_rendered_fr_ca_fixture_card_is_typeset() -> None:
    cards = all_cards(Translator("fr-CA"))
    assert cards
    problems = {
        name: found
        for name, rendered in cards.items()
        if (found := [p for card in rendered for text in _strings(card) for p in _problems(text)])
    }
    assert problems == {}


@pytest.mark.parametrize("path", sorted((ROOT / "cards" / "locales" / "en").glob("*.json")))
def test_english_is_untouched(path: Path) -> None:
    raw = json.loads(path.read_text("utf-8"))
    loaded = load_catalog("en")
    assert {key: loaded[key] for key in raw} == raw


@pytest.mark.parametrize(
    ("raw", "typeset"),
    [
        ("Bonjour! Tapez « aide ».", f"Bonjour{NNBSP}! Tapez «{NBSP}aide{NBSP}»."),
        ("Merci !", f"Merci{NNBSP}!"),
        ("Pour qui?", f"Pour qui{NNBSP}?"),
        ("a; b", f"a{NNBSP}; b"),
        ("Votre réponse : {label}", f"Votre réponse{NBSP}: {{label}}"),
        ("{count} : total", f"{{count}}{NBSP}: total"),
        ("{value:.1f} sur 5", "{value:.1f} sur 5"),
        ("(ex. 09:00)", "(ex. 09:00)"),
        ("Voir https://x.example/a?b=1 !", f"Voir https://x.example/a?b=1{NNBSP}!"),
        ("«aide»", f"«{NBSP}aide{NBSP}»"),
    ],
)
def test_french_typography(raw: str, typeset: str) -> None:
    assert french_typography(raw) == typeset
    assert french_typography(typeset) == typeset  # applying it twice changes nothing
