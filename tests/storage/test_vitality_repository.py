"""One contract for the TinyDB repository of the vitality report and its in-memory twin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.store import Store
from storage.vitality_repository import (
    FakeVitalityRepository,
    Project,
    TinyDbVitalityRepository,
    VitalityRepository,
)

AT = datetime(2026, 3, 15, 14, 30, tzinfo=UTC)


def project(pid: str, day: str, by: str = "anim-1", title: str = "Outil") -> Project:
    return Project(pid, title, "Grille réalisée par le comité", date.fromisoformat(day), by, AT)


@pytest.fixture(params=["tinydb", "fake"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VitalityRepository]:
    if request.param == "fake":
        yield FakeVitalityRepository()
        return
    store = Store(tmp_path)
    yield TinyDbVitalityRepository(store.database("vitality"))
    store.close()


async def test_projects_come_back_oldest_first(repository: VitalityRepository) -> None:
    await repository.add_project(project("b", "2026-02-20", title="Guide d'accueil"))
    await repository.add_project(project("a", "2025-12-04", title="Critères de référence"))
    found = await repository.projects()
    assert [p.id for p in found] == ["a", "b"]
    assert found[0] == project("a", "2025-12-04", title="Critères de référence")


async def test_adding_twice_keeps_one(repository: VitalityRepository) -> None:
    await repository.add_project(project("a", "2025-12-04"))
    await repository.add_project(project("a", "2025-12-05"))
    assert [p.done_on for p in await repository.projects()] == [date(2025, 12, 5)]


async def test_remove_returns_what_was_removed(repository: VitalityRepository) -> None:
    await repository.add_project(project("a", "2025-12-04"))
    removed = await repository.remove_project("a")
    assert removed is not None
    assert removed.id == "a"
    assert await repository.remove_project("a") is None
    assert await repository.projects() == []


async def test_forgetting_an_animateur_keeps_the_projects(repository: VitalityRepository) -> None:
    await repository.add_project(project("a", "2025-12-04", by="anim-1"))
    await repository.add_project(project("b", "2026-01-04", by="anim-2"))
    assert [p.id for p in await repository.projects_added_by("anim-1")] == ["a"]
    assert await repository.forget_member("anim-1") == 1
    assert await repository.forget_member("anim-1") == 0
    assert await repository.projects_added_by("anim-1") == []
    assert [(p.id, p.created_by) for p in await repository.projects()] == [
        ("a", ""),
        ("b", "anim-2"),
    ]
    assert await repository.projects_added_by("") == []


async def test_times_must_be_aware(repository: VitalityRepository) -> None:
    naive = Project("n", "Outil", "", date(2026, 1, 1), "x", datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        await repository.add_project(naive)


async def test_times_come_back_in_utc(repository: VitalityRepository) -> None:
    local = AT.astimezone(ZoneInfo("America/Montreal"))
    await repository.add_project(Project("t", "Outil", "", date(2026, 1, 1), "x", local))
    (found,) = await repository.projects()
    assert found.created_at == AT
    assert found.created_at.utcoffset() == timedelta(0)
