"""Polls and surveys (sondages): the polls themselves, named ballots, anonymous answers.

One data set, ``polls``, with four tables:

- ``polls``: one row per poll (drafts included), questions inside;
- ``ballots``: named polls only, one row per poll and member (``member_key``, the name shown at
  the time, the answers, when). Changing one's answer replaces the row;
- ``anonymous``: anonymous polls only, one row per poll holding the list of answers. An answer
  carries **nothing about the person**: no key, no name, no time, and it is inserted at a random
  place in the list, so neither the order nor a timestamp can be matched with the participation
  list;
- ``participation``: anonymous polls only, one row per poll with the sorted keys of the members
  who answered (to refuse a second answer and to remind only those who did not answer).

An anonymous answer and its participation entry are written in one ``run``: one transaction,
one journal line (storage/store.py), so both are on disk or neither is, whatever the moment of a
crash, and a double click cannot record two answers. Those two tables keep no history: their
changes are compacted into ``polls.json`` before the answer is acknowledged, so no journal shows
which member and which answer arrived together. Times are stored as UTC ISO strings.
"""

from __future__ import annotations

import bisect
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from tinydb import Query, TinyDB

from storage.store import Database
from storage.times import parse_utc, utc_iso

_POLLS = "polls"
_BALLOTS = "ballots"
_ANONYMOUS = "anonymous"
_PARTICIPATION = "participation"

# What an answer to one question looks like: a choice id (single), choice ids (multiple), a
# number 1–5 (scale) or a text.
AnswerValue = str | int | list[str]
Answers = Mapping[str, AnswerValue]


iso = utc_iso


def parse_iso(text: str) -> datetime | None:
    return parse_utc(text) if text else None


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    # "None of these" (e.g. no candidate date fits): may not be combined with another choice.
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # single | multiple | scale | text
    label: str
    choices: tuple[Choice, ...] = ()
    max_choices: int = 0  # multiple: 0 means no maximum
    low_label: str = ""  # scale: meaning of 1
    high_label: str = ""  # scale: meaning of 5
    required: bool = True


@dataclass(frozen=True)
class Poll:
    id: str
    kind: str  # poll | needs | satisfaction | availability
    title: str
    questions: tuple[Question, ...]
    status: str  # draft | open | closed
    anonymous: bool
    visibility: str  # live | after_close | animateurs
    audience: str  # channel | committee | members
    deadline: str  # UTC ISO
    created_by: str  # member key ("" once that member asked to be forgotten)
    created_at: str
    locale: str  # language of the texts written in the poll and of its shared card
    committee_id: str = ""
    # Where the poll was drafted and posted: a conversation key (``conv:…`` / ``user:…``) for
    # the messenger, the Teams conversation id, and the id of the poll's card message there.
    conversation_key: str = ""
    conversation_id: str = ""
    message_id: str = ""
    # Whether that conversation is a channel or group chat (a "channel" audience is possible).
    shared_conversation: bool = False
    # The audience when the poll was posted (member keys); empty when unknown (a channel poll
    # before member profiles exist): then anyone who sees the card may answer.
    audience_keys: tuple[str, ...] = ()
    published_at: str = ""
    closed_at: str = ""
    meeting_id: str = ""
    reminders_done: tuple[str, ...] = ()
    results_posted: bool = False

    @property
    def deadline_at(self) -> datetime:
        moment = parse_iso(self.deadline)
        if moment is None:
            raise ValueError(f"poll {self.id} has no deadline")
        return moment

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Ballot:
    """A named answer: who, when, what."""

    poll_id: str
    member_key: str
    name: str
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    at: str = ""


def poll_to_row(poll: Poll) -> dict[str, Any]:
    row = asdict(poll)
    row["questions"] = [
        {**asdict(q), "choices": [asdict(c) for c in q.choices]} for q in poll.questions
    ]
    row["audience_keys"] = list(poll.audience_keys)
    row["reminders_done"] = list(poll.reminders_done)
    return row


