"""What a meeting leaves behind: the animateurs' notes (« ce qu'on retient ») and the members'
anonymous takeaways (« ce que je retiens »).

One data set, ``notes``, with three tables:

- ``notes``: one row per meeting (``id`` is the meeting id): key points, decisions, resources
  (links), follow-ups. A follow-up names the member who took it by key (blank once that member
  erased their data) and an optional due date (``YYYY-MM-DD``, local day). Every text here
  passed the de-identification guard (dialogs/deidentify.py) before it was stored;
- ``takeaways``: one row per meeting holding the list of takeaways. A takeaway carries
  **nothing about the person**: no key, no name, no time, and it is inserted at a random place
  in the list, so neither the order nor a timestamp can be matched with the participation list;
- ``participation``: one row per meeting with the sorted keys of the members who answered (so
  nobody answers twice). The same approach as anonymous poll answers (docs/STORAGE.md).

A takeaway and its participation mark are written in one ``run`` (one journal line: both on
disk or neither), and those two tables keep no history, so no journal shows which member and
which takeaway arrived together. Times are stored as UTC ISO strings.
"""

from __future__ import annotations

import bisect
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from tinydb import Query, TinyDB

from storage.records import change_row, rewrite_records, rewrite_rows
from storage.store import Database

NotesChange = Callable[["MeetingNotes"], "MeetingNotes | None"]

_NOTES = "notes"
_TAKEAWAYS = "takeaways"
_PARTICIPATION = "participation"


@dataclass(frozen=True)
class FollowUp:
    """A follow-up (« suivi ») named in the notes: what, who took it, by when."""

    id: str
    text: str
    member_key: str  # "" once the member erased their data
    due_on: str = ""  # ISO local day, "" when none
    done: bool = False


@dataclass(frozen=True)
class MeetingNotes:
    """« Ce qu'on retient » of one meeting; ``id`` is the meeting's id."""

    id: str
    key_points: str
    decisions: str
    resources: tuple[str, ...]  # one line each: a link, optionally after a short title
    follow_ups: tuple[FollowUp, ...]
    updated_at: str  # UTC ISO

    def follow_up(self, follow_up_id: str) -> FollowUp | None:
        return next((f for f in self.follow_ups if f.id == follow_up_id), None)


def notes_to_row(notes: MeetingNotes) -> dict[str, Any]:
    return {
        "id": notes.id,
        "key_points": notes.key_points,
        "decisions": notes.decisions,
        "resources": list(notes.resources),
        "follow_ups": [
            {
                "id": f.id,
                "text": f.text,
                "member_key": f.member_key,
                "due_on": f.due_on,
                "done": f.done,
            }
            for f in notes.follow_ups
        ],
        "updated_at": notes.updated_at,
    }


def notes_from_row(row: Any) -> MeetingNotes:
    return MeetingNotes(
        id=str(row["id"]),
        key_points=str(row.get("key_points", "")),
        decisions=str(row.get("decisions", "")),
        resources=tuple(str(r) for r in row.get("resources") or ()),
        follow_ups=tuple(
            FollowUp(
                id=str(f["id"]),
                text=str(f.get("text", "")),
                member_key=str(f.get("member_key", "")),
                due_on=str(f.get("due_on", "")),
                done=bool(f.get("done", False)),
            )
            for f in row.get("follow_ups") or ()
        ),
        updated_at=str(row.get("updated_at", "")),
    )


def forget_in(notes: MeetingNotes, member_key: str) -> MeetingNotes:
    """The notes without the member: follow-ups they took stay (they belong to the meeting),
    no longer assigned to anyone."""
    return replace(
        notes,
        follow_ups=tuple(
            replace(f, member_key="") if f.member_key == member_key else f for f in notes.follow_ups
        ),
    )


def _insert_at_random(texts: list[str], text: str) -> list[str]:
    position = secrets.randbelow(len(texts) + 1)
    return [*texts[:position], text, *texts[position:]]


def _with_member(keys: Sequence[str], member_key: str) -> list[str]:
    ordered = sorted(keys)
    bisect.insort(ordered, member_key)
    return ordered


@dataclass(frozen=True)
class NotesUpdate:
    before: MeetingNotes
    after: MeetingNotes


class NotesRepository(Protocol):
    async def save(self, notes: MeetingNotes) -> None:
        """Insert or replace the notes of this meeting."""
        ...

    async def get(self, meeting_id: str) -> MeetingNotes | None: ...
    async def all(self) -> list[MeetingNotes]: ...

    async def update(self, meeting_id: str, change: NotesChange) -> NotesUpdate | None:
        """Apply ``change`` atomically (None from ``change``: keep it). None when missing."""
        ...

    async def record_takeaway(self, meeting_id: str, member_key: str, text: str) -> bool:
        """Adds an anonymous takeaway and marks the member as having answered, together;
        False (nothing stored) when the member already answered."""
        ...

    async def takeaways(self, meeting_id: str) -> list[str]: ...

    async def all_takeaways(self) -> dict[str, list[str]]:
        """Meeting id → its takeaways."""
        ...

    async def participants(self, meeting_id: str) -> set[str]:
        """Keys of the members who sent a takeaway for that meeting (never which one)."""
        ...

    async def participations_of(self, member_key: str) -> list[str]:
        """Ids of the meetings this member sent a takeaway for (never what they wrote)."""
        ...

    async def forget_member(self, member_key: str) -> int:
        """Unassigns the member's follow-ups and removes their participation marks; returns
        how many records changed. Takeaways are not linked to anyone and stay."""
        ...


class TinyDbNotesRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        database.keep_no_history_of(_TAKEAWAYS, _PARTICIPATION)

    async def save(self, notes: MeetingNotes) -> None:
        row = notes_to_row(notes)
        await self._db.run(lambda db: db.table(_NOTES).upsert(row, Query().id == notes.id))

    async def get(self, meeting_id: str) -> MeetingNotes | None:
        row = await self._db.run(lambda db: db.table(_NOTES).get(Query().id == meeting_id))
        return notes_from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[MeetingNotes]:
        return await self._db.parsed_all(_NOTES, notes_from_row)

    async def update(self, meeting_id: str, change: NotesChange) -> NotesUpdate | None:
        found = await self._db.run(
            lambda db: change_row(
                db.table(_NOTES), meeting_id, notes_from_row, notes_to_row, change
            )
        )
        return None if found is None else NotesUpdate(*found)

    async def record_takeaway(self, meeting_id: str, member_key: str, text: str) -> bool:
        of_meeting = Query().meeting_id == meeting_id

        def write(db: TinyDB) -> bool:
            participation = db.table(_PARTICIPATION)
            found = participation.get(of_meeting)
            keys = list(found["members"]) if isinstance(found, dict) else []
            if member_key in keys:
                return False
            stored = db.table(_TAKEAWAYS).get(of_meeting)
            listed = [str(t) for t in stored["texts"]] if isinstance(stored, dict) else []
            # One transaction: the mark and the takeaway reach the disk in the same line.
            participation.upsert(
                {"meeting_id": meeting_id, "members": _with_member(keys, member_key)}, of_meeting
            )
            db.table(_TAKEAWAYS).upsert(
                {"meeting_id": meeting_id, "texts": _insert_at_random(listed, text)}, of_meeting
            )
            return True

        return await self._db.run(write)

    async def takeaways(self, meeting_id: str) -> list[str]:
        row = await self._db.run(
            lambda db: db.table(_TAKEAWAYS).get(Query().meeting_id == meeting_id)
        )
        return [str(t) for t in row["texts"]] if isinstance(row, dict) else []

    async def all_takeaways(self) -> dict[str, list[str]]:
        rows = await self._db.run(lambda db: db.table(_TAKEAWAYS).all())
        return {str(r["meeting_id"]): [str(t) for t in r["texts"]] for r in rows}

    async def participants(self, meeting_id: str) -> set[str]:
        row = await self._db.run(
            lambda db: db.table(_PARTICIPATION).get(Query().meeting_id == meeting_id)
        )
        return {str(k) for k in row["members"]} if isinstance(row, dict) else set()

    async def participations_of(self, member_key: str) -> list[str]:
        rows = await self._db.run(lambda db: db.table(_PARTICIPATION).all())
        return sorted(str(r["meeting_id"]) for r in rows if member_key in r["members"])

    async def forget_member(self, member_key: str) -> int:
        def erase(db: TinyDB) -> int:
            changed = rewrite_rows(
                db.table(_NOTES), notes_from_row, notes_to_row, lambda n: forget_in(n, member_key)
            )
            participation = db.table(_PARTICIPATION)
            for row in participation.all():
                if member_key in row["members"]:
                    keys = [k for k in row["members"] if k != member_key]
                    participation.update({"members": keys}, Query().meeting_id == row["meeting_id"])
                    changed += 1
            return changed

        changed = await self._db.run(erase)
        await self._db.erase_history()
        return changed


@dataclass
class FakeNotesRepository:
    notes: dict[str, MeetingNotes] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    participation: dict[str, list[str]] = field(default_factory=dict)

    async def save(self, notes: MeetingNotes) -> None:
        self.notes[notes.id] = notes

    async def get(self, meeting_id: str) -> MeetingNotes | None:
        return self.notes.get(meeting_id)

    async def all(self) -> list[MeetingNotes]:
        return list(self.notes.values())

    async def update(self, meeting_id: str, change: NotesChange) -> NotesUpdate | None:
        before = self.notes.get(meeting_id)
        if before is None:
            return None
        after = change(before) or before
        self.notes[meeting_id] = after
        return NotesUpdate(before, after)

    async def record_takeaway(self, meeting_id: str, member_key: str, text: str) -> bool:
        keys = self.participation.get(meeting_id, [])
        if member_key in keys:
            return False
        self.texts[meeting_id] = _insert_at_random(self.texts.get(meeting_id, []), text)
        self.participation[meeting_id] = _with_member(keys, member_key)
        return True

    async def takeaways(self, meeting_id: str) -> list[str]:
        return list(self.texts.get(meeting_id, []))

    async def all_takeaways(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.texts.items()}

    async def participants(self, meeting_id: str) -> set[str]:
        return set(self.participation.get(meeting_id, []))

    async def participations_of(self, member_key: str) -> list[str]:
        return sorted(m for m, keys in self.participation.items() if member_key in keys)

    async def forget_member(self, member_key: str) -> int:
        changed = rewrite_records(self.notes, lambda n: forget_in(n, member_key))
        for meeting_id, keys in list(self.participation.items()):
            if member_key in keys:
                self.participation[meeting_id] = [k for k in keys if k != member_key]
                changed += 1
        return changed
