"""The data folder: one data set per name, held in memory, made durable by a journal.

How it works (docs/STORAGE.md tells the why):

- the process owns its files, so each data set is parsed once, when it is opened, and stays in
  memory (``DataSet``); reads never touch the disk;
- repositories keep using TinyDB's API (``db.table(...).search(Query().id == x)``): the tables
  are ``MemoryTable``s, which change one document at a time (copy on write) and answer
  ``==`` queries from a hash index built on first use, so a turn costs what it touches;
- one ``Database.run(fn)`` is one transaction: its changes become one line of the journal
  ``<name>.journal`` (``[["p", table, id, doc], ["d", table, id], ["x", table]]``). A line is
  all or nothing: a torn last line (kill -9 during the write) is dropped when the file is
  opened, and an exception inside ``fn`` rolls the transaction back;
- group commit: lines written while an fsync is running go out together with the next fsync;
  a write's ``run`` returns only after the fsync of its line. A read returns at once, and may
  see a write of another turn whose fsync is still running: if the process dies then, that
  turn was not answered and Teams delivers it again;
- compaction: when the journal outgrows the snapshot ``<name>.json`` (TinyDB's own format), the
  journal is renamed ``<name>.journal.old`` and a worker thread writes a new snapshot (temp file,
  fsync, ``os.replace``) and then deletes the old journal. Opening replays snapshot, old journal
  and journal; replaying a line twice gives the same state, so a kill at any step is harmless.

A data folder written before this engine (format 1: the snapshot files alone) is migrated when
the ``Store`` opens it: its ``*.json`` files are copied into ``backup-format-1/`` first.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.table import Document, Table

T = TypeVar("T")

_DATA_SET_NAME = re.compile(r"[a-z0-9_-]+")
_TEMP_SUFFIX = ".tmp"
FORMAT_FILE = "store-format.json"
FORMAT_VERSION = 2
BACKUP_FOLDER = "backup-format-1"
# Compact when the journal is larger than the snapshot and than this many bytes.
DEFAULT_COMPACT_AFTER = 1 << 20
_ABSENT = object()
_INDEXABLE = (str, int, float)


class StoreCorrupted(Exception):
    """A data file exists but is not valid; it is left untouched for a person to inspect."""

    def __init__(self, path: Path, detail: str = "is not valid JSON") -> None:
        super().__init__(f"data file {path} {detail}; it was left as is, restore it from a backup")
        self.path = path


class StoreWriteFailed(Exception):
    """A journal write failed: the data set refuses further work until the process restarts."""


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


# --- In-memory data set ---------------------------------------------------------------------


class DataSet:
    """The documents of one data set, its hash indexes and the transaction being applied."""

    def __init__(self, tables: dict[str, dict[int, dict[str, Any]]]) -> None:
        self.tables = tables
        self.next_ids = {name: max(docs, default=0) + 1 for name, docs in tables.items()}
        self.versions: dict[str, int] = {}
        self._indexes: dict[str, dict[tuple[str, ...], dict[Any, set[int]]]] = {}
        self._parsed: dict[tuple[str, Any], tuple[int, list[Any], dict[int, tuple[Any, Any]]]] = {}
        self._ops: list[list[Any]] | None = None
        self._undo: dict[tuple[str, int], Any] = {}
        self._undo_tables: dict[str, dict[int, dict[str, Any]] | None] = {}

    # transactions

    def begin(self) -> None:
        self._ops, self._undo, self._undo_tables = [], {}, {}

    def commit(self) -> list[list[Any]]:
        ops = self._ops or []
        self._ops, self._undo, self._undo_tables = None, {}, {}
        return ops

    def rollback(self) -> None:
        undo, undo_tables = self._undo, self._undo_tables
        self._ops, self._undo, self._undo_tables = None, {}, {}
        for name, docs in undo_tables.items():
            if docs is None:
                self.tables.pop(name, None)
            else:
                self.tables[name] = docs
            self._forget_indexes(name)
        for (name, doc_id), old in reversed(list(undo.items())):
            if name in undo_tables and undo_tables[name] is None:
                continue  # a table created by this transaction: gone with it
            if old is _ABSENT:
                self._delete(name, doc_id)
            else:
                self._put(name, doc_id, old)

    # changes (recorded when inside a transaction)

    def put(self, name: str, doc_id: int, doc: dict[str, Any]) -> None:
        self._remember(name, doc_id)
        self._put(name, doc_id, doc)
        if self._ops is not None:
            self._ops.append(["p", name, doc_id, doc])

    def delete(self, name: str, doc_id: int) -> None:
        self._remember(name, doc_id)
        self._delete(name, doc_id)
        if self._ops is not None:
            self._ops.append(["d", name, doc_id])

    def drop(self, name: str) -> None:
        if self._ops is not None and name not in self._undo_tables:
            self._undo_tables[name] = self.tables.get(name)
        self.tables.pop(name, None)
        self._forget_indexes(name)
        self.next_ids.pop(name, None)
        if self._ops is not None:
            self._ops.append(["x", name])

    def apply(self, op: list[Any]) -> None:
        """Replays one journal operation (no transaction)."""
        kind = op[0]
        if kind == "p":
            self._put(op[1], int(op[2]), op[3])
        elif kind == "d":
            self._delete(op[1], int(op[2]))
        elif kind == "x":
            self.drop(op[1])
        else:
            raise ValueError(f"unknown journal operation {kind!r}")

    def snapshot(self) -> dict[str, dict[int, dict[str, Any]]]:
        """A consistent copy for compaction: documents are never changed in place."""
        return {name: dict(docs) for name, docs in self.tables.items()}

    def parsed_all(self, name: str, parse: Callable[[Document], T]) -> list[T]:
        """``[parse(row) for row in table]``, parsing only the documents that changed since the
        last call (a changed document is a new object, so identity tells)."""
        version = self.versions.get(name, 0)
        key = (name, parse)
        entry = self._parsed.get(key)
        if entry is not None and entry[0] == version:
            return list(entry[1])
        known = entry[2] if entry is not None else {}
        fresh: dict[int, tuple[Any, Any]] = {}
        values: list[T] = []
        for doc_id, doc in self.tables.get(name, {}).items():
            cached = known.get(doc_id)
            if cached is None or cached[0] is not doc:
                cached = (doc, parse(Document(doc, doc_id)))
            fresh[doc_id] = cached
            values.append(cached[1])
        self._parsed[key] = (version, values, fresh)
        return list(values)

    def next_id(self, name: str) -> int:
        next_id = self.next_ids.get(name, 1)
        self.next_ids[name] = next_id + 1
        return next_id

    # indexes

    def lookup(self, name: str, path: tuple[str, ...], value: Any) -> set[int]:
        indexes = self._indexes.setdefault(name, {})
        index = indexes.get(path)
        if index is None:
            index = {}
            for doc_id, doc in self.tables.get(name, {}).items():
                key = _resolve(doc, path)
                if key is not _ABSENT:
                    index.setdefault(key, set()).add(doc_id)
            indexes[path] = index
        return index.get(value, set())

    def _forget_indexes(self, name: str) -> None:
        self._indexes.pop(name, None)
        self.versions[name] = self.versions.get(name, 0) + 1

    def _remember(self, name: str, doc_id: int) -> None:
        if self._ops is None or name in self._undo_tables:
            return
        if (name, doc_id) not in self._undo:
            self._undo[(name, doc_id)] = self.tables.get(name, {}).get(doc_id, _ABSENT)
        if name not in self.tables:
            self._undo_tables[name] = None

    def _put(self, name: str, doc_id: int, doc: dict[str, Any]) -> None:
        docs = self.tables.setdefault(name, {})
        old = docs.get(doc_id)
        docs[doc_id] = doc
        if doc_id >= self.next_ids.get(name, 1):
            self.next_ids[name] = doc_id + 1
        self._reindex(name, doc_id, old, doc)

    def _delete(self, name: str, doc_id: int) -> None:
        docs = self.tables.get(name)
        if docs is None or doc_id not in docs:
            return
        old = docs.pop(doc_id)
        self._reindex(name, doc_id, old, None)

    def _reindex(
        self, name: str, doc_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None
    ) -> None:
        self.versions[name] = self.versions.get(name, 0) + 1
        for path, index in self._indexes.get(name, {}).items():
            if old is not None:
                key = _resolve(old, path)
                if key is not _ABSENT:
                    ids = index.get(key)
                    if ids is not None:
                        ids.discard(doc_id)
                        if not ids:
                            del index[key]
            if new is not None:
                key = _resolve(new, path)
                if key is not _ABSENT:
                    index.setdefault(key, set()).add(doc_id)


def _resolve(doc: Any, path: tuple[str, ...]) -> Any:
    value = doc
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value if isinstance(value, _INDEXABLE) else _ABSENT


def _equality_terms(hashval: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every ``Query().a.b == value`` that a query requires (TinyDB query
    hashes: ``('==', path, value)``, ``('and', frozenset(...))``)."""
    if not isinstance(hashval, tuple) or not hashval:
        return
    if hashval[0] == "==" and len(hashval) == 3:
        path, value = hashval[1], hashval[2]
        if (
            isinstance(path, tuple)
            and path
            and all(isinstance(part, str) for part in path)
            and isinstance(value, _INDEXABLE)
        ):
            yield path, value
    elif hashval[0] == "and" and len(hashval) == 2:
        for term in hashval[1]:
            yield from _equality_terms(term)


