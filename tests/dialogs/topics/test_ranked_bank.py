"""The ranked bank is reused while the store hands back the same topics, and recomputed as soon
as one topic changes (a support, a new topic, a status)."""

from __future__ import annotations

from dataclasses import replace

from dialogs.topics import rules
from dialogs.topics.handlers import RankedBank
from storage.topic_repository import Topic


def topic(n: int, supporters: int = 0, kind: str = "formatif") -> Topic:
    return Topic(
        id=f"t{n}",
        title=f"Sujet {n}",
        description="",
        kind=kind,
        presenter="",
        proposer_key="m",
        proposer_name="M",
        created_at=f"2026-01-{n + 1:02d}T12:00:00Z",
        supporters=tuple(f"m{k}" for k in range(supporters)),
    )


def test_same_topics_give_the_same_ranking_without_sorting_again() -> None:
    bank = RankedBank()
    topics = [topic(0), topic(1, 2), topic(2, 1)]
    first = bank.ranked(list(topics), "", "active")
    assert [t.id for t in first] == ["t1", "t2", "t0"]
    assert bank.ranked(list(topics), "", "active") is first  # reused


def test_a_changed_topic_is_ranked_again() -> None:
    bank = RankedBank()
    topics = [topic(0), topic(1, 2), topic(2, 1)]
    bank.ranked(list(topics), "", "active")
    supported = [replace(topics[0], supporters=("a", "b", "c")), topics[1], topics[2]]
    assert [t.id for t in bank.ranked(supported, "", "active")] == ["t0", "t1", "t2"]
    added = [*supported, topic(3, 5)]
    assert [t.id for t in bank.ranked(added, "", "active")][0] == "t3"
    archived = [replace(added[0], status="archived"), *added[1:]]
    assert "t0" not in [t.id for t in bank.ranked(archived, "", "active")]


def test_each_filter_has_its_own_ranking() -> None:
    bank = RankedBank()
    topics = [topic(0, kind="echange"), topic(1, 2), topic(2, 1, kind="echange")]
    assert [t.id for t in bank.ranked(topics, "echange", "active")] == ["t2", "t0"]
    assert [t.id for t in bank.ranked(topics, "", "active")] == ["t1", "t2", "t0"]
    assert bank.ranked(topics, "echange", "active") == rules.ranked(
        rules.filtered(topics, "echange", "active")
    )
