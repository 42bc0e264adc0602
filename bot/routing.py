"""Routing tables: text commands by exact (folded) word, card actions by verb."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import COMMANDS, CommandSpec, command_words
from cards.i18n import fold
from cards.verbs import Verb
from dialogs.roles import Role
from dialogs.turn import ActionHandler, CommandHandler

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ActionRoute:
    handler: ActionHandler
    min_role: Role = Role.MEMBER


class Router:
    def __init__(
        self,
        commands: dict[str, CommandHandler],
        actions: dict[Verb, ActionRoute],
    ) -> None:
        missing = {spec.id for spec in COMMANDS} - set(commands)
        if missing:
            raise ValueError(f"commands without a handler: {sorted(missing)}")
        unknown = set(commands) - {spec.id for spec in COMMANDS}
        if unknown:
            raise ValueError(f"handlers for commands not in the table: {sorted(unknown)}")
        self._words = command_words()
        self._longest = max(len(word.split()) for word in self._words)
        self.commands = commands
        self.actions = actions

    def match(self, text: str) -> tuple[CommandSpec | None, str]:
        """The command named by the first words of ``text`` (longest match) and the rest."""
        tokens = list(_WORD.finditer(text))
        for n in range(min(self._longest, len(tokens)), 0, -1):
            phrase = fold(" ".join(m.group(0) for m in tokens[:n]))
            spec = self._words.get(phrase)
            if spec is not None:
                rest = text[tokens[n - 1].end() :].strip() if n < len(tokens) else ""
                return spec, rest
        return None, text.strip()

    def action(self, verb: str) -> ActionRoute | None:
        try:
            return self.actions.get(Verb(verb))
        except ValueError:
            return None


def visible_commands(role: Role) -> tuple[list[str], list[str]]:
    """Command ids for the help card: (everyone's, animateur-only) that ``role`` may use."""
    members = [s.id for s in COMMANDS if s.min_role == Role.MEMBER]
    leads = [s.id for s in COMMANDS if s.min_role > Role.MEMBER and role.allows(s.min_role)]
    return members, leads
