"""Onboarding of a member: the welcome dossier, arrivals and departures (Teams events), the
profile form, the rules of the frame (and asking again when they change), the follow-up.

Proactive messages go through the messenger with item ids that make each go out at most once:
``welcome:<member>``, ``welcome-back:<member>:<date>``, ``rules:<version>:<member>``,
``followup:<member>``. Jobs: ``onboarding:rules-check`` (at start, then every 15 minutes) and
``onboarding:followup:<member>`` (planned at arrival or when a mentor is named, rebuilt from the
stored profiles at every start). Logs carry ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from cards.i18n import SUPPORTED_LOCALES, Translator, choose_locale
from cards.onboarding import (
    LinkView,
    MeetingView,
    NoticeLink,
    ProfileFormView,
    WelcomeView,
    build_followup_card,
    build_notice_card,
    build_profile_form_card,
    build_profile_review_card,
    build_rules_card,
    build_welcome_card,
)
from dialogs.events import Person
from dialogs.feature import PlannedJob, feature_hooks
from dialogs.onboarding import rules
from dialogs.onboarding.profiles import (
    RULES_JOB,
    SETTING_RULES_ASKED,
    committee_choices,
    community_of,
    email_from_teams,
    first_name,
    followup_days,
    followup_job_id,
    local_day,
    profile_store,
    reachable,
    today_in,
    translator_for,
)
from dialogs.outreach import card_activity, direct
from dialogs.turn import CardReply, DomainError, RosterUnavailable, Services, Turn
from storage.community import CommunityProfile
from storage.member_repository import Member, member_key
from storage.outbox_repository import OutboxItem
from storage.profile_repository import MemberProfile, ProfileRepository

logger = logging.getLogger(__name__)


# ---- the welcome dossier ---------------------------------------------------------------------


async def _next_meeting(services: Services) -> MeetingView | None:
    """The next planned meeting, from the feature offering ``upcoming_meetings`` (meetings;
    dialogs/events.py), if any."""
    found: list[Any] = []
    try:
        for upcoming in feature_hooks(services, "upcoming_meetings"):
            found.extend(await upcoming(services, services.clock()))
    except Exception:  # the welcome goes out even when another feature fails
        logger.exception("next meeting lookup failed")
        return None
    now = services.clock()
    for meeting in found:
        starts_at = getattr(meeting, "starts_at", None)
        if isinstance(starts_at, datetime) and starts_at > now:
            return MeetingView(
                title=str(getattr(meeting, "title", "") or ""),
                starts_at=starts_at.astimezone(services.timezone),
                mode=str(getattr(meeting, "mode", "") or ""),
                place=str(getattr(meeting, "place", "") or ""),
                join_url=str(getattr(meeting, "join_url", "") or ""),
            )
    return None


async def _essentials(services: Services) -> list[LinkView]:
    """The library's essential resources, from the features offering ``welcome_resources``
    (dialogs/events.py): anything with ``title`` and an https ``url``."""
    found: list[LinkView] = []
    try:
        for hook in feature_hooks(services, "welcome_resources"):
            for item in await hook(services):
                title = str(getattr(item, "title", "") or "")
                url = str(getattr(item, "url", "") or "")
                if title and url.startswith("https://"):
                    found.append(LinkView(title, url))
    except Exception:  # the welcome goes out even when another feature fails
        logger.exception("welcome resources lookup failed")
        return []
    return found


async def welcome_card(
    services: Services,
    profile: MemberProfile | None,
    name: str,
    t: Translator,
    *,
    returning: bool = False,
    greet: bool = False,
) -> dict[str, Any]:
    community = community_of(services)
    version = community.rules.version
    mentor = (
        await profile_store(services).get(profile.mentor_key)
        if profile and profile.mentor_key
        else None
    )
    acknowledged = profile is not None and profile.rules_version >= version
    changes = ""
    if community.rules.changes and rules.rules_changed_for(profile, version):
        changes = community.rules.changes.get(t.locale)
    view = WelcomeView(
        community=community.short_name,
        first_name=first_name(name),
        returning=returning,
        greet=greet,
        domain=community.domain.get(t.locale),
        mandate=community.mandate.get(t.locale),
        objectives=[o.get(t.locale) for o in community.objectives],
        napperon=community.napperon.get(t.locale),
        rules=[item.get(t.locale) for item in community.rules.items],
        rules_version=version,
        rules_changes=changes,
        rules_acknowledged_on=local_day(services, profile.rules_acknowledged_at)
        if acknowledged and profile
        else None,
        profile_done=profile is not None and profile.profile_saved_at is not None,
        meeting=await _next_meeting(services),
        mentor_name=mentor.name if mentor else "",
        animateurs=[
            (a.name, a.title.get(t.locale) if a.title else "") for a in community.animateurs
        ],
        links=[LinkView(link.title.get(t.locale), link.url) for link in community.welcome_links],
        essentials=await _essentials(services),
    )
    return build_welcome_card(view, t)


async def show_welcome(turn: Turn) -> None:
    profile = await profile_store(turn.services).get(turn.caller.member_key)
    await turn.send_card(await welcome_card(turn.services, profile, turn.caller.name, turn.t))


async def show_welcome_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    profile = await profile_store(turn.services).get(turn.caller.member_key)
    return CardReply(await welcome_card(turn.services, profile, turn.caller.name, turn.t))


# ---- arrivals and departures -----------------------------------------------------------------


async def _claim_import(
    repo: ProfileRepository, key: str, email: str, teams_user_id: str
) -> MemberProfile | None:
    """A record imported from a roster file under this e-mail becomes the member's own."""
    if not email:
        return None
    found = await repo.find_by_email(email)
    if found is None or not found.is_imported_only:
        return None
    claimed = replace(found, key=key, teams_user_id=teams_user_id)
    await repo.move(found.key, claimed)
    logger.info("imported roster record claimed by member %s", key)
    return claimed


