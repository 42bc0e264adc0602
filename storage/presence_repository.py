"""Presence: what each source said, the animateurs' corrections, imports and certificates.

One data set, ``presence``, with one table per kind of record:

- ``live``: Teams join/leave events of the meeting chat, one row per (meeting, member, kind,
  time) — a redelivered event is stored once;
- ``checkins``: in-room check-ins, one per (meeting, member); ``codes``: the check-in code of a
  meeting; ``code_failures``: wrong codes typed, per (meeting, member);
- ``graph``: the attendees of the Microsoft Graph attendance reports of a meeting, replaced as a
  whole at each import (so importing twice changes nothing);
- ``corrections``: the audit trail of manual corrections (who, when, what, why), append-only;
- ``imports``: the state of each meeting's import (attempt, next try, result, fingerprint);
- ``certificates``: certificates issued, with their verification codes (a certificate whose
  hours a correction brought to 0 is kept, marked revoked, so its code still answers);
- ``once``: things done at most once (e.g. the check-in card of a meeting posted).

Times are stored as UTC ISO strings and come back as aware datetimes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from tinydb import Query, TinyDB

from storage.store import Database
from storage.times import parse_utc, utc_iso

_LIVE = "live"
_CHECKINS = "checkins"
_CODES = "codes"
_FAILURES = "code_failures"
_GRAPH = "graph"
_CORRECTIONS = "corrections"
_IMPORTS = "imports"
_CERTIFICATES = "certificates"
_ONCE = "once"
FORGOTTEN = "(effacé)"


iso = utc_iso
parse = parse_utc


@dataclass(frozen=True)
class LiveEvent:
    meeting_id: str
    member_key: str
    kind: str  # join | leave
    at: datetime
    email: str = ""


@dataclass(frozen=True)
class CheckIn:
    meeting_id: str
    member_key: str
    at: datetime


@dataclass(frozen=True)
class CheckinCode:
    meeting_id: str
    code: str
    created_at: datetime


@dataclass(frozen=True)
class GraphAttendee:
    """One attendee of one Graph report, as Teams identified them (before matching)."""

    meeting_id: str
    report_id: str
    identity_id: str
    email: str
    name: str
    role: str
    intervals: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class Correction:
    """One entry of the audit trail. ``kind``: add | adjust | remove | assign (corrections
    of presence) or revoke (a certificate revoked because a correction left no credited hours;
    ``certificate_code`` names it). For ``assign``, ``attendee_key`` names the unmatched Graph
    attendee given to ``member_key``."""

    id: str
    meeting_id: str
    member_key: str
    kind: str
    minutes: int | None
    mode: str
    reason: str
    by: str
    at: datetime
    attendee_key: str = ""
    certificate_code: str = ""


@dataclass(frozen=True)
class ImportState:
    """``status``: pending (an attempt is scheduled) | done | abandoned (schedule exhausted) |
    failed (a non-retryable answer, e.g. missing permission)."""

    meeting_id: str
    status: str
    attempt: int
    ended_at: datetime  # when the meeting ended (the meeting-end event)
    anchor_at: datetime  # when the import cycle started (the retry schedule counts from it)
    next_at: datetime | None = None
    result: str = ""
    imported_at: datetime | None = None
    requested_by: str = ""  # the animateur who asked for it, told when it is done
    runs: int = 0


@dataclass(frozen=True)
class Certificate:
    """A certificate issued. ``kind``: meeting | year. A newer one for the same subject (after
    a correction changed the hours) supersedes it; one whose hours a correction brought to 0 is
    revoked (``revoked_at``): it is no longer current, and its code says so. ``member_key`` and
    ``member_name`` become empty when the member asked to be forgotten; the rest stays so the
    code can be verified."""

    code: str
    kind: str
    member_key: str
    member_name: str
    subject: str  # the meeting id, or the year for a yearly summary
    title: str
    held_on: str  # ISO date of the meeting, or the year
    credited_minutes: int
    issued_at: datetime
    superseded: bool = False
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def current(self) -> bool:
        return not self.superseded and self.revoked_at is None


_TIMES: dict[type, tuple[str, ...]] = {
    LiveEvent: ("at",),
    CheckIn: ("at",),
    CheckinCode: ("created_at",),
    Correction: ("at",),
    ImportState: ("ended_at", "anchor_at", "next_at", "imported_at"),
    Certificate: ("issued_at", "revoked_at"),
}


def _row(record: Any) -> dict[str, Any]:
    row = asdict(record)
    for name in _TIMES.get(type(record), ()):
        value = getattr(record, name)
        row[name] = iso(value) if value is not None else ""
    if isinstance(record, GraphAttendee):
        row["intervals"] = [[iso(a), iso(b)] for a, b in record.intervals]
    return row


def _record(cls: type[Any], row: Any) -> Any:
    data = {k: v for k, v in dict(row).items() if k in cls.__dataclass_fields__}
    for name in _TIMES.get(cls, ()):
        value = data.get(name)
        data[name] = parse(value) if value else None
    if cls is GraphAttendee:
        data["intervals"] = tuple((parse(a), parse(b)) for a, b in data.get("intervals", ()))
    return cls(**data)


class PresenceRepository(Protocol):
    async def add_live_event(self, event: LiveEvent) -> bool:
        """False when the same event is already stored."""
        ...

    async def live_events(self, meeting_id: str) -> list[LiveEvent]: ...

    async def add_checkin(self, checkin: CheckIn) -> bool:
        """False when the member already checked in for this meeting."""
        ...

    async def checkins(self, meeting_id: str) -> list[CheckIn]: ...

    async def checkin_code(self, meeting_id: str, candidate: CheckinCode) -> CheckinCode:
        """The meeting's code; ``candidate`` is stored and returned if it has none yet."""
        ...

    async def add_code_failure(self, meeting_id: str, member_key: str) -> int:
        """Count one more wrong code for this member and meeting; returns the count."""
        ...

    async def code_failures(self, meeting_id: str, member_key: str) -> int: ...

    async def replace_graph_attendees(
        self, meeting_id: str, attendees: list[GraphAttendee]
    ) -> bool:
        """Replace the meeting's Graph attendees; True when that changed anything."""
        ...

    async def graph_attendees(self, meeting_id: str) -> list[GraphAttendee]: ...

    async def add_correction(self, correction: Correction) -> None: ...

    async def corrections(self, meeting_id: str) -> list[Correction]:
        """Oldest first; at the same instant, in the order they were added."""
        ...

    async def get_import(self, meeting_id: str) -> ImportState | None: ...

    async def save_import(self, state: ImportState) -> None: ...

    async def imports(self) -> list[ImportState]: ...

    async def add_certificate(self, certificate: Certificate) -> None:
        """Store it and mark the current one of the same member, kind and subject superseded."""
        ...

    async def current_certificate(
        self, member_key: str, kind: str, subject: str
    ) -> Certificate | None: ...

    async def certificate(self, code: str) -> Certificate | None: ...

    async def certificates_of(self, member_key: str) -> list[Certificate]:
        """The member's current (neither superseded nor revoked) certificates, newest first."""
        ...

    async def certificates_for(self, kind: str, subject: str) -> list[Certificate]:
        """The current certificates of a subject (a meeting id, a year), by code."""
        ...

    async def revoke_certificate(self, code: str, at: datetime) -> Certificate | None:
        """Mark a current certificate revoked; returns it, or None when the code is unknown or
        the certificate is no longer current (superseded or already revoked)."""
        ...

    async def certificates_issued(self, start: datetime, end: datetime) -> list[Certificate]:
        """Current meeting certificates issued in ``[start, end)`` (revoked ones left out)."""
        ...

    async def claim_once(self, key: str) -> bool:
        """True the first time ``key`` is claimed (e.g. a card posted once), False after."""
        ...

    async def claimed(self, key: str) -> bool:
        """Whether ``key`` was claimed (without claiming it)."""
        ...

    async def member_records(self, member_key: str) -> dict[str, list[dict[str, Any]]]: ...

    async def forget_member(self, member_key: str, emails: tuple[str, ...] = ()) -> int:
        """Erase the member's records (certificates keep their code, meeting and hours)."""
        ...


