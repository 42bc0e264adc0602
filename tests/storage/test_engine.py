"""The journal engine of storage/store.py: transactions, indexes, group commit, compaction,
recovery from every crash point, and the migration of a format-1 data folder."""

import asyncio
import json
import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from tinydb import Query, TinyDB, where
from tinydb.storages import MemoryStorage

from storage.conversation_repository import ConversationRecord, TinyDbConversationRepository
from storage.outbox_repository import OutboxItem, TinyDbOutboxRepository
from storage.poll_repository import TinyDbPollRepository
from storage.store import (
    BACKUP_FOLDER,
    FORMAT_FILE,
    Database,
    Store,
    StoreCorrupted,
    stored_tables,
    write_snapshot,
)

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _rows(database: Database, table: str = "_default") -> list[dict]:
    return [dict(row) for row in database.run_sync(lambda db: db.table(table).all())]


async def test_an_upsert_that_changes_nothing_writes_nothing(tmp_path):
    database = Database(tmp_path / "members.json")
    row = {"key": "m1", "name": "Ana", "tags": ["a"]}
    await database.run(lambda db: db.table("members").upsert(row, Query().key == "m1"))
    size = (tmp_path / "members.journal").stat().st_size
    commits = database.commits

    await database.run(lambda db: db.table("members").upsert(dict(row), Query().key == "m1"))
    await database.run(lambda db: db.table("members").update({"name": "Ana"}))

    assert (database.commits, (tmp_path / "members.journal").stat().st_size) == (commits, size)


async def test_a_failing_transaction_changes_nothing(tmp_path):
    database = Database(tmp_path / "polls.json")
    await database.run(lambda db: db.table("polls").insert({"id": "p1", "n": 1}))

    def half_done(db: TinyDB) -> None:
        db.table("polls").update({"n": 2}, Query().id == "p1")
        db.table("ballots").insert({"poll_id": "p1"})
        db.table("polls").insert({"id": "p2", "n": 1})
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await database.run(half_done)

    assert _rows(database, "polls") == [{"id": "p1", "n": 1}]
    assert database.run_sync(lambda db: db.tables()) == {"polls"}
    assert database.run_sync(lambda db: db.table("polls").get(Query().id == "p2")) is None
    assert stored_tables(tmp_path / "polls.json") == {"polls": {"1": {"id": "p1", "n": 1}}}


async def test_a_transaction_is_one_journal_line_cut_anywhere_all_or_nothing(tmp_path):
    """The anonymous poll answer: participation mark and answer in one run. Whatever byte a
    kill -9 stops the journal write at, a restart sees both or neither."""
    store = Store(tmp_path / "data", compact_after=1 << 30)
    database = store.database("polls")
    polls = TinyDbPollRepository(database)
    # These tables are compacted at once in production; keep their journal line here to cut it.
    database._historyless = frozenset()  # noqa: SLF001
    await polls.record_anonymous("p1", "m0", {"q1": "c2"})
    journal = tmp_path / "data" / "polls.journal"
    before = journal.read_bytes()
    assert await polls.record_anonymous("p1", "m1", {"q1": "c1"})
    full = journal.read_bytes()
    assert full.count(b"\n") == before.count(b"\n") + 1
    store.close()

    outcomes = set()
    for cut in range(len(before), len(full) + 1):
        folder = tmp_path / f"cut{cut}"
        folder.mkdir()
        (folder / "polls.journal").write_bytes(full[:cut])
        reopened = TinyDbPollRepository(Database(folder / "polls.json"))
        members = await reopened.respondents("p1")
        answers = await reopened.answers("p1")
        assert (members, sorted(a["q1"] for a in answers)) in (
            ({"m0"}, ["c2"]),
            ({"m0", "m1"}, ["c1", "c2"]),
        ), f"cut at byte {cut}"
        outcomes.add(len(answers))
    assert outcomes == {1, 2}


