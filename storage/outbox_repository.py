"""The proactive outbox: every message the bot sends on its own, kept until it is sent.

The caller chooses each item's ``id`` (e.g. ``"welcome:<user key>"``) and ``enqueue`` ignores
an id it already holds, pending, sent or failed: that is what makes a message go out at most
once, even when a job runs twice. A finished item loses its message (``activity`` becomes
``{}``) when it is marked sent or failed: what stays is a compact record (id, target, batch,
status, times, about 300 bytes) kept for the retention period (see ``prune``); a caller that
must never repeat a message after that keeps its own record.

Every call here is one transaction of the data set (storage/store.py): ``mark_sent`` is durable
when it returns, so after a kill -9 only the messages then in flight can go out again.

Times are stored as fixed-width UTC ISO strings (``iso_utc``), so they compare as text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from tinydb import Query

from storage.conversation_repository import personal_key
from storage.store import Database

_TABLE = "outbox"


def iso_utc(moment: datetime) -> str:
    """``2026-11-01T12:00:00.000000+00:00``: same width for every instant, so text order is
    time order. ``moment`` must be aware."""
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class NewPersonalChat:
    """Target of a message to a user the bot has no 1:1 chat with yet: the messenger creates
    the chat (Teams returns the existing one if there is one) and stores its reference."""

    user_id: str
    tenant_id: str
    service_url: str


# A conversation key (``user:…`` / ``conv:…``, see conversation_repository) or a chat to create.
OutboxTarget = str | NewPersonalChat


@dataclass(frozen=True)
class OutboxItem:
    """``activity`` is the plain dict of the activity to send (``text`` and/or ``attachments``,
    camelCase keys as in the Bot Framework schema); with an ``id`` it replaces that message (a
    card updated in place). ``not_before`` empty means "now"."""

    id: str
    target: OutboxTarget
    activity: dict[str, Any]
    batch: str = ""
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    not_before: str = ""
    created_at: str = ""
    done_at: str = ""
    sent_activity_id: str = ""
    failure: str = ""


@dataclass(frozen=True)
class BatchProgress:
    sent: int
    failed: int
    pending: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


class OutboxRepository(Protocol):
    async def enqueue(self, items: Sequence[OutboxItem]) -> list[str]:
        """Adds the items whose id is new; returns the ids added (one write for all)."""
        ...

    async def get(self, item_id: str) -> OutboxItem | None: ...

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending items with ``not_before <= now``, in enqueue order."""
        ...

    async def mark_sent(
        self, item_id: str, activity_id: str, *, at: datetime, attempts: int
    ) -> None: ...

    async def reschedule(self, item_id: str, not_before: datetime, attempts: int) -> None: ...

    async def mark_failed(
        self, item_id: str, reason_code: str, *, at: datetime, attempts: int
    ) -> None: ...

    async def progress(self, batch: str) -> BatchProgress: ...

    async def count_pending(self) -> int: ...

    async def forget_user(self, user_ids: set[str]) -> int:
        """Removes every item (pending or kept) addressed to a user's personal chat, by the
        user's conversation key or 29: id; returns how many."""
        ...

    async def prune(self, done_before: datetime) -> int:
        """Removes sent and failed items finished before ``done_before``; returns how many."""
        ...

    async def forget_member(self, mentions: set[str]) -> int:
        """Erasure of a member from messages meant for others (e.g. a mentor's notice naming
        the newcomer): ``mentions`` are what identifies the member (ids, name, e-mail). A
        pending item, or any item whose id mentions them, is removed; a sent or failed item
        otherwise keeps its id (so it still goes out at most once) with its content
        redacted. Returns how many items changed."""
        ...


def _to_row(item: OutboxItem) -> dict[str, Any]:
    row = asdict(item)
    row["status"] = str(item.status)
    return row


def _from_row(row: Any) -> OutboxItem:
    target = row["target"]
    fields = {**row, "status": OutboxStatus(row["status"])}
    fields["target"] = NewPersonalChat(**target) if isinstance(target, dict) else str(target)
    return OutboxItem(**fields)