def _same_live(event: LiveEvent) -> Any:
    q = Query()
    return (
        (q.meeting_id == event.meeting_id)
        & (q.member_key == event.member_key)
        & (q.kind == event.kind)
        & (q.at == iso(event.at))
    )


class TinyDbPresenceRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def _rows(self, table: str, cls: type[Any], cond: Any) -> list[Any]:
        rows = await self._db.run(lambda db: db.table(table).search(cond))
        return [_record(cls, row) for row in rows]

    async def add_live_event(self, event: LiveEvent) -> bool:
        def write(db: TinyDB) -> bool:
            table = db.table(_LIVE)
            if table.contains(_same_live(event)):
                return False
            table.insert(_row(event))
            return True

        return await self._db.run(write)

    async def live_events(self, meeting_id: str) -> list[LiveEvent]:
        found = await self._rows(_LIVE, LiveEvent, Query().meeting_id == meeting_id)
        return sorted(found, key=lambda e: (e.at, e.member_key))

    async def add_checkin(self, checkin: CheckIn) -> bool:
        q = Query()
        cond = (q.meeting_id == checkin.meeting_id) & (q.member_key == checkin.member_key)

        def write(db: TinyDB) -> bool:
            table = db.table(_CHECKINS)
            if table.contains(cond):
                return False
            table.insert(_row(checkin))
            return True

        return await self._db.run(write)

    async def checkins(self, meeting_id: str) -> list[CheckIn]:
        found = await self._rows(_CHECKINS, CheckIn, Query().meeting_id == meeting_id)
        return sorted(found, key=lambda c: (c.at, c.member_key))

    async def checkin_code(self, meeting_id: str, candidate: CheckinCode) -> CheckinCode:
        def write(db: TinyDB) -> Any:
            table = db.table(_CODES)
            row = table.get(Query().meeting_id == meeting_id)
            if row is None:
                new_row = _row(candidate)
                table.insert(new_row)
                return new_row
            return row

        return _record(CheckinCode, await self._db.run(write))

    async def add_code_failure(self, meeting_id: str, member_key: str) -> int:
        q = Query()
        cond = (q.meeting_id == meeting_id) & (q.member_key == member_key)

        def write(db: TinyDB) -> int:
            table = db.table(_FAILURES)
            row = table.get(cond)
            count = int(row["count"]) + 1 if isinstance(row, dict) else 1
            table.upsert({"meeting_id": meeting_id, "member_key": member_key, "count": count}, cond)
            return count

        return await self._db.run(write)

    async def code_failures(self, meeting_id: str, member_key: str) -> int:
        q = Query()
        row = await self._db.run(
            lambda db: db.table(_FAILURES).get(
                (q.meeting_id == meeting_id) & (q.member_key == member_key)
            )
        )
        return int(row["count"]) if isinstance(row, dict) else 0

    async def replace_graph_attendees(
        self, meeting_id: str, attendees: list[GraphAttendee]
    ) -> bool:
        new_rows = sorted((_row(a) for a in attendees), key=_attendee_order)

        def write(db: TinyDB) -> bool:
            table = db.table(_GRAPH)
            old_rows = sorted(
                (dict(r) for r in table.search(Query().meeting_id == meeting_id)),
                key=_attendee_order,
            )
            if old_rows == new_rows:
                return False
            table.remove(Query().meeting_id == meeting_id)
            table.insert_multiple(new_rows)
            return True

        return await self._db.run(write)

    async def graph_attendees(self, meeting_id: str) -> list[GraphAttendee]:
        found = await self._rows(_GRAPH, GraphAttendee, Query().meeting_id == meeting_id)
        return sorted(found, key=lambda a: (a.report_id, a.identity_id, a.email, a.name))

    async def add_correction(self, correction: Correction) -> None:
        await self._db.run(lambda db: db.table(_CORRECTIONS).insert(_row(correction)))

    async def corrections(self, meeting_id: str) -> list[Correction]:
        found = await self._rows(_CORRECTIONS, Correction, Query().meeting_id == meeting_id)
        return sorted(found, key=lambda c: c.at)

    async def get_import(self, meeting_id: str) -> ImportState | None:
        row = await self._db.run(
            lambda db: db.table(_IMPORTS).get(Query().meeting_id == meeting_id)
        )
        return _record(ImportState, row) if isinstance(row, dict) else None

    async def save_import(self, state: ImportState) -> None:
        row = _row(state)
        await self._db.run(
            lambda db: db.table(_IMPORTS).upsert(row, Query().meeting_id == state.meeting_id)
        )

    async def imports(self) -> list[ImportState]:
        rows = await self._db.run(lambda db: db.table(_IMPORTS).all())
        return sorted((_record(ImportState, r) for r in rows), key=lambda s: s.meeting_id)

    async def add_certificate(self, certificate: Certificate) -> None:
        q = Query()
        same = (
            (q.member_key == certificate.member_key)
            & (q.kind == certificate.kind)
            & (q.subject == certificate.subject)
            & (q.superseded == False)  # noqa: E712 (a TinyDB query, not a comparison)
        )

        def write(db: TinyDB) -> None:
            table = db.table(_CERTIFICATES)
            table.update({"superseded": True}, same)
            table.insert(_row(certificate))

        await self._db.run(write)

    async def current_certificate(
        self, member_key: str, kind: str, subject: str
    ) -> Certificate | None:
        q = Query()
        found = await self._rows(
            _CERTIFICATES,
            Certificate,
            (q.member_key == member_key)
            & (q.kind == kind)
            & (q.subject == subject)
            & (q.superseded == False),  # noqa: E712
        )
        found = [c for c in found if c.current]
        return found[0] if found and member_key else None

    async def certificate(self, code: str) -> Certificate | None:
        found = await self._rows(_CERTIFICATES, Certificate, Query().code == code)
        return found[0] if found else None

    async def certificates_of(self, member_key: str) -> list[Certificate]:
        if not member_key:
            return []
        q = Query()
        found = await self._rows(
            _CERTIFICATES,
            Certificate,
            (q.member_key == member_key) & (q.superseded == False),  # noqa: E712
        )
        found = [c for c in found if c.current]
        return sorted(found, key=lambda c: (c.held_on, c.issued_at), reverse=True)

    async def certificates_for(self, kind: str, subject: str) -> list[Certificate]:
        q = Query()
        found = await self._rows(
            _CERTIFICATES,
            Certificate,
            (q.kind == kind) & (q.subject == subject) & (q.superseded == False),  # noqa: E712
        )
        return sorted((c for c in found if c.current), key=lambda c: c.code)

    async def revoke_certificate(self, code: str, at: datetime) -> Certificate | None:
        same = Query().code == code

        def write(db: TinyDB) -> Any:
            table = db.table(_CERTIFICATES)
            row = table.get(same)
            if not isinstance(row, dict) or row.get("superseded") or row.get("revoked_at"):
                return None
            table.update({"revoked_at": iso(at)}, same)
            return {**row, "revoked_at": iso(at)}

        row = await self._db.run(write)
        return _record(Certificate, row) if row is not None else None

    async def certificates_issued(self, start: datetime, end: datetime) -> list[Certificate]:
        low, high = iso(start), iso(end)
        q = Query()
        found = await self._rows(
            _CERTIFICATES,
            Certificate,
            (q.kind == "meeting")
            & (q.superseded == False)  # noqa: E712
            & q.issued_at.test(lambda v: low <= v < high),
        )
        return [c for c in found if c.current]

    async def claim_once(self, key: str) -> bool:
        def write(db: TinyDB) -> bool:
            table = db.table(_ONCE)
            if table.contains(Query().key == key):
                return False
            table.insert({"key": key})
            return True

        return await self._db.run(write)

    async def claimed(self, key: str) -> bool:
        return bool(await self._db.run(lambda db: db.table(_ONCE).contains(Query().key == key)))

    async def member_records(self, member_key: str) -> dict[str, list[dict[str, Any]]]:
        def read(db: TinyDB) -> dict[str, list[dict[str, Any]]]:
            mine = Query().member_key == member_key
            return {
                "live_events": [dict(r) for r in db.table(_LIVE).search(mine)],
                "checkins": [dict(r) for r in db.table(_CHECKINS).search(mine)],
                "corrections": [dict(r) for r in db.table(_CORRECTIONS).search(mine)],
                "certificates": [dict(r) for r in db.table(_CERTIFICATES).search(mine)],
            }

        return await self._db.run(read)

    async def forget_member(self, member_key: str, emails: tuple[str, ...] = ()) -> int:
        folded = {e.casefold() for e in emails if e}

        def write(db: TinyDB) -> int:
            q = Query()
            mine = q.member_key == member_key
            removed = len(db.table(_LIVE).remove(mine))
            removed += len(db.table(_CHECKINS).remove(mine))
            removed += len(db.table(_FAILURES).remove(mine))
            removed += len(
                db.table(_GRAPH).remove(
                    q.identity_id.test(lambda v: bool(v) and v.casefold() == member_key)
                    | q.email.test(lambda v: bool(v) and v.casefold() in folded)
                )
            )
            removed += len(
                db.table(_CORRECTIONS).update(
                    {"member_key": FORGOTTEN, "reason": "", "attendee_key": ""}, mine
                )
            )
            db.table(_CORRECTIONS).update({"by": FORGOTTEN}, q.by == member_key)
            removed += len(
                db.table(_CERTIFICATES).update({"member_key": "", "member_name": ""}, mine)
            )
            return removed

        removed = await self._db.run(write)
        await self._db.erase_history()
        return removed


