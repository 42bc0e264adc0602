"""For the animateurs: the roster (« membres »), mentors, the daily digest, and the roster's CSV
export and import."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from cards.onboarding import (
    DigestView,
    ExportRow,
    ImportReportRow,
    NoticeLink,
    OnboardingVerb,
    RosterRow,
    RosterView,
    build_digest_card,
    build_download_card,
    build_import_card,
    build_import_report_card,
    build_mentor_card,
    build_notice_card,
    build_roster_card,
    build_roster_csv,
)
from dialogs.feature import PlannedJob
from dialogs.onboarding import rules
from dialogs.onboarding.handlers import schedule_followup
from dialogs.onboarding.profiles import (
    DOWNLOAD_TTL,
    SETTING_DIGEST_COVERED,
    SETTING_FOLLOWUP_DAYS,
    card_text,
    committee_choices,
    community_of,
    digest_job_id,
    file_stem,
    followup_days,
    long_date_of,
    profile_store,
    reachable,
    today_in,
    translator_for,
)
from dialogs.outreach import card_activity, direct
from dialogs.turn import ActionResult, CardReply, DomainError, MessageReply, Services, Turn
from storage.member_repository import Member, member_key
from storage.outbox_repository import OutboxItem
from storage.profile_repository import MemberProfile

logger = logging.getLogger(__name__)


# ---- mentors ---------------------------------------------------------------------------------


async def _profile_of_mention(services: Services, mention: rules.Mentioned) -> MemberProfile | None:
    repo = profile_store(services)
    if mention.aad_object_id:
        found = await repo.get(member_key(mention.teams_user_id, mention.aad_object_id))
        if found is not None:
            return found
    return await repo.find_by_teams_id(mention.teams_user_id) or await repo.get(
        member_key(mention.teams_user_id, None)
    )


def _person_label(profile: MemberProfile, t: Translator) -> str:
    if profile.discipline in rules.DISCIPLINES:
        return f"{profile.name} ({t(f'onboarding.discipline.{profile.discipline}')})"
    return profile.name or profile.email


async def _mentor_card(services: Services, t: Translator, selected: str = "") -> dict[str, Any]:
    profiles = [p for p in await profile_store(services).all() if p.is_active]
    if len(profiles) < 2:
        raise DomainError("onboarding.mentor.no_members")
    today = today_in(services)

    def newcomer_first(p: MemberProfile) -> tuple[bool, bool, str]:
        recent = p.arrived_on is not None and (today - p.arrived_on).days <= rules.NEWCOMER_DAYS
        return (not recent, bool(p.mentor_key), fold(p.name))

    newcomers = [(p.key, _person_label(p, t)) for p in sorted(profiles, key=newcomer_first)]
    mentors = [(p.key, _person_label(p, t)) for p in sorted(profiles, key=lambda p: fold(p.name))]
    if selected not in {key for key, _ in newcomers}:
        selected = ""
    return build_mentor_card(newcomers, mentors, selected, t)


async def assign_mentor(
    services: Services, newcomer: MemberProfile, mentor: MemberProfile
) -> datetime | None:
    """Name the mentor, tell both, and make sure the follow-up is planned; returns when."""
    if newcomer.key == mentor.key:
        raise DomainError("onboarding.mentor.same_person")
    if not newcomer.is_active or not mentor.is_active:
        raise DomainError("onboarding.errors.unknown_member")
    now = services.clock()
    updated = replace(newcomer, mentor_key=mentor.key, mentor_assigned_at=now, updated_at=now)
    if updated.followup_sent_at is None and updated.followup_due_at is None:
        days = await followup_days(services)
        updated = replace(updated, followup_due_at=rules.followup_due(now, days, services.timezone))
    await profile_store(services).save(updated)
    if updated.followup_sent_at is None:
        schedule_followup(services, updated)
    stamp = int(now.timestamp())
    items = [
        item
        for item in (
            await _mentor_notice(services, newcomer, mentor, f"mentor:{newcomer.key}:{mentor.key}"),
            await _mentor_notice(services, mentor, newcomer, f"mentee:{mentor.key}:{newcomer.key}"),
        )
        if item is not None
    ]
    items = [replace(item, id=f"{item.id}:{stamp}") for item in items]
    if items:
        await services.messenger.enqueue(items)
    logger.info("mentor %s named for member %s", mentor.key, newcomer.key)
    return updated.followup_due_at if updated.followup_sent_at is None else None


async def _mentor_notice(
    services: Services, to: MemberProfile, other: MemberProfile, item_id: str
) -> OutboxItem | None:
    """Tell ``to`` who their mentor (or their newcomer) is, with a button to chat with them."""
    member = await reachable(services, to.key)
    if member is None:
        return None
    t = translator_for(services, member)
    community = community_of(services).short_name
    links = []
    if other.email:
        chat = t("onboarding.mentor.chat_with", name=other.name)
        links.append(NoticeLink(chat, rules.chat_link([other.email])))
    if item_id.startswith("mentor:"):  # to the newcomer
        title = t("onboarding.mentor.notice_newcomer_title", mentor=other.name)
        text = t("onboarding.mentor.notice_newcomer_text", mentor=other.name, community=community)
    else:
        title = t("onboarding.mentor.notice_mentor_title", newcomer=other.name)
        text = t("onboarding.mentor.notice_mentor_text", newcomer=other.name, community=community)
    card = build_notice_card(title, text, t, links=links)
    return direct(member, item_id, card_activity(card))


def _assigned_text(
    services: Services,
    t: Translator,
    newcomer: MemberProfile,
    mentor: MemberProfile,
    due: datetime | None,
) -> str:
    when = long_date_of(services, due, t)
    return t("onboarding.mentor.assigned", mentor=mentor.name, newcomer=newcomer.name, date=when)


async def mentor_command(turn: Turn) -> None:
    mentioned = rules.mentioned_people(list(turn.where.mentions), turn.where.bot_id)
    if not mentioned:
        await turn.say("onboarding.mentor.usage")
        return
    people: list[MemberProfile] = []
    for mention in mentioned[:2]:
        profile = await _profile_of_mention(turn.services, mention)
        if profile is None or not profile.is_active:
            await turn.say("onboarding.mentor.unknown_person", name=mention.name or "?")
            return
        people.append(profile)
    if len(people) == 1:
        await turn.send_card(await _mentor_card(turn.services, turn.t, people[0].key))
        return
    newcomer, mentor = people
    due = await assign_mentor(turn.services, newcomer, mentor)
    await turn.say_text(_assigned_text(turn.services, turn.t, newcomer, mentor, due))


async def open_mentor(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    selected = data.get("newcomer", "")
    return CardReply(
        await _mentor_card(turn.services, turn.t, selected if isinstance(selected, str) else "")
    )


async def assign_mentor_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    newcomer_key = card_text(data, "newcomer")
    mentor_key = card_text(data, "mentor")
    repo = profile_store(turn.services)
    newcomer = await repo.get(newcomer_key) if newcomer_key else None
    mentor = await repo.get(mentor_key) if mentor_key else None
    if newcomer is None or mentor is None:
        raise DomainError("onboarding.errors.unknown_member")
    due = await assign_mentor(turn.services, newcomer, mentor)
    text = _assigned_text(turn.services, turn.t, newcomer, mentor, due)
    return CardReply(
        build_notice_card(
            turn.t("onboarding.mentor.title"),
            text,
            turn.t,
            buttons=[(OnboardingVerb.show_roster, turn.t("onboarding.roster.show"))],
        )
    )


# ---- daily digest ----------------------------------------------------------------------------


async def _animateur_members(services: Services) -> list[Member]:
    repo = profile_store(services)
    found: dict[str, Member] = {}
    for animateur in community_of(services).animateurs:
        member = None
        if animateur.aad_object_id:
            member = await reachable(services, animateur.aad_object_id.casefold())
        if member is None and animateur.email:
            profile = await repo.find_by_email(animateur.email)
            member = await reachable(services, profile.key) if profile else None
        if member is not None:
            found[member.key] = member
        else:
            logger.info("digest: an animateur has no chat with Veilleuse yet")
    return list(found.values())


async def run_digest(services: Services, day: date) -> None:
    """At 8 h: yesterday's arrivals and departures, and newcomers whose onboarding is
    incomplete, to every animateur (at most one card a day); then plan tomorrow's."""
    try:
        repo = profile_store(services)
        covered_text = await repo.setting(SETTING_DIGEST_COVERED)
        covered = date.fromisoformat(covered_text) if isinstance(covered_text, str) else None
        if covered is None or covered < day - timedelta(days=1):
            version = community_of(services).rules.version
            digest = rules.build_digest(await repo.all(), day, covered, version)
            if digest.worth_sending:
                await _send_digest(services, digest)
            await repo.set_setting(SETTING_DIGEST_COVERED, (day - timedelta(days=1)).isoformat())
    finally:
        following = day + timedelta(days=1)
        moment = rules.next_digest_at(
            datetime.combine(following, datetime.min.time(), tzinfo=services.timezone),
            services.timezone,
        )
        services.jobs.schedule(
            PlannedJob(digest_job_id(following), moment, partial(run_digest, services, following))
        )


