"""Every card template renders with fixture data, passes the Adaptive Card 1.5 schema, keeps
no unbound placeholder, stays under the Teams size limit, and holds no prose of its own."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.routing import Router
from cards.help import build_help_card
from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.render import MAX_CARD_BYTES, RenderError, load_template, render, template_names
from tests.cards.card_schema import schema_errors
from tests.cards.fixtures import all_cards


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_template_has_a_fixture(locale: str) -> None:
    assert set(all_cards(Translator(locale))) >= set(template_names())


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("name", template_names())
def test_rendered_card_is_valid_adaptive_card_1_5(locale: str, name: str) -> None:
    for card in all_cards(Translator(locale)).get(name, []):
        assert card["version"] == "1.5"
        assert schema_errors(card) == []
        text = json.dumps(card, ensure_ascii=False)
        assert "${" not in text
        assert len(text.encode("utf-16-le")) < MAX_CARD_BYTES


def test_schema_check_is_live() -> None:
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "FactSet", "facts": [{"title": "x"}]}],
    }
    assert schema_errors(broken)
    unknown = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Blink", "text": "x"}]}
    assert schema_errors(unknown)


_PROSE_KEYS = {"text", "title", "label", "placeholder", "errorMessage", "altText", "value"}


def _prose(node: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            is_prose = (
                key in _PROSE_KEYS
                and isinstance(value, str)
                and not re.fullmatch(r"\$\{[^}]+\}", value)
                and (key != "value" or node.get("type") != "Input.Choice")
            )
            if is_prose:
                found.append(f"{path}/{key}={value!r}")
            found.extend(_prose(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_prose(item, f"{path}[{i}]"))
    return found


@pytest.mark.parametrize("name", template_names())
def test_template_texts_are_placeholders(name: str) -> None:
    assert _prose(load_template(name)) == []


def test_every_verb_in_templates_is_routed() -> None:
    verbs: set[str] = set()
    for name in template_names():
        verbs |= set(re.findall(r'"verb":\s*"([a-z_.]+)"', json.dumps(load_template(name))))
    assert verbs <= set(Router().actions)


def test_unbound_placeholder_is_an_error() -> None:
    with pytest.raises(RenderError):
        render("message", {"title": "x", "has_title": True}, Translator("fr-CA"))


def test_repetition_and_condition() -> None:
    t = Translator("en")
    member = build_help_card(
        t, community_name="C", member_commands=["help"], animateur_commands=[], is_animateur=False
    )
    assert [f["title"] for f in member["body"][3]["facts"]] == [t("command.help.word")]
    assert all(block.get("type") != "Container" for block in member["body"])
