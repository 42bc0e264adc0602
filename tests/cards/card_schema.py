"""Validation of rendered cards against the official Adaptive Card 1.5 schema (test-only)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

# Teams-only or chart elements that the official schema does not know (docs/PLATFORM.md §7).
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


def _official_errors(card: dict[str, Any]) -> list[str]:
    checked = {k: v for k, v in card.items() if k not in TEAMS_ONLY_KEYS}
    errors: list[str] = []
    for error in _validator().iter_errors(checked):
        errors.extend(_best_errors(error))
    return errors


_NUMBER = {"type": "number"}
_TEXT = {"type": "string"}
_POINTS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"x": {"type": ["string", "number"]}, "y": _NUMBER},
        "required": ["x", "y"],
    },
}
_SERIES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"legend": _TEXT, "values": _POINTS},
        "required": ["legend", "values"],
    },
}
_SLICES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"legend": _TEXT, "value": _NUMBER},
        "required": ["legend", "value"],
    },
}
# One bar per item: its title and its coloured parts (read from the Playground's renderer and
# Teams' chart documentation: ``{"title", "data": [{"legend", "value"}]}``).
_STACKS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"title": _TEXT, "data": {**_SLICES, "minItems": 1}},
        "required": ["title", "data"],
    },
}
CHART_DATA: dict[str, dict[str, Any]] = {
    "Chart.Donut": _SLICES,
    "Chart.Pie": _SLICES,
    "Chart.VerticalBar": _POINTS,
    "Chart.HorizontalBar": _POINTS,
    "Chart.Line": _SERIES,
    "Chart.VerticalBar.Grouped": _SERIES,
    "Chart.HorizontalBar.Stacked": _STACKS,
}


def _chart_schema(kind: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "type": {"const": kind},
            "title": _TEXT,
            "data": {**CHART_DATA[kind], "minItems": 1},
            "fallback": {"oneOf": [{"const": "drop"}, {"type": "object", "required": ["type"]}]},
        },
        "required": ["type", "data", "fallback"],
    }


def split_charts(node: Any, charts: list[dict[str, Any]]) -> Any:
    """``node`` with every chart replaced by its fallback (or dropped); charts collected."""
    if isinstance(node, list):
        out = []
        for item in node:
            if isinstance(item, dict) and str(item.get("type", "")).startswith("Chart."):
                charts.append(item)
                fallback = item.get("fallback")
                if isinstance(fallback, dict):
                    out.append(split_charts(fallback, charts))
                continue
            out.append(split_charts(item, charts))
        return out
    if isinstance(node, dict):
        return {key: split_charts(value, charts) for key, value in node.items()}
    return node


def schema_errors(card: dict[str, Any]) -> list[str]:
    """Schema errors of a card (empty: valid). ``Chart.*`` elements are not in the official 1.5
    schema (docs/PLATFORM.md §7): each is checked against the shape Teams documents (type, data, a
    fallback), and the rest of the card — charts replaced by their fallback, what a client
    without charts renders — against the official schema."""
    charts: list[dict[str, Any]] = []
    rest = split_charts(card, charts)
    errors = _official_errors(rest)
    for chart in charts:
        kind = chart.get("type", "")
        if kind not in CHART_DATA:
            errors.append(f"unknown chart type {kind!r}")
            continue
        validator = jsonschema.Draft6Validator(_chart_schema(kind))
        errors += [f"{kind}: {e.message}" for e in validator.iter_errors(chart)]
    return errors


def charts_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    charts: list[dict[str, Any]] = []
    split_charts(card, charts)
    return charts