def _count(items: Sequence[OutboxItem]) -> BatchProgress:
    statuses = [item.status for item in items]
    return BatchProgress(
        sent=statuses.count(OutboxStatus.SENT),
        failed=statuses.count(OutboxStatus.FAILED),
        pending=statuses.count(OutboxStatus.PENDING),
    )


def _addressed_to(item: OutboxItem, user_ids: set[str]) -> bool:
    wanted = {u.casefold() for u in user_ids if u}
    if isinstance(item.target, NewPersonalChat):
        return item.target.user_id.casefold() in wanted
    return item.target in {personal_key(u) for u in wanted}


# ---- erasure of a member from messages to others (issue 19) ----------------------------------

_MIN_MENTION = 3  # shorter "mentions" would match unrelated text


def _mentions(row: Any, mentions: set[str]) -> bool:
    text = json.dumps(row, ensure_ascii=False, default=str).casefold()
    return any(m in text for m in mentions)


def _forget_member_in(rows: list[dict[str, Any]], mentions: set[str]) -> tuple[list[str], dict]:
    """(ids to remove, id -> redacted fields) for the rows that mention the member."""
    wanted = {m.strip().casefold() for m in mentions if len(m.strip()) >= _MIN_MENTION}
    removed: list[str] = []
    redacted: dict[str, dict[str, Any]] = {}
    if not wanted:
        return removed, redacted
    for row in rows:
        if not _mentions(row, wanted):
            continue
        if row["status"] == str(OutboxStatus.PENDING) or _mentions(row["id"], wanted):
            removed.append(row["id"])
        else:
            redacted[row["id"]] = {"activity": {"type": "message"}, "batch": "", "failure": ""}
    return removed, redacted


def _is_due(item: OutboxItem, now_iso: str) -> bool:
    return item.status is OutboxStatus.PENDING and item.not_before <= now_iso


def _is_prunable(item: OutboxItem, before_iso: str) -> bool:
    return item.status is not OutboxStatus.PENDING and item.done_at < before_iso


class TinyDbOutboxRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def enqueue(self, items: Sequence[OutboxItem]) -> list[str]:
        rows = [_to_row(item) for item in items]

        def insert_new(db: Any) -> list[str]:
            table = db.table(_TABLE)
            known: set[str] = set()
            fresh = []
            for row in rows:
                if row["id"] not in known and not table.contains(Query().id == row["id"]):
                    known.add(row["id"])
                    fresh.append(row)
            if fresh:
                table.insert_multiple(fresh)
            return [row["id"] for row in fresh]

        return await self._db.run(insert_new)

    async def get(self, item_id: str) -> OutboxItem | None:
        row = await self._db.run(lambda db: db.table(_TABLE).get(Query().id == item_id))
        return _from_row(row) if row is not None else None

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        now_iso = iso_utc(now)
        item = Query()
        rows = await self._db.run(
            lambda db: db.table(_TABLE).search(
                (item.status == str(OutboxStatus.PENDING)) & (item.not_before <= now_iso)
            )
        )
        return [_from_row(row) for row in rows[:limit]]

    async def mark_sent(
        self, item_id: str, activity_id: str, *, at: datetime, attempts: int
    ) -> None:
        await self._update(
            item_id,
            activity={},
            status=str(OutboxStatus.SENT),
            sent_activity_id=activity_id,
            done_at=iso_utc(at),
            attempts=attempts,
        )

    async def reschedule(self, item_id: str, not_before: datetime, attempts: int) -> None:
        await self._update(item_id, not_before=iso_utc(not_before), attempts=attempts)

    async def mark_failed(
        self, item_id: str, reason_code: str, *, at: datetime, attempts: int
    ) -> None:
        await self._update(
            item_id,
            activity={},
            status=str(OutboxStatus.FAILED),
            failure=reason_code,
            done_at=iso_utc(at),
            attempts=attempts,
        )

    async def progress(self, batch: str) -> BatchProgress:
        rows = await self._db.run(lambda db: db.table(_TABLE).search(Query().batch == batch))
        return _count([_from_row(row) for row in rows])

    async def count_pending(self) -> int:
        return await self._db.run(
            lambda db: db.table(_TABLE).count(Query().status == str(OutboxStatus.PENDING))
        )

    async def prune(self, done_before: datetime) -> int:
        before_iso = iso_utc(done_before)
        item = Query()
        finished = item.status != str(OutboxStatus.PENDING)

        def write(db: Any) -> list[int]:
            table = db.table(_TABLE)
            # Items finished before finished items were made compact (format 1) lose their
            # message too.
            table.update({"activity": {}}, finished & item.activity.test(bool))
            return table.remove(finished & (item.done_at < before_iso))

        removed = await self._db.run(write)
        return len(removed)

    async def forget_user(self, user_ids: set[str]) -> int:
        removed = await self._db.run(
            lambda db: db.table(_TABLE).remove(lambda row: _addressed_to(_from_row(row), user_ids))
        )
        await self._db.erase_history()
        return len(removed)

    async def _update(self, item_id: str, **fields: Any) -> None:
        await self._db.run(lambda db: db.table(_TABLE).update(fields, Query().id == item_id))

    async def forget_member(self, mentions: set[str]) -> int:
        def erase(db: Any) -> int:
            table = db.table(_TABLE)
            removed, redacted = _forget_member_in(table.all(), mentions)
            if removed:
                table.remove(Query().id.one_of(removed))
            for item_id, fields in redacted.items():
                table.update(fields, Query().id == item_id)
            return len(removed) + len(redacted)

        changed = await self._db.run(erase)
        if changed:
            await self._db.erase_history()  # the snapshot and journals no longer name them
        return changed