async def arrive(
    services: Services, person: Person, service_url: str, *, joined_team: bool
) -> tuple[rules.Arrival, list[OutboxItem]]:
    """Record that ``person`` joined the team (``joined_team``) or installed the bot; returns
    what kind of arrival it was and the welcome to send (none for a member already welcomed).

    Joining the team dates the arrival, even for someone already on an imported roster; a
    personal installation only dates the arrival of someone Veilleuse did not know."""
    key = member_key(person.teams_user_id, person.aad_object_id)
    stored = await services.members.get(key)
    member = Member(
        key=key,
        teams_user_id=person.teams_user_id,
        aad_object_id=person.aad_object_id or (stored.aad_object_id if stored else ""),
        name=person.name or (stored.name if stored else ""),
        locale=stored.locale if stored else "",
        tenant_id=person.tenant_id or (stored.tenant_id if stored else ""),
        service_url=service_url or (stored.service_url if stored else ""),
    )
    if member != stored:
        await services.members.save(member)
    repo = profile_store(services)
    existing = await repo.get(key) or await _claim_import(
        repo, key, person.email, person.teams_user_id
    )
    kind = rules.arrival_of(existing)
    now = services.clock()
    today = today_in(services)
    base = existing or MemberProfile(key=key, arrived_on=today)
    if joined_team and kind is rules.Arrival.new and base.arrived_on is None:
        base = replace(base, arrived_on=today)
    profile = replace(
        base,
        name=member.name or base.name,
        email=base.email or person.email,
        teams_user_id=person.teams_user_id,
        updated_at=now,
    )
    if kind is rules.Arrival.known:
        if profile != replace(base, updated_at=now):
            await repo.save(profile)
        return kind, []
    if kind is rules.Arrival.returning:
        profile = replace(profile, departed_on=None, returned_on=today, welcomed_at=now)
        item_id = f"welcome-back:{key}:{today.isoformat()}"
    else:
        profile = replace(profile, welcomed_at=now)
        if profile.arrived_on == today and profile.followup_sent_at is None:
            days = await followup_days(services)
            due = rules.followup_due(now, days, services.timezone)
            profile = replace(profile, followup_due_at=due)
        item_id = f"welcome:{key}"
    await repo.save(profile)
    if profile.followup_due_at and profile.followup_sent_at is None:
        schedule_followup(services, profile)
    t = translator_for(services, member)
    card = await welcome_card(
        services,
        profile,
        member.name,
        t,
        returning=kind is rules.Arrival.returning,
        greet=True,
    )
    logger.info("member %s arrived (%s)", key, kind)
    return kind, [direct(member, item_id, card_activity(card))]


