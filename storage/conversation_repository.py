"""Where the bot can write later: conversation references captured from inbound activities.

A record is written only from inside an authenticated turn (the messenger's ``remember``), and
refreshed on every activity, because Teams may move a tenant to another ``serviceUrl``.

Keys: ``user:<AAD object id, else 29: id>`` (case-folded, as ``member_key``) for a personal
chat, ``conv:<conversation id>`` for a channel or a group chat.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from tinydb import Query

from storage.store import Database

_TABLE = "conversations"
PERSONAL_PREFIX = "user:"
CONVERSATION_PREFIX = "conv:"


def personal_key(user_aad_or_id: str) -> str:
    """The key of a user's 1:1 chat with the bot (same folding as ``member_key``)."""
    return f"{PERSONAL_PREFIX}{user_aad_or_id.casefold()}"


def conversation_key(conversation_id: str) -> str:
    """The key of a channel or group chat."""
    return f"{CONVERSATION_PREFIX}{conversation_id}"


@dataclass(frozen=True)
class ConversationRecord:
    """``reference`` has the shape of ``ConversationReference.serialize()`` (camelCase keys).
    ``user_id`` (29:) and ``aad_object_id`` are set for personal chats only."""

    key: str
    reference: dict[str, Any]
    tenant_id: str
    service_url: str
    user_id: str = ""
    aad_object_id: str = ""
    updated_at: str = ""
    unreachable: bool = False

    @property
    def conversation_id(self) -> str:
        conversation = self.reference.get("conversation") or {}
        return str(conversation.get("id") or "")

    def matches_user(self, user_aad_or_id: str) -> bool:
        wanted = user_aad_or_id.casefold()
        return self.key.startswith(PERSONAL_PREFIX) and wanted in (
            self.user_id.casefold(),
            self.aad_object_id.casefold(),
        )


class ConversationRepository(Protocol):
    async def save(self, record: ConversationRecord) -> None: ...
    async def get(self, key: str) -> ConversationRecord | None: ...
    async def find_personal(self, user_aad_or_id: str) -> ConversationRecord | None: ...
    async def mark_unreachable(self, key: str) -> bool: ...
    async def forget_user(self, user_ids: set[str]) -> int:
        """Removes the personal chats of a user (any of their ids); returns how many."""
        ...


def _record(row: Any) -> ConversationRecord | None:
    return ConversationRecord(**row) if isinstance(row, dict) else None


class TinyDbConversationRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def save(self, record: ConversationRecord) -> None:
        """Stores the record only if it changed (``updated_at`` aside: it tells when the
        reference last changed), so people clicking again write nothing."""
        row = asdict(record)

        def write(db: Any) -> None:
            table = db.table(_TABLE)
            found = table.get(Query().key == record.key)
            if found is not None and {**found, "updated_at": row["updated_at"]} == row:
                return
            table.upsert(row, Query().key == record.key)

        await self._db.run(write)

    async def get(self, key: str) -> ConversationRecord | None:
        return _record(await self._db.run(lambda db: db.table(_TABLE).get(Query().key == key)))

    async def find_personal(self, user_aad_or_id: str) -> ConversationRecord | None:
        key = personal_key(user_aad_or_id)

        def find(db: Any) -> Any:
            table = db.table(_TABLE)
            row = table.get(Query().key == key)
            if row is not None:
                return row
            for row in table.search(Query().key.test(lambda k: k.startswith(PERSONAL_PREFIX))):
                if ConversationRecord(**row).matches_user(user_aad_or_id):
                    return row
            return None

        return _record(await self._db.run(find))

    async def mark_unreachable(self, key: str) -> bool:
        updated = await self._db.run(
            lambda db: db.table(_TABLE).update({"unreachable": True}, Query().key == key)
        )
        return bool(updated)

    async def forget_user(self, user_ids: set[str]) -> int:
        def gone(row: dict[str, Any]) -> bool:
            record = ConversationRecord(**row)
            return any(record.matches_user(user_id) for user_id in user_ids if user_id)

        # tinydb's stubs say QueryLike, but remove() accepts any callable taking a document.
        removed = await self._db.run(lambda db: db.table(_TABLE).remove(gone))  # type: ignore[arg-type]
        await self._db.erase_history()
        return len(removed)


class FakeConversationRepository:
    def __init__(self) -> None:
        self.rows: dict[str, ConversationRecord] = {}

    async def save(self, record: ConversationRecord) -> None:
        self.rows[record.key] = record

    async def get(self, key: str) -> ConversationRecord | None:
        return self.rows.get(key)

    async def find_personal(self, user_aad_or_id: str) -> ConversationRecord | None:
        found = self.rows.get(personal_key(user_aad_or_id))
        if found is not None:
            return found
        return next((r for r in self.rows.values() if r.matches_user(user_aad_or_id)), None)

    async def mark_unreachable(self, key: str) -> bool:
        record = self.rows.get(key)
        if record is None:
            return False
        self.rows[key] = replace(record, unreachable=True)
        return True

    async def forget_user(self, user_ids: set[str]) -> int:
        gone = [
            key
            for key, record in self.rows.items()
            if any(record.matches_user(user_id) for user_id in user_ids if user_id)
        ]
        for key in gone:
            del self.rows[key]
        return len(gone)