async def test_indexed_queries_answer_like_a_plain_tinydb(tmp_path):
    rng = random.Random(7)
    database = Database(tmp_path / "x.json")
    plain = TinyDB(storage=MemoryStorage)
    keys = [f"k{n}" for n in range(12)]

    for step in range(600):
        roll = rng.random()
        key = rng.choice(keys)
        group = rng.randrange(4)
        if roll < 0.4:
            change = (lambda db, k=key, g=group, s=step: db.insert({"key": k, "g": g, "s": s}),)
        elif roll < 0.6:
            change = (lambda db, k=key, s=step: db.update({"s": s}, Query().key == k),)
        elif roll < 0.75:
            change = (
                lambda db, k=key, g=group: db.remove((where("key") == k) & (where("g") == g)),
            )
        elif roll < 0.9:
            change = (
                lambda db, k=key, g=group, s=step: db.upsert(
                    {"key": k, "g": g, "s": s}, (Query().key == k) & (Query().g == g)
                ),
            )
        else:
            change = (lambda db, k=key: db.update({"key": k + "x"}, where("key") == k),)
        await database.run(change[0])
        change[0](plain)
        for probe in (Query().key == key, (Query().key == key) & (Query().g == group)):
            got = database.run_sync(lambda db, q=probe: [dict(r) for r in db.search(q)])
            assert got == [dict(r) for r in plain.search(probe)], f"step {step}"
        found = database.run_sync(lambda db, k=key: db.get(Query().key == k))
        expected = plain.get(Query().key == key)
        assert (dict(found) if found else None) == (dict(expected) if expected else None)

    assert Database(tmp_path / "x.json").run_sync(lambda db: [dict(r) for r in db.all()]) == [
        dict(r) for r in plain.all()
    ]


async def test_concurrent_writes_share_fsyncs_and_each_waits_for_its_own(tmp_path):
    database = Database(tmp_path / "x.json")

    await asyncio.gather(*(database.run(lambda db, n=n: db.insert({"n": n})) for n in range(50)))

    assert database.commits < 50
    assert len(stored_tables(tmp_path / "x.json")["_default"]) == 50


async def test_compaction_moves_the_journal_into_the_snapshot(tmp_path):
    database = Database(tmp_path / "x.json", compact_after=2_000)
    for n in range(200):
        await database.run(lambda db, n=n: db.upsert({"id": n % 20, "v": n}, Query().id == n % 20))
    database.wait_for_compaction()

    snapshot = json.loads((tmp_path / "x.json").read_text("utf-8"))
    assert len(snapshot["_default"]) == 20
    assert (tmp_path / "x.journal").stat().st_size < 2_000 + 200
    assert not (tmp_path / "x.journal.old").exists()
    expected = _rows(database)
    database.close()
    assert _rows(Database(tmp_path / "x.json")) == expected


@pytest.mark.parametrize("step", ["renamed", "snapshot_written"])
async def test_a_kill_at_each_step_of_a_compaction_loses_nothing(tmp_path, step):
    """Rebuild the files as a kill at each step leaves them, by hand, and reopen."""
    database = Database(tmp_path / "x.json", compact_after=1 << 30)
    for n in range(10):
        await database.run(lambda db, n=n: db.insert({"n": n}))
    state_at_rotation = database._data.snapshot()  # noqa: SLF001
    database.close()
    (tmp_path / "x.journal").replace(tmp_path / "x.journal.old")
    if step == "snapshot_written":
        write_snapshot(tmp_path / "x.json", state_at_rotation)
    reopened = Database(tmp_path / "x.json")
    await reopened.run(lambda db: db.update({"n": 99}, where("n") == 0))
    await reopened.run(lambda db: db.remove(where("n") == 1))
    expected = [{"n": 99}] + [{"n": n} for n in range(2, 10)]

    assert _rows(reopened) == expected
    assert not (tmp_path / "x.journal.old").exists()
    reopened.close()
    assert _rows(Database(tmp_path / "x.json")) == expected


def test_a_torn_line_in_the_middle_is_reported_not_skipped(tmp_path):
    (tmp_path / "x.journal").write_bytes(
        b'[["p","_default",1,{"n":1}]]\n[["p",\n[["d","_default",1]]\n'
    )

    with pytest.raises(StoreCorrupted, match="x.journal"):
        Database(tmp_path / "x.json")


