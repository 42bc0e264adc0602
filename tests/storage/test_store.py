import asyncio
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from tinydb import TinyDB, where

from storage.store import Database, Store, StoreCorrupted, StoreWriteFailed


def _insert(record: dict):
    def run(db: TinyDB) -> int:
        return db.insert(record)

    return run


def _all(db: TinyDB) -> list[dict]:
    return [dict(document) for document in db.all()]


def _files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_round_trip_keeps_non_ascii_text(tmp_path):
    database = Database(tmp_path / "notes.json")

    await database.run(_insert({"text": "Réunion à 9 h, café ☕"}))

    assert await database.run(_all) == [{"text": "Réunion à 9 h, café ☕"}]
    database.compact()
    raw = (tmp_path / "notes.json").read_text(encoding="utf-8")
    assert raw == '{"_default":{"1":{"text":"Réunion à 9 h, café ☕"}}}'


async def test_data_survives_reopening(tmp_path):
    store = Store(tmp_path / "data")
    await store.database("polls").run(_insert({"id": 1}))
    await store.database("polls").run(lambda db: db.table("ballots").insert({"poll": 1}))
    store.close()

    reopened = Store(tmp_path / "data")
    polls = reopened.database("polls")

    assert await polls.run(_all) == [{"id": 1}]
    assert await polls.run(lambda db: db.table("ballots").all()) == [{"poll": 1}]
    reopened.close()


def test_missing_and_empty_files_read_as_empty(tmp_path):
    database = Database(tmp_path / "deep" / "folder" / "x.json")
    assert (tmp_path / "deep" / "folder").is_dir()
    assert database.run_sync(_all) == []
    database.close()

    (tmp_path / "deep" / "folder" / "x.json").write_text("  \n", encoding="utf-8")
    assert Database(tmp_path / "deep" / "folder" / "x.json").run_sync(_all) == []


def test_store_caches_databases_and_checks_names(tmp_path):
    store = Store(tmp_path)

    assert store.database("meetings") is store.database("meetings")
    assert store.database("meetings").path == tmp_path / "meetings.json"
    for bad in ("", "Polls", "../polls", "polls.json", "a b", "été"):
        with pytest.raises(ValueError, match="data set names"):
            store.database(bad)
    store.close()


async def test_concurrent_runs_from_many_tasks_lose_no_write(tmp_path):
    database = Database(tmp_path / "counter.json")
    database.run_sync(lambda db: db.insert({"count": 0}))

    def increment(db: TinyDB) -> None:
        # A read-modify-write that would lose updates if two calls interleaved.
        (document,) = db.all()
        db.update({"count": document["count"] + 1}, doc_ids=[document.doc_id])

    await asyncio.gather(*(database.run(increment) for _ in range(60)))
    await asyncio.gather(*(database.run(_insert({"n": n})) for n in range(40)))

    documents = await database.run(_all)
    assert documents[0] == {"count": 60}
    assert sorted(d["n"] for d in documents[1:]) == list(range(40))


async def test_run_sync_from_threads_is_serialised_with_run(tmp_path):
    database = Database(tmp_path / "counter.json")
    database.run_sync(lambda db: db.insert({"count": 0}))

    def increment(db: TinyDB) -> None:
        (document,) = db.all()
        db.update({"count": document["count"] + 1}, doc_ids=[document.doc_id])

    def hammer() -> None:
        for _ in range(20):
            database.run_sync(increment)

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    await asyncio.gather(*(database.run(increment) for _ in range(20)))
    for thread in threads:
        thread.join()

    assert database.run_sync(_all) == [{"count": 80}]


def test_a_database_built_outside_a_loop_works_in_several_loops(tmp_path):
    database = Database(tmp_path / "x.json")

    # Each asyncio.run gets its own loop; run it off the main thread so it does not replace
    # the loop pytest-asyncio keeps there.
    with ThreadPoolExecutor(max_workers=1) as other_thread:
        other_thread.submit(asyncio.run, database.run(_insert({"n": 1}))).result()
        other_thread.submit(asyncio.run, database.run(_insert({"n": 2}))).result()

    assert database.run_sync(_all) == [{"n": 1}, {"n": 2}]


def test_corrupt_file_raises_store_corrupted_and_is_left_alone(tmp_path):
    path = tmp_path / "polls.json"
    # What an interrupted in-place write leaves: valid JSON followed by an old tail.
    corrupt = '{"_default":{"1":{"id":1}}}1":{"id":1}}}'
    path.write_text(corrupt, encoding="utf-8")

    with pytest.raises(StoreCorrupted, match="polls.json") as error:
        Store(tmp_path).database("polls")

    assert error.value.path == path
    assert path.read_text(encoding="utf-8") == corrupt


def test_non_utf8_file_raises_store_corrupted(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b'{"a": "\xff"}')

    with pytest.raises(StoreCorrupted):
        Database(path)


async def test_writes_leave_no_temp_file_behind(tmp_path):
    database = Database(tmp_path / "polls.json")

    for n in range(10):
        await database.run(_insert({"n": n, "pad": "x" * (n * 100)}))
    await database.run(lambda db: db.remove(where("n") < 8))
    await database.run(lambda db: db.update({"pad": ""}))
    database.compact()

    assert _files(tmp_path) == ["polls.journal", "polls.json"]
    assert len(json.loads((tmp_path / "polls.json").read_text(encoding="utf-8"))["_default"]) == 2
    assert (tmp_path / "polls.journal").read_bytes() == b""


def test_failed_write_is_not_acknowledged_nor_kept(tmp_path, monkeypatch):
    database = Database(tmp_path / "polls.json")
    database.run_sync(_insert({"n": 1}))

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        database.run_sync(_insert({"n": 2}))
    monkeypatch.undo()
    with pytest.raises(StoreWriteFailed):
        database.run_sync(_all)

    assert Database(tmp_path / "polls.json").run_sync(_all) == [{"n": 1}]


def test_opening_removes_temp_files_of_a_killed_writer(tmp_path):
    (tmp_path / ".polls.json.k1ll3d.tmp").write_text('{"_default":{"1":', encoding="utf-8")
    (tmp_path / ".other.json.abc.tmp").write_text("{}", encoding="utf-8")

    Store(tmp_path).database("polls")

    assert _files(tmp_path) == [".other.json.abc.tmp", "polls.journal", "store-format.json"]
