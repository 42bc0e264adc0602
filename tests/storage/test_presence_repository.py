"""One contract suite for TinyDbPresenceRepository and FakePresenceRepository."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.presence_repository import (
    FORGOTTEN,
    Certificate,
    CheckIn,
    CheckinCode,
    Correction,
    FakePresenceRepository,
    GraphAttendee,
    ImportState,
    LiveEvent,
    PresenceRepository,
    TinyDbPresenceRepository,
)
from storage.store import Store

T0 = datetime(2024, 5, 7, 13, 0, tzinfo=UTC)


@pytest.fixture(params=["tinydb", "fake"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PresenceRepository]:
    if request.param == "fake":
        yield FakePresenceRepository()
        return
    store = Store(tmp_path)
    yield TinyDbPresenceRepository(store.database("presence"))
    store.close()


def _attendee(report: str, identity: str, email: str = "", minutes: int = 60) -> GraphAttendee:
    return GraphAttendee(
        "m1", report, identity, email, "Name", "Attendee", ((T0, T0 + timedelta(minutes=minutes)),)
    )


def _certificate(code: str, minutes: int, member: str = "a", kind: str = "meeting") -> Certificate:
    return Certificate(code, kind, member, "Sophie", "m1", "Journée", "2024-05-07", minutes, T0)


async def test_live_events_are_stored_once(repo: PresenceRepository) -> None:
    event = LiveEvent("m1", "a", "join", T0, "a@x.example")
    assert await repo.add_live_event(event)
    assert not await repo.add_live_event(event)
    assert await repo.add_live_event(LiveEvent("m1", "a", "leave", T0 + timedelta(hours=1)))
    assert await repo.add_live_event(LiveEvent("m2", "a", "join", T0))
    found = await repo.live_events("m1")
    assert [(e.kind, e.at) for e in found] == [("join", T0), ("leave", T0 + timedelta(hours=1))]
    assert found[0].email == "a@x.example"
    assert found[0].at.tzinfo is not None


async def test_checkins_once_per_member(repo: PresenceRepository) -> None:
    assert await repo.add_checkin(CheckIn("m1", "a", T0))
    assert not await repo.add_checkin(CheckIn("m1", "a", T0 + timedelta(minutes=5)))
    assert await repo.add_checkin(CheckIn("m1", "b", T0))
    assert [(c.member_key, c.at) for c in await repo.checkins("m1")] == [("a", T0), ("b", T0)]
    assert await repo.checkins("m2") == []


async def test_checkin_code_is_kept(repo: PresenceRepository) -> None:
    first = await repo.checkin_code("m1", CheckinCode("m1", "1234", T0))
    second = await repo.checkin_code("m1", CheckinCode("m1", "9999", T0))
    assert first.code == second.code == "1234"
    assert (await repo.checkin_code("m2", CheckinCode("m2", "5555", T0))).code == "5555"


async def test_code_failures_count(repo: PresenceRepository) -> None:
    assert await repo.code_failures("m1", "a") == 0
    assert await repo.add_code_failure("m1", "a") == 1
    assert await repo.add_code_failure("m1", "a") == 2
    assert await repo.code_failures("m1", "a") == 2
    assert await repo.code_failures("m1", "b") == 0


async def test_graph_attendees_replaced_idempotently(repo: PresenceRepository) -> None:
    attendees = [_attendee("r1", "x"), _attendee("r2", "y", "y@x.example")]
    assert await repo.replace_graph_attendees("m1", attendees)
    assert not await repo.replace_graph_attendees("m1", list(reversed(attendees)))
    found = await repo.graph_attendees("m1")
    assert [(a.report_id, a.identity_id) for a in found] == [("r1", "x"), ("r2", "y")]
    assert found[0].intervals == ((T0, T0 + timedelta(minutes=60)),)
    assert await repo.replace_graph_attendees("m1", [_attendee("r1", "x", minutes=90)])
    assert len(await repo.graph_attendees("m1")) == 1


async def test_corrections_in_order(repo: PresenceRepository) -> None:
    late = Correction(
        "c2", "m1", "a", "remove", None, "salle", "erreur", "anim", T0 + timedelta(hours=1)
    )
    early = Correction("c1", "m1", "a", "adjust", 120, "salle", "oubli", "anim", T0)
    await repo.add_correction(late)
    await repo.add_correction(early)
    assert [c.id for c in await repo.corrections("m1")] == ["c1", "c2"]
    assert (await repo.corrections("m1"))[1].minutes is None


async def test_import_state_round_trip(repo: PresenceRepository) -> None:
    state = ImportState(
        "m1", "pending", 1, T0, T0, next_at=T0 + timedelta(minutes=5), requested_by="anim"
    )
    await repo.save_import(state)
    assert await repo.get_import("m1") == state
    done = ImportState("m1", "done", 1, T0, T0, result="ok", imported_at=T0, runs=1)
    await repo.save_import(done)
    assert await repo.imports() == [done]
    assert await repo.get_import("m2") is None


async def test_certificates_supersede(repo: PresenceRepository) -> None:
    await repo.add_certificate(_certificate("AAAA-1111", 300))
    await repo.add_certificate(_certificate("BBBB-2222", 345))
    await repo.add_certificate(_certificate("YYYY-0000", 345, kind="year"))
    current = await repo.current_certificate("a", "meeting", "m1")
    assert current is not None
    assert current.code == "BBBB-2222"
    old = await repo.certificate("AAAA-1111")
    assert old is not None
    assert old.superseded
    assert [c.code for c in await repo.certificates_of("a")] == ["BBBB-2222", "YYYY-0000"]
    assert [c.code for c in await repo.certificates_issued(T0, T0 + timedelta(days=1))] == [
        "BBBB-2222"
    ]
    assert await repo.certificates_issued(T0 + timedelta(days=1), T0 + timedelta(days=2)) == []


async def test_certificates_revoked(repo: PresenceRepository) -> None:
    await repo.add_certificate(_certificate("AAAA-1111", 300))
    await repo.add_certificate(_certificate("BBBB-2222", 345))  # supersedes AAAA-1111
    await repo.add_certificate(_certificate("CCCC-3333", 240, member="b"))
    await repo.add_certificate(_certificate("YYYY-0000", 345, kind="year"))
    assert [c.code for c in await repo.certificates_for("meeting", "m1")] == [
        "BBBB-2222",
        "CCCC-3333",
    ]
    later = T0 + timedelta(days=2)

    revoked = await repo.revoke_certificate("BBBB-2222", later)
    assert revoked is not None
    assert (revoked.code, revoked.revoked_at, revoked.revoked, revoked.current) == (
        "BBBB-2222",
        later,
        True,
        False,
    )
    # Only a current certificate can be revoked, once.
    assert await repo.revoke_certificate("BBBB-2222", later) is None
    assert await repo.revoke_certificate("AAAA-1111", later) is None  # superseded
    assert await repo.revoke_certificate("ZZZZ-9999", later) is None

    kept = await repo.certificate("BBBB-2222")
    assert kept is not None
    assert (kept.revoked_at, kept.credited_minutes) == (later, 345)
    assert await repo.current_certificate("a", "meeting", "m1") is None
    assert [c.code for c in await repo.certificates_of("a")] == ["YYYY-0000"]
    assert [c.code for c in await repo.certificates_for("meeting", "m1")] == ["CCCC-3333"]
    assert [c.code for c in await repo.certificates_issued(T0, T0 + timedelta(days=1))] == [
        "CCCC-3333"
    ]
    # A new certificate for the same meeting is current again; the revoked one stays revoked.
    await repo.add_certificate(_certificate("DDDD-4444", 360))
    current = await repo.current_certificate("a", "meeting", "m1")
    assert current is not None
    assert current.code == "DDDD-4444"
    again = await repo.certificate("BBBB-2222")
    assert again is not None
    assert again.revoked


async def test_claim_once(repo: PresenceRepository) -> None:
    assert not await repo.claimed("checkin-card:m1")
    assert await repo.claim_once("checkin-card:m1")
    assert not await repo.claim_once("checkin-card:m1")
    assert await repo.claimed("checkin-card:m1")
    assert not await repo.claimed("checkin-card:m2")
    assert await repo.claim_once("checkin-card:m2")


async def test_corrections_at_the_same_instant_keep_their_order(repo: PresenceRepository) -> None:
    for index, kind in enumerate(("remove", "revoke", "revoke_year")):
        await repo.add_correction(
            Correction(f"z{9 - index}", "m1", "a", kind, None, "", "r", "anim", T0)
        )
    assert [c.kind for c in await repo.corrections("m1")] == ["remove", "revoke", "revoke_year"]


async def test_forget_member_keeps_certificates_without_identity(repo: PresenceRepository) -> None:
    await repo.add_live_event(LiveEvent("m1", "a", "join", T0, "a@x.example"))
    await repo.add_live_event(LiveEvent("m1", "b", "join", T0))
    await repo.add_checkin(CheckIn("m1", "a", T0))
    await repo.add_code_failure("m1", "a")
    await repo.replace_graph_attendees(
        "m1", [_attendee("r1", "a"), _attendee("r1", "guest", "a@x.example"), _attendee("r1", "b")]
    )
    await repo.add_correction(Correction("c1", "m1", "a", "adjust", 60, "salle", "oubli", "b", T0))
    await repo.add_correction(Correction("c2", "m1", "b", "adjust", 60, "salle", "oubli", "a", T0))
    await repo.add_certificate(_certificate("AAAA-1111", 300))
    assert (await repo.member_records("a"))["checkins"]

    assert await repo.forget_member("a", ("A@x.example",)) > 0

    assert [e.member_key for e in await repo.live_events("m1")] == ["b"]
    assert await repo.checkins("m1") == []
    assert await repo.code_failures("m1", "a") == 0
    assert [a.identity_id for a in await repo.graph_attendees("m1")] == ["b"]
    first, second = await repo.corrections("m1")
    assert (first.member_key, first.reason, first.by) == (FORGOTTEN, "", "b")
    assert (second.member_key, second.by) == ("b", FORGOTTEN)
    kept = await repo.certificate("AAAA-1111")
    assert kept is not None
    assert (kept.member_key, kept.member_name, kept.credited_minutes) == ("", "", 300)
    assert await repo.certificates_of("a") == []
    records = await repo.member_records("a")
    assert all(rows == [] for rows in records.values())
