"""Helpers shared by repositories of records kept by ``id`` in one table (topics, resources)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from tinydb import Query
from tinydb.table import Table


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Keyed)


def rewrite_rows(
    table: Table,
    parse: Callable[[Any], R],
    unparse: Callable[[R], dict[str, Any]],
    change: Callable[[R], R],
) -> int:
    """Stores, in one update, every record of ``table`` that ``change`` alters; returns how
    many changed."""
    changes = []
    for row in table.all():
        record = parse(row)
        changed = change(record)
        if changed != record:
            changes.append((unparse(changed), Query().id == record.id))
    if changes:
        table.update_multiple(changes)
    return len(changes)


def rewrite_records(records: dict[str, R], change: Callable[[R], R]) -> int:
    """``rewrite_rows`` for the fakes' dicts of records by id."""
    changed = 0
    for record_id, record in list(records.items()):
        after = change(record)
        if after != record:
            records[record_id] = after
            changed += 1
    return changed


def change_row(
    table: Table,
    record_id: str,
    parse: Callable[[Any], R],
    unparse: Callable[[R], dict[str, Any]],
    change: Callable[[R], R | None],
) -> tuple[R, R] | None:
    """(before, after) of applying ``change`` to record ``record_id`` (None from ``change``:
    keep it), stored only if it changed; None when there is no such record."""
    row = table.get(Query().id == record_id)
    if not isinstance(row, dict):
        return None
    before = parse(row)
    after = change(before) or before
    if after != before:
        table.update(unparse(after), Query().id == record_id)
    return before, after
