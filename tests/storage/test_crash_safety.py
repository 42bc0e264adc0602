"""SIGKILL a writer at random moments; the store must open and hold every acknowledged write.

The writer's journal is compacted every 16 KiB, so the kills land in journal appends, in
snapshot writes and between the steps of a compaction (old journal renamed, snapshot replaced,
old journal deleted); the test counts how many of each it saw."""

import random
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storage.store import Database

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 60


def _apply(records: dict[int, int], change: str) -> dict[int, int]:
    """Apply one writer line ("+ID", "-ID" or "~ID:V") to a map of record id -> version."""
    kind, rest = change[0], change[1:]
    records = dict(records)
    if kind == "+":
        records[int(rest)] = 0
    elif kind == "-":
        del records[int(rest)]
    elif kind == "~":
        record_id, version = (int(part) for part in rest.split(":"))
        records[record_id] = version
    else:
        raise AssertionError(f"unexpected line from the writer: {change!r}")
    return records


@dataclass
class WriterLog:
    """What the writer acknowledged, and the write it had started but not acknowledged."""

    acknowledged: dict[int, int] = field(default_factory=dict)
    acknowledgements: int = 0
    in_flight: str | None = None

    def add(self, line: str) -> None:
        if line.startswith("?"):
            self.in_flight = line[1:]
            return
        assert line == self.in_flight, f"ack {line!r} for unstarted write {self.in_flight!r}"
        self.acknowledged = _apply(self.acknowledged, line)
        self.acknowledgements += 1
        self.in_flight = None

    def possible_states(self) -> list[dict[int, int]]:
        if self.in_flight is None:
            return [self.acknowledged]
        return [self.acknowledged, _apply(self.acknowledged, self.in_flight)]


def _kill_writer_once(data_dir: Path, rng: random.Random) -> WriterLog:
    """Run the writer, SIGKILL it after a random delay or a random number of acks."""
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), str(rng.randrange(2**32))],
        cwd=data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    log = WriterLog()
    kill_after_acks = rng.randint(1, 40) if rng.random() < 0.5 else None
    timer = None
    try:
        assert writer.stdout.readline() == "ready\n", writer.stderr.read()
        if kill_after_acks is None:
            timer = threading.Timer(rng.uniform(0.005, 0.080), writer.kill)
            timer.start()
        for line in writer.stdout:
            if not line.endswith("\n"):
                break  # cut short by the kill, so never acknowledged
            log.add(line.rstrip("\n"))
            if log.acknowledgements == kill_after_acks:
                writer.kill()
    finally:
        if timer is not None:
            timer.cancel()
        writer.kill()
        writer.wait()
        stderr = writer.stderr.read()
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == -9, f"writer ended by itself ({writer.returncode}): {stderr}"
    return log


@pytest.mark.integration
def test_acknowledged_writes_survive_sigkill(tmp_path):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    kills = mid_write_kills = mid_compaction_kills = 0

    for round_number in range(ROUNDS):
        data_dir = tmp_path / f"round{round_number}"
        log = _kill_writer_once(data_dir, rng)
        kills += 1
        mid_write_kills += any(data_dir.glob(".crash.json.*.tmp"))
        mid_compaction_kills += (data_dir / "crash.journal.old").exists()
        context = (
            f"after {kills} SIGKILLs ({mid_write_kills} mid-snapshot-write, "
            f"{mid_compaction_kills} mid-compaction), "
            f"seed {seed}, round {round_number}, {log.acknowledgements} acks"
        )

        database = Database(data_dir / "crash.json")  # raises StoreCorrupted if torn
        stored = {record["id"]: record["v"] for record in database.run_sync(lambda db: db.all())}
        database.close()

        assert stored in log.possible_states(), f"store differs from the acks {context}"
        assert not any(data_dir.glob(".crash.json.*.tmp")), f"temp file kept {context}"

        assert not (data_dir / "crash.journal.old").exists(), f"compaction not finished {context}"

    assert kills == ROUNDS, f"only {kills} SIGKILLs ({mid_write_kills} mid-write), seed {seed}"
    # Kills land in every phase often enough (about 1 in 6 rounds mid-compaction, measured).
    assert mid_compaction_kills > 0, f"no kill landed during a compaction, seed {seed}"