def _attendee_order(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["report_id"], row["identity_id"], row["email"], row["name"])


class FakePresenceRepository:
    """In-memory twin of :class:`TinyDbPresenceRepository` (same contract suite)."""

    def __init__(self) -> None:
        self.live: list[LiveEvent] = []
        self.checkin_rows: list[CheckIn] = []
        self.codes: dict[str, CheckinCode] = {}
        self.failures: dict[tuple[str, str], int] = {}
        self.graph: dict[str, list[GraphAttendee]] = {}
        self.correction_rows: list[Correction] = []
        self.import_rows: dict[str, ImportState] = {}
        self.certificate_rows: list[Certificate] = []
        self.claimed_keys: set[str] = set()

    async def claim_once(self, key: str) -> bool:
        if key in self.claimed_keys:
            return False
        self.claimed_keys.add(key)
        return True

    async def claimed(self, key: str) -> bool:
        return key in self.claimed_keys

    async def add_live_event(self, event: LiveEvent) -> bool:
        same = [
            e
            for e in self.live
            if (e.meeting_id, e.member_key, e.kind, iso(e.at))
            == (event.meeting_id, event.member_key, event.kind, iso(event.at))
        ]
        if same:
            return False
        self.live.append(event)
        return True

    async def live_events(self, meeting_id: str) -> list[LiveEvent]:
        found = [e for e in self.live if e.meeting_id == meeting_id]
        return sorted(found, key=lambda e: (e.at, e.member_key))

    async def add_checkin(self, checkin: CheckIn) -> bool:
        if any(
            (c.meeting_id, c.member_key) == (checkin.meeting_id, checkin.member_key)
            for c in self.checkin_rows
        ):
            return False
        self.checkin_rows.append(checkin)
        return True

    async def checkins(self, meeting_id: str) -> list[CheckIn]:
        found = [c for c in self.checkin_rows if c.meeting_id == meeting_id]
        return sorted(found, key=lambda c: (c.at, c.member_key))

    async def checkin_code(self, meeting_id: str, candidate: CheckinCode) -> CheckinCode:
        return self.codes.setdefault(meeting_id, candidate)

    async def add_code_failure(self, meeting_id: str, member_key: str) -> int:
        key = (meeting_id, member_key)
        self.failures[key] = self.failures.get(key, 0) + 1
        return self.failures[key]

    async def code_failures(self, meeting_id: str, member_key: str) -> int:
        return self.failures.get((meeting_id, member_key), 0)

    async def replace_graph_attendees(
        self, meeting_id: str, attendees: list[GraphAttendee]
    ) -> bool:
        new = sorted(attendees, key=lambda a: _attendee_order(_row(a)))
        old = sorted(self.graph.get(meeting_id, []), key=lambda a: _attendee_order(_row(a)))
        if [_row(a) for a in old] == [_row(a) for a in new]:
            return False
        self.graph[meeting_id] = new
        return True

    async def graph_attendees(self, meeting_id: str) -> list[GraphAttendee]:
        found = self.graph.get(meeting_id, [])
        return sorted(found, key=lambda a: (a.report_id, a.identity_id, a.email, a.name))

    async def add_correction(self, correction: Correction) -> None:
        self.correction_rows.append(correction)

    async def corrections(self, meeting_id: str) -> list[Correction]:
        found = [c for c in self.correction_rows if c.meeting_id == meeting_id]
        return sorted(found, key=lambda c: c.at)

    async def get_import(self, meeting_id: str) -> ImportState | None:
        return self.import_rows.get(meeting_id)

    async def save_import(self, state: ImportState) -> None:
        self.import_rows[state.meeting_id] = state

    async def imports(self) -> list[ImportState]:
        return sorted(self.import_rows.values(), key=lambda s: s.meeting_id)

    async def add_certificate(self, certificate: Certificate) -> None:
        self.certificate_rows = [
            replace(c, superseded=True)
            if (c.member_key, c.kind, c.subject, c.superseded)
            == (certificate.member_key, certificate.kind, certificate.subject, False)
            else c
            for c in self.certificate_rows
        ]
        self.certificate_rows.append(certificate)

    async def current_certificate(
        self, member_key: str, kind: str, subject: str
    ) -> Certificate | None:
        if not member_key:
            return None
        for c in self.certificate_rows:
            if (c.member_key, c.kind, c.subject) == (member_key, kind, subject) and c.current:
                return c
        return None

    async def certificate(self, code: str) -> Certificate | None:
        return next((c for c in self.certificate_rows if c.code == code), None)

    async def certificates_of(self, member_key: str) -> list[Certificate]:
        found = [
            c
            for c in self.certificate_rows
            if member_key and c.member_key == member_key and c.current
        ]
        return sorted(found, key=lambda c: (c.held_on, c.issued_at), reverse=True)

    async def certificates_for(self, kind: str, subject: str) -> list[Certificate]:
        found = [
            c for c in self.certificate_rows if (c.kind, c.subject) == (kind, subject) and c.current
        ]
        return sorted(found, key=lambda c: c.code)

    async def revoke_certificate(self, code: str, at: datetime) -> Certificate | None:
        for index, c in enumerate(self.certificate_rows):
            if c.code == code:
                if not c.current:
                    return None
                revoked = replace(c, revoked_at=at)
                self.certificate_rows[index] = revoked
                return revoked
        return None

    async def certificates_issued(self, start: datetime, end: datetime) -> list[Certificate]:
        return [
            c
            for c in self.certificate_rows
            if c.kind == "meeting" and c.current and start <= c.issued_at < end
        ]

    async def member_records(self, member_key: str) -> dict[str, list[dict[str, Any]]]:
        return {
            "live_events": [_row(e) for e in self.live if e.member_key == member_key],
            "checkins": [_row(c) for c in self.checkin_rows if c.member_key == member_key],
            "corrections": [_row(c) for c in self.correction_rows if c.member_key == member_key],
            "certificates": [_row(c) for c in self.certificate_rows if c.member_key == member_key],
        }

    async def forget_member(self, member_key: str, emails: tuple[str, ...] = ()) -> int:
        folded = {e.casefold() for e in emails if e}
        removed = 0
        before = len(self.live) + len(self.checkin_rows)
        self.live = [e for e in self.live if e.member_key != member_key]
        self.checkin_rows = [c for c in self.checkin_rows if c.member_key != member_key]
        removed += before - len(self.live) - len(self.checkin_rows)
        self.failures = {k: v for k, v in self.failures.items() if k[1] != member_key}
        for meeting_id, attendees in list(self.graph.items()):
            kept = [
                a
                for a in attendees
                if not (a.identity_id and a.identity_id.casefold() == member_key)
                and not (a.email and a.email.casefold() in folded)
            ]
            removed += len(attendees) - len(kept)
            self.graph[meeting_id] = kept
        corrections: list[Correction] = []
        for c in self.correction_rows:
            if c.member_key == member_key:
                removed += 1
                c = replace(c, member_key=FORGOTTEN, reason="", attendee_key="")
            if c.by == member_key:
                c = replace(c, by=FORGOTTEN)
            corrections.append(c)
        self.correction_rows = corrections
        certificates: list[Certificate] = []
        for cert in self.certificate_rows:
            if cert.member_key == member_key:
                removed += 1
                cert = replace(cert, member_key="", member_name="")
            certificates.append(cert)
        self.certificate_rows = certificates
        return removed
