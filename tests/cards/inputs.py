"""What a card button makes the client check before it sends anything (Adaptive Cards 1.5):
with ``associatedInputs`` "auto" (the default) every required input of the card must be filled;
with "none" the button sends no input and checks none."""

from __future__ import annotations

from typing import Any

from tests.card_walk import nodes as _nodes


def blocking_inputs(card: dict[str, Any], verb: str) -> set[str]:
    """The ids of the inputs that stop the button ``verb`` while they are empty."""
    buttons = [
        n for n in _nodes(card) if n.get("type") == "Action.Execute" and n.get("verb") == verb
    ]
    assert buttons, f"no {verb} button"
    required = {
        n["id"]
        for n in _nodes(card)
        if str(n.get("type", "")).startswith("Input.") and n.get("isRequired")
    }
    blocking: set[str] = set()
    for button in buttons:
        if str(button.get("associatedInputs", "auto")).casefold() != "none":
            blocking |= required
    return blocking
