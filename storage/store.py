"""The data folder: one TinyDB file per data set, written atomically, used from asyncio.

Why not TinyDB's own ``JSONStorage``: it rewrites the file in place (seek, write, fsync,
truncate). A process killed during that write leaves a partial file, and a kill between the
write and the truncate of a shorter document (after a remove or a shrinking update) leaves the
old tail behind, so the file no longer parses and TinyDB cannot open it.

``AtomicJSONStorage`` writes the whole document to a temporary file in the same folder, fsyncs
it, renames it over the data file with ``os.replace`` and fsyncs the folder. A reader therefore
sees either the old file or the new one, never a mix. It reopens the path on every read, because
a long-lived handle would keep pointing at the replaced file.

TinyDB is synchronous and not thread-safe, so ``Database`` runs every call in a worker thread,
one call at a time. One process owns each file.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage

T = TypeVar("T")

_DATA_SET_NAME = re.compile(r"[a-z0-9_-]+")
_TEMP_SUFFIX = ".tmp"


class StoreCorrupted(Exception):
    """A data file exists but is not valid JSON; it is left untouched for a person to inspect."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"data file {path} is not valid JSON; it was left as is, restore it from a backup"
        )
        self.path = path


FOLDER_MODE = 0o700  # data at rest: only the bot's account reads the data folder
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    """Create ``path`` readable by the owner only, or tighten it if it exists."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    private_mode(path, FOLDER_MODE)


def private_mode(path: Path, mode: int = FILE_MODE) -> None:
    """Tighten an existing file or folder (best effort: it may belong to the operator)."""
    try:
        if path.exists() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass


class AtomicJSONStorage(Storage):
    """read() opens the path each time; write() = temp file in same dir + flush + fsync +
    os.replace + fsync(dir). Never leaves a partial file."""

    def __init__(self, path: str | Path, **kwargs: Any) -> None:
        """``kwargs`` go to ``json.dumps`` (default: compact, non-ASCII kept as is)."""
        self.path = Path(path)
        private_folder(self.path.parent)
        private_mode(self.path)  # new files are 0600 already (mkstemp)
        self._dumps_options: dict[str, Any] = {
            "ensure_ascii": False,
            "separators": (",", ":"),
            **kwargs,
        }
        self._remove_stale_temp_files()

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as error:
            raise StoreCorrupted(self.path) from error
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise StoreCorrupted(self.path) from error

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, **self._dumps_options)
        temp_path: Path | None = None
        try:
            with tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                dir=self.path.parent,
                prefix=self._temp_prefix,
                suffix=_TEMP_SUFFIX,
                delete=False,
            ) as temp:
                temp_path = Path(temp.name)
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            temp_path.replace(self.path)
        except BaseException:
            if temp_path is not None:
                temp_path.unlink(missing_ok=True)
            raise
        self._fsync_folder()

    @property
    def _temp_prefix(self) -> str:
        return f".{self.path.name}."

    def _fsync_folder(self) -> None:
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def _remove_stale_temp_files(self) -> None:
        """Temp files left by a process killed mid-write; safe because one process owns a file."""
        for stale in self.path.parent.glob(f"{self._temp_prefix}*{_TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)


class Database:
    """One TinyDB file; every call runs in a worker thread under one asyncio.Lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        # Parse the file now, so a corrupt file stops start-up rather than a later turn.
        self._db.storage.read()
        # The thread lock is what serialises TinyDB; the asyncio lock keeps waiting callers
        # queued on the loop instead of each holding a worker thread. asyncio locks belong to
        # one event loop, so one is made per loop, lazily.
        self._thread_lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        self._async_lock_loop: asyncio.AbstractEventLoop | None = None

    async def run(self, fn: Callable[[TinyDB], T]) -> T:
        """Run ``fn(db)`` in a worker thread, after every earlier call has finished."""
        async with self._lock_for_running_loop():
            return await asyncio.to_thread(self.run_sync, fn)

    def run_sync(self, fn: Callable[[TinyDB], T]) -> T:
        """Same as ``run``, blocking the calling thread (start-up and sync callers)."""
        with self._thread_lock:
            return fn(self._db)

    def close(self) -> None:
        with self._thread_lock:
            self._db.close()

    def _lock_for_running_loop(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._async_lock is None or self._async_lock_loop is not loop:
            self._async_lock = asyncio.Lock()
            self._async_lock_loop = loop
        return self._async_lock


class Store:
    """Owns the data folder; one Database per data set (file `<name>.json`)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        private_folder(self.data_dir)
        self._databases: dict[str, Database] = {}

    def database(self, name: str) -> Database:
        """The cached ``Database`` of data set ``name`` (``[a-z0-9_-]+``), opened on first use."""
        if not _DATA_SET_NAME.fullmatch(name):
            raise ValueError(f"data set names are [a-z0-9_-]+, got {name!r}")
        database = self._databases.get(name)
        if database is None:
            database = Database(self.data_dir / f"{name}.json")
            self._databases[name] = database
        return database

    def close(self) -> None:
        databases = list(self._databases.values())
        self._databases.clear()
        for database in databases:
            database.close()
