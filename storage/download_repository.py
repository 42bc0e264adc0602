"""Files the bot hands out (exports, certificates, invites) behind unguessable, expiring links.

The content is written under ``<data dir>/files/`` with the same atomic replace as the store;
the index (token → file, owner, expiry) lives in the ``downloads`` database. Expired entries and
their files are removed by ``purge_expired``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from tinydb import Query, TinyDB
from tinydb.queries import QueryInstance

from storage.store import Database, private_folder

_TABLE = "downloads"


@dataclass(frozen=True)
class Download:
    token: str
    filename: str
    content_type: str
    owner_key: str
    expires_at: str  # UTC ISO, fixed width (compares as text)
    created_at: str


class DownloadRepository(Protocol):
    async def add(self, entry: Download, content: bytes) -> None: ...
    async def get(self, token: str) -> tuple[Download, bytes] | None: ...
    async def purge_expired(self, now_iso: str) -> int: ...
    async def delete_owner(self, owner_key: str) -> int: ...


class TinyDbDownloadRepository:
    def __init__(self, database: Database, folder: Path) -> None:
        self._db = database
        self._folder = folder

    def _path(self, token: str) -> Path:
        """Named by a hash of the token: the folder's listing gives no link away."""
        return self._folder / f"{hashlib.sha256(token.encode()).hexdigest()}.bin"

    def _legacy_path(self, token: str) -> Path:
        return self._folder / f"{token}.bin"

    def _read(self, token: str) -> bytes:
        """The file's bytes (files named by the token itself, before hashing, still read)."""
        try:
            return self._path(token).read_bytes()
        except FileNotFoundError:
            return self._legacy_path(token).read_bytes()

    def _write_file(self, token: str, content: bytes) -> None:
        private_folder(self._folder)
        fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(self._path(token))

    async def add(self, entry: Download, content: bytes) -> None:
        await asyncio.to_thread(self._write_file, entry.token, content)
        await self._db.run(lambda db: db.table(_TABLE).insert(asdict(entry)))

    async def get(self, token: str) -> tuple[Download, bytes] | None:
        row = await self._db.run(lambda db: db.table(_TABLE).get(Query().token == token))
        if not isinstance(row, dict):
            return None
        try:
            content = await asyncio.to_thread(self._read, token)
        except FileNotFoundError:
            return None
        return Download(**row), content

    async def _remove(self, condition: QueryInstance) -> int:
        def remove(db: TinyDB) -> list[str]:
            table = db.table(_TABLE)
            tokens = [row["token"] for row in table.search(condition)]
            table.remove(condition)
            return tokens

        tokens = await self._db.run(remove)
        for token in tokens:
            await asyncio.to_thread(self._path(token).unlink, missing_ok=True)
            await asyncio.to_thread(self._legacy_path(token).unlink, missing_ok=True)
        return len(tokens)

    async def purge_expired(self, now_iso: str) -> int:
        return await self._remove(Query().expires_at <= now_iso)

    async def delete_owner(self, owner_key: str) -> int:
        removed = await self._remove(Query().owner_key == owner_key)
        await self._db.erase_history()
        return removed


class FakeDownloadRepository:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[Download, bytes]] = {}

    async def add(self, entry: Download, content: bytes) -> None:
        self.rows[entry.token] = (entry, content)

    async def get(self, token: str) -> tuple[Download, bytes] | None:
        return self.rows.get(token)

    async def purge_expired(self, now_iso: str) -> int:
        gone = [t for t, (d, _) in self.rows.items() if d.expires_at <= now_iso]
        for token in gone:
            del self.rows[token]
        return len(gone)

    async def delete_owner(self, owner_key: str) -> int:
        gone = [t for t, (d, _) in self.rows.items() if d.owner_key == owner_key]
        for token in gone:
            del self.rows[token]
        return len(gone)
