"""One contract suite for the notes' repository: TinyDB and the in-memory fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from storage.notes_repository import (
    FakeNotesRepository,
    FollowUp,
    MeetingNotes,
    NotesRepository,
    TinyDbNotesRepository,
)
from storage.store import Store

NOTES = MeetingNotes(
    id="m1",
    key_points="Repérer la détresse tôt",
    decisions="Une capsule sur le deuil",
    resources=("Outil https://example.org/outil.pdf",),
    follow_ups=(
        FollowUp("f1", "Préparer la capsule", "alice", "2026-12-01"),
        FollowUp("f2", "Envoyer le guide", "bob", "", done=True),
    ),
    updated_at="2026-11-13T15:00:00+00:00",
)


@pytest.fixture(params=["tinydb", "fake"])
async def notes(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[NotesRepository]:
    if request.param == "fake":
        yield FakeNotesRepository()
        return
    store = Store(tmp_path)
    yield TinyDbNotesRepository(store.database("notes"))
    store.close()


async def test_round_trip_and_update(notes: NotesRepository) -> None:
    await notes.save(NOTES)
    assert await notes.get("m1") == NOTES
    assert await notes.all() == [NOTES]
    assert await notes.get("nope") is None
    changed = await notes.update("m1", lambda n: replace(n, decisions="Deux capsules"))
    assert changed is not None
    assert (changed.before, changed.after.decisions) == (NOTES, "Deux capsules")
    assert await notes.update("nope", lambda n: n) is None
    assert NOTES.follow_up("f2") == NOTES.follow_ups[1]
    assert NOTES.follow_up("f9") is None


async def test_a_takeaway_is_recorded_once_per_member_without_the_member(
    notes: NotesRepository,
) -> None:
    assert await notes.record_takeaway("m1", "alice", "Nommer tôt")
    assert not await notes.record_takeaway("m1", "alice", "Encore")
    assert await notes.record_takeaway("m1", "bob", "Le répit")
    assert sorted(await notes.takeaways("m1")) == ["Le répit", "Nommer tôt"]
    assert await notes.participants("m1") == {"alice", "bob"}
    assert await notes.participations_of("alice") == ["m1"]
    assert await notes.takeaways("m2") == []
    assert {k: sorted(v) for k, v in (await notes.all_takeaways()).items()} == {
        "m1": ["Le répit", "Nommer tôt"]
    }


async def test_forgetting_a_member_unassigns_and_unmarks_but_keeps_takeaways(
    notes: NotesRepository,
) -> None:
    await notes.save(NOTES)
    await notes.record_takeaway("m1", "alice", "Nommer tôt")
    assert await notes.forget_member("alice") == 2
    stored = await notes.get("m1")
    assert stored is not None
    assert [f.member_key for f in stored.follow_ups] == ["", "bob"]
    assert await notes.participations_of("alice") == []
    assert await notes.takeaways("m1") == ["Nommer tôt"]
    assert await notes.forget_member("alice") == 0
