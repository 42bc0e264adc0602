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

LISTED, PENDING, REFUSED = "listed", "pending", "refused"


@dataclass(frozen=True)
class Attachment:
    """Where a resource is attached: a topic of the bank (``target`` "topic") or a slot of a
    meeting's agenda (``target`` "meeting", ``slot`` the slot's start ``HH:MM`` and
    ``slot_title`` its title when attached, kept so the line reads the same if the agenda
    moves)."""

    target: str
    target_id: str
    slot: str = ""
    slot_title: str = ""

    @property
    def code(self) -> str:
        """The attachment as one card value: ``topic:<id>`` or ``meeting:<id>:<HH:MM>``."""
        if self.target == "meeting":
            return f"meeting:{self.target_id}:{self.slot}"
        return f"{self.target}:{self.target_id}"


@dataclass(frozen=True)
class Resource:
    """``kind``: tool | article | guide | video | link. ``volet``: a topic kind (formatif |
    echange | reflexif | divers, cards/topics.py). ``author_key``/``author_name`` are blank once
    the author erased their data. Times are UTC ISO strings.

    ``status``: listed, or pending (the community's animateurs validate resources first) then
    listed or refused (with ``refused_reason``). ``listed_at`` is when it entered the library
    (the weekly digest reads it). ``essential``: marked by an animateur, linked from the
    welcome dossier."""

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
    status: str = LISTED
    listed_at: str = ""
    refused_reason: str = ""
    essential: bool = False
    attachments: tuple[Attachment, ...] = ()

    @property
    def listed(self) -> bool:
        return self.status == LISTED

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

    async def setting(self, name: str) -> str | None:
        """A value the library keeps besides resources (the digest's mark and channel)."""
        ...

    async def set_setting(self, name: str, value: str) -> None: ...

    async def forget_member(self, member_key: str) -> int:
        """Remove the member's « utile » marks and their name as author (the resource stays,
        it belongs to the community); returns how many resources changed."""
        ...


def _to_row(resource: Resource) -> dict[str, Any]:
    row = asdict(resource)
    row["themes"] = list(resource.themes)
    row["useful_by"] = list(resource.useful_by)
    row["attachments"] = [asdict(a) for a in resource.attachments]
    return row


def _from_row(row: Any) -> Resource:
    data = dict(row)
    data["themes"] = tuple(data.get("themes") or ())
    data["useful_by"] = tuple(data.get("useful_by") or ())
    data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments") or ())
    return Resource(**data)


def forget_in(resource: Resource, member_key: str) -> Resource:
    """The resource without the member: their mark removed, their authorship blanked."""
    changed = replace(resource, useful_by=tuple(k for k in resource.useful_by if k != member_key))
    if resource.author_key == member_key:
        changed = replace(changed, author_key="", author_name="")
    return changed


_RESOURCES = "resources"
_SETTINGS = "settings"


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

    async def setting(self, name: str) -> str | None:
        row = await self._db.run(lambda db: db.table(_SETTINGS).get(Query().name == name))
        value = row.get("value") if isinstance(row, dict) else None
        return value if isinstance(value, str) else None

    async def set_setting(self, name: str, value: str) -> None:
        await self._db.run(
            lambda db: db.table(_SETTINGS).upsert(
                {"name": name, "value": value}, Query().name == name
            )
        )

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
    settings: dict[str, str] = field(default_factory=dict)

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

    async def setting(self, name: str) -> str | None:
        return self.settings.get(name)

    async def set_setting(self, name: str, value: str) -> None:
        self.settings[name] = value

    async def forget_member(self, member_key: str) -> int:
        return rewrite_records(self.resources, lambda r: forget_in(r, member_key))
