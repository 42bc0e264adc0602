"""What other features may ask about the CdeP's members (meetings, presence, vitality…).

Everything here reads the onboarding profiles and never changes anything.

- :func:`active_members` and :func:`members_of_committees` return ``Member`` records
  (storage/member_repository.py). A person imported from a roster file who has never appeared in
  Teams comes back as ``Member(key="email:<address>", teams_user_id="")``: on the roster, but
  no 1:1 chat can be opened with them yet.
- :func:`roster` and :func:`profile_of` return :class:`RosterEntry` values (everyone, departed
  included). A member who erased their data ("mes données") is gone from both.

Arrival is the first time the person joined (``None`` when they were there before Veilleuse,
e.g. present when the bot was installed, or imported without a date); ``departed_on`` is set
while they are gone and cleared when they come back.

The words of « qui » are shared too: :func:`search_terms` (folded, stemmed, filler words off:
accent- and plural-tolerant matching) and :func:`split_tags` (free tags, folded duplicates off),
so the library searches and folds themes exactly as the directory does.

:func:`guard_names` gives the names the de-identification guard (dialogs/deidentify.py) must
know besides its own lists, for every feature that screens free text.

:func:`resource_persons` lists the members who opted in (profile) to receive ad hoc supervision
requests on the themes of their expertise (:func:`themes_match`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from dialogs.onboarding.rules import search_terms as search_terms
from dialogs.onboarding.rules import split_tags as split_tags
from dialogs.onboarding.rules import themes_match as themes_match
from dialogs.turn import Services
from storage.member_repository import Member
from storage.profile_repository import MemberProfile, ProfileRepository, TinyDbProfileRepository

logger = logging.getLogger(__name__)
COMPONENT = "onboarding.profiles"


def profile_repository(services: Services) -> ProfileRepository:
    return services.component(
        COMPONENT, lambda s: TinyDbProfileRepository(s.store.database("profiles"))
    )


@dataclass(frozen=True)
class RosterEntry:
    member_key: str
    name: str
    email: str
    discipline: str  # code: social_worker, psychologist, nurse, … ("" when unknown)
    institution: str
    institution_kind: str  # code: ch, clsc, palliative_home, community_org, other ("")
    territory: str
    committee_ids: tuple[str, ...]
    arrived_on: date | None
    departed_on: date | None
    rules_version: int  # the rules version the member acknowledged (0: never)
    in_directory: bool


def entry_of(profile: MemberProfile) -> RosterEntry:
    return RosterEntry(
        member_key=profile.key,
        name=profile.name,
        email=profile.email,
        discipline=profile.discipline,
        institution=profile.institution,
        institution_kind=profile.institution_kind,
        territory=profile.territory,
        committee_ids=profile.committee_ids,
        arrived_on=profile.arrived_on,
        departed_on=profile.departed_on,
        rules_version=profile.rules_version,
        in_directory=profile.in_directory,
    )


def was_active_on(profile: MemberProfile, day: date) -> bool:
    """Member on ``day``: arrived by then (or arrival unknown) and not departed by then."""
    arrived = profile.arrived_on is None or profile.arrived_on <= day
    return arrived and (profile.departed_on is None or profile.departed_on > day)


async def _member_of(services: Services, profile: MemberProfile) -> Member:
    found = await services.members.get(profile.key)
    if found is not None:
        return found
    return Member(key=profile.key, teams_user_id=profile.teams_user_id, name=profile.name)


async def _members(services: Services, profiles: Iterable[MemberProfile]) -> list[Member]:
    ordered = sorted(profiles, key=lambda p: (p.name.casefold(), p.key))
    return [await _member_of(services, p) for p in ordered]


async def active_members(services: Services, at: datetime | None = None) -> list[Member]:
    """Members of the CdeP now, or on the day of ``at`` (community time zone), by name."""
    profiles = await profile_repository(services).all()
    if at is None:
        return await _members(services, (p for p in profiles if p.is_active))
    day = at.astimezone(services.timezone).date()
    return await _members(services, (p for p in profiles if was_active_on(p, day)))


async def members_of_committees(services: Services, committee_ids: Iterable[str]) -> list[Member]:
    """Active members whose profile lists one of ``committee_ids``, by name."""
    wanted = set(committee_ids)
    profiles = await profile_repository(services).all()
    return await _members(
        services, (p for p in profiles if p.is_active and wanted & set(p.committee_ids))
    )


async def roster(services: Services) -> list[RosterEntry]:
    """Everyone the CdeP has had (departed included), by name."""
    profiles = await profile_repository(services).all()
    return [entry_of(p) for p in sorted(profiles, key=lambda p: (p.name.casefold(), p.key))]


async def profile_of(services: Services, member_key: str) -> RosterEntry | None:
    found = await profile_repository(services).get(member_key)
    return entry_of(found) if found else None


async def guard_names(services: Services, caller_name: str = "") -> list[str]:
    """Names the de-identification guard looks for besides its own lists: everyone on the
    roster (departed included), the community's animateurs and sponsors, and ``caller_name``.
    A roster that cannot be read leaves the others: never block a submission on this."""
    community = services.profile.current
    names = [person.name for person in (*community.animateurs, *community.sponsors)]
    try:
        names += [entry.name for entry in await roster(services)]
    except Exception:  # the guard's own lists still apply
        logger.exception("roster lookup for the de-identification guard failed")
    names.append(caller_name)
    return list(dict.fromkeys(n for n in names if n))


async def resource_persons(services: Services, themes: Iterable[str]) -> list[Member]:
    """Active members who opted in as resource persons and whose expertise matches one of
    ``themes`` (folded, plural-tolerant), by name."""
    wanted = tuple(themes)
    profiles = await profile_repository(services).all()
    return await _members(
        services,
        (
            p
            for p in profiles
            if p.is_active and p.resource_person and themes_match(wanted, p.expertise)
        ),
    )
