"""Routing tables: text commands by exact (folded) words, card actions by verb."""

from __future__ import annotations

import re

from bot.commands import ACTIONS, COMMANDS, command_words
from cards.i18n import fold
from dialogs.feature import Action, Command

_WORD = re.compile(r"\S+")


class Router:
    def __init__(
        self, commands: tuple[Command, ...] = COMMANDS, actions: tuple[Action, ...] = ACTIONS
    ) -> None:
        self.commands = commands
        self._words = command_words(commands)
        self._longest = max(len(word.split()) for word in self._words)
        self.actions: dict[str, Action] = {}
        for action in actions:
            if action.verb in self.actions:
                raise ValueError(f"two handlers for verb {action.verb!r}")
            self.actions[str(action.verb)] = action

    def match(self, text: str) -> tuple[Command | None, str]:
        """The command named by the first words of ``text`` (longest match) and the rest."""
        tokens = list(_WORD.finditer(text))
        for n in range(min(self._longest, len(tokens)), 0, -1):
            phrase = fold(" ".join(m.group(0) for m in tokens[:n]))
            command = self._words.get(phrase)
            if command is not None:
                rest = text[tokens[n - 1].end() :].strip()
                return command, rest
        return None, text.strip()

    def action(self, verb: str) -> Action | None:
        return self.actions.get(verb)
