"""One contract suite for the TinyDB poll repository and its in-memory twin, plus what the raw
data file holds for an anonymous poll."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.poll_repository import (
    Ballot,
    Choice,
    FakePollRepository,
    Poll,
    PollRepository,
    Question,
    TinyDbPollRepository,
    poll_from_row,
    poll_to_row,
)
from storage.store import Store

NOW = datetime(2024, 5, 7, 13, 0, tzinfo=UTC)


def make_poll(poll_id: str = "p1", **changes: object) -> Poll:
    values: dict[str, object] = {
        "id": poll_id,
        "kind": "satisfaction",
        "title": "Satisfaction",
        "questions": (
            Question(
                "q1", "single", "Mode?", (Choice("c1", "A"), Choice("c2", "B", exclusive=True))
            ),
            Question("q2", "scale", "Note?", low_label="Bas", high_label="Haut"),
        ),
        "status": "open",
        "anonymous": False,
        "visibility": "live",
        "audience": "channel",
        "deadline": "2024-05-14T21:00:00+00:00",
        "created_by": "anim",
        "created_at": NOW.isoformat(),
        "locale": "fr-CA",
        "audience_keys": ("m1", "m2", "m3"),
    }
    values.update(changes)
    return Poll(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["tinydb", "fake"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PollRepository]:
    if request.param == "fake":
        yield FakePollRepository()
        return
    store = Store(tmp_path)
    yield TinyDbPollRepository(store.database("polls"))
    store.close()


def test_row_round_trip() -> None:
    poll = make_poll(reminders_done=("48h",), meeting_id="m-1")
    assert poll_from_row(json.loads(json.dumps(poll_to_row(poll)))) == poll


async def test_save_get_all_delete(repo: PollRepository) -> None:
    await repo.save(make_poll("p2", created_at="2024-05-08T00:00:00+00:00"))
    await repo.save(make_poll("p1"))
    assert await repo.get("p1") == make_poll("p1")
    assert [p.id for p in await repo.all()] == ["p1", "p2"]
    await repo.save(make_poll("p1", title="Autre"))
    assert (await repo.get("p1")).title == "Autre"  # type: ignore[union-attr]
    await repo.record_named("p1", "m1", "Ana", {"q1": "c1"}, NOW)
    assert await repo.delete("p1") is True
    assert await repo.get("p1") is None
    assert await repo.answers("p1") == []
    assert await repo.delete("p1") is False


async def test_named_answer_created_changed_same(repo: PollRepository) -> None:
    await repo.save(make_poll())
    assert await repo.record_named("p1", "m1", "Ana", {"q1": "c1", "q2": 4}, NOW) == "created"
    assert await repo.record_named("p1", "m1", "Ana", {"q1": "c1", "q2": 4}, NOW) == "same"
    assert await repo.record_named("p1", "m1", "Ana", {"q1": "c2", "q2": 4}, NOW) == "changed"
    assert await repo.record_named("p1", "m2", "Ben", {"q1": "c1"}, NOW) == "created"
    assert await repo.respondents("p1") == {"m1", "m2"}
    assert sorted(a["q1"] for a in await repo.answers("p1")) == ["c1", "c2"]
    assert await repo.ballot("p1", "m1") == Ballot(
        "p1", "m1", "Ana", {"q1": "c2", "q2": 4}, "2024-05-07T13:00:00+00:00"
    )
    assert [b.name for b in await repo.ballots("p1")] == ["Ana", "Ben"]
    assert await repo.answer_counts() == {"p1": 2}


async def test_anonymous_answer_once_per_member(repo: PollRepository) -> None:
    await repo.save(make_poll(anonymous=True))
    assert await repo.record_anonymous("p1", "m1", {"q1": "c1"}) is True
    assert await repo.record_anonymous("p1", "m1", {"q1": "c2"}) is False
    assert await repo.record_anonymous("p1", "m2", {"q1": "c2"}) is True
    assert await repo.respondents("p1") == {"m1", "m2"}
    assert sorted(a["q1"] for a in await repo.answers("p1")) == ["c1", "c2"]
    assert await repo.ballot("p1", "m1") is None
    assert await repo.participations_of("m1") == ["p1"]
    assert await repo.answer_counts() == {"p1": 2}


async def test_concurrent_double_click_records_one_anonymous_answer(repo: PollRepository) -> None:
    await repo.save(make_poll(anonymous=True))
    outcomes = await asyncio.gather(
        *(repo.record_anonymous("p1", "m1", {"q1": "c1"}) for _ in range(5))
    )
    assert sorted(outcomes) == [False, False, False, False, True]
    assert len(await repo.answers("p1")) == 1


async def test_forget_member(repo: PollRepository) -> None:
    await repo.save(make_poll("named"))
    await repo.save(make_poll("anon", anonymous=True, created_by="m1"))
    await repo.save(make_poll("draft", status="draft", created_by="m1"))
    await repo.record_named("named", "m1", "Ana", {"q1": "c1"}, NOW)
    await repo.record_named("named", "m2", "Ben", {"q1": "c2"}, NOW)
    await repo.record_anonymous("anon", "m1", {"q1": "c1"})
    assert await repo.forget("m1") >= 4
    assert await repo.ballots_of("m1") == []
    assert await repo.participations_of("m1") == []
    assert await repo.get("draft") is None
    assert (await repo.get("anon")).created_by == ""  # type: ignore[union-attr]
    # The anonymous answer stays (it is nobody's); the other member's ballot stays.
    assert len(await repo.answers("anon")) == 1
    assert await repo.respondents("named") == {"m2"}


async def test_raw_file_holds_no_link_between_a_person_and_an_anonymous_answer(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    repo = TinyDbPollRepository(store.database("polls"))
    await repo.save(make_poll(anonymous=True))
    members = [f"member-{i:02d}" for i in range(8)]
    for i, key in enumerate(members):
        await repo.record_anonymous("p1", key, {"q1": "c1" if i % 2 else "c2", "q2": i % 5 + 1})
    # Nothing but the snapshot holds these tables: no journal line ties a member to an answer.
    journals = [p.read_text("utf-8") for p in tmp_path.iterdir() if ".journal" in p.name]  # noqa: ASYNC240
    assert not any(key in text for text in journals for key in members)
    store.close()
    raw = json.loads((tmp_path / "polls.json").read_text("utf-8"))
    answers_rows = list(raw["anonymous"].values())
    assert len(answers_rows) == 1
    for answer in answers_rows[0]["answers"]:
        assert set(answer) <= {"q1", "q2"}  # answers only: no key, name, time or order mark
    answers_text = json.dumps(raw["anonymous"])
    assert not any(key in answers_text for key in members)
    participation = list(raw["participation"].values())
    assert participation[0]["members"] == sorted(members)  # sorted: arrival order is lost
    assert set(participation[0]) == {"poll_id", "members"}
    assert "ballots" not in raw or raw["ballots"] == {}


async def test_anonymous_answers_are_not_kept_in_arrival_order(repo: PollRepository) -> None:
    """Each answer goes to a random place: with 20 distinct answers, keeping arrival order by
    chance has a probability of 1/20! (about 4e-19)."""
    await repo.save(make_poll(anonymous=True, questions=(Question("q9", "text", "Mot"),)))
    for i in range(20):
        await repo.record_anonymous("p1", f"m{i}", {"q9": f"answer {i:02d}"})
    stored = [a["q9"] for a in await repo.answers("p1")]
    assert sorted(stored) == [f"answer {i:02d}" for i in range(20)]
    assert stored != sorted(stored)
