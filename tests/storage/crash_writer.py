"""Child process of test_crash_safety.py (not a test module).

Usage: python crash_writer.py DATA_DIR SEED [COMPACT_AFTER]

Opens data set "crash" of a Store in DATA_DIR (compacting its journal whenever it passes
COMPACT_AFTER bytes, default 16 KiB, so kills also land during compactions), prints "ready", then
writes forever through Database.run: inserts, removes and shrinking updates. After each
write it prints and flushes "?" and the write's line; after the write returns, the line alone:
    +ID      record ID inserted
    -ID      record ID removed
    ~ID:V    record ID updated to version V (with a shorter pad)
The parent kills it with SIGKILL at a random moment and checks the acknowledged writes.
"""

import asyncio
import random
import sys
from pathlib import Path

from tinydb import TinyDB, where

from storage.store import Database, Store

MAX_LIVE_RECORDS = 40


def _acknowledge(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _write(database: Database, line: str, change) -> None:
    _acknowledge(f"?{line}")
    await database.run(change)
    _acknowledge(line)


def _insert(record: dict):
    def run(db: TinyDB) -> None:
        db.insert(record)

    return run


def _remove(record_id: int):
    def run(db: TinyDB) -> None:
        db.remove(where("id") == record_id)

    return run


def _update(record_id: int, version: int, pad: str):
    def run(db: TinyDB) -> None:
        db.update({"v": version, "pad": pad}, where("id") == record_id)

    return run


async def write_forever(data_dir: Path, rng: random.Random, compact_after: int) -> None:
    database = Store(data_dir, compact_after=compact_after).database("crash")
    live: dict[int, tuple[int, int]] = {}  # id -> (version, pad length)
    next_id = 0
    _acknowledge("ready")
    while True:
        roll = rng.random()
        if live and (roll < 0.25 or len(live) >= MAX_LIVE_RECORDS):
            record_id = rng.choice(list(live))
            await _write(database, f"-{record_id}", _remove(record_id))
            del live[record_id]
        elif live and roll < 0.5:
            record_id = rng.choice(list(live))
            version, pad_length = live[record_id]
            version, pad_length = version + 1, pad_length // 2
            change = _update(record_id, version, "s" * pad_length)
            await _write(database, f"~{record_id}:{version}", change)
            live[record_id] = (version, pad_length)
        else:
            pad_length = rng.randint(200, 4000)
            record = {"id": next_id, "v": 0, "pad": "é" * pad_length}
            await _write(database, f"+{next_id}", _insert(record))
            live[next_id] = (0, pad_length)
            next_id += 1


if __name__ == "__main__":
    compact_after = int(sys.argv[3]) if len(sys.argv) > 3 else 16 * 1024
    asyncio.run(write_forever(Path(sys.argv[1]), random.Random(int(sys.argv[2])), compact_after))
