"""One contract suite for the library's repository: TinyDB and the in-memory fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from storage.resource_repository import (
    FakeResourceRepository,
    Resource,
    ResourceRepository,
    TinyDbResourceRepository,
)
from storage.store import Store

AT = "2024-04-02T14:00:00+00:00"


def resource(resource_id: str, **changes: object) -> Resource:
    base = Resource(
        id=resource_id,
        title="Outil de détection de la détresse",
        url="https://example.org/outil.pdf",
        kind="tool",
        themes=("détresse", "soins palliatifs"),
        volet="formatif",
        description="Au premier contact.",
        author_key="alice",
        author_name="Alice Martin",
        created_at=AT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["tinydb", "fake"])
async def resources(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ResourceRepository]:
    if request.param == "fake":
        yield FakeResourceRepository()
        return
    store = Store(tmp_path)
    yield TinyDbResourceRepository(store.database("library"))
    store.close()


async def test_round_trip(resources: ResourceRepository) -> None:
    original = resource("r1", useful_by=("bob",))
    await resources.add(original)
    assert await resources.get("r1") == original
    assert await resources.all() == [original]
    assert await resources.get("nope") is None


async def test_update_is_atomic_and_reports_change(resources: ResourceRepository) -> None:
    await resources.add(resource("r1"))
    mark = lambda r: replace(r, useful_by=tuple(dict.fromkeys((*r.useful_by, "bob"))))  # noqa: E731
    first = await resources.update("r1", mark)
    second = await resources.update("r1", mark)
    assert first is not None
    assert first.changed
    assert second is not None
    assert not second.changed
    assert (await resources.get("r1")).useful_by == ("bob",)  # type: ignore[union-attr]
    assert await resources.update("missing", mark) is None


async def test_forget_member_blanks_authorship_and_removes_marks(
    resources: ResourceRepository,
) -> None:
    await resources.add(resource("r1", useful_by=("bob", "alice")))
    await resources.add(resource("r2", author_key="bob", author_name="Bob", useful_by=("carol",)))
    assert await resources.forget_member("alice") == 1
    kept = await resources.get("r1")
    assert kept is not None
    assert (kept.author_key, kept.author_name, kept.useful_by) == ("", "", ("bob",))
    assert await resources.get("r2") == resource(
        "r2", author_key="bob", author_name="Bob", useful_by=("carol",)
    )
