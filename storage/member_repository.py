"""Members as the bot knows them: Teams identity and preferences.

The onboarding feature extends the record with the profile; this module keeps only what every
feature needs (who the person is, which language they chose).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Protocol

from tinydb import Query

from storage.store import Database


@dataclass(frozen=True)
class Member:
    """``key`` is the AAD object id when known, else the Teams (29:) user id."""

    key: str
    teams_user_id: str
    aad_object_id: str = ""
    name: str = ""
    locale: str = ""
    # Where a 1:1 chat can be opened with them (from the last activity or the team roster).
    tenant_id: str = ""
    service_url: str = ""

    def with_locale(self, locale: str) -> Member:
        return replace(self, locale=locale)


def member_key(teams_user_id: str, aad_object_id: str | None) -> str:
    return (aad_object_id or teams_user_id).casefold()


class MemberRepository(Protocol):
    async def get(self, key: str) -> Member | None: ...
    async def save(self, member: Member) -> None: ...
    async def delete(self, key: str) -> bool: ...


class TinyDbMemberRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str) -> Member | None:
        row = await self._db.run(lambda db: db.table("members").get(Query().key == key))
        return Member(**row) if isinstance(row, dict) else None

    async def save(self, member: Member) -> None:
        record = asdict(member)
        await self._db.run(lambda db: db.table("members").upsert(record, Query().key == member.key))

    async def delete(self, key: str) -> bool:
        removed = await self._db.run(lambda db: db.table("members").remove(Query().key == key))
        await self._db.erase_history()
        return bool(removed)


class FakeMemberRepository:
    def __init__(self) -> None:
        self.rows: dict[str, Member] = {}

    async def get(self, key: str) -> Member | None:
        return self.rows.get(key)

    async def save(self, member: Member) -> None:
        self.rows[member.key] = member

    async def delete(self, key: str) -> bool:
        return self.rows.pop(key, None) is not None
