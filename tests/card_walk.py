"""One way for tests to read an Adaptive Card: its objects in document order, and what a person
sees or clicks in it. Every test walks cards through these (cards are plain JSON dicts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TEXT_KEYS = ("text", "title", "value")


def nodes(card: Any) -> list[dict[str, Any]]:
    """Every object of the card (itself included), depth first, in document order."""
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        found.append(card)
        for value in card.values():
            found.extend(nodes(value))
    elif isinstance(card, list):
        for item in card:
            found.extend(nodes(item))
    return found


def matching(card: Any, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    return [node for node in nodes(card) if keep(node)]


def of_type(card: Any, kind: str) -> list[dict[str, Any]]:
    """The objects of one ``type`` (``Action.Execute``, ``FactSet``, ``Input.Text``…)."""
    return matching(card, lambda node: node.get("type") == kind)


def actions_of(card: Any) -> list[dict[str, Any]]:
    """Every action (``Action.*``), in order."""
    return matching(card, lambda node: str(node.get("type", "")).startswith("Action."))


def verbs_of(card: Any) -> list[str]:
    """The verbs of the card's Action.Execute buttons, in order."""
    return [node["verb"] for node in of_type(card, "Action.Execute") if "verb" in node]


def texts_of(card: Any) -> list[str]:
    """Every text, title and value (facts included) of the card, in order."""
    return [
        node[key] for node in nodes(card) for key in TEXT_KEYS if isinstance(node.get(key), str)
    ]


def facts_of(card: Any) -> list[dict[str, Any]]:
    """Every fact of every FactSet, in order."""
    return [fact for node in of_type(card, "FactSet") for fact in node.get("facts", [])]
