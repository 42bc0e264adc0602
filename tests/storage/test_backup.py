"""Backups taken while the bot writes (storage/backup.py, bot/backups.py): every write
acknowledged before the backup began is in the restored store, which opens; restoring never
overwrites a live folder; the command line and the nightly job."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.backups import next_backup_at, nightly_job
from dialogs.feature import PlannedJob
from storage.backup import BackupError, archive_name, back_up, prune, restore
from storage.store import Store

NOW = datetime(2026, 12, 6, 7, 30, tzinfo=UTC)
TZ = ZoneInfo("America/Montreal")


def _writer(store: Store, acked: list[int], stop: threading.Event) -> None:
    """Inserts numbered documents into two data sets, one transaction each, as fast as it can;
    ``acked`` gets each number once its write returned (acknowledged)."""
    polls, topics = store.database("polls"), store.database("topics")
    n = 0
    while not stop.is_set():
        n += 1
        polls.run_sync(lambda db, n=n: db.table("ballots").insert({"n": n, "text": "x" * 200}))
        topics.run_sync(
            lambda db, n=n: db.table("topics").upsert(
                {"key": "counter", "n": n}, cond=lambda doc: doc.get("key") == "counter"
            )
        )
        acked.append(n)
        time.sleep(0.001)


def _numbers(folder: Path) -> tuple[set[int], int]:
    store = Store(folder)
    try:
        ballots = store.database("polls").run_sync(lambda db: db.table("ballots").all())
        counter = store.database("topics").run_sync(lambda db: db.table("topics").all())
    finally:
        store.close()
    return {d["n"] for d in ballots}, max((d["n"] for d in counter), default=0)


def test_a_backup_during_a_burst_of_writes_holds_every_acknowledged_write(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    # Compaction every 8 KiB of journal, so snapshots are rewritten and journals rotated while
    # the backup copies (about every hundred writes).
    store = Store(data, compact_after=8192)
    acked: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(target=_writer, args=(store, acked, stop))
    thread.start()
    try:
        while len(acked) < 200:
            time.sleep(0.01)
        before = set(acked)
        snapshot_before = (data / "topics.json").stat().st_ino
        archive = back_up(data, tmp_path / "backups", NOW, pause=lambda: time.sleep(0.02))
        while len(acked) < len(before) + 300:  # writes went on meanwhile
            time.sleep(0.01)
        compacted = (data / "topics.json").stat().st_ino != snapshot_before
    finally:
        stop.set()
        thread.join()
        store.close()
    assert compacted  # the store compacted around the backup, as the test intends
    restored = tmp_path / "restored"
    names = restore(archive, restored)
    assert "polls.json" in names or "polls.journal" in names
    ballots, counter = _numbers(restored)
    assert before <= ballots  # every write acknowledged before the backup began
    assert counter >= max(before)
    # Nothing half-included: the ballots are a prefix of the writer's sequence.
    assert ballots == set(range(1, max(ballots) + 1))
    assert counter >= max(ballots) - 1


def test_restore_refuses_a_live_folder_and_strange_archives(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    store.database("topics").run_sync(lambda db: db.table("topics").insert({"n": 1}))
    store.close()
    archive = back_up(data, tmp_path / "backups", NOW)
    with pytest.raises(BackupError, match="not empty"):
        restore(archive, data)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        for name in ("BACKUP.json", "../outside.json"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises(BackupError, match="unsafe"):
        restore(evil, tmp_path / "elsewhere")
    assert not (tmp_path / "outside.json").exists()
    (tmp_path / "plain.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(BackupError, match="not a Veilleuse backup"):
        restore(tmp_path / "plain.tar.gz", tmp_path / "other")


def test_archives_are_private_named_by_time_and_pruned(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store(data).close()
    (data / "files").mkdir()
    (data / "files" / "abc").write_bytes(b"a download")
    backups = tmp_path / "backups"
    made = [back_up(data, backups, datetime(2026, 12, day, 7, 30, tzinfo=UTC)) for day in (1, 2, 3)]
    assert made[0].name == archive_name(datetime(2026, 12, 1, 7, 30, tzinfo=UTC))
    assert made[0].name == "veilleuse-20261201T073000Z.tar.gz"
    assert made[0].stat().st_mode & 0o777 == 0o600
    with tarfile.open(made[0]) as tar:
        assert not any(name.startswith("files/") for name in tar.getnames())
    assert prune(backups, keep=2) == [made[0]]
    assert sorted(backups.iterdir()) == made[1:]


def test_the_command_line_backs_up_and_restores(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    store.database("members").run_sync(lambda db: db.table("members").insert({"n": 7}))
    store.close()
    env = {"CDEP_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    archive = next((tmp_path / "b").glob("veilleuse-*.tar.gz"))
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "restore", str(archive)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode == 1
    assert "not empty" in refused.stdout
    target = tmp_path / "new"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "restore", str(archive), str(target)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "members" in done.stdout
    store = Store(target)
    assert store.database("members").run_sync(lambda db: db.table("members").all()) == [{"n": 7}]
    store.close()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 6, 1, 0, tzinfo=TZ), datetime(2026, 12, 6, 2, 30, tzinfo=TZ)),
        (datetime(2026, 12, 6, 3, 0, tzinfo=TZ), datetime(2026, 12, 7, 2, 30, tzinfo=TZ)),
        # The night the clocks spring forward, 2:30 does not exist: it runs at 3:30 EDT.
        (datetime(2027, 3, 13, 23, 0, tzinfo=TZ), datetime(2027, 3, 14, 7, 30, tzinfo=UTC)),
    ],
)
def test_the_nightly_backup_time(now: datetime, expected: datetime) -> None:
    assert next_backup_at(now, TZ) == expected


async def test_the_nightly_job_writes_keeps_n_and_plans_the_next(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store(data).close()
    backups = tmp_path / "backups"
    for day in (1, 2, 3):
        back_up(data, backups, datetime(2026, 11, day, 7, 30, tzinfo=UTC))
    planned: list[PlannedJob] = []
    job = nightly_job(data, backups, 2, lambda: NOW, TZ, planned.append)
    assert job.run_at == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    await job.func()
    assert [p.name for p in sorted(backups.iterdir())] == [
        "veilleuse-20261103T073000Z.tar.gz",
        archive_name(NOW),
    ]
    assert [p.id for p in planned] == ["backup:nightly"]