async def _completed(turn: Turn, person: Person) -> Person:
    """The tenant and e-mail of an added person: from the event, else from what Teams sent with
    the turn (``turn.where``; docs/PLATFORM.md §3.6), else from the roster."""
    email = person.email
    if not email:
        email = turn.where.added_emails.get(person.teams_user_id, "")
    if not email:
        email = await email_from_teams(turn, person.teams_user_id)
    return replace(person, tenant_id=person.tenant_id or turn.where.tenant_id, email=email)


async def on_members_added(turn: Turn, people: list[Person]) -> None:
    """Someone joined the CdeP's team: welcome them in a 1:1 chat (group and meeting chats are
    not the community)."""
    if not turn.where.in_team:
        return
    items: list[OutboxItem] = []
    service_url = turn.where.service_url
    for person in people:
        person = await _completed(turn, person)
        _, welcome = await arrive(turn.services, person, service_url, joined_team=True)
        items.extend(welcome)
    if items:
        await turn.services.messenger.enqueue(items)


async def on_members_removed(turn: Turn, people: list[Person]) -> None:
    """Someone left the team: they are marked departed with the date; nothing is deleted."""
    if not turn.where.in_team:
        return
    repo = profile_store(turn.services)
    today = today_in(turn.services)
    now = turn.services.clock()
    for person in people:
        key = member_key(person.teams_user_id, person.aad_object_id)
        profile = await repo.get(key) or await repo.find_by_teams_id(person.teams_user_id)
        if profile is None:
            profile = MemberProfile(key=key, name=person.name, teams_user_id=person.teams_user_id)
        if not profile.is_active:
            continue
        await repo.save(replace(profile, departed_on=today, updated_at=now))
        turn.services.jobs.cancel(followup_job_id(profile.key))
        logger.info("member %s departed", profile.key)


async def on_bot_installed(turn: Turn, scope: str) -> bool:
    """Personal install: the welcome dossier (or nothing new for a member already welcomed).
    Team install: the team's members are recorded as present (no welcome: they were there
    before Veilleuse)."""
    if scope == "personal":
        caller = turn.caller
        person = Person(
            teams_user_id=caller.teams_user_id,
            aad_object_id=caller.aad_object_id,
            name=caller.name,
            tenant_id=turn.where.tenant_id,
        )
        profile = await profile_store(turn.services).get(caller.member_key)
        if profile is not None and not profile.is_active:
            return False  # installing the app does not bring someone back into the team
        if profile is None or not profile.email:
            person = replace(person, email=await email_from_teams(turn, caller.teams_user_id))
        service_url = turn.where.service_url
        kind, items = await arrive(turn.services, person, service_url, joined_team=False)
        if items:
            await turn.services.messenger.enqueue(items)
        return kind is not rules.Arrival.known
    if turn.where.in_team:
        await _record_team_members(turn)
    return False


async def _record_team_members(turn: Turn) -> None:
    """Best effort: the team roster, so `membres` is right from the first day."""
    try:
        found = await turn.roster.members()
    except RosterUnavailable:  # without the roster, members are recorded as they appear
        logger.warning("team roster unavailable at installation", exc_info=True)
        return
    repo = profile_store(turn.services)
    now = turn.services.clock()
    known = {p.key for p in await repo.all()}
    bot_id = turn.where.bot_id
    new: list[MemberProfile] = []
    for account in found:
        user_id = account.teams_user_id
        if not user_id or user_id == bot_id:
            continue
        key = member_key(user_id, account.aad_object_id or None)
        if key in known:
            continue
        new.append(
            MemberProfile(
                key=key,
                name=account.name,
                email=account.email,
                teams_user_id=user_id,
                updated_at=now,
            )
        )
    await repo.save_many(new)
    logger.info("team installation: %d members recorded", len(new))


# ---- profile ---------------------------------------------------------------------------------


