"""botbuilder ``Storage`` over our TinyDB store, so conversation and user state survive restarts.

Each key is one document of table ``state``: ``{"key": ..., "e_tag": ..., "value": ...}``.
Values are flattened with jsonpickle, as botbuilder-azure's ``BlobStorage`` does, because
dialog state holds objects (``DialogState``, ``DialogInstance``) that must come back as such;
the flattened form is plain JSON, so the file stays JSON. jsonpickle rebuilds the classes named
in the file, which is fine for our own data folder and must never be pointed at outside input.

Optimistic concurrency follows ``MemoryStorage``: a write whose ``e_tag`` is neither missing nor
``"*"`` must match the stored one, or ``ETagConflict`` is raised and nothing in the batch is
written. Every successful write stores a fresh e_tag and sets it on the written item too, so a
turn that saves twice does not conflict with itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler
from tinydb import TinyDB, where
from tinydb.table import Document

from storage.store import Database

STATE_TABLE = "state"
_E_TAG = "e_tag"
_ANY_E_TAG = "*"


class ETagConflict(Exception):
    """The item changed in storage since it was read (its e_tag no longer matches)."""


class TinyDbBotStorage(Storage):
    """Conversation, user and private-conversation state in one ``Database``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        if keys is None:
            raise ValueError("Keys are required when reading")
        wanted = list(keys)
        if not wanted:
            return {}

        def find(db: TinyDB) -> list[Document]:
            return db.table(STATE_TABLE).search(where("key").one_of(wanted))

        documents = await self._database.run(find)
        return {document["key"]: _restore(document) for document in documents}

    async def write(self, changes: Mapping[str, Any]) -> None:
        if changes is None:
            raise ValueError("Changes are required when writing")
        if not changes:
            return
        incoming = {key: _e_tag_of(item) for key, item in changes.items()}
        if "" in incoming.values():
            raise ValueError("an item to write has an empty e_tag")
        documents = [
            {"key": key, _E_TAG: uuid.uuid4().hex, "value": _flatten(item)}
            for key, item in changes.items()
        ]

        def check_then_upsert(db: TinyDB) -> None:
            table = db.table(STATE_TABLE)
            stored = {
                document["key"]: document[_E_TAG]
                for document in table.search(where("key").one_of(list(incoming)))
            }
            for key, e_tag in incoming.items():
                if e_tag not in (None, _ANY_E_TAG) and key in stored and stored[key] != e_tag:
                    raise ETagConflict("e_tag conflict: the item changed since it was read")
            for document in documents:
                table.upsert(document, where("key") == document["key"])

        await self._database.run(check_then_upsert)
        for document in documents:
            _set_e_tag(changes[document["key"]], document[_E_TAG])

    async def delete(self, keys: Iterable[str]) -> None:
        if keys is None:
            raise ValueError("Keys are required when deleting")
        doomed = list(keys)
        if not doomed:
            return

        def remove(db: TinyDB) -> None:
            table = db.table(STATE_TABLE)
            if table.contains(where("key").one_of(doomed)):
                table.remove(where("key").one_of(doomed))

        await self._database.run(remove)


def _e_tag_of(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return item.get(_E_TAG)
    return getattr(item, _E_TAG, None)


def _set_e_tag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item[_E_TAG] = e_tag
    elif hasattr(item, "__dict__"):
        setattr(item, _E_TAG, e_tag)


def _flatten(item: Any) -> Any:
    """JSON-ready form of ``item`` without its e_tag (the document keeps that)."""
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop(_E_TAG, None)
    return flat


def _restore(document: Mapping[str, Any]) -> Any:
    """A fresh copy of the stored item, carrying the stored e_tag."""
    value = document["value"]
    if isinstance(value, dict):
        value = {**value, _E_TAG: document[_E_TAG]}
    return Unpickler().restore(value)