def poll_from_row(row: Mapping[str, Any]) -> Poll:
    values = dict(row)
    values["questions"] = tuple(
        Question(
            **{
                **q,
                "choices": tuple(Choice(**c) for c in q.get("choices") or ()),
            }
        )
        for q in values.get("questions") or ()
    )
    values["audience_keys"] = tuple(values.get("audience_keys") or ())
    values["reminders_done"] = tuple(values.get("reminders_done") or ())
    return Poll(**values)


def _ballot_from_row(row: Mapping[str, Any]) -> Ballot:
    return Ballot(
        poll_id=row["poll_id"],
        member_key=row["member_key"],
        name=row.get("name", ""),
        answers=dict(row.get("answers") or {}),
        at=row.get("at", ""),
    )


class PollRepository(Protocol):
    async def save(self, poll: Poll) -> None: ...

    async def get(self, poll_id: str) -> Poll | None: ...

    async def all(self) -> list[Poll]:
        """Every poll, drafts included, oldest first."""
        ...

    async def delete(self, poll_id: str) -> bool:
        """Removes a poll and everything answered to it."""
        ...

    async def record_named(
        self, poll_id: str, member_key: str, name: str, answers: Answers, at: datetime
    ) -> str:
        """Stores or replaces a member's named answer: ``created``, ``changed`` or ``same``."""
        ...

    async def record_anonymous(self, poll_id: str, member_key: str, answers: Answers) -> bool:
        """Adds an anonymous answer and marks the member as having answered, together.
        False (and nothing written) when the member had already answered."""
        ...

    async def respondents(self, poll_id: str) -> set[str]:
        """Member keys who answered (named ballots, or the anonymous participation list)."""
        ...

    async def answers(self, poll_id: str) -> list[dict[str, AnswerValue]]:
        """Every answer to the poll, with no one's identity."""
        ...

    async def ballots(self, poll_id: str) -> list[Ballot]:
        """Named ballots of a poll, by name."""
        ...

    async def ballot(self, poll_id: str, member_key: str) -> Ballot | None: ...

    async def answer_counts(self) -> dict[str, int]:
        """poll id -> number of answers, for every poll."""
        ...

    async def ballots_of(self, member_key: str) -> list[Ballot]: ...

    async def participations_of(self, member_key: str) -> list[str]:
        """Ids of the anonymous polls this member answered (never what they answered)."""
        ...

    async def forget(self, member_key: str) -> int:
        """Erases the member's named ballots and participation entries, removes the drafts they
        started and their name from the polls they created; returns how many records changed."""
        ...


# ---- pure helpers shared by the TinyDB and the fake implementations -------------------------


def _insert_at_random(answers: list[Any], answer: Any) -> list[Any]:
    position = secrets.randbelow(len(answers) + 1)
    return [*answers[:position], answer, *answers[position:]]


def _with_member(keys: Sequence[str], member_key: str) -> list[str]:
    ordered = sorted(keys)
    bisect.insort(ordered, member_key)
    return ordered


class TinyDbPollRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        database.keep_no_history_of(_ANONYMOUS, _PARTICIPATION)

    async def save(self, poll: Poll) -> None:
        row = poll_to_row(poll)
        await self._db.run(lambda db: db.table(_POLLS).upsert(row, Query().id == poll.id))

    async def get(self, poll_id: str) -> Poll | None:
        row = await self._db.run(lambda db: db.table(_POLLS).get(Query().id == poll_id))
        return poll_from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[Poll]:
        polls = await self._db.parsed_all(_POLLS, poll_from_row)
        return sorted(polls, key=lambda p: (p.created_at, p.id))

    async def delete(self, poll_id: str) -> bool:
        def remove(db: TinyDB) -> bool:
            for table in (_BALLOTS, _ANONYMOUS, _PARTICIPATION):
                db.table(table).remove(Query().poll_id == poll_id)
            return bool(db.table(_POLLS).remove(Query().id == poll_id))

        return await self._db.run(remove)

    async def record_named(
        self, poll_id: str, member_key: str, name: str, answers: Answers, at: datetime
    ) -> str:
        row = {
            "poll_id": poll_id,
            "member_key": member_key,
            "name": name,
            "answers": dict(answers),
            "at": iso(at),
        }
        wanted = (Query().poll_id == poll_id) & (Query().member_key == member_key)

        def write(db: TinyDB) -> str:
            table = db.table(_BALLOTS)
            found = table.get(wanted)
            if isinstance(found, dict) and found.get("answers") == row["answers"]:
                return "same"
            table.upsert(row, wanted)
            return "changed" if found else "created"

        return await self._db.run(write)

    async def record_anonymous(self, poll_id: str, member_key: str, answers: Answers) -> bool:
        answer = dict(answers)
        of_poll = Query().poll_id == poll_id

        def write(db: TinyDB) -> bool:
            participation = db.table(_PARTICIPATION)
            found = participation.get(of_poll)
            keys = list(found["members"]) if isinstance(found, dict) else []
            if member_key in keys:
                return False
            stored = db.table(_ANONYMOUS).get(of_poll)
            listed = list(stored["answers"]) if isinstance(stored, dict) else []
            # One transaction: the mark and the answer reach the disk in the same journal line.
            participation.upsert(
                {"poll_id": poll_id, "members": _with_member(keys, member_key)}, of_poll
            )
            db.table(_ANONYMOUS).upsert(
                {"poll_id": poll_id, "answers": _insert_at_random(listed, answer)}, of_poll
            )
            return True

        return await self._db.run(write)

    async def respondents(self, poll_id: str) -> set[str]:
        def read(db: TinyDB) -> set[str]:
            named = db.table(_BALLOTS).search(Query().poll_id == poll_id)
            found = db.table(_PARTICIPATION).get(Query().poll_id == poll_id)
            anonymous = found["members"] if isinstance(found, dict) else []
            return {row["member_key"] for row in named} | set(anonymous)

        return await self._db.run(read)

    async def answers(self, poll_id: str) -> list[dict[str, AnswerValue]]:
        def read(db: TinyDB) -> list[dict[str, AnswerValue]]:
            named = db.table(_BALLOTS).search(Query().poll_id == poll_id)
            stored = db.table(_ANONYMOUS).get(Query().poll_id == poll_id)
            anonymous = stored["answers"] if isinstance(stored, dict) else []
            return [dict(row["answers"]) for row in named] + [dict(a) for a in anonymous]

        return await self._db.run(read)

    async def ballots(self, poll_id: str) -> list[Ballot]:
        rows = await self._db.run(lambda db: db.table(_BALLOTS).search(Query().poll_id == poll_id))
        found = [_ballot_from_row(r) for r in rows]
        return sorted(found, key=lambda b: (b.name.casefold(), b.member_key))

    async def ballot(self, poll_id: str, member_key: str) -> Ballot | None:
        wanted = (Query().poll_id == poll_id) & (Query().member_key == member_key)
        row = await self._db.run(lambda db: db.table(_BALLOTS).get(wanted))
        return _ballot_from_row(row) if isinstance(row, dict) else None

    async def answer_counts(self) -> dict[str, int]:
        def read(db: TinyDB) -> dict[str, int]:
            counts: dict[str, int] = {}
            for row in db.table(_BALLOTS).all():
                counts[row["poll_id"]] = counts.get(row["poll_id"], 0) + 1
            for row in db.table(_ANONYMOUS).all():
                counts[row["poll_id"]] = counts.get(row["poll_id"], 0) + len(row["answers"])
            return counts

        return await self._db.run(read)

    async def ballots_of(self, member_key: str) -> list[Ballot]:
        rows = await self._db.run(
            lambda db: db.table(_BALLOTS).search(Query().member_key == member_key)
        )
        return [_ballot_from_row(r) for r in rows]

    async def participations_of(self, member_key: str) -> list[str]:
        rows = await self._db.run(
            lambda db: db.table(_PARTICIPATION).search(
                Query().members.test(lambda keys: member_key in keys)
            )
        )
        return sorted(row["poll_id"] for row in rows)

    async def forget(self, member_key: str) -> int:
        def write(db: TinyDB) -> int:
            changed = len(db.table(_BALLOTS).remove(Query().member_key == member_key))
            participation = db.table(_PARTICIPATION)
            for row in participation.search(Query().members.test(lambda k: member_key in k)):
                keys = [k for k in row["members"] if k != member_key]
                participation.update({"members": keys}, Query().poll_id == row["poll_id"])
                changed += 1
            polls = db.table(_POLLS)
            mine = Query().created_by == member_key
            changed += len(polls.remove(mine & (Query().status == "draft")))
            changed += len(polls.update({"created_by": ""}, mine))
            return changed

        changed = await self._db.run(write)
        await self._db.erase_history()
        return changed