async def _send_digest(services: Services, digest: rules.Digest) -> None:
    view = DigestView(
        day=digest.day,
        covers=digest.covers,
        arrivals=[(p.name, p.returned_on or p.arrived_on) for p in digest.arrivals],
        departures=[(p.name, p.departed_on) for p in digest.departures],
        incomplete=[(p.name, [str(s) for s in steps]) for p, steps in digest.incomplete],
    )
    items = []
    for member in await _animateur_members(services):
        card = build_digest_card(view, translator_for(services, member))
        item_id = f"{digest_job_id(digest.day)}:{member.key}"
        items.append(direct(member, item_id, card_activity(card), batch=digest_job_id(digest.day)))
    if items:
        await services.messenger.enqueue(items)
    logger.info(
        "digest %s: %d arrivals, %d departures, %d incomplete, %d animateurs",
        digest.day,
        len(digest.arrivals),
        len(digest.departures),
        len(digest.incomplete),
        len(items),
    )


# ---- roster (animateurs) ---------------------------------------------------------------------


def _committee_filter(services: Services, text: str) -> tuple[str, str] | None:
    """The committee named by ``text`` (id or name, any language): (id, name)."""
    wanted = fold(text)
    for committee in community_of(services).committees:
        names = {fold(committee.id)} | {fold(committee.name.get(loc)) for loc in SUPPORTED_LOCALES}
        if wanted in names:
            return committee.id, committee.name.get(SUPPORTED_LOCALES[0])
    return None


