"""One contract suite for the profile repository: TinyDB and its in-memory twin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from storage.profile_repository import (
    AuditEntry,
    FakeProfileRepository,
    MemberProfile,
    ProfileRepository,
    TinyDbProfileRepository,
    imported_key,
)
from storage.store import Store

NOW = datetime(2024, 5, 7, 14, 0, tzinfo=UTC)

FULL = MemberProfile(
    key="aad-1",
    name="Julie Roy",
    email="Julie.Roy@example.org",
    teams_user_id="29:julie",
    discipline="nurse",
    institution="Maison Victor-Gadbois",
    institution_kind="palliative_home",
    territory="Vallée-du-Richelieu",
    committee_ids=("ch", "clsc"),
    expertise=("soins palliatifs", "deuil"),
    in_directory=True,
    arrived_on=date(2024, 5, 1),
    departed_on=None,
    returned_on=None,
    profile_saved_at=NOW,
    rules_version=2,
    rules_acknowledged_at=NOW,
    mentor_key="aad-2",
    mentor_assigned_at=NOW,
    welcomed_at=NOW,
    followup_due_at=datetime(2024, 5, 15, 14, 0, tzinfo=UTC),
    updated_at=NOW,
)


@pytest.fixture(params=["tinydb", "fake"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProfileRepository]:
    if request.param == "fake":
        yield FakeProfileRepository()
        return
    store = Store(tmp_path)
    yield TinyDbProfileRepository(store.database("profiles"))
    store.close()


async def test_a_profile_comes_back_as_saved(repo: ProfileRepository) -> None:
    await repo.save(FULL)
    assert await repo.get("aad-1") == FULL
    assert await repo.get("nobody") is None


async def test_save_replaces(repo: ProfileRepository) -> None:
    await repo.save(FULL)
    await repo.save(MemberProfile("aad-1", name="Julie"))
    assert await repo.get("aad-1") == MemberProfile("aad-1", name="Julie")
    assert len(await repo.all()) == 1


async def test_naive_times_are_refused(repo: ProfileRepository) -> None:
    with pytest.raises(ValueError, match="aware"):
        await repo.save(MemberProfile("k", welcomed_at=datetime(2024, 5, 7, 9, 0)))  # noqa: DTZ001


async def test_save_many_and_all(repo: ProfileRepository) -> None:
    await repo.save(FULL)
    await repo.save_many(
        [MemberProfile("aad-1", name="Updated"), MemberProfile("aad-3", name="New")]
    )
    found = {p.key: p.name for p in await repo.all()}
    assert found == {"aad-1": "Updated", "aad-3": "New"}


async def test_save_many_keeps_every_other_profile(repo: ProfileRepository) -> None:
    for key in ("a", "b", "c"):
        await repo.save(MemberProfile(key, name=key))
    await repo.save_many([MemberProfile("d", name="d"), MemberProfile("e", name="e")])
    await repo.save_many([MemberProfile("b", name="B")])
    found = {p.key: p.name for p in await repo.all()}
    assert found == {"a": "a", "b": "B", "c": "c", "d": "d", "e": "e"}
    await repo.save(MemberProfile("f", name="f"))
    assert len(await repo.all()) == 6


async def test_move_replaces_the_old_key(repo: ProfileRepository) -> None:
    imported = MemberProfile(imported_key(" Julie.Roy@Example.org "), email="julie.roy@example.org")
    assert imported.key == "email:julie.roy@example.org"
    assert imported.is_imported_only
    await repo.save(MemberProfile("first"))
    await repo.save(imported)
    await repo.save(MemberProfile("last"))
    await repo.move(imported.key, MemberProfile("aad-1", email="julie.roy@example.org"))
    assert sorted(p.key for p in await repo.all()) == ["aad-1", "first", "last"]
    await repo.save(MemberProfile("after"))
    assert len(await repo.all()) == 4


async def test_delete(repo: ProfileRepository) -> None:
    await repo.save(FULL)
    assert await repo.delete("aad-1") is True
    assert await repo.delete("aad-1") is False
    assert await repo.all() == []


async def test_find_by_email_ignores_case_and_prefers_the_teams_record(
    repo: ProfileRepository,
) -> None:
    await repo.save(
        MemberProfile(imported_key("julie.roy@example.org"), email="julie.roy@example.org")
    )
    assert (await repo.find_by_email("JULIE.ROY@example.org")).is_imported_only  # type: ignore[union-attr]
    await repo.save(FULL)
    found = await repo.find_by_email("julie.roy@example.org")
    assert found is not None
    assert found.key == "aad-1"
    assert await repo.find_by_email("") is None
    assert await repo.find_by_email("other@example.org") is None


async def test_find_by_teams_id(repo: ProfileRepository) -> None:
    await repo.save(FULL)
    assert await repo.find_by_teams_id("29:julie") == FULL
    assert await repo.find_by_teams_id("29:other") is None
    assert await repo.find_by_teams_id("") is None


async def test_settings(repo: ProfileRepository) -> None:
    assert await repo.setting("followup_days") is None
    await repo.set_setting("followup_days", 21)
    await repo.set_setting("followup_days", 7)
    await repo.set_setting("digest_covered_until", "2024-05-06")
    assert await repo.setting("followup_days") == 7
    assert await repo.setting("digest_covered_until") == "2024-05-06"


async def test_audit_entries(repo: ProfileRepository) -> None:
    entry = AuditEntry(NOW, "member_data_erased", "member", ("polls", "onboarding"), ("meetings",))
    await repo.add_audit(entry)
    assert await repo.audit() == [entry]


async def test_tinydb_keeps_profiles_across_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    await TinyDbProfileRepository(store.database("profiles")).save(FULL)
    store.close()
    again = Store(tmp_path)
    assert await TinyDbProfileRepository(again.database("profiles")).get("aad-1") == FULL
    again.close()
