"""The command table: every text command the bot understands, with the least role it needs.

Words and descriptions come from the catalogs (``command.<id>.word`` and
``command.<id>.description``) in every language, so ``aide`` and ``help`` both route to the
same handler. The manifest's command list is built from this table too.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from dialogs.roles import Role


@dataclass(frozen=True)
class CommandSpec:
    id: str
    min_role: Role = Role.MEMBER
    # Shown in the manifest's command list (Teams shows at most 10 per scope).
    in_manifest: bool = True

    def words(self) -> set[str]:
        """Every folded word (all languages) that triggers this command."""
        return {fold(Translator(loc)(f"command.{self.id}.word")) for loc in SUPPORTED_LOCALES}


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help"),
    CommandSpec("language"),
    CommandSpec("reload", Role.ANIMATEUR),
)


def command_words() -> dict[str, CommandSpec]:
    """Folded word -> command, for exact-match routing. Fails loudly on a clash."""
    table: dict[str, CommandSpec] = {}
    for spec in COMMANDS:
        for word in spec.words():
            if word in table and table[word] is not spec:
                raise ValueError(f"command word clash: {word!r}")
            table[word] = spec
    return table
