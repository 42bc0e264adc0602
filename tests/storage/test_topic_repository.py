"""One contract suite for the topic and case repositories: TinyDB and the in-memory fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from dialogs.topics import rules
from storage.case_repository import Case, CaseRepository, FakeCaseRepository, TinyDbCaseRepository
from storage.store import Store
from storage.topic_repository import (
    BoardPost,
    FakeTopicRepository,
    TinyDbTopicRepository,
    Topic,
    TopicRepository,
)

AT = "2024-04-02T14:00:00+00:00"


def topic(topic_id: str, **changes: object) -> Topic:
    base = Topic(
        id=topic_id,
        title=f"Sujet {topic_id}",
        description="Une description",
        kind="echange",
        presenter="",
        proposer_key="alice",
        proposer_name="Alice Martin",
        created_at=AT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def case(case_id: str, **changes: object) -> Case:
    base = Case(
        id=case_id,
        title="Proche aidant épuisé",
        context="Usager de 67 ans.",
        tried="Répit offert.",
        blocks="Refus.",
        question="Que faire?",
        wishes=("advice", "resources"),
        desired_meeting_id="m1",
        submitter_key="alice",
        submitter_name="Alice Martin",
        created_at=AT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["tinydb", "fake"])
async def topics(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TopicRepository]:
    if request.param == "fake":
        yield FakeTopicRepository()
        return
    store = Store(tmp_path)
    yield TinyDbTopicRepository(store.database("topics"))
    store.close()


@pytest.fixture(params=["tinydb", "fake"])
async def cases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CaseRepository]:
    if request.param == "fake":
        yield FakeCaseRepository()
        return
    store = Store(tmp_path)
    yield TinyDbCaseRepository(store.database("cases"))
    store.close()


async def test_topic_round_trip(topics: TopicRepository) -> None:
    original = topic("t1", supporters=("bob", "carol"))
    await topics.add(original)
    assert await topics.get("t1") == original
    assert await topics.all() == [original]
    assert await topics.get("nope") is None
    assert await topics.delete("t1") is True
    assert await topics.delete("t1") is False
    assert await topics.all() == []


async def test_update_applies_a_change_and_reports_it(topics: TopicRepository) -> None:
    await topics.add(topic("t1"))
    first = await topics.update("t1", lambda t: rules.with_support(t, "bob", True))
    again = await topics.update("t1", lambda t: rules.with_support(t, "bob", True))
    assert first is not None
    assert first.changed
    assert again is not None
    assert not again.changed
    stored = await topics.get("t1")
    assert stored is not None
    assert stored.supporters == ("bob",)
    unchanged = await topics.update("t1", lambda t: None)
    assert unchanged is not None
    assert unchanged.after == stored
    assert await topics.update("missing", lambda t: t) is None


async def test_concurrent_supports_are_all_counted_once(topics: TopicRepository) -> None:
    await topics.add(topic("t1"))
    keys = [f"m{i}" for i in range(12)]
    await asyncio.gather(
        *(topics.update("t1", lambda t, k=k: rules.with_support(t, k, True)) for k in keys * 2)
    )
    stored = await topics.get("t1")
    assert stored is not None
    assert sorted(stored.supporters) == sorted(keys)


async def test_update_pair_changes_both_at_once(topics: TopicRepository) -> None:
    await topics.add(topic("s", supporters=("bob",)))
    await topics.add(topic("t", supporters=("carol",), proposer_key="dan"))
    result = await topics.update_pair("s", "t", lambda s, t: rules.merged(s, t, AT))
    assert result is not None
    source, target = await topics.get("s"), await topics.get("t")
    assert source is not None
    assert source.status == "merged"
    assert source.merged_into == "t"
    assert target is not None
    assert target.supporters == ("carol", "bob", "alice")
    assert await topics.update_pair("s", "t", lambda s, t: rules.merged(s, t, AT)) is None
    assert await topics.update_pair("s", "zz", lambda s, t: (s, t)) is None


async def test_forget_member_in_topics(topics: TopicRepository) -> None:
    await topics.add(topic("t1", supporters=("bob", "alice")))
    await topics.add(topic("t2", proposer_key="bob", proposer_name="Bob", supporters=("carol",)))
    await topics.add(topic("t3", proposer_key="carol"))
    assert await topics.forget_member("bob") == 2
    t1, t2, t3 = [await topics.get(i) for i in ("t1", "t2", "t3")]
    assert t1 is not None
    assert t1.supporters == ("alice",)
    assert t2 is not None
    assert (t2.proposer_key, t2.proposer_name, t2.title) == ("", "", "Sujet t2")
    assert t3 == topic("t3", proposer_key="carol")
    assert await topics.forget_member("bob") == 0


async def test_board_posts(topics: TopicRepository) -> None:
    post = BoardPost("19:c@thread.tacv2", "act-1", "https://s", "fr-CA", AT, "conversation:19:c")
    await topics.save_post(post)
    await topics.save_post(replace(post, activity_id="act-2"))  # one card per conversation
    assert await topics.posts() == [replace(post, activity_id="act-2")]
    await topics.delete_post(post.conversation_id)
    assert await topics.posts() == []


async def test_case_round_trip_and_update(cases: CaseRepository) -> None:
    original = case("c1")
    await cases.add(original)
    assert await cases.get("c1") == original
    assert await cases.all() == [original]
    result = await cases.update("c1", lambda c: rules.case_scheduled(c, "m1", AT))
    assert result is not None
    assert result[1].status == "scheduled"
    assert await cases.update("zz", lambda c: c) is None
    assert await cases.delete("c1") is True
    assert await cases.get("c1") is None


async def test_forget_member_in_cases(cases: CaseRepository) -> None:
    await cases.add(case("waiting"))
    await cases.add(case("discussed", status="treated", meeting_id="m1"))
    await cases.add(case("other", submitter_key="bob", submitter_name="Bob"))
    assert await cases.forget_member("alice") == (1, 1)
    assert await cases.get("waiting") is None
    kept = await cases.get("discussed")
    assert kept is not None
    assert (kept.submitter_key, kept.submitter_name) == ("", "")
    assert kept.context == "Usager de 67 ans."
    assert await cases.get("other") == case("other", submitter_key="bob", submitter_name="Bob")


async def test_tinydb_file_survives_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    await TinyDbTopicRepository(store.database("topics")).add(topic("t1", supporters=("b",)))
    await TinyDbCaseRepository(store.database("cases")).add(case("c1"))
    store.close()
    reopened = Store(tmp_path)
    assert await TinyDbTopicRepository(reopened.database("topics")).get("t1") == topic(
        "t1", supporters=("b",)
    )
    assert await TinyDbCaseRepository(reopened.database("cases")).get("c1") == case("c1")
    reopened.close()
