"""What polls need from the rest of the bot: their repository, the anonymity threshold, the
audience (from the onboarding profiles), and where a turn's conversation can be reached later."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.onboarding import queries as onboarding
from dialogs.polls import rules
from dialogs.turn import Services, Turn
from storage.conversation_repository import conversation_key, personal_key
from storage.member_repository import Member
from storage.poll_repository import Poll, PollRepository, TinyDbPollRepository

logger = logging.getLogger(__name__)

COMPONENT = "polls"
# A test may put an object with ``active_members(services)`` and
# ``members_of_committees(services, ids)`` here instead of the onboarding queries.
AUDIENCE_COMPONENT = "polls.audience"
_THREAD_SUFFIX = ";messageid="


def poll_repository(services: Services) -> PollRepository:
    return services.component(COMPONENT, lambda s: TinyDbPollRepository(s.store.database("polls")))


def new_id() -> str:
    return secrets.token_hex(5)


def threshold(services: Services) -> int:
    configured = getattr(services.profile.current, "small_group_threshold", None)
    return rules.small_group_threshold(configured)


@dataclass(frozen=True)
class Place:
    """Where a turn happens: the messenger's key, the Teams conversation id (without a channel
    thread suffix), and whether it is shared (a channel or a group chat)."""

    key: str
    conversation_id: str
    shared: bool


def place_of(turn: Turn) -> Place:
    base = turn.where.conversation_id.split(_THREAD_SUFFIX)[0]
    if turn.where.personal:
        return Place(personal_key(turn.caller.member_key), base, False)
    return Place(conversation_key(base), base, True)


def in_poll_conversation(turn: Turn, poll: Poll) -> bool:
    return bool(poll.conversation_id) and place_of(turn).conversation_id == poll.conversation_id


async def audience_members(
    services: Services, audience: str, committee_id: str
) -> list[Member] | None:
    """The members a poll is for; None when no feature keeps member profiles (the audience is
    then unknown). Members are sorted by name, departed ones left out."""
    source = services.components.get(AUDIENCE_COMPONENT) or onboarding
    try:
        if audience == "committee":
            found = await source.members_of_committees(services, [committee_id])
        else:
            found = await source.active_members(services)
    except Exception:  # another feature's failure must not stop a poll
        logger.exception("audience lookup failed (%s)", audience)
        return None
    return list(found)


def members_may_create(services: Services) -> bool:
    """Whether the community profile lets members (not only animateurs) create polls."""
    return services.profile.current.members_can_create_polls


def committee_name(services: Services, committee_id: str, locale: str) -> str:
    committee = services.profile.current.committee(committee_id)
    return committee.name.get(locale) if committee else committee_id


def committee_ids(services: Services) -> list[str]:
    return [c.id for c in services.profile.current.committees]


async def teams_ids(services: Services, member_keys: Sequence[str], limit: int = 60) -> list[str]:
    """The Teams (29:) ids of these members, for a card's automatic refresh (at most 60)."""
    found: list[str] = []
    for key in member_keys:
        member = await services.members.get(key)
        if member is not None and member.teams_user_id and member.teams_user_id not in found:
            found.append(member.teams_user_id)
        if len(found) >= limit:
            break
    return found