class FakeOutboxRepository:
    def __init__(self) -> None:
        self.rows: dict[str, OutboxItem] = {}

    async def enqueue(self, items: Sequence[OutboxItem]) -> list[str]:
        added = []
        for item in items:
            if item.id not in self.rows:
                self.rows[item.id] = item
                added.append(item.id)
        return added

    async def get(self, item_id: str) -> OutboxItem | None:
        return self.rows.get(item_id)

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        now_iso = iso_utc(now)
        return [item for item in self.rows.values() if _is_due(item, now_iso)][:limit]

    async def mark_sent(
        self, item_id: str, activity_id: str, *, at: datetime, attempts: int
    ) -> None:
        self._update(
            item_id,
            activity={},
            status=OutboxStatus.SENT,
            sent_activity_id=activity_id,
            done_at=iso_utc(at),
            attempts=attempts,
        )

    async def reschedule(self, item_id: str, not_before: datetime, attempts: int) -> None:
        self._update(item_id, not_before=iso_utc(not_before), attempts=attempts)

    async def mark_failed(
        self, item_id: str, reason_code: str, *, at: datetime, attempts: int
    ) -> None:
        self._update(
            item_id,
            activity={},
            status=OutboxStatus.FAILED,
            failure=reason_code,
            done_at=iso_utc(at),
            attempts=attempts,
        )

    async def progress(self, batch: str) -> BatchProgress:
        return _count([item for item in self.rows.values() if item.batch == batch])

    async def count_pending(self) -> int:
        return sum(item.status is OutboxStatus.PENDING for item in self.rows.values())

    async def prune(self, done_before: datetime) -> int:
        before_iso = iso_utc(done_before)
        doomed = [key for key, item in self.rows.items() if _is_prunable(item, before_iso)]
        for key in doomed:
            del self.rows[key]
        return len(doomed)

    def _update(self, item_id: str, **fields: Any) -> None:
        item = self.rows.get(item_id)
        if item is not None:
            self.rows[item_id] = replace(item, **fields)

    async def forget_user(self, user_ids: set[str]) -> int:
        gone = [i for i, item in self.rows.items() if _addressed_to(item, user_ids)]
        for item_id in gone:
            del self.rows[item_id]
        return len(gone)

    async def forget_member(self, mentions: set[str]) -> int:
        removed, redacted = _forget_member_in(
            [_to_row(item) for item in self.rows.values()], mentions
        )
        for item_id in removed:
            del self.rows[item_id]
        for item_id, fields in redacted.items():
            self._update(item_id, **fields)
        return len(removed) + len(redacted)
