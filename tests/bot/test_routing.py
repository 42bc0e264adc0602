from __future__ import annotations

import pytest

from bot.commands import COMMANDS
from bot.routing import Router
from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.verbs import Verb
from dialogs.core.handlers import visible_commands
from dialogs.roles import Role


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("aide", "help", ""),
        ("Aide", "help", ""),
        ("AIDE", "help", ""),
        ("help", "help", ""),
        ("  aide  ", "help", ""),
        ("langue anglais", "language", "anglais"),
        ("LANGUE   Français", "language", "Français"),
        ("language french", "language", "french"),
        ("recharger", "reload", ""),
        ("aidez-moi", None, "aidez-moi"),
        ("bonjour aide", None, "bonjour aide"),
    ],
)
def test_exact_match_of_first_words(text: str, command: str | None, args: str) -> None:
    spec, rest = Router().match(text)
    assert (spec.id if spec else None) == command
    assert rest == args


def test_every_command_word_exists_in_both_languages() -> None:
    for spec in COMMANDS:
        words = {Translator(loc)(f"command.{spec.id}.word") for loc in SUPPORTED_LOCALES}
        assert all(words)


def test_every_verb_has_a_route() -> None:
    router = Router()
    assert {verb.value for verb in Verb} <= set(router.actions)


def test_help_lists_by_role() -> None:
    members, leads = visible_commands(COMMANDS, Role.MEMBER)
    assert "help" in members
    assert leads == []
    members_a, leads_a = visible_commands(COMMANDS, Role.ANIMATEUR)
    assert members_a == members
    assert "reload" in leads_a