def _plain(document: dict[str, Any]) -> dict[str, Any]:
    """A private copy of ``document`` as it will read back from the disk (tuples become lists,
    keys become strings), so memory and files never disagree."""
    return json.loads(json.dumps(document, ensure_ascii=False))


class MemoryTable(Table):
    """TinyDB's ``Table`` API over a ``DataSet``: one document changes at a time, never the
    whole table, and equality queries use a hash index."""

    def __init__(self, data: DataSet, name: str) -> None:
        self._data = data
        self._name = name
        self._next_id = None
        self._cache: dict[Any, tuple[int, list[Document]]] = {}

    def __repr__(self) -> str:
        return f"<MemoryTable name={self._name!r} total={len(self)}>"

    @property
    def storage(self) -> Any:
        raise AttributeError("a MemoryTable has no TinyDB storage")

    @property
    def _docs(self) -> dict[int, dict[str, Any]]:
        return self._data.tables.get(self._name, {})

    def _candidates(self, cond: Any) -> Iterable[tuple[int, dict[str, Any]]]:
        docs = self._docs
        best: set[int] | None = None
        for path, value in _equality_terms(getattr(cond, "_hash", None)):
            ids = self._data.lookup(self._name, path, value)
            if best is None or len(ids) < len(best):
                best = ids
        if best is None:
            return list(docs.items())
        return [(doc_id, docs[doc_id]) for doc_id in sorted(best)]

    def _matching_ids(self, cond: Any) -> list[int]:
        return [doc_id for doc_id, doc in self._candidates(cond) if cond(doc)]

    # reads

    def all(self) -> list[Document]:
        return [Document(doc, doc_id) for doc_id, doc in self._docs.items()]

    def search(self, cond: Any) -> list[Document]:
        version = self._data.versions.get(self._name, 0)
        cacheable = getattr(cond, "is_cacheable", lambda: False)()
        if cacheable:
            cached = self._cache.get(cond)
            if cached is not None and cached[0] == version:
                return cached[1][:]
        found = [Document(doc, doc_id) for doc_id, doc in self._candidates(cond) if cond(doc)]
        if cacheable:
            if len(self._cache) >= 32:
                self._cache.clear()
            self._cache[cond] = (version, found[:])
        return found

    def get(  # type: ignore[override]
        self,
        cond: Any = None,
        doc_id: int | None = None,
        doc_ids: list[int] | None = None,
    ) -> Any:
        docs = self._docs
        if doc_id is not None:
            raw = docs.get(int(doc_id))
            return None if raw is None else Document(raw, int(doc_id))
        if doc_ids is not None:
            wanted = {int(i) for i in doc_ids}
            return [Document(doc, i) for i, doc in docs.items() if i in wanted]
        if cond is not None:
            for found_id, doc in self._candidates(cond):
                if cond(doc):
                    return Document(doc, found_id)
            return None
        raise RuntimeError("You have to pass either cond or doc_id or doc_ids")

    def contains(self, cond: Any = None, doc_id: int | None = None) -> bool:
        if doc_id is not None:
            return int(doc_id) in self._docs
        if cond is not None:
            return self.get(cond) is not None
        raise RuntimeError("You have to pass either cond or doc_id")

    def count(self, cond: Any) -> int:
        return len(self._matching_ids(cond))

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[Document]:
        for doc_id, doc in list(self._docs.items()):
            yield Document(doc, doc_id)

    def clear_cache(self) -> None:
        self._cache.clear()

    # writes

    def insert(self, document: Mapping[str, Any]) -> int:
        if not isinstance(document, Mapping):
            raise ValueError("Document is not a Mapping")
        if isinstance(document, Document):
            doc_id = int(document.doc_id)
            if doc_id in self._docs:
                raise ValueError(f"Document with ID {doc_id} already exists")
        else:
            doc_id = self._data.next_id(self._name)
        self._data.put(self._name, doc_id, _plain(dict(document)))
        return doc_id

    def insert_multiple(self, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        return [self.insert(document) for document in documents]

    def update(  # type: ignore[override]
        self,
        fields: Any,
        cond: Any = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        if doc_ids is not None:
            docs = self._docs
            ids = [int(i) for i in doc_ids if int(i) in docs]
        elif cond is not None:
            ids = self._matching_ids(cond)
        else:
            ids = list(self._docs)
        for doc_id in ids:
            self._change(doc_id, fields)
        return ids

    def update_multiple(self, updates: Iterable[tuple[Any, Any]]) -> list[int]:  # type: ignore[override]
        updated: list[int] = []
        pairs = list(updates)
        for doc_id in list(self._docs):
            for fields, cond in pairs:
                doc = self._docs.get(doc_id)
                if doc is not None and cond(doc):
                    updated.append(doc_id)
                    self._change(doc_id, fields)
        return updated

    def upsert(self, document: Mapping[str, Any], cond: Any = None) -> list[int]:
        if isinstance(document, Document) and hasattr(document, "doc_id"):
            doc_ids: list[int] | None = [int(document.doc_id)]
        else:
            doc_ids = None
        if doc_ids is None and cond is None:
            raise ValueError("If you don't specify a search query, you must specify a doc_id.")
        updated = self.update(dict(document), cond, doc_ids)
        if updated:
            return updated
        return [self.insert(document)]

    def remove(self, cond: Any = None, doc_ids: Iterable[int] | None = None) -> list[int]:
        if doc_ids is not None:
            docs = self._docs
            ids = [int(i) for i in doc_ids if int(i) in docs]
        elif cond is not None:
            ids = self._matching_ids(cond)
        else:
            raise RuntimeError("Use truncate() to remove all documents")
        for doc_id in ids:
            self._data.delete(self._name, doc_id)
        return ids

    def truncate(self) -> None:
        if self._name in self._data.tables:
            self._data.drop(self._name)

    def _change(self, doc_id: int, fields: Any) -> None:
        old = self._docs[doc_id]
        if callable(fields):
            new = copy.deepcopy(old)
            fields(new)
            new = _plain(new)
        else:
            new = dict(old)
            new.update(_plain(dict(fields)))
        if new != old:  # an update that changes nothing writes nothing
            self._data.put(self._name, doc_id, new)


class MemoryTinyDB(TinyDB):
    """A ``TinyDB`` whose tables are ``MemoryTable``s of one ``DataSet``."""

    def __init__(self, data: DataSet) -> None:  # no storage: the DataSet is the data
        self._data = data
        self._opened = True
        self._tables: dict[str, Table] = {}

    def table(self, name: str, **kwargs: Any) -> Table:
        found = self._tables.get(name)
        if found is None:
            found = self._tables[name] = MemoryTable(self._data, name)
        return found

    def tables(self) -> set[str]:
        return {name for name, docs in self._data.tables.items()}

    def drop_tables(self) -> None:
        for name in list(self._data.tables):
            self._data.drop(name)

    def drop_table(self, name: str) -> None:
        if name in self._data.tables:
            self._data.drop(name)

    @property
    def storage(self) -> Any:
        raise AttributeError("a MemoryTinyDB has no TinyDB storage")

    def close(self) -> None:
        self._opened = False


# --- Files --------------------------------------------------------------------------------


def fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _read_snapshot(path: Path) -> dict[str, dict[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as error:
        raise StoreCorrupted(path) from error
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise StoreCorrupted(path) from error
    if not isinstance(raw, dict):
        raise StoreCorrupted(path, "is not a TinyDB document")
    try:
        return {
            name: {int(doc_id): doc for doc_id, doc in docs.items()}
            for name, docs in raw.items()
            if isinstance(docs, dict)
        }
    except ValueError as error:
        raise StoreCorrupted(path, "is not a TinyDB document") from error


def _read_journal(path: Path) -> tuple[list[list[list[Any]]], int]:
    """Transactions of a journal and the length of its valid part (a torn last line, cut by a
    kill during its write, was never acknowledged and is left out)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    transactions: list[list[list[Any]]] = []
    valid = 0
    while valid < len(data):
        end = data.find(b"\n", valid)
        if end < 0:
            break  # torn last line
        try:
            transactions.append(json.loads(data[valid:end]))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise StoreCorrupted(path, f"has an unreadable line at byte {valid}") from error
        valid = end + 1
    return transactions, valid


def write_snapshot(path: Path, tables: Mapping[str, Mapping[int, Mapping[str, Any]]]) -> int:
    """Writes ``tables`` in TinyDB's file format, atomically; returns the size in bytes. Each
    document is encoded on its own, so another thread gets the GIL between documents."""
    size = 0
    temp_path: Path | None = None
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX, delete=False
        ) as temp:
            temp_path = Path(temp.name)
            parts: list[bytes] = [b"{"]
            for table_number, (name, docs) in enumerate(tables.items()):
                parts.append(b"," if table_number else b"")
                parts.append(dumps(name).encode() + b":{")
                for doc_number, (doc_id, doc) in enumerate(docs.items()):
                    prefix = b',"' if doc_number else b'"'
                    parts.append(prefix + str(doc_id).encode() + b'":' + dumps(doc).encode())
                    if len(parts) >= 512:
                        chunk = b"".join(parts)
                        size += len(chunk)
                        temp.write(chunk)
                        parts.clear()
                parts.append(b"}")
            parts.append(b"}")
            chunk = b"".join(parts)
            size += len(chunk)
            temp.write(chunk)
            temp.flush()
            os.fsync(temp.fileno())
        temp_path.replace(path)
    except BaseException:
        if temp_path is not None:
            temp_path.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
    return size


class _Files:
    """The snapshot, the journal and the old journal of one data set (used from threads)."""

    def __init__(self, snapshot: Path) -> None:
        self.snapshot = snapshot
        self.journal = snapshot.with_suffix(".journal")
        self.old_journal = snapshot.with_suffix(".journal.old")
        self.lock = threading.Lock()
        self.journal_size = 0
        self.snapshot_size = 0

    def remove_stale_temp_files(self) -> None:
        """Temp files left by a process killed mid-write; safe because one process owns a file."""
        for stale in self.snapshot.parent.glob(f".{self.snapshot.name}.*{_TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)

    def load(self) -> DataSet:
        self.remove_stale_temp_files()
        data = DataSet(_read_snapshot(self.snapshot))
        old, _ = _read_journal(self.old_journal)
        current, valid = _read_journal(self.journal)
        for transaction in (*old, *current):
            for op in transaction:
                data.apply(op)
        self.snapshot_size = self.snapshot.stat().st_size if self.snapshot.exists() else 0
        if self.old_journal.exists():
            # A compaction was cut short: finish it now, so the next one can rename again.
            # The old journal goes first: the journal alone is a suffix of the new snapshot's
            # history, so replaying it again is harmless; the old one alone would not be.
            self.snapshot_size = write_snapshot(self.snapshot, data.snapshot())
            self.old_journal.unlink()
            fsync_folder(self.snapshot.parent)
            self.journal.unlink(missing_ok=True)
            fsync_folder(self.snapshot.parent)
            valid = 0
        self._open_journal(valid)
        return data

    def _open_journal(self, valid: int) -> None:
        """Makes the journal exist and end at ``valid`` (drops a torn last line)."""
        with self.journal.open("ab") as handle:
            if handle.tell() != valid:
                handle.truncate(valid)
                os.fsync(handle.fileno())
        private_mode(self.journal)
        self.journal_size = valid
        fsync_folder(self.snapshot.parent)

    def append(self, lines: list[bytes], rotate: bool) -> None:
        """Writes and fsyncs ``lines``; with ``rotate``, then starts a new journal. (The file
        is opened per batch: one open per fsync costs little and holds no handle.)"""
        with self.lock:
            payload = b"".join(lines)
            if payload:
                with self.journal.open("ab") as handle:
                    try:
                        handle.write(payload)
                        handle.flush()
                        os.fsync(handle.fileno())
                    except BaseException:
                        with contextlib.suppress(OSError):  # best effort: drop the unacked lines
                            handle.truncate(self.journal_size)
                        raise
                self.journal_size += len(payload)
            if rotate:
                self.journal.replace(self.old_journal)
                self._open_journal(0)

    def compact(self, tables: Mapping[str, Mapping[int, Mapping[str, Any]]]) -> None:
        size = write_snapshot(self.snapshot, tables)
        self.old_journal.unlink(missing_ok=True)
        fsync_folder(self.snapshot.parent)
        self.snapshot_size = size

    def close(self) -> None:
        pass


# --- Database -----------------------------------------------------------------------------


class Database:
    """One data set. ``await run(fn)`` applies ``fn(db)`` to the in-memory TinyDB at once (one
    call at a time, on the calling thread) and returns after its changes are on disk."""

    def __init__(self, path: Path, *, compact_after: int = DEFAULT_COMPACT_AFTER) -> None:
        self.path = Path(path)
        private_folder(self.path.parent)
        private_mode(self.path)  # snapshots are written 0600 (temp file); tighten older ones
        self._compact_after = compact_after
        self._files = _Files(self.path)
        self._data = self._files.load()
        self._db = MemoryTinyDB(self._data)
        # _apply_lock: one transaction at a time, and the journal order is the apply order.
        # _writer_lock: one batch written at a time, in order.
        self._apply_lock = threading.RLock()
        self._writer_lock = threading.Lock()
        self._pending: list[tuple[bytes, asyncio.Future[None] | None, bool]] = []
        self._historyless: frozenset[str] = frozenset()
        self._flusher: asyncio.Task[None] | None = None
        self._compaction: threading.Thread | None = None
        self._compaction_failed = False
        self._failure: BaseException | None = None
        self.commits = 0  # fsyncs of the journal, for tests and the benchmark

    async def run(self, fn: Callable[[TinyDB], T]) -> T:
        """Runs ``fn(db)`` as one transaction. A write returns once it is on disk (its fsync,
        shared with the writes of the same moment); a read returns at once. ``fn`` must not
        keep nor change the documents it reads."""
        loop = asyncio.get_running_loop()
        result, waiter = self._apply(fn, loop)
        if waiter is None:
            return result
        flusher = self._flusher
        if flusher is None or flusher.done() or flusher.get_loop() is not loop:
            self._flusher = loop.create_task(self._flush())
        await asyncio.shield(waiter)
        return result

    def run_sync(self, fn: Callable[[TinyDB], T]) -> T:
        """Same as ``run``, blocking the calling thread (start-up and sync callers)."""
        result, _ = self._apply(fn, None)
        if self._pending:
            self._write_batch()
        return result

    def close(self) -> None:
        self._write_batch()
        self.wait_for_compaction()
        self._files.close()
        self._db.close()

    def compact(self) -> None:
        """Writes a snapshot now and empties the journal (tests, benchmark, maintenance)."""
        self._write_batch(force_compaction=True)

    def wait_for_compaction(self) -> None:
        compaction = self._compaction
        if compaction is not None:
            compaction.join()

    async def parsed_all(self, table: str, parse: Callable[[Document], T]) -> list[T]:
        """Every row of ``table`` through ``parse`` (a module-level function returning an
        immutable value), in table order. Parsed values are kept and reused until their
        document changes, so listing a large table costs little; never mutate them."""
        return await self.run(lambda _db: self._data.parsed_all(table, parse))

    def keep_no_history_of(self, *tables: str) -> None:
        """A change to one of ``tables`` is compacted into the snapshot before it is
        acknowledged, so no journal keeps its history (anonymous answers: the journal would
        show which member and which answer arrived together)."""
        self._historyless = self._historyless | frozenset(tables)

    async def erase_history(self) -> None:
        """Compacts now and waits, so erased data is in no journal (member erasure)."""
        await asyncio.to_thread(self._write_batch, True)

    def _apply(
        self, fn: Callable[[TinyDB], T], loop: asyncio.AbstractEventLoop | None
    ) -> tuple[T, asyncio.Future[None] | None]:
        if self._failure is not None:
            raise StoreWriteFailed(f"{self.path.name}: an earlier write failed") from self._failure
        with self._apply_lock:
            self._data.begin()
            try:
                result = fn(self._db)
            except BaseException:
                self._data.rollback()
                raise
            ops = self._data.commit()
            if not ops:
                return result, None
            line = json.dumps(ops, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            waiter = loop.create_future() if loop is not None else None
            private = bool(self._historyless) and any(op[1] in self._historyless for op in ops)
            self._pending.append((line, waiter, private))
        return result, waiter

    async def _flush(self) -> None:
        while self._pending and self._failure is None:
            try:
                await asyncio.to_thread(self._write_batch)
            except Exception:  # the writers got the error; later runs raise StoreWriteFailed
                return

    def _write_batch(self, force_compaction: bool = False) -> None:
        """Writes every pending line with one fsync (group commit), then wakes their writers.
        Compacts in the background when the journal outgrows the snapshot, or at once (before
        the acknowledgement) when asked or when the batch changed a table without history."""
        with self._writer_lock:
            if force_compaction or any(private for _, _, private in self._pending):
                self.wait_for_compaction()
            with self._apply_lock:
                batch, self._pending = self._pending, []
                size = self._files.journal_size + sum(len(line) for line, _, _ in batch)
                urgent = force_compaction or any(private for _, _, private in batch)
                compacting = self._compaction is not None and self._compaction.is_alive()
                snapshot = None
                if urgent or (
                    size > max(self._compact_after, self._files.snapshot_size)
                    and not (compacting or self._compaction_failed)
                ):
                    snapshot = self._data.snapshot()  # = the files + this batch
            waiters = [waiter for _, waiter, _ in batch]
            if not batch and snapshot is None:
                return
            try:
                self._files.append([line for line, _, _ in batch], snapshot is not None)
                if snapshot is not None and urgent:
                    self._files.compact(snapshot)
            except BaseException as error:
                self._failure = error
                _settle(waiters, StoreWriteFailed(str(error)))
                raise
            self.commits += 1
            if snapshot is not None and not urgent:
                self._start_compaction(snapshot)
        _settle(waiters, None)

    def _start_compaction(self, snapshot: dict[str, dict[int, dict[str, Any]]]) -> None:
        def compact() -> None:
            try:
                self._files.compact(snapshot)
            except Exception:  # the old journal stays, the next open finishes the work
                self._compaction_failed = True

        self._compaction = threading.Thread(
            target=compact, name=f"compact-{self.path.stem}", daemon=True
        )
        self._compaction.start()


def _settle(waiters: list[asyncio.Future[None] | None], error: BaseException | None) -> None:
    """Resolves futures from any thread, on their own event loops."""
    for waiter in waiters:
        if waiter is None:
            continue

        def settle(waiter: asyncio.Future[None] = waiter) -> None:
            if waiter.done():
                return
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

        try:
            waiter.get_loop().call_soon_threadsafe(settle)
        except RuntimeError:  # its event loop is closed: nobody waits any more
            pass


# --- Store --------------------------------------------------------------------------------


class Store:
    """Owns the data folder; one Database per data set (files ``<name>.json``/``.journal``)."""

    def __init__(self, data_dir: Path, *, compact_after: int = DEFAULT_COMPACT_AFTER) -> None:
        self.data_dir = Path(data_dir)
        self._compact_after = compact_after
        self._databases: dict[str, Database] = {}
        private_folder(self.data_dir)
        migrate_folder(self.data_dir)

    def database(self, name: str) -> Database:
        """The cached ``Database`` of data set ``name`` (``[a-z0-9_-]+``), opened on first use."""
        if not _DATA_SET_NAME.fullmatch(name):
            raise ValueError(f"data set names are [a-z0-9_-]+, got {name!r}")
        database = self._databases.get(name)
        if database is None:
            database = Database(self.data_dir / f"{name}.json", compact_after=self._compact_after)
            self._databases[name] = database
        return database

    def open_all(self) -> list[str]:
        """Opens every data set found in the folder (start-up, so no turn pays the parse)."""
        names = sorted(
            {
                path.name.split(".", 1)[0]
                for pattern in ("*.json", "*.journal")
                for path in self.data_dir.glob(pattern)
                if path.name != FORMAT_FILE and _DATA_SET_NAME.fullmatch(path.name.split(".")[0])
            }
        )
        for name in names:
            self.database(name)
        return names

    def close(self) -> None:
        databases = list(self._databases.values())
        self._databases.clear()
        for database in databases:
            database.close()


def stored_tables(snapshot: Path) -> dict[str, dict[str, Any]]:
    """What a restart would load from data set file ``snapshot`` (snapshot + journals), in
    TinyDB's file layout; for tests and diagnostics, without opening the data set."""
    data = DataSet(_read_snapshot(snapshot))
    for journal in (snapshot.with_suffix(".journal.old"), snapshot.with_suffix(".journal")):
        for transaction in _read_journal(journal)[0]:
            for op in transaction:
                data.apply(op)
    return {
        name: {str(doc_id): doc for doc_id, doc in docs.items()}
        for name, docs in data.tables.items()
    }


def migrate_folder(data_dir: Path) -> bool:
    """Brings a data folder to the current format, once; returns True if it migrated one.

    Format 1 (before the journal) is the ``<name>.json`` TinyDB files alone; they are valid
    snapshots of format 2, so the migration copies them to ``backup-format-1/``, checks that
    each one parses, and writes ``store-format.json``. A kill before that last step makes the
    next start do it again (the copy is redone from the untouched files)."""
    marker = data_dir / FORMAT_FILE
    if marker.exists():
        found = json.loads(marker.read_text(encoding="utf-8")).get("version")
        if found != FORMAT_VERSION:
            raise StoreCorrupted(marker, f"has format {found!r}, this code reads {FORMAT_VERSION}")
        return False
    old_files = sorted(
        path
        for path in data_dir.glob("*.json")
        if path.name != FORMAT_FILE and _DATA_SET_NAME.fullmatch(path.stem)
    )
    if old_files:
        backup = data_dir / BACKUP_FOLDER
        private_folder(backup)
        for path in old_files:
            _read_snapshot(path)  # a torn format-1 file stops here, before anything changes
            shutil.copy2(path, backup / path.name)
            private_mode(backup / path.name)
            with (backup / path.name).open("rb") as copied:
                os.fsync(copied.fileno())
        fsync_folder(backup)
    temp = data_dir / f".{FORMAT_FILE}{_TEMP_SUFFIX}"
    with temp.open("w", encoding="utf-8") as handle:
        json.dump({"version": FORMAT_VERSION}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    private_mode(temp)
    temp.replace(marker)
    fsync_folder(data_dir)
    return bool(old_files)
