"""Complex cases submitted for the volet réflexif (supervision of complex clinical situations).

Every text has passed the de-identification guard before it reaches this module. A case is
visible to the animateurs and its submitter until it is put on a meeting's agenda (the rule is
in dialogs/topics/rules.py; this module only stores).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from tinydb import Query

from storage.records import change_row
from storage.store import Database

CaseChange = Callable[["Case"], "Case | None"]


@dataclass(frozen=True)
class Case:
    """``wishes``: advice | supervision | resources. ``status``: submitted, scheduled (on
    ``meeting_id``'s agenda), treated, archived. Times are UTC ISO strings."""

    id: str
    title: str
    context: str
    tried: str
    blocks: str
    question: str
    wishes: tuple[str, ...]
    desired_meeting_id: str
    submitter_key: str
    submitter_name: str
    created_at: str
    status: str = "submitted"
    meeting_id: str = ""
    updated_at: str = ""


class CaseRepository(Protocol):
    async def add(self, case: Case) -> None: ...
    async def get(self, case_id: str) -> Case | None: ...
    async def all(self) -> list[Case]: ...
    async def delete(self, case_id: str) -> bool: ...

    async def update(self, case_id: str, change: CaseChange) -> tuple[Case, Case] | None:
        """Apply ``change`` atomically; (before, after), or None when the case is missing."""
        ...

    async def forget_member(self, member_key: str) -> tuple[int, int]:
        """Erase the member's cases: delete those not yet discussed, keep the others without the
        submitter's identity (they are on a meeting's agenda). Returns (deleted, anonymised)."""
        ...


KEPT_AFTER_ERASURE = ("scheduled", "treated")


def _to_row(case: Case) -> dict[str, Any]:
    row = asdict(case)
    row["wishes"] = list(case.wishes)
    return row


def _from_row(row: Any) -> Case:
    data = dict(row)
    data["wishes"] = tuple(data.get("wishes") or ())
    return Case(**data)


_CASES = "cases"


class TinyDbCaseRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, case: Case) -> None:
        row = _to_row(case)
        await self._db.run(lambda db: db.table(_CASES).insert(row))

    async def get(self, case_id: str) -> Case | None:
        row = await self._db.run(lambda db: db.table(_CASES).get(Query().id == case_id))
        return _from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[Case]:
        return await self._db.parsed_all(_CASES, _from_row)

    async def delete(self, case_id: str) -> bool:
        removed = await self._db.run(lambda db: db.table(_CASES).remove(Query().id == case_id))
        return bool(removed)

    async def update(self, case_id: str, change: CaseChange) -> tuple[Case, Case] | None:
        return await self._db.run(
            lambda db: change_row(db.table(_CASES), case_id, _from_row, _to_row, change)
        )

    async def forget_member(self, member_key: str) -> tuple[int, int]:
        def apply(db: Any) -> tuple[int, int]:
            table = db.table(_CASES)
            mine = Query().submitter_key == member_key
            kept = mine & Query().status.one_of(KEPT_AFTER_ERASURE)
            anonymised = table.update({"submitter_key": "", "submitter_name": ""}, kept)
            deleted = table.remove(mine)
            return len(deleted), len(anonymised)

        counts = await self._db.run(apply)
        await self._db.erase_history()
        return counts


@dataclass
class FakeCaseRepository:
    cases: dict[str, Case] = field(default_factory=dict)

    async def add(self, case: Case) -> None:
        self.cases[case.id] = case

    async def get(self, case_id: str) -> Case | None:
        return self.cases.get(case_id)

    async def all(self) -> list[Case]:
        return list(self.cases.values())

    async def delete(self, case_id: str) -> bool:
        return self.cases.pop(case_id, None) is not None

    async def update(self, case_id: str, change: CaseChange) -> tuple[Case, Case] | None:
        before = self.cases.get(case_id)
        if before is None:
            return None
        after = change(before) or before
        self.cases[case_id] = after
        return before, after

    async def forget_member(self, member_key: str) -> tuple[int, int]:
        deleted = anonymised = 0
        for case_id, case in list(self.cases.items()):
            if case.submitter_key != member_key:
                continue
            if case.status in KEPT_AFTER_ERASURE:
                self.cases[case_id] = replace(case, submitter_key="", submitter_name="")
                anonymised += 1
            else:
                del self.cases[case_id]
                deleted += 1
        return deleted, anonymised
