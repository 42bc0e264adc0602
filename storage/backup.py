"""Backups of the data folder, taken while the bot runs, and their restoration.

A data set is a snapshot ``<name>.json`` with, beside it, the journal ``<name>.journal`` and,
during a compaction, ``<name>.journal.old`` (docs/STORAGE.md). The bot keeps writing while a
backup runs, so the copy of one data set must not straddle a compaction: a snapshot copied before
a compaction with a journal copied after it would lose the writes the compaction folded in.

How a data set is copied: note each file's identity (inode) and size, copy the snapshot, the old
journal and the journal in that order, note them again. If no file was replaced, renamed or
removed in between (same inodes; journals only grew), no compaction happened and the copy is a
consistent state: the snapshot plus every journal line complete when it was read. A journal line
still being appended is cut short in the copy and dropped when the store opens, as after a
crash; its write was not yet acknowledged. Otherwise the copy starts again (a compaction is rare
and quick). Every write acknowledged before the backup began is in a complete line of the copied
journals or in the copied snapshot.

The archive is a ``.tar.gz`` named by its UTC time, written to a temporary file, fsynced and
renamed, readable by its owner only. Download files (``files/``) are left out: they expire
within the day and are made again on demand.

Restoring extracts into a folder that does not exist or is empty (never over a live data
folder), refusing absolute paths, ``..`` and links inside the archive.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from storage.store import fsync_folder as _fsync_folder

ARCHIVE_PREFIX = "veilleuse-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST = "BACKUP.json"
SKIPPED_FOLDERS = frozenset({"files"})
_TEMP_MARK = ".tmp"
_ATTEMPTS = 50


class BackupError(Exception):
    """The backup or the restoration cannot be done; the message says why (no personal data)."""


@dataclass(frozen=True)
class _Identity:
    exists: bool
    inode: int = 0
    size: int = 0


def _identity(path: Path) -> _Identity:
    try:
        info = path.stat()
    except FileNotFoundError:
        return _Identity(False)
    return _Identity(True, info.st_ino, info.st_size)


def _unchanged(before: _Identity, after: _Identity, *, may_grow: bool) -> bool:
    if before.exists != after.exists or before.inode != after.inode:
        return False
    return after.size >= before.size if may_grow else after.size == before.size


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _data_set_files(snapshot: Path) -> tuple[Path, Path, Path]:
    return snapshot, snapshot.with_suffix(".journal.old"), snapshot.with_suffix(".journal")


def copy_data_set(snapshot: Path, pause: Callable[[], None] | None = None) -> dict[str, bytes]:
    """A consistent copy of one data set's files (name → bytes); see the module docstring.
    ``pause`` runs between the reads of the first attempt (tests use it to let writes and
    compactions interleave); a retry reads the three files straight away."""
    files = _data_set_files(snapshot)
    for attempt in range(_ATTEMPTS):
        before = [_identity(f) for f in files]
        contents: dict[str, bytes] = {}
        for path in files:
            data = _read(path)
            if data is not None:
                contents[path.name] = data
            if pause is not None:
                pause()
        after = [_identity(f) for f in files]
        snapshot_same = _unchanged(before[0], after[0], may_grow=False)
        journals_same = all(
            _unchanged(b, a, may_grow=True) for b, a in zip(before[1:], after[1:], strict=True)
        )
        if snapshot_same and journals_same:
            return contents
        time.sleep(min(0.005 * (attempt + 1), 0.05))  # let the compaction finish
    raise BackupError(f"data set {snapshot.stem} kept changing during the backup")


def _is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(_TEMP_MARK)


_DATA_SET_SUFFIXES = (".json", ".journal", ".journal.old")


def _data_set_names(data_dir: Path) -> list[str]:
    """Every data set at the top of the folder, whichever of its files exist right now."""
    names = set()
    for path in data_dir.iterdir():
        if path.is_file() and not path.name.startswith("."):
            stem, _, rest = path.name.partition(".")
            if f".{rest}" in _DATA_SET_SUFFIXES:
                names.add(stem)
    return sorted(names)


def _members(data_dir: Path, pause: Callable[[], None] | None) -> Iterable[tuple[str, bytes]]:
    """(relative path, bytes) of everything worth keeping in the data folder."""
    names = _data_set_names(data_dir)
    for name in names:
        yield from copy_data_set(data_dir / f"{name}.json", pause).items()
    covered = {f"{name}{suffix}" for name in names for suffix in _DATA_SET_SUFFIXES}
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if not path.is_file() or path.is_symlink() or _is_temp(path):
            continue
        if relative.parts[0] in SKIPPED_FOLDERS or relative.as_posix() in covered:
            continue
        stem, _, rest = path.name.partition(".")
        if len(relative.parts) == 1 and f".{rest}" in _DATA_SET_SUFFIXES:
            continue  # a data set that appeared during the backup: not part of it
        data = _read(path)
        if data is not None:
            yield relative.as_posix(), data


def archive_name(now: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}{ARCHIVE_SUFFIX}"


def back_up(
    data_dir: Path,
    destination: Path,
    now: datetime,
    pause: Callable[[], None] | None = None,
) -> Path:
    """Writes ``destination/veilleuse-<UTC time>.tar.gz`` and returns its path."""
    if not data_dir.is_dir():
        raise BackupError("the data folder does not exist")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = destination / archive_name(now)
    if target.exists():
        raise BackupError(f"{target.name} already exists")
    members = list(_members(data_dir, pause))
    manifest = {
        "format": 1,
        "created_at": now.astimezone(UTC).isoformat(),
        "files": {name: len(data) for name, data in members},
    }
    handle, temp_name = tempfile.mkstemp(dir=destination, prefix=".backup-", suffix=_TEMP_MARK)
    try:
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                for name, data in [
                    (MANIFEST, json.dumps(manifest, indent=2).encode()),
                    *members,
                ]:
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    info.mode = 0o600
                    info.mtime = int(now.timestamp())
                    tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        Path(temp_name).chmod(0o600)
        Path(temp_name).replace(target)
        _fsync_folder(destination)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def prune(destination: Path, keep: int) -> list[Path]:
    """Removes all but the ``keep`` newest archives; returns what was removed."""
    archives = sorted(destination.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"))
    removed = archives[: max(0, len(archives) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"unsafe path in the archive: {name!r}")
    return path


def restore(archive: Path, target: Path) -> list[str]:
    """Extracts ``archive`` into ``target`` (absent or empty); returns the restored names."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(
            f"{target} is not empty: restore into a new folder, then point CDEP_DATA_DIR at it"
        )
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive.name} is not a Veilleuse backup") from error
    restored: list[str] = []
    with tar:
        names = tar.getnames()
        if MANIFEST not in names:
            raise BackupError(f"{archive.name} is not a Veilleuse backup (no {MANIFEST})")
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.chmod(0o700)
        for member in tar.getmembers():
            relative = _safe_name(member.name)
            if not member.isfile():
                raise BackupError(f"unexpected entry in the archive: {member.name!r}")
            if member.name == MANIFEST:
                continue
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"unreadable entry in the archive: {member.name!r}")
            path = target.joinpath(*relative.parts)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with path.open("wb") as out:
                shutil.copyfileobj(source, out)
                out.flush()
                os.fsync(out.fileno())
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
            restored.append(member.name)
    _fsync_folder(target)
    return restored
