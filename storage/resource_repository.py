"""The CdeP's library: tools, articles, guides, videos and links members share.

Who found a resource useful is a set of member keys kept in the resource itself, so a « utile »
is one atomic update of one record, never a counter a double click could bump twice. Titles and
descriptions stored here have passed the de-identification guard (dialogs/deidentify.py) first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from tinydb import Query

from storage.records import change_row, rewrite_records, rewrite_rows
from storage.store import Database

ResourceChange = Callable[["Resource"], "Resource | None"]


@dataclass(frozen=True)
class Resource:
    """``kind``: tool | article | guide | video | link. ``volet``: a topic kind (formatif |
    echange | reflexif | divers, cards/topics.py). ``author_key``/``author_name`` are blank once
    the author erased their data. Times are UTC ISO strings."""

    id: str
    title: str
    url: str
    kind: str
    themes: tuple[str, ...]
    volet: str
    description: str
    author_key: str
    author_name: str
    created_at: str
    useful_by: tuple[str, ...] = ()

    @property
    def useful_count(self) -> int:
        return len(self.useful_by)

    def useful_for(self, member_key: str) -> bool:
        return member_key in self.useful_by


@dataclass(frozen=True)
class ResourceUpdate:
    before: Resource
    after: Resource

    @property
    def changed(self) -> bool:
        return self.after != self.before


class ResourceRepository(Protocol):
    async def add(self, resource: Resource) -> None: ...
    async def get(self, resource_id: str) -> Resource | None: ...
    async def all(self) -> list[Resource]: ...

    async def update(self, resource_id: str, change: ResourceChange) -> ResourceUpdate | None:
        """Apply ``change`` atomically (None from ``change``: keep it). None when missing."""
        ...

    async def forget_member(self, member_key: str) -> int:
        """Remove the member's « utile » marks and their name as author (the resource stays,
        it belongs to the community); returns how many resources changed."""
        ...


def _to_row(resource: Resource) -> dict[str, Any]:
    row = asdict(resource)
    row["themes"] = list(resource.themes)
    row["useful_by"] = list(resource.useful_by)
    return row


def _from_row(row: Any) -> Resource:
    data = dict(row)
    data["themes"] = tuple(data.get("themes") or ())
    data["useful_by"] = tuple(data.get("useful_by") or ())
    return Resource(**data)


def forget_in(resource: Resource, member_key: str) -> Resource:
    """The resource without the member: their mark removed, their authorship blanked."""
    changed = replace(resource, useful_by=tuple(k for k in resource.useful_by if k != member_key))
    if resource.author_key == member_key:
        changed = replace(changed, author_key="", author_name="")
    return changed


_RESOURCES = "resources"


class TinyDbResourceRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, resource: Resource) -> None:
        row = _to_row(resource)
        await self._db.run(lambda db: db.table(_RESOURCES).insert(row))

    async def get(self, resource_id: str) -> Resource | None:
        row = await self._db.run(lambda db: db.table(_RESOURCES).get(Query().id == resource_id))
        return _from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[Resource]:
        return await self._db.parsed_all(_RESOURCES, _from_row)

    async def update(self, resource_id: str, change: ResourceChange) -> ResourceUpdate | None:
        found = await self._db.run(
            lambda db: change_row(db.table(_RESOURCES), resource_id, _from_row, _to_row, change)
        )
        return None if found is None else ResourceUpdate(*found)

    async def forget_member(self, member_key: str) -> int:
        changed = await self._db.run(
            lambda db: rewrite_rows(
                db.table(_RESOURCES), _from_row, _to_row, lambda r: forget_in(r, member_key)
            )
        )
        await self._db.erase_history()
        return changed


@dataclass
class FakeResourceRepository:
    resources: dict[str, Resource] = field(default_factory=dict)

    async def add(self, resource: Resource) -> None:
        self.resources[resource.id] = resource

    async def get(self, resource_id: str) -> Resource | None:
        return self.resources.get(resource_id)

    async def all(self) -> list[Resource]:
        return list(self.resources.values())

    async def update(self, resource_id: str, change: ResourceChange) -> ResourceUpdate | None:
        before = self.resources.get(resource_id)
        if before is None:
            return None
        after = change(before) or before
        self.resources[resource_id] = after
        return ResourceUpdate(before, after)

    async def forget_member(self, member_key: str) -> int:
        return rewrite_records(self.resources, lambda r: forget_in(r, member_key))
