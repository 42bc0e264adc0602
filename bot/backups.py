"""Backups from the command line and every night (storage/backup.py does the copying).

``python -m bot backup DEST``: a consistent archive of the data folder (``CDEP_DATA_DIR``) in
``DEST``, while the bot runs. ``python -m bot restore ARCHIVE [FOLDER]``: restores into an empty
folder (``CDEP_DATA_DIR`` by default) and opens the store once, so a bad archive is known before
the bot starts on it. With ``CDEP_BACKUP_DIR`` set, the bot also takes one every night at
``BACKUP_HOUR`` h local time and keeps the ``CDEP_BACKUP_KEEP`` newest.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path

from dialogs.feature import PlannedJob
from storage.backup import BackupError, back_up, prune, restore
from storage.store import Store, StoreCorrupted

logger = logging.getLogger(__name__)

BACKUP_HOUR = time(2, 30)
USAGE = "usage: python -m bot backup DEST | python -m bot restore ARCHIVE [FOLDER]"


def next_backup_at(now: datetime, tz: tzinfo) -> datetime:
    """The next ``BACKUP_HOUR`` in the community's time, as UTC."""
    local = now.astimezone(tz)
    day = local.date() if local.time() < BACKUP_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(day, BACKUP_HOUR, tz).astimezone(UTC)


def nightly_job(
    data_dir: Path,
    destination: Path,
    keep: int,
    clock: Callable[[], datetime],
    tz: tzinfo,
    schedule: Callable[[PlannedJob], None],
) -> PlannedJob:
    """The next nightly backup; each run plans the following one."""

    async def run() -> None:
        try:
            archive = await asyncio.to_thread(back_up, data_dir, destination, clock())
            removed = await asyncio.to_thread(prune, destination, keep)
            logger.info("backup %s written, %d old one(s) removed", archive.name, len(removed))
        except (BackupError, OSError) as problem:
            logger.error("nightly backup failed: %s", type(problem).__name__)
        finally:
            schedule(nightly_job(data_dir, destination, keep, clock, tz, schedule))

    func: Callable[[], Awaitable[None]] = run
    return PlannedJob(id="backup:nightly", run_at=next_backup_at(clock(), tz), func=func)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main(argv: list[str], data_dir: Path) -> int:
    """``backup DEST`` or ``restore ARCHIVE [FOLDER]``; returns the exit code."""
    try:
        if len(argv) == 2 and argv[0] == "backup":
            archive = back_up(data_dir, Path(argv[1]), datetime.now(UTC))
            _say(f"backup written: {archive}")
            return 0
        if len(argv) in (2, 3) and argv[0] == "restore":
            target = Path(argv[2]) if len(argv) == 3 else data_dir
            names = restore(Path(argv[1]), target)
            store = Store(target)
            try:
                opened = store.open_all()
            finally:
                store.close()
            _say(f"restored {len(names)} file(s) into {target}; data sets: {', '.join(opened)}")
            return 0
    except (BackupError, StoreCorrupted, OSError) as problem:
        _say(f"error: {problem}")
        return 1
    _say(USAGE)
    return 2
