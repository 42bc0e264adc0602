"""Member profiles kept by the onboarding feature, its small settings, and its audit trail.

One record per person of the CdeP (key: the ``member_key`` of storage/member_repository.py, or
``email:<address>`` for someone imported from a roster file who has not appeared in Teams yet):
what they told us (discipline, institution, committees, expertise, directory opt-in), when they
arrived and left, which version of the rules they acknowledged, their mentor and the state of
their onboarding (welcome sent, follow-up planned and sent).

Dates are ``date`` values stored as ``YYYY-MM-DD``; moments are aware ``datetime`` values stored
as UTC ISO strings. The audit trail holds no personal content (no key, no name): only what
happened, when, and which features took part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Protocol

from tinydb import Query, TinyDB

from storage.store import Database
from storage.times import utc_iso

_PROFILES = "profiles"
_SETTINGS = "settings"
_AUDIT = "audit"
IMPORTED_PREFIX = "email:"


def imported_key(email: str) -> str:
    """The key of a person known only from an imported roster (until they appear in Teams)."""
    return f"{IMPORTED_PREFIX}{email.strip().casefold()}"


@dataclass(frozen=True)
class MemberProfile:
    key: str
    name: str = ""
    email: str = ""
    teams_user_id: str = ""
    discipline: str = ""  # a code of dialogs/onboarding/rules.DISCIPLINES, or ""
    institution: str = ""
    institution_kind: str = ""  # a code of rules.INSTITUTION_KINDS, or ""
    territory: str = ""
    committee_ids: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    in_directory: bool = False
    resource_person: bool = False  # offers ad hoc supervision on their expertise (supervision)
    arrived_on: date | None = None  # first arrival in the CdeP (None: before Veilleuse knew)
    departed_on: date | None = None  # set while the person is gone
    returned_on: date | None = None  # last return after a departure
    profile_saved_at: datetime | None = None  # when the member confirmed their own profile
    rules_version: int = 0  # the version of the rules they acknowledged (0: never)
    rules_acknowledged_at: datetime | None = None
    mentor_key: str = ""
    mentor_assigned_at: datetime | None = None
    welcomed_at: datetime | None = None
    followup_due_at: datetime | None = None
    followup_sent_at: datetime | None = None
    followup_answered_at: datetime | None = None
    source: str = "teams"  # "teams" | "import"
    updated_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.departed_on is None

    @property
    def is_imported_only(self) -> bool:
        return self.key.startswith(IMPORTED_PREFIX)


@dataclass(frozen=True)
class AuditEntry:
    """Something done to personal data, recorded without personal content."""

    at: datetime
    action: str  # e.g. "member_data_erased"
    actor_role: str  # "member" | "animateur"
    features: tuple[str, ...] = ()  # feature modules that took part
    failed: tuple[str, ...] = ()  # feature modules that failed (the erasure can be retried)


_DATES = {"arrived_on", "departed_on", "returned_on"}
_MOMENTS = {f.name for f in fields(MemberProfile) if f.name.endswith("_at")}
_TUPLES = {"committee_ids", "expertise"}
_KNOWN = {f.name for f in fields(MemberProfile)}


def _moment_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return utc_iso(moment)


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    return datetime.fromisoformat(text)


def _day(text: Any) -> date | None:
    if not isinstance(text, str) or not text:
        return None
    return date.fromisoformat(text)


def to_row(profile: MemberProfile) -> dict[str, Any]:
    row = asdict(profile)
    for name in _DATES:
        value = getattr(profile, name)
        row[name] = value.isoformat() if value else ""
    for name in _MOMENTS:
        row[name] = _moment_text(getattr(profile, name))
    for name in _TUPLES:
        row[name] = list(getattr(profile, name))
    return row


def from_row(row: Any) -> MemberProfile:
    values = {k: v for k, v in dict(row).items() if k in _KNOWN}
    for name in _DATES:
        values[name] = _day(values.get(name))
    for name in _MOMENTS:
        values[name] = _moment(values.get(name))
    for name in _TUPLES:
        values[name] = tuple(str(v) for v in values.get(name) or ())
    return MemberProfile(**values)


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    row = asdict(entry)
    row["at"] = _moment_text(entry.at)
    row["features"] = list(entry.features)
    row["failed"] = list(entry.failed)
    return row


def _audit_from(row: Any) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(row["at"]),
        action=str(row["action"]),
        actor_role=str(row["actor_role"]),
        features=tuple(row.get("features") or ()),
        failed=tuple(row.get("failed") or ()),
    )


class ProfileRepository(Protocol):
    async def get(self, key: str) -> MemberProfile | None: ...

    async def all(self) -> list[MemberProfile]:
        """Every profile, departed included, in no particular order."""
        ...

    async def save(self, profile: MemberProfile) -> None: ...

    async def save_many(self, profiles: Sequence[MemberProfile]) -> None:
        """Several profiles in one write (roster import)."""
        ...

    async def move(self, old_key: str, profile: MemberProfile) -> None:
        """Replace the record ``old_key`` by ``profile`` (another key) in one write."""
        ...

    async def delete(self, key: str) -> bool: ...

    async def find_by_email(self, email: str) -> MemberProfile | None: ...

    async def find_by_teams_id(self, teams_user_id: str) -> MemberProfile | None: ...

    async def setting(self, name: str) -> Any:
        """A stored setting of the feature, or None."""
        ...

    async def set_setting(self, name: str, value: Any) -> None: ...

    async def add_audit(self, entry: AuditEntry) -> None: ...

    async def audit(self) -> list[AuditEntry]: ...


def _email_query(email: str) -> Any:
    wanted = email.strip().casefold()
    return Query().email.test(lambda value: isinstance(value, str) and value.casefold() == wanted)


class TinyDbProfileRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str) -> MemberProfile | None:
        row = await self._db.run(lambda db: db.table(_PROFILES).get(Query().key == key))
        return from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[MemberProfile]:
        rows = await self._db.run(lambda db: db.table(_PROFILES).all())
        return [from_row(row) for row in rows]

    async def save(self, profile: MemberProfile) -> None:
        row = to_row(profile)
        await self._db.run(lambda db: db.table(_PROFILES).upsert(row, Query().key == profile.key))

    async def save_many(self, profiles: Sequence[MemberProfile]) -> None:
        rows = [to_row(p) for p in profiles]

        def write(db: TinyDB) -> None:
            table = db.table(_PROFILES)
            by_key = {row["key"]: row for row in rows}
            # Plain dicts: TinyDB would keep a Document's id and clash with the new rows'.
            kept = [dict(row) for row in table.all() if row.get("key") not in by_key]
            table.truncate()
            table.insert_multiple([*kept, *by_key.values()])

        if rows:
            await self._db.run(write)

    async def move(self, old_key: str, profile: MemberProfile) -> None:
        row = to_row(profile)

        def write(db: TinyDB) -> None:
            table = db.table(_PROFILES)
            kept = [dict(r) for r in table.all() if r.get("key") not in (old_key, profile.key)]
            table.truncate()
            table.insert_multiple([*kept, row])

        await self._db.run(write)

    async def delete(self, key: str) -> bool:
        removed = await self._db.run(lambda db: db.table(_PROFILES).remove(Query().key == key))
        await self._db.erase_history()
        return bool(removed)

    async def find_by_email(self, email: str) -> MemberProfile | None:
        if not email.strip():
            return None
        query = _email_query(email)
        rows = await self._db.run(lambda db: db.table(_PROFILES).search(query))
        return _prefer_teams(from_row(row) for row in rows)

    async def find_by_teams_id(self, teams_user_id: str) -> MemberProfile | None:
        if not teams_user_id:
            return None
        row = await self._db.run(
            lambda db: db.table(_PROFILES).get(Query().teams_user_id == teams_user_id)
        )
        return from_row(row) if isinstance(row, dict) else None

    async def setting(self, name: str) -> Any:
        row = await self._db.run(lambda db: db.table(_SETTINGS).get(Query().name == name))
        return row.get("value") if isinstance(row, dict) else None

    async def set_setting(self, name: str, value: Any) -> None:
        record = {"name": name, "value": value}
        await self._db.run(lambda db: db.table(_SETTINGS).upsert(record, Query().name == name))

    async def add_audit(self, entry: AuditEntry) -> None:
        row = _audit_row(entry)
        await self._db.run(lambda db: db.table(_AUDIT).insert(row))

    async def audit(self) -> list[AuditEntry]:
        rows = await self._db.run(lambda db: db.table(_AUDIT).all())
        return [_audit_from(row) for row in rows]


def _prefer_teams(found: Any) -> MemberProfile | None:
    """Of several records with one e-mail, the one Teams knows (an import may lag behind)."""
    candidates = sorted(found, key=lambda p: (p.is_imported_only, p.key))
    return candidates[0] if candidates else None


class FakeProfileRepository:
    """In-memory twin; rows go through the same conversion as the TinyDB one."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.settings: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []

    async def get(self, key: str) -> MemberProfile | None:
        row = self.rows.get(key)
        return from_row(row) if row else None

    async def all(self) -> list[MemberProfile]:
        return [from_row(row) for row in self.rows.values()]

    async def save(self, profile: MemberProfile) -> None:
        self.rows[profile.key] = to_row(profile)

    async def save_many(self, profiles: Sequence[MemberProfile]) -> None:
        for profile in profiles:
            await self.save(profile)

    async def move(self, old_key: str, profile: MemberProfile) -> None:
        self.rows.pop(old_key, None)
        await self.save(profile)

    async def delete(self, key: str) -> bool:
        return self.rows.pop(key, None) is not None

    async def find_by_email(self, email: str) -> MemberProfile | None:
        wanted = email.strip().casefold()
        if not wanted:
            return None
        return _prefer_teams(
            from_row(r) for r in self.rows.values() if str(r["email"]).casefold() == wanted
        )

    async def find_by_teams_id(self, teams_user_id: str) -> MemberProfile | None:
        if not teams_user_id:
            return None
        for row in self.rows.values():
            if row["teams_user_id"] == teams_user_id:
                return from_row(row)
        return None

    async def setting(self, name: str) -> Any:
        return self.settings.get(name)

    async def set_setting(self, name: str, value: Any) -> None:
        self.settings[name] = value

    async def add_audit(self, entry: AuditEntry) -> None:
        self.entries.append(_audit_row(entry))

    async def audit(self) -> list[AuditEntry]:
        return [_audit_from(row) for row in self.entries]


def touched(profile: MemberProfile, now: datetime, **changes: Any) -> MemberProfile:
    """``profile`` with ``changes`` applied and ``updated_at`` set to ``now``."""
    return replace(profile, updated_at=now, **changes)
