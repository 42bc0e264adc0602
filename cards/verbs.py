"""Every Action.Execute / Action.Submit verb: the contract between a card and its handler."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    show_help = "show_help"
    set_language = "set_language"
