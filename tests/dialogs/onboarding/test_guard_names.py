"""``guard_names``: the names the de-identification guard must know, for every feature that
screens free text (roster, animateurs, sponsors, the caller), and its fallback."""

from __future__ import annotations

import pytest

from dialogs.onboarding import queries
from dialogs.onboarding.queries import guard_names, profile_repository
from storage.profile_repository import MemberProfile
from tests.dialogs.topics.conftest import BotHttp, services_of

pytestmark = pytest.mark.integration


async def test_the_roster_the_community_and_the_caller_once_each(bot_http: BotHttp) -> None:
    services = services_of(bot_http)
    repository = profile_repository(services)
    await repository.save(MemberProfile(key="k1", name="Julie Gagnon"))
    await repository.save(MemberProfile(key="k2", name=""))  # no name: nothing to look for
    community = services.profile.current
    people = [p.name for p in (*community.animateurs, *community.sponsors)]
    assert people  # the example community names some

    names = await guard_names(services, "Julie Gagnon")

    assert set(names) == {*people, "Julie Gagnon"}
    assert len(names) == len(set(names))
    assert "" not in names


async def test_an_unreadable_roster_leaves_the_community_and_the_caller(
    bot_http: BotHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_of(bot_http)

    async def broken(*_: object) -> list[queries.RosterEntry]:
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(queries, "roster", broken)
    community = services.profile.current
    people = {p.name for p in (*community.animateurs, *community.sponsors)}

    assert set(await guard_names(services, "Paul Côté")) == {*people, "Paul Côté"}