async def _roster_card(turn: Turn, committee_id: str = "") -> dict[str, Any]:
    services = turn.services
    t = turn.t
    profiles = await profile_store(services).all()
    by_key = {p.key: p for p in profiles}
    version = community_of(services).rules.version
    today = today_in(services)
    active = sorted((p for p in profiles if p.is_active), key=lambda p: (fold(p.name), p.key))
    if committee_id:
        active = [p for p in active if committee_id in p.committee_ids]
    rows = [
        RosterRow(
            key=p.key,
            name=p.name or p.email,
            discipline=p.discipline,
            institution=p.institution,
            committee_ids=p.committee_ids,
            missing=[str(s) for s in rules.missing_steps(p, version)],
            mentor_name=by_key[p.mentor_key].name if p.mentor_key in by_key else "",
            arrived_on=p.arrived_on,
            is_newcomer=p.arrived_on is not None
            and (today - p.arrived_on).days <= rules.NEWCOMER_DAYS,
        )
        for p in active
    ]
    committees = committee_choices(services, t)
    view = RosterView(
        community=community_of(services).short_name,
        committees=[c for c in committees if not committee_id or c[0] == committee_id],
        rows=rows,
        departed_count=sum(1 for p in profiles if not p.is_active),
        followup_days=await followup_days(services),
        filter_name=dict(committees).get(committee_id, ""),
    )
    return build_roster_card(view, t)


async def show_roster(turn: Turn) -> None:
    committee_id = ""
    if turn.args.strip():
        found = _committee_filter(turn.services, turn.args)
        if found is None:
            names = ", ".join(name for _, name in committee_choices(turn.services, turn.t))
            await turn.say("onboarding.roster.unknown_committee", committees=names)
            return
        committee_id = found[0]
    await turn.send_card(await _roster_card(turn, committee_id))


async def show_roster_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(await _roster_card(turn))


