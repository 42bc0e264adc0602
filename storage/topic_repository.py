"""The topic bank: topics members propose and support, and the channel cards that show them.

A topic's supporters are member keys kept in the topic itself, so a support is one atomic
update of one record (``update``), never a counter that a redelivered click could bump twice.
Texts stored here have passed the de-identification guard (dialogs/deidentify.py) first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from tinydb import Query

from storage.records import change_row, rewrite_records, rewrite_rows
from storage.store import Database

TopicChange = Callable[["Topic"], "Topic | None"]
PairChange = Callable[["Topic", "Topic"], "tuple[Topic, Topic] | None"]


@dataclass(frozen=True)
class Topic:
    """``kind``: formatif | echange | reflexif | divers. ``status``: open (in the bank),
    scheduled (on ``meeting_id``'s agenda), treated, archived, merged (into ``merged_into``).
    Times are UTC ISO strings."""

    id: str
    title: str
    description: str
    kind: str
    presenter: str
    proposer_key: str
    proposer_name: str
    created_at: str
    status: str = "open"
    meeting_id: str = ""
    supporters: tuple[str, ...] = ()
    merged_into: str = ""
    updated_at: str = ""

    @property
    def support_count(self) -> int:
        return len(self.supporters)

    def supported_by(self, member_key: str) -> bool:
        return member_key in self.supporters


@dataclass(frozen=True)
class BoardPost:
    """A card of the bank's top topics posted in a channel (or chat): updated in place.
    ``outbox_key`` is the messenger's key of that conversation (for updates without a turn)."""

    conversation_id: str
    activity_id: str
    service_url: str
    locale: str
    posted_at: str
    outbox_key: str


@dataclass(frozen=True)
class Update:
    """A topic before and after an atomic change (``after is before`` when nothing changed)."""

    before: Topic
    after: Topic

    @property
    def changed(self) -> bool:
        return self.after != self.before


class TopicRepository(Protocol):
    async def add(self, topic: Topic) -> None: ...
    async def get(self, topic_id: str) -> Topic | None: ...
    async def all(self) -> list[Topic]: ...
    async def delete(self, topic_id: str) -> bool: ...

    async def update(self, topic_id: str, change: TopicChange) -> Update | None:
        """Apply ``change`` to the stored topic atomically (None from ``change``: keep it).
        None when the topic does not exist."""
        ...

    async def update_pair(
        self, first_id: str, second_id: str, change: PairChange
    ) -> tuple[Topic, Topic] | None:
        """Change two topics in one atomic write (merging). None when either is missing or
        ``change`` returns None."""
        ...

    async def forget_member(self, member_key: str) -> int:
        """Remove the member from every topic (supports, authorship); returns topics changed."""
        ...

    async def posts(self) -> list[BoardPost]: ...
    async def save_post(self, post: BoardPost) -> None: ...
    async def delete_post(self, conversation_id: str) -> None: ...


def _to_row(topic: Topic) -> dict[str, Any]:
    row = asdict(topic)
    row["supporters"] = list(topic.supporters)
    return row


def _from_row(row: Any) -> Topic:
    data = dict(row)
    data["supporters"] = tuple(data.get("supporters") or ())
    return Topic(**data)


def forget_in(topic: Topic, member_key: str) -> Topic:
    """The topic without the member: their support is removed, their authorship blanked."""
    changed = replace(topic, supporters=tuple(k for k in topic.supporters if k != member_key))
    if topic.proposer_key == member_key:
        changed = replace(changed, proposer_key="", proposer_name="")
    return changed


_TOPICS = "topics"
_POSTS = "posts"


class TinyDbTopicRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, topic: Topic) -> None:
        row = _to_row(topic)
        await self._db.run(lambda db: db.table(_TOPICS).insert(row))

    async def get(self, topic_id: str) -> Topic | None:
        row = await self._db.run(lambda db: db.table(_TOPICS).get(Query().id == topic_id))
        return _from_row(row) if isinstance(row, dict) else None

    async def all(self) -> list[Topic]:
        return await self._db.parsed_all(_TOPICS, _from_row)

    async def delete(self, topic_id: str) -> bool:
        removed = await self._db.run(lambda db: db.table(_TOPICS).remove(Query().id == topic_id))
        return bool(removed)

    async def update(self, topic_id: str, change: TopicChange) -> Update | None:
        found = await self._db.run(
            lambda db: change_row(db.table(_TOPICS), topic_id, _from_row, _to_row, change)
        )
        return None if found is None else Update(*found)

    async def update_pair(
        self, first_id: str, second_id: str, change: PairChange
    ) -> tuple[Topic, Topic] | None:
        def apply(db: Any) -> tuple[Topic, Topic] | None:
            table = db.table(_TOPICS)
            first, second = table.get(Query().id == first_id), table.get(Query().id == second_id)
            if not isinstance(first, dict) or not isinstance(second, dict):
                return None
            result = change(_from_row(first), _from_row(second))
            if result is None:
                return None
            # One write for both records: TinyDB rewrites the file once per call.
            rows = {t.id: _to_row(t) for t in result}
            table.update_multiple([(rows[i], Query().id == i) for i in rows])
            return result

        return await self._db.run(apply)

    async def forget_member(self, member_key: str) -> int:
        changed = await self._db.run(
            lambda db: rewrite_rows(
                db.table(_TOPICS), _from_row, _to_row, lambda r: forget_in(r, member_key)
            )
        )
        await self._db.erase_history()
        return changed

    async def posts(self) -> list[BoardPost]:
        rows = await self._db.run(lambda db: db.table(_POSTS).all())
        return [BoardPost(**row) for row in rows]

    async def save_post(self, post: BoardPost) -> None:
        row = asdict(post)
        await self._db.run(
            lambda db: db.table(_POSTS).upsert(row, Query().conversation_id == post.conversation_id)
        )

    async def delete_post(self, conversation_id: str) -> None:
        await self._db.run(
            lambda db: db.table(_POSTS).remove(Query().conversation_id == conversation_id)
        )


@dataclass
class FakeTopicRepository:
    topics: dict[str, Topic] = field(default_factory=dict)
    board_posts: dict[str, BoardPost] = field(default_factory=dict)

    async def add(self, topic: Topic) -> None:
        self.topics[topic.id] = topic

    async def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    async def all(self) -> list[Topic]:
        return list(self.topics.values())

    async def delete(self, topic_id: str) -> bool:
        return self.topics.pop(topic_id, None) is not None

    async def update(self, topic_id: str, change: TopicChange) -> Update | None:
        before = self.topics.get(topic_id)
        if before is None:
            return None
        after = change(before) or before
        self.topics[topic_id] = after
        return Update(before, after)

    async def update_pair(
        self, first_id: str, second_id: str, change: PairChange
    ) -> tuple[Topic, Topic] | None:
        first, second = self.topics.get(first_id), self.topics.get(second_id)
        if first is None or second is None:
            return None
        result = change(first, second)
        if result is None:
            return None
        for topic in result:
            self.topics[topic.id] = topic
        return result

    async def forget_member(self, member_key: str) -> int:
        return rewrite_records(self.topics, lambda r: forget_in(r, member_key))

    async def posts(self) -> list[BoardPost]:
        return list(self.board_posts.values())

    async def save_post(self, post: BoardPost) -> None:
        self.board_posts[post.conversation_id] = post

    async def delete_post(self, conversation_id: str) -> None:
        self.board_posts.pop(conversation_id, None)
