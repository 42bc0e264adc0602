"""The help card: the commands a caller may use, in their language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.render import render


def _rows(command_ids: Sequence[str], t: Translator) -> list[dict[str, str]]:
    return [
        {"word": t(f"command.{cid}.word"), "description": t(f"command.{cid}.description")}
        for cid in command_ids
    ]


def build_help_card(
    t: Translator,
    *,
    community_name: str,
    member_commands: Sequence[str],
    animateur_commands: Sequence[str],
    is_animateur: bool,
) -> dict[str, Any]:
    other = next(loc for loc in SUPPORTED_LOCALES if loc != t.locale)
    return render(
        "help",
        {
            "intro": t("help.intro", community=community_name),
            "member_commands": _rows(member_commands, t),
            "animateur_commands": _rows(animateur_commands, t),
            "is_animateur": is_animateur,
            "other_language": other,
            "other_language_label": Translator(other)("language.switch_label"),
        },
        t,
    )


def build_message_card(t: Translator, text: str, title: str = "") -> dict[str, Any]:
    """A plain card with an optional title, for short answers that need a card."""
    return render("message", {"title": title, "has_title": bool(title), "text": text}, t)


def build_language_offer_card(t: Translator, *, in_use: str) -> dict[str, Any]:
    """« Prefer English? »: written in the language offered (``t``), with one button that makes
    it the member's choice. ``in_use`` is the language Veilleuse speaks with them now."""
    return render(
        "language_offer",
        {
            "text": t("language.offer.text", language=t(f"language.name.{in_use}")),
            "locale": t.locale,
        },
        t,
    )
