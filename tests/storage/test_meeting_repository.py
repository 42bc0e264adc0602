"""One contract suite for the TinyDB meeting repository and its in-memory fake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.meeting_repository import (
    AgendaEntry,
    CycleCalendar,
    FakeMeetingRepository,
    Meeting,
    MeetingRepository,
    Rsvp,
    TinyDbMeetingRepository,
)
from storage.store import Store

TZ = ZoneInfo("America/Montreal")
T0 = datetime(2030, 4, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["tinydb", "fake"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MeetingRepository]:
    if request.param == "fake":
        yield FakeMeetingRepository()
        return
    store = Store(tmp_path)
    yield TinyDbMeetingRepository(store.database("meetings"))
    store.close()


def meeting(meeting_id: str = "a1b2c3d4e5f6", day: int = 7, **fields: object) -> Meeting:
    base = Meeting(
        id=meeting_id,
        title="Journée régionale",
        committee_ids=("ch", "clsc"),
        starts_at=datetime(2030, 5, day, 9, 0, tzinfo=TZ),
        ends_at=datetime(2030, 5, day, 16, 0, tzinfo=TZ),
        mode="hybride",
        place="Salle 2-110",
        join_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_a%40thread.v2/0",
        specific_objectives=("Un", "Deux"),
        agenda=(
            AgendaEntry("13:15", "16:00", "atelier_conference", "Atelier", "K", "topic", "t1"),
        ),
        created_at=T0,
        reminders_sent=("unanswered-7d",),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


async def test_round_trip_keeps_every_field(repository: MeetingRepository) -> None:
    original = meeting(chat_conversation_id="19:meeting_x@thread.v2", card_activity_id="m1")
    await repository.save(original)
    found = await repository.get(original.id)
    assert found == original
    assert found is not None
    assert found.starts_at.tzinfo is not None
    assert await repository.get("missing") is None


async def test_save_replaces(repository: MeetingRepository) -> None:
    await repository.save(meeting())
    await repository.save(meeting(title="Nouveau titre", revision=2))
    assert [m.title for m in await repository.all()] == ["Nouveau titre"]


async def test_listing_by_start(repository: MeetingRepository) -> None:
    for meeting_id, day in (("c" * 12, 20), ("a" * 12, 7), ("b" * 12, 14)):
        await repository.save(meeting(meeting_id, day))
    assert [m.id for m in await repository.all()] == ["a" * 12, "b" * 12, "c" * 12]
    start = datetime(2030, 5, 7, 9, 0, tzinfo=TZ)
    between = await repository.starting_between(start, start + timedelta(days=7))
    assert [m.id for m in between] == ["a" * 12]  # the end is excluded


async def test_find_by_chat(repository: MeetingRepository) -> None:
    await repository.save(meeting(chat_conversation_id="19:meeting_x@thread.v2"))
    await repository.save(meeting("b" * 12))
    found = await repository.find_by_chat("19:meeting_x@thread.v2")
    assert found is not None
    assert found.id == "a1b2c3d4e5f6"
    assert await repository.find_by_chat("") is None
    assert await repository.find_by_chat("19:other") is None


async def test_answers(repository: MeetingRepository) -> None:
    first = await repository.set_rsvp(Rsvp("m1", "alice", "salle", T0))
    again = await repository.set_rsvp(Rsvp("m1", "alice", "salle", T0 + timedelta(minutes=1)))
    changed = await repository.set_rsvp(Rsvp("m1", "alice", "en_ligne", T0 + timedelta(minutes=2)))
    await repository.set_rsvp(Rsvp("m1", "benoit", "absent", T0 + timedelta(minutes=3)))
    await repository.set_rsvp(Rsvp("m2", "alice", "salle", T0))
    assert (first, again, changed) == (None, "salle", "salle")
    answers = await repository.rsvps("m1")
    assert [(a.member_key, a.choice) for a in answers] == [
        ("alice", "en_ligne"),
        ("benoit", "absent"),
    ]
    assert answers[0].at == T0 + timedelta(minutes=2)
    # by answer time: m2 (T0) before m1 (changed at T0 + 2 min)
    assert [a.meeting_id for a in await repository.rsvps_of("alice")] == ["m2", "m1"]


async def test_double_answer_keeps_the_first_time(repository: MeetingRepository) -> None:
    await repository.set_rsvp(Rsvp("m1", "alice", "salle", T0))
    await repository.set_rsvp(Rsvp("m1", "alice", "salle", T0 + timedelta(hours=1)))
    assert [a.at for a in await repository.rsvps("m1")] == [T0]


async def test_remove_answers_by_choice(repository: MeetingRepository) -> None:
    for key, choice in (("a", "salle"), ("b", "en_ligne"), ("c", "salle")):
        await repository.set_rsvp(Rsvp("m1", key, choice, T0))
    await repository.set_rsvp(Rsvp("m2", "a", "salle", T0))
    assert await repository.remove_rsvps("m1", ["salle"]) == ["a", "c"]
    assert [a.member_key for a in await repository.rsvps("m1")] == ["b"]
    assert len(await repository.rsvps("m2")) == 1
    assert await repository.remove_rsvps("m1", []) == []


async def test_forget_member(repository: MeetingRepository) -> None:
    await repository.set_rsvp(Rsvp("m1", "alice", "salle", T0))
    await repository.set_rsvp(Rsvp("m2", "alice", "absent", T0))
    await repository.set_rsvp(Rsvp("m1", "benoit", "salle", T0))
    assert await repository.forget_member("alice") == 2
    assert await repository.rsvps_of("alice") == []
    assert [a.member_key for a in await repository.rsvps("m1")] == ["benoit"]


async def test_naive_times_are_refused(repository: MeetingRepository) -> None:
    with pytest.raises(ValueError, match="aware"):
        await repository.save(meeting(starts_at=datetime(2030, 5, 7, 9, 0)))  # noqa: DTZ001


async def test_data_survives_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    await TinyDbMeetingRepository(store.database("meetings")).save(meeting())
    await TinyDbMeetingRepository(store.database("meetings")).set_rsvp(Rsvp("m", "k", "salle", T0))
    store.close()
    reopened = Store(tmp_path)
    repository = TinyDbMeetingRepository(reopened.database("meetings"))
    assert await repository.get("a1b2c3d4e5f6") == meeting()
    assert len(await repository.rsvps("m")) == 1
    reopened.close()


async def test_a_cycle_calendar_is_kept_per_cycle(repository: MeetingRepository) -> None:
    assert await repository.calendar("2027-2028") is None
    first = CycleCalendar("2027-2028", "19:cdep@thread.tacv2;messageid=1", "activity-9")
    await repository.save_calendar(first)
    await repository.save_calendar(CycleCalendar("2028-2029", "19:cdep@thread.tacv2", "a-2"))
    assert await repository.calendar("2027-2028") == first
    moved = CycleCalendar("2027-2028", "19:other@thread.tacv2", "activity-10")
    await repository.save_calendar(moved)
    assert await repository.calendar("2027-2028") == moved
    assert (await repository.calendar("2028-2029")) == CycleCalendar(
        "2028-2029", "19:cdep@thread.tacv2", "a-2"
    )