async def _profile_form(
    turn: Turn, draft: rules.ProfileDraft, errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    view = ProfileFormView(
        values=draft.as_data(),
        errors=dict(errors or {}),
        committees=committee_choices(turn.services, turn.t),
    )
    return build_profile_form_card(view, turn.t)


async def _stored_draft(turn: Turn) -> rules.ProfileDraft:
    profile = await profile_store(turn.services).get(turn.caller.member_key)
    member = await turn.services.members.get(turn.caller.member_key)
    locale = choose_locale(member.locale if member else None, turn.t.locale)
    return rules.draft_of(profile, locale)


def _read_form(turn: Turn, data: Mapping[str, Any]) -> tuple[rules.ProfileDraft, dict[str, str]]:
    committee_ids = [c.id for c in community_of(turn.services).committees]
    try:
        return rules.read_profile_form(data, committee_ids, SUPPORTED_LOCALES)
    except rules.BadFormData as problem:
        logger.info("profile card data refused: field %s", problem)
        raise DomainError("errors.bad_card_data") from problem


async def show_profile(turn: Turn) -> None:
    await turn.send_card(await _profile_form(turn, await _stored_draft(turn)))


async def open_profile(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The form, filled from the card that sent us here (« Modifier ») or from what is stored."""
    draft = await _stored_draft(turn)
    if any(name in data for name in ("discipline", "institution", "committees")):
        try:
            committee_ids = [c.id for c in community_of(turn.services).committees]
            draft, _ = rules.read_profile_form(data, committee_ids, SUPPORTED_LOCALES)
        except rules.BadFormData:
            logger.info("profile prefill ignored for member %s", turn.caller.member_key)
    return CardReply(await _profile_form(turn, draft))


def _committee_names(turn: Turn, t: Translator) -> dict[str, str]:
    return dict(committee_choices(turn.services, t))


async def review_profile(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    draft, errors = _read_form(turn, data)
    if errors:
        return CardReply(await _profile_form(turn, draft, errors))
    return CardReply(
        build_profile_review_card(
            draft.as_data(), _committee_names(turn, turn.t), turn.t, saved=False
        )
    )


async def save_profile(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Saved only here, after the member confirmed the review card; re-checked first."""
    draft, errors = _read_form(turn, data)
    if errors:
        return CardReply(await _profile_form(turn, draft, errors))
    services = turn.services
    caller = turn.caller
    repo = profile_store(services)
    now = services.clock()
    profile = await repo.get(caller.member_key)
    if profile is None or not profile.email:
        email = await email_from_teams(turn, caller.teams_user_id)
        profile = profile or await _claim_import(
            repo, caller.member_key, email, caller.teams_user_id
        )
        profile = profile or MemberProfile(key=caller.member_key)
        profile = replace(profile, email=profile.email or email)
    profile = replace(
        profile,
        name=caller.name or profile.name,
        teams_user_id=caller.teams_user_id or profile.teams_user_id,
    )
    await repo.save(rules.apply_draft(profile, draft, now))
    member = await services.members.get(caller.member_key) or Member(
        key=caller.member_key,
        teams_user_id=caller.teams_user_id,
        aad_object_id=caller.aad_object_id,
        name=caller.name,
    )
    await services.members.save(member.with_locale(draft.locale))
    logger.info("profile saved for member %s", caller.member_key)
    t = Translator(draft.locale)
    return CardReply(
        build_profile_review_card(draft.as_data(), _committee_names(turn, t), t, saved=True)
    )


# ---- rules of the frame ----------------------------------------------------------------------


def _rules_card(
    services: Services,
    profile: MemberProfile | None,
    t: Translator,
    *,
    stale: bool = False,
) -> dict[str, Any]:
    community = community_of(services)
    version = community.rules.version
    acknowledged = profile is not None and profile.rules_version >= version
    changed = rules.rules_changed_for(profile, version)
    return build_rules_card(
        rules=[item.get(t.locale) for item in community.rules.items],
        version=version,
        changes=community.rules.changes.get(t.locale)
        if changed and community.rules.changes
        else "",
        acknowledged_on=local_day(services, profile.rules_acknowledged_at)
        if acknowledged and profile
        else None,
        asked_again=changed,
        t=t,
        stale=stale,
    )


async def show_rules(turn: Turn) -> None:
    profile = await profile_store(turn.services).get(turn.caller.member_key)
    await turn.send_card(_rules_card(turn.services, profile, turn.t))


async def show_rules_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    profile = await profile_store(turn.services).get(turn.caller.member_key)
    return CardReply(_rules_card(turn.services, profile, turn.t))


async def acknowledge_rules(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    version = data.get("version")
    back = data.get("back", "rules")
    if (
        isinstance(version, bool)
        or not isinstance(version, int | str)
        or back
        not in (
            "rules",
            "welcome",
        )
    ):
        raise DomainError("errors.bad_card_data")
    try:
        version = int(version)
    except ValueError as problem:
        raise DomainError("errors.bad_card_data") from problem
    services = turn.services
    repo = profile_store(services)
    caller = turn.caller
    profile = await repo.get(caller.member_key)
    current = community_of(services).rules.version
    if version != current:
        return CardReply(_rules_card(services, profile, turn.t, stale=True))
    if profile is None or profile.rules_version < current:
        now = services.clock()
        profile = profile or MemberProfile(
            key=caller.member_key, name=caller.name, teams_user_id=caller.teams_user_id
        )
        profile = replace(profile, rules_version=current, rules_acknowledged_at=now, updated_at=now)
        await repo.save(profile)
        logger.info("member %s acknowledged rules version %d", caller.member_key, current)
    if back == "welcome":
        return CardReply(await welcome_card(services, profile, caller.name, turn.t))
    return CardReply(_rules_card(services, profile, turn.t))


async def ask_rules_again(services: Services, version: int) -> int:
    """Every active member who has not accepted ``version`` gets the rules card (once)."""
    profiles = await profile_store(services).all()
    items: list[OutboxItem] = []
    by_key = {p.key: p for p in profiles}
    for key in rules.members_to_ask_rules(profiles, version):
        member = await reachable(services, key)
        if member is None:
            continue
        card = _rules_card(services, by_key[key], translator_for(services, member))
        items.append(
            direct(member, f"rules:{version}:{key}", card_activity(card), batch=f"rules:{version}")
        )
    if items:
        await services.messenger.enqueue(items)
    logger.info("rules version %d: %d members asked", version, len(items))
    return len(items)


async def run_rules_check(services: Services) -> None:
    """At start and every 15 minutes: when the leads raised the rules' version (then typed
    « recharger » or restarted), ask every active member again."""
    try:
        repo = profile_store(services)
        current = community_of(services).rules.version
        asked = await repo.setting(SETTING_RULES_ASKED)
        asked_version = asked if isinstance(asked, int) else None
        if rules.rules_to_ask(asked_version, current):
            await ask_rules_again(services, current)
        if asked_version != current:
            await repo.set_setting(SETTING_RULES_ASKED, current)
    finally:
        services.jobs.schedule(
            PlannedJob(
                RULES_JOB,
                services.clock() + rules.RULES_CHECK_EVERY,
                partial(run_rules_check, services),
            )
        )


# ---- follow-up ---------------------------------------------------------------------------------


def schedule_followup(services: Services, profile: MemberProfile) -> None:
    if profile.followup_due_at is None:
        return
    services.jobs.schedule(
        PlannedJob(
            followup_job_id(profile.key),
            profile.followup_due_at,
            partial(run_followup, services, profile.key),
        )
    )


def _animateur_emails(community: CommunityProfile) -> list[str]:
    return [a.email for a in community.animateurs if a.email]


async def run_followup(services: Services, key: str) -> None:
    """A few weeks after arrival: how is it going? (once; not after a departure)."""
    repo = profile_store(services)
    profile = await repo.get(key)
    if profile is None or not profile.is_active or profile.followup_sent_at is not None:
        return
    now = services.clock()
    member = await reachable(services, key)
    if member is not None:
        t = translator_for(services, member)
        community = community_of(services)
        mentor = await repo.get(profile.mentor_key) if profile.mentor_key else None
        mentor_link = (
            NoticeLink(
                t("onboarding.followup.chat_mentor", name=mentor.name),
                rules.chat_link([mentor.email]),
            )
            if mentor and mentor.email
            else None
        )
        emails = _animateur_emails(community)
        animateurs_link = (
            NoticeLink(t("onboarding.followup.chat_animateurs"), rules.chat_link(emails))
            if emails
            else None
        )
        card = build_followup_card(
            first_name(profile.name), community.short_name, mentor_link, animateurs_link, t
        )
        await services.messenger.enqueue([direct(member, f"followup:{key}", card_activity(card))])
    await repo.save(replace(profile, followup_sent_at=now, updated_at=now))
    logger.info("follow-up %s for member %s", "sent" if member else "skipped", key)


async def followup_ok(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    repo = profile_store(turn.services)
    profile = await repo.get(turn.caller.member_key)
    if profile is not None:
        now = turn.services.clock()
        await repo.save(replace(profile, followup_answered_at=now, updated_at=now))
    return CardReply(
        build_notice_card(
            turn.t("onboarding.followup.title", name=first_name(turn.caller.name)),
            turn.t("onboarding.followup.thanks"),
            turn.t,
        )
    )