def _format_1_folder(folder) -> dict[str, bytes]:
    """Files as the code before the journal wrote them (its ``AtomicJSONStorage``: TinyDB's
    layout, ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``), byte for byte."""
    outbox_row = {
        "id": "welcome:m1",
        "target": "user:aad-1",
        "activity": {"type": "message", "text": "Bienvenue"},
        "batch": "",
        "status": "sent",
        "attempts": 1,
        "not_before": "",
        "created_at": "2025-01-01T00:00:00.000000+00:00",
        "done_at": "2025-01-01T00:00:01.000000+00:00",
        "sent_activity_id": "a1",
        "failure": "",
    }
    data = {
        "outbox": {"outbox": {"1": outbox_row}},
        "members": {"members": {"1": {"key": "aad-1", "name": "Élise", "locale": "fr-CA"}}},
        "state": {},
    }
    folder.mkdir(parents=True)
    written = {}
    for name, tables in data.items():
        text = json.dumps(tables, ensure_ascii=False, separators=(",", ":"))
        (folder / f"{name}.json").write_text(text, encoding="utf-8")
        written[f"{name}.json"] = text.encode()
    return written


async def test_a_format_1_folder_is_migrated_once_with_a_backup(tmp_path):
    folder = tmp_path / "data"
    written = _format_1_folder(folder)

    store = Store(folder)
    outbox = TinyDbOutboxRepository(store.database("outbox"))
    assert (await outbox.get("welcome:m1")).sent_activity_id == "a1"  # type: ignore[union-attr]
    await outbox.enqueue([OutboxItem(id="next", target="user:aad-1", activity={"text": "x"})])
    store.close()

    backup = folder / BACKUP_FOLDER
    assert {p.name: p.read_bytes() for p in backup.iterdir()} == written
    assert json.loads((folder / FORMAT_FILE).read_text("utf-8")) == {"version": 2}

    (backup / "members.json").unlink()
    reopened = Store(folder)  # opens as format 2: no second backup
    assert not (backup / "members.json").exists()
    outbox = TinyDbOutboxRepository(reopened.database("outbox"))
    assert {item.id for item in await outbox.due(NOW, 10)} == {"next"}
    members = reopened.database("members")
    assert _rows(members, "members") == [{"key": "aad-1", "name": "Élise", "locale": "fr-CA"}]


def test_a_torn_format_1_file_stops_the_migration_before_any_change(tmp_path):
    folder = tmp_path / "data"
    _format_1_folder(folder)
    (folder / "members.json").write_text('{"members":{"1":{"key"', encoding="utf-8")

    with pytest.raises(StoreCorrupted, match="members.json"):
        Store(folder)
    assert not (folder / FORMAT_FILE).exists()


def _parse_row(row: dict) -> tuple[int, str]:
    return (row.doc_id, row["name"])  # type: ignore[attr-defined]


async def test_parsed_rows_are_reused_until_their_document_changes(tmp_path):
    database = Database(tmp_path / "x.json")
    await database.run(lambda db: db.insert_multiple([{"name": "a"}, {"name": "b"}]))

    first = await database.parsed_all("_default", _parse_row)
    again = await database.parsed_all("_default", _parse_row)
    await database.run(lambda db: db.update({"name": "B"}, where("name") == "b"))
    await database.run(lambda db: db.insert({"name": "c"}))
    changed = await database.parsed_all("_default", _parse_row)

    assert first == again == [(1, "a"), (2, "b")]
    assert again[0] is first[0]
    assert changed == [(1, "a"), (2, "B"), (3, "c")]
    assert changed[0] is first[0]  # unchanged document: not parsed again


async def test_a_conversation_reference_is_written_only_when_it_changes(tmp_path):
    database = Database(tmp_path / "conversations.json")
    conversations = TinyDbConversationRepository(database)
    record = ConversationRecord(
        key="user:aad-1",
        reference={"conversation": {"id": "a:1"}},
        tenant_id="t",
        service_url="https://smba.example/",
        updated_at="2026-01-01T00:00:00.000000+00:00",
    )
    await conversations.save(record)
    commits = database.commits

    await conversations.save(replace(record, updated_at="2026-02-01T00:00:00.000000+00:00"))
    assert database.commits == commits
    await conversations.save(replace(record, service_url="https://smba.other/"))
    assert database.commits == commits + 1
    assert (await conversations.get("user:aad-1")).service_url == "https://smba.other/"  # type: ignore[union-attr]