class FakePollRepository:
    """In memory, same behaviour (tests and local experiments)."""

    def __init__(self) -> None:
        self.polls: dict[str, Poll] = {}
        self.named: dict[tuple[str, str], Ballot] = {}
        self.anonymous: dict[str, list[dict[str, AnswerValue]]] = {}
        self.participation: dict[str, list[str]] = {}

    async def save(self, poll: Poll) -> None:
        self.polls[poll.id] = poll

    async def get(self, poll_id: str) -> Poll | None:
        return self.polls.get(poll_id)

    async def all(self) -> list[Poll]:
        return sorted(self.polls.values(), key=lambda p: (p.created_at, p.id))

    async def delete(self, poll_id: str) -> bool:
        self.named = {k: v for k, v in self.named.items() if k[0] != poll_id}
        self.anonymous.pop(poll_id, None)
        self.participation.pop(poll_id, None)
        return self.polls.pop(poll_id, None) is not None

    async def record_named(
        self, poll_id: str, member_key: str, name: str, answers: Answers, at: datetime
    ) -> str:
        found = self.named.get((poll_id, member_key))
        if found is not None and found.answers == dict(answers):
            return "same"
        self.named[(poll_id, member_key)] = Ballot(
            poll_id, member_key, name, dict(answers), iso(at)
        )
        return "changed" if found else "created"

    async def record_anonymous(self, poll_id: str, member_key: str, answers: Answers) -> bool:
        keys = self.participation.get(poll_id, [])
        if member_key in keys:
            return False
        self.anonymous[poll_id] = _insert_at_random(self.anonymous.get(poll_id, []), dict(answers))
        self.participation[poll_id] = _with_member(keys, member_key)
        return True

    async def respondents(self, poll_id: str) -> set[str]:
        named = {key for (pid, key) in self.named if pid == poll_id}
        return named | set(self.participation.get(poll_id, []))

    async def answers(self, poll_id: str) -> list[dict[str, AnswerValue]]:
        named = [dict(b.answers) for (pid, _), b in self.named.items() if pid == poll_id]
        return named + [dict(a) for a in self.anonymous.get(poll_id, [])]

    async def ballots(self, poll_id: str) -> list[Ballot]:
        found = [b for (pid, _), b in self.named.items() if pid == poll_id]
        return sorted(found, key=lambda b: (b.name.casefold(), b.member_key))

    async def ballot(self, poll_id: str, member_key: str) -> Ballot | None:
        return self.named.get((poll_id, member_key))

    async def answer_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for pid, _ in self.named:
            counts[pid] = counts.get(pid, 0) + 1
        for pid, listed in self.anonymous.items():
            counts[pid] = counts.get(pid, 0) + len(listed)
        return counts

    async def ballots_of(self, member_key: str) -> list[Ballot]:
        return [b for (_, key), b in self.named.items() if key == member_key]

    async def participations_of(self, member_key: str) -> list[str]:
        return sorted(pid for pid, keys in self.participation.items() if member_key in keys)

    async def forget(self, member_key: str) -> int:
        doomed = [k for k in self.named if k[1] == member_key]
        for k in doomed:
            del self.named[k]
        changed = len(doomed)
        for pid, keys in self.participation.items():
            if member_key in keys:
                self.participation[pid] = [k for k in keys if k != member_key]
                changed += 1
        for pid, poll in list(self.polls.items()):
            if poll.created_by != member_key:
                continue
            changed += 1
            if poll.status == "draft":
                del self.polls[pid]
            else:
                self.polls[pid] = replace(poll, created_by="")
        return changed
