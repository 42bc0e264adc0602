"""The one card renderer: fills a parsed JSON template with data and catalog strings.

Supported (a subset of the Adaptive Cards Templating language):
- ``"${name}"`` (the whole string) is replaced by the value, whatever its JSON type;
- ``"… ${name} …"`` inside a longer string is replaced by ``str(value)``;
- ``${i18n:dotted.key}`` is the catalog message in the card's language;
- ``"$data": "${items}"`` on an object inside an array repeats the object once per item, with
  the item as the scope of its placeholders (the outer data stays reachable);
- ``"$when": "${flag}"`` drops the object when the value is falsy.

A placeholder with no value is an error, so no ``${`` ever reaches a user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from cards.i18n import Translator

_WHOLE = re.compile(r"^\$\{([^{}]+)\}$")
_PART = re.compile(r"\$\{([^{}]+)\}")
MAX_CARD_BYTES = 80 * 1024
# A text field whose input has no literal maxLength (its id or limit is filled per card) is
# still cut off here, server-side (the longest legitimate one: a roster import, 60 000).
MAX_INPUT_CHARS = 64_000
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class RenderError(ValueError):
    """A template refers to a value the builder did not supply (a programming error)."""


@cache
def _template_text(name: str) -> str:
    return resources.files("cards").joinpath("templates", f"{name}.json").read_text("utf-8")


def template_names() -> list[str]:
    folder = resources.files("cards").joinpath("templates")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def load_template(name: str) -> Any:
    return json.loads(_template_text(name))


class _Scope:
    def __init__(self, data: Mapping[str, Any], t: Translator, parent: _Scope | None = None):
        self.data = data
        self.t = t
        self.parent = parent

    def lookup(self, expr: str) -> Any:
        expr = expr.strip()
        if expr.startswith("i18n:"):
            return self.t(expr.removeprefix("i18n:"))
        scope: _Scope | None = self
        while scope is not None:
            found, value = _dig(scope.data, expr.split("."))
            if found:
                return value
            scope = scope.parent
        raise RenderError(f"unbound placeholder ${{{expr}}}")


def _dig(data: Any, parts: list[str]) -> tuple[bool, Any]:
    value = data
    for part in parts:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return False, None
    return True, value


def _fill(node: Any, scope: _Scope) -> Any:
    if isinstance(node, str):
        whole = _WHOLE.match(node)
        if whole:
            return scope.lookup(whole.group(1))
        return _PART.sub(lambda m: _as_text(scope.lookup(m.group(1))), node)
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            out.extend(_expand(item, scope))
        return out
    if isinstance(node, dict):
        return {key: _fill(value, scope) for key, value in node.items()}
    return node


def _expand(node: Any, scope: _Scope) -> list[Any]:
    """An array element: may repeat ($data) or vanish ($when)."""
    if not isinstance(node, dict):
        return [_fill(node, scope)]
    if "$data" in node:
        items = _fill(node["$data"], scope)
        if not isinstance(items, list):
            raise RenderError("$data must bind to a list")
        body = {k: v for k, v in node.items() if k != "$data"}
        out: list[Any] = []
        for item in items:
            item_scope = _Scope(
                item if isinstance(item, Mapping) else {"$item": item}, scope.t, scope
            )
            out.extend(_expand(body, item_scope))
        return out
    if "$when" in node:
        if not _fill(node["$when"], scope):
            return []
        node = {k: v for k, v in node.items() if k != "$when"}
    return [_fill(node, scope)]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(template: str, data: Mapping[str, Any], t: Translator) -> dict[str, Any]:
    """Render ``cards/templates/<template>.json`` with ``data`` in the translator's language."""
    card = _fill(load_template(template), _Scope(data, t))
    if not isinstance(card, dict):
        raise RenderError(f"template {template} is not an object")
    if "$when" in card:
        card.pop("$when")
    _clamp_inputs(card)
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))
    if size > MAX_CARD_BYTES:
        raise RenderError(f"card {template} is {size} bytes (limit {MAX_CARD_BYTES})")
    return card


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    """The message attachment that carries a card."""
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def _clamp_inputs(node: Any) -> None:
    """An Input.Text never carries more than its maxLength: a form re-rendered with what was
    typed (to show an error) stays the size its limits allow."""
    if isinstance(node, dict):
        if node.get("type") == "Input.Text" and isinstance(node.get("value"), str):
            limit = node.get("maxLength")
            limit = limit if isinstance(limit, int) and limit > 0 else MAX_INPUT_CHARS
            node["value"] = node["value"][:limit]
        for value in node.values():
            _clamp_inputs(value)
    elif isinstance(node, list):
        for item in node:
            _clamp_inputs(item)


@cache
def input_limits() -> tuple[tuple[re.Pattern[str], int], ...]:
    """(input id pattern, maxLength) of every Input.Text with a literal limit in the templates;
    an id filled per card (``a_${n}_title``) matches any value there. When templates share an
    id, the largest limit holds (the features check their own, stricter ones)."""
    found: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ident, limit = node.get("id"), node.get("maxLength")
            if (
                node.get("type") == "Input.Text"
                and isinstance(ident, str)
                and isinstance(limit, int)
                and not ident.startswith("${")
            ):
                found[ident] = max(found.get(ident, 0), limit)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for name in template_names():
        walk(load_template(name))
    return tuple(
        (re.compile("^" + ".+".join(map(re.escape, _PART.split(ident)[::2])) + "$"), limit)
        for ident, limit in sorted(found.items())
    )


def input_limit(field: str) -> int:
    """The most a card may send for ``field``."""
    for pattern, limit in input_limits():
        if pattern.match(field):
            return limit
    return MAX_INPUT_CHARS
