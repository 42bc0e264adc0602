"""The command table, gathered from every feature's ``routes.COMMANDS``.

Words and descriptions come from the catalogs (``command.<id>.word`` and
``command.<id>.description``) in every language, so ``aide`` and ``help`` both route to the
same handler. The manifest's command list is built from this table too.
"""

from __future__ import annotations

from bot.features import FEATURES
from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from dialogs.feature import Action, Command

COMMANDS: tuple[Command, ...] = tuple(c for f in FEATURES for c in f.COMMANDS)
ACTIONS: tuple[Action, ...] = tuple(a for f in FEATURES for a in f.ACTIONS)


def command_words(commands: tuple[Command, ...] = COMMANDS) -> dict[str, Command]:
    """Folded word (every language) -> command, for exact-match routing. Fails on a clash."""
    table: dict[str, Command] = {}
    for command in commands:
        for locale in SUPPORTED_LOCALES:
            word = fold(Translator(locale)(f"command.{command.id}.word"))
            if word in table and table[word] is not command:
                raise ValueError(f"command word clash: {word!r}")
            table[word] = command
    return table
