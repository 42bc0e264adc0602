"""Ad hoc clinical supervision requests (« supervision »).

A request is a short de-identified question a member asks between meetings: its texts have
passed the de-identification guard before they reach this module. It is routed to the
animateurs and to resource persons (``routed_to``: member keys); the first to accept takes it
(``taker_*``), in one atomic update, so two clicks at once never both win.

``status``: open (waiting), taken, offered (the requester agreed to bring it to the next
meeting as a case), cancelled (by the requester), expired (not taken, not offered). Times are
UTC ISO strings; "" when not yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from tinydb import Query

from storage.records import change_row, rewrite_records, rewrite_rows
from storage.store import Database

RequestChange = Callable[["SupervisionRequest"], "SupervisionRequest | None"]


@dataclass(frozen=True)
class SupervisionRequest:
    id: str
    title: str
    context: str
    question: str
    urgency: str  # today | week | meeting
    themes: tuple[str, ...]
    requester_key: str
    requester_name: str
    created_at: str
    remind_at: str  # when, if nobody took it, the animateurs are reminded
    ask_at: str  # when, still not taken, the requester is asked about offering it as a case
    meeting_id: str = ""  # the next meeting when it was asked ("" when none was planned)
    status: str = "open"
    routed_to: tuple[str, ...] = ()
    taker_key: str = ""
    taker_name: str = ""
    taken_at: str = ""
    reminded_at: str = ""
    asked_at: str = ""
    closed_at: str = ""  # cancelled, offered or expired
    case_id: str = ""  # the case made from it (offered)


class SupervisionRepository(Protocol):
    async def add(self, request: SupervisionRequest) -> None: ...
    async def get(self, request_id: str) -> SupervisionRequest | None: ...
    async def all(self) -> list[SupervisionRequest]: ...

    async def update(
        self, request_id: str, change: RequestChange
    ) -> tuple[SupervisionRequest, SupervisionRequest] | None:
        """Apply ``change`` atomically (None from ``change``: keep it); (before, after), or
        None when the request is missing."""
        ...

    async def forget_member(self, member_key: str) -> int:
        """Erase the member: their own requests lose their texts and identity (only what the
        counts need stays), requests they took lose their name; returns how many changed."""
        ...


def forget_in(request: SupervisionRequest, member_key: str) -> SupervisionRequest:
    changed = replace(request, routed_to=tuple(k for k in request.routed_to if k != member_key))
    if request.requester_key == member_key:
        changed = replace(
            changed,
            title="",
            context="",
            question="",
            themes=(),
            requester_key="",
            requester_name="",
            status="cancelled" if request.status == "open" else request.status,
            closed_at=request.closed_at or request.created_at,
        )
    if request.taker_key == member_key:
        changed = replace(changed, taker_key="", taker_name="")
    return changed


def _to_row(request: SupervisionRequest) -> dict[str, Any]:
    row = asdict(request)
    row["themes"] = list(request.themes)
    row["routed_to"] = list(request.routed_to)
    return row


def _from_row(row: Any) -> SupervisionRequest:
    data = dict(row)
    data["themes"] = tuple(data.get("themes") or ())
    data["routed_to"] = tuple(data.get("routed_to") or ())
    return SupervisionRequest(**data)


_REQUESTS = "requests"


class TinyDbSupervisionRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, request: SupervisionRequest) -> None:
        row = _to_row(request)
        await self._db.run(lambda db: db.table(_REQUESTS).insert(row))

    async def get(self, request_id: str) -> SupervisionRequest | None:
        row = await self._db.run(lambda db: db.table(_REQUESTS).get(Query().id == request_id))
        return _from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[SupervisionRequest]:
        return await self._db.parsed_all(_REQUESTS, _from_row)

    async def update(
        self, request_id: str, change: RequestChange
    ) -> tuple[SupervisionRequest, SupervisionRequest] | None:
        return await self._db.run(
            lambda db: change_row(db.table(_REQUESTS), request_id, _from_row, _to_row, change)
        )

    async def forget_member(self, member_key: str) -> int:
        changed = await self._db.run(
            lambda db: rewrite_rows(
                db.table(_REQUESTS), _from_row, _to_row, lambda r: forget_in(r, member_key)
            )
        )
        await self._db.erase_history()
        return changed


@dataclass
class FakeSupervisionRepository:
    requests: dict[str, SupervisionRequest] = field(default_factory=dict)

    async def add(self, request: SupervisionRequest) -> None:
        self.requests[request.id] = request

    async def get(self, request_id: str) -> SupervisionRequest | None:
        return self.requests.get(request_id)

    async def all(self) -> list[SupervisionRequest]:
        return list(self.requests.values())

    async def update(
        self, request_id: str, change: RequestChange
    ) -> tuple[SupervisionRequest, SupervisionRequest] | None:
        before = self.requests.get(request_id)
        if before is None:
            return None
        after = change(before) or before
        self.requests[request_id] = after
        return before, after

    async def forget_member(self, member_key: str) -> int:
        return rewrite_records(self.requests, lambda r: forget_in(r, member_key))
