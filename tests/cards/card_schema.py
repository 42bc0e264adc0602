"""Validation of rendered cards against the official Adaptive Card 1.5 schema (test-only)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

# Teams-only or chart elements that the official schema does not know (PLATFORM.md §7).
TEAMS_ONLY_KEYS = ("msteams",)


@cache
def _validator() -> jsonschema.Draft6Validator:
    text = resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text("utf-8")
    return jsonschema.Draft6Validator(json.loads(text))


def _best_errors(error: jsonschema.ValidationError) -> list[str]:
    """Elements are an anyOf over ``type``: report only the branch whose ``type`` matched."""
    where = "/".join(map(str, error.absolute_path)) or "(card)"
    if not error.context:
        return [f"{where}: {error.message}"]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    matched = [
        subs
        for subs in branches.values()
        if not any(list(sub.relative_path) == ["type"] for sub in subs)
    ]
    if not matched:
        kind = error.instance.get("type") if isinstance(error.instance, dict) else None
        return [f"{where}: unknown element type {kind!r}"]
    return [msg for sub in min(matched, key=len) for msg in _best_errors(sub)]


def schema_errors(card: dict[str, Any]) -> list[str]:
    checked = {k: v for k, v in card.items() if k not in TEAMS_ONLY_KEYS}
    errors: list[str] = []
    for error in _validator().iter_errors(checked):
        errors.extend(_best_errors(error))
    return errors