async def set_followup_days(turn: Turn, data: Mapping[str, Any]) -> MessageReply:
    days = rules.valid_followup_days(data.get("days"))
    if days is None:
        return MessageReply(turn.t("onboarding.roster.followup_invalid"))
    await profile_store(turn.services).set_setting(SETTING_FOLLOWUP_DAYS, days)
    logger.info("follow-up delay set to %d days", days)
    return MessageReply(turn.t("onboarding.roster.followup_saved", days=days))


async def export_roster(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    services = turn.services
    t = turn.t
    profiles = await profile_store(services).all()
    version = community_of(services).rules.version
    names = dict(committee_choices(services, t))
    ordered = sorted(profiles, key=lambda p: (not p.is_active, fold(p.name), p.key))
    rows = [
        ExportRow(
            name=p.name,
            email=p.email,
            discipline=p.discipline,
            institution=p.institution,
            institution_kind=p.institution_kind,
            territory=p.territory,
            committee_names=[names.get(c, c) for c in p.committee_ids],
            departed_on=p.departed_on,
            arrived_on=p.arrived_on,
            missing=[str(s) for s in rules.missing_steps(p, version)],
        )
        for p in ordered
    ]
    filename = f"{file_stem(t, 'members')}-{today_in(services).isoformat()}.csv"
    url = await services.downloads.publish(
        build_roster_csv(rows, t),
        filename,
        "text/csv",
        owner_key=turn.caller.member_key,
        ttl=DOWNLOAD_TTL,
    )
    logger.info("roster exported: %d rows", len(rows))
    return CardReply(build_download_card(t("onboarding.download.roster_title"), filename, url, t))


async def open_import(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(build_import_card(turn.t, rules.MAX_IMPORT_CHARS))


def _variants(label: str) -> set[str]:
    """« Centre hospitalier (CH) » → the label, « centre hospitalier », « ch »; and the parts
    of « Travailleuse sociale / travailleur social »."""
    found = {fold(label)}
    bare = label.split("(")[0]
    found.add(fold(bare))
    if "(" in label and ")" in label:
        found.add(fold(label[label.index("(") + 1 : label.index(")")]))
    for part in bare.split("/"):
        found.add(fold(part))
    return {f for f in found if f}


def _vocabulary(services: Services) -> rules.ImportVocabulary:
    translators = [Translator(locale) for locale in SUPPORTED_LOCALES]
    headers: dict[str, str] = {fold(k): v for k, v in rules.HEADER_ALIASES.items()}
    for name in rules.ROSTER_FIELDS:
        headers[fold(name)] = name
        for t in translators:
            headers[fold(t(f"onboarding.csv.{name}"))] = name
    disciplines = {fold(k): v for k, v in rules.DISCIPLINE_ALIASES.items()}
    for code in rules.DISCIPLINES:
        disciplines[fold(code)] = code
        for t in translators:
            disciplines.update(dict.fromkeys(_variants(t(f"onboarding.discipline.{code}")), code))
    kinds = {fold(k): v for k, v in rules.KIND_ALIASES.items()}
    for code in rules.INSTITUTION_KINDS:
        kinds[fold(code)] = code
        for t in translators:
            kinds.update(dict.fromkeys(_variants(t(f"onboarding.kind.{code}")), code))
    committees: dict[str, str] = {}
    for committee in community_of(services).committees:
        committees[fold(committee.id)] = committee.id
        for locale in SUPPORTED_LOCALES:
            committees[fold(committee.name.get(locale))] = committee.id
    return rules.ImportVocabulary(headers, disciplines, kinds, committees)


async def import_roster(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    text = data.get("csv", "")
    if not isinstance(text, str):
        raise DomainError("errors.bad_card_data")
    if not text.strip():
        return MessageReply(turn.t("onboarding.import.error.empty"))
    services = turn.services
    repo = profile_store(services)
    plan = rules.plan_import(
        text, _vocabulary(services), await repo.all(), services.clock(), today_in(services)
    )
    if plan.problem:
        return MessageReply(turn.t(f"onboarding.import.problem.{plan.problem}"))
    await repo.save_many(plan.to_save())
    counts = {str(k): v for k, v in plan.counts.items()}
    logger.info("roster import: %s", counts)
    report = [
        ImportReportRow(r.line, r.name, r.email, str(r.outcome), list(r.reasons)) for r in plan.rows
    ]
    return CardReply(build_import_report_card(counts, report, plan.ignored_columns, turn.t))
