"""What the vitality report keeps of its own: the list of projects and tools the community
produced (« bilan projet <titre> »), maintained by the animateurs.

One data set, ``vitality``, table ``projects``: one row per project (id, title, description,
the day it was produced, who added it and when, its kind — ``clinical_tool``, ``document``,
``training``, ``collaboration`` or "" —, the organisations that use it and a link). Rows stored
before kinds existed have none of the last three: they read as "", () and "". Every other
figure of the report is computed from the other features' records and never stored.
``done_on`` is a ``YYYY-MM-DD`` date; ``created_at`` a UTC ISO moment. Titles, descriptions and
organisations have passed the de-identification guard before they reach this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from tinydb import Query, TinyDB

from storage.store import Database

_PROJECTS = "projects"


@dataclass(frozen=True)
class Project:
    id: str
    title: str
    description: str
    done_on: date
    created_by: str  # member key of the animateur who added it ("" once forgotten)
    created_at: datetime
    kind: str = ""  # clinical_tool | document | training | collaboration | "" (not said)
    organisations: tuple[str, ...] = ()  # the organisations that use it
    link: str = ""  # https://… where it can be found ("" none)


def _to_row(project: Project) -> dict[str, Any]:
    if project.created_at.tzinfo is None:
        raise ValueError("project times must be timezone-aware")
    row = asdict(project)
    row["done_on"] = project.done_on.isoformat()
    row["created_at"] = project.created_at.astimezone(UTC).isoformat(timespec="seconds")
    row["organisations"] = list(project.organisations)
    return row


def _from_row(row: Any) -> Project:
    return Project(
        id=str(row["id"]),
        title=str(row["title"]),
        description=str(row.get("description", "")),
        done_on=date.fromisoformat(row["done_on"]),
        created_by=str(row.get("created_by", "")),
        created_at=datetime.fromisoformat(row["created_at"]).astimezone(UTC),
        kind=str(row.get("kind", "")),
        organisations=tuple(str(o) for o in row.get("organisations", ()) or ()),
        link=str(row.get("link", "")),
    )


def _ordered(projects: list[Project]) -> list[Project]:
    return sorted(projects, key=lambda p: (p.done_on, p.created_at, p.id))


class VitalityRepository(Protocol):
    async def add_project(self, project: Project) -> None: ...

    async def projects(self) -> list[Project]:
        """Every project, oldest first (by the day it was produced)."""
        ...

    async def remove_project(self, project_id: str) -> Project | None:
        """Remove it; the project removed, or None when there was none with that id."""
        ...

    async def projects_added_by(self, member_key: str) -> list[Project]: ...

    async def forget_member(self, member_key: str) -> int:
        """Blank the member as the author of the projects they added; returns how many."""
        ...


class TinyDbVitalityRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_project(self, project: Project) -> None:
        row = _to_row(project)
        await self._db.run(lambda db: db.table(_PROJECTS).upsert(row, Query().id == project.id))

    async def projects(self) -> list[Project]:
        rows = await self._db.run(lambda db: db.table(_PROJECTS).all())
        return _ordered([_from_row(r) for r in rows])

    async def remove_project(self, project_id: str) -> Project | None:
        def remove(db: TinyDB) -> Any:
            table = db.table(_PROJECTS)
            row = table.get(Query().id == project_id)
            if isinstance(row, dict):
                table.remove(Query().id == project_id)
                return dict(row)
            return None

        row = await self._db.run(remove)
        return _from_row(row) if row else None

    async def projects_added_by(self, member_key: str) -> list[Project]:
        if not member_key:
            return []
        rows = await self._db.run(
            lambda db: db.table(_PROJECTS).search(Query().created_by == member_key)
        )
        return _ordered([_from_row(r) for r in rows])

    async def forget_member(self, member_key: str) -> int:
        if not member_key:
            return 0
        changed = await self._db.run(
            lambda db: db.table(_PROJECTS).update(
                {"created_by": ""}, Query().created_by == member_key
            )
        )
        await self._db.erase_history()
        return len(changed)


class FakeVitalityRepository:
    """In-memory twin; rows go through the same conversion as the TinyDB one."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    async def add_project(self, project: Project) -> None:
        self.rows[project.id] = _to_row(project)

    async def projects(self) -> list[Project]:
        return _ordered([_from_row(r) for r in self.rows.values()])

    async def remove_project(self, project_id: str) -> Project | None:
        row = self.rows.pop(project_id, None)
        return _from_row(row) if row else None

    async def projects_added_by(self, member_key: str) -> list[Project]:
        if not member_key:
            return []
        return [p for p in await self.projects() if p.created_by == member_key]

    async def forget_member(self, member_key: str) -> int:
        if not member_key:
            return 0
        count = 0
        for key, row in self.rows.items():
            if row["created_by"] == member_key:
                self.rows[key] = _to_row(replace(_from_row(row), created_by=""))
                count += 1
        return count
