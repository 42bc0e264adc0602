"""From stored meetings to cards: the shared channel card, each person's view, and keeping
the channel card up to date (in place) after a change."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cards.i18n import Translator, choose_locale
from cards.meetings import AgendaLine, CardSection, MeetingView, Viewer, build_meeting_card
from dialogs.feature import feature_hooks
from dialogs.meetings import queries, rules
from dialogs.outreach import card_activity
from dialogs.turn import Services, Turn
from storage.community import CommunityProfile
from storage.conversation_repository import conversation_key
from storage.meeting_repository import AgendaEntry, Meeting
from storage.outbox_repository import OutboxItem

_CHANNEL_THREAD = ";messageid="

logger = logging.getLogger(__name__)

# A test may put ``async def scheduled(services, meeting_id) -> list`` here instead of the
# features' ``agenda_items`` hooks (the topic bank's, dialogs/events.py).
SCHEDULED_COMPONENT = "meetings.scheduled"


def community_translator(services: Services) -> Translator:
    """Cards seen by many people (channel, meeting chat) speak the community's language."""
    return Translator(choose_locale(services.profile.current.default_locale))


def member_translator(services: Services, locale: str) -> Translator:
    return Translator(choose_locale(locale, services.profile.current.default_locale))


async def scheduled_items(services: Services, meeting_id: str) -> list[rules.ScheduledLike]:
    """Topics and cases scheduled for the meeting by the features that offer an
    ``agenda_items`` hook (the topic bank; empty without it)."""
    scheduled = services.components.get(SCHEDULED_COMPONENT)
    hooks = [scheduled] if scheduled is not None else feature_hooks(services, "agenda_items")
    found: list[rules.ScheduledLike] = []
    try:
        for hook in hooks:
            found.extend(await hook(services, meeting_id))
    except Exception:  # the topic bank failing must not hide the meeting card
        logger.exception("scheduled items lookup failed for meeting %s", meeting_id)
        return []
    return found


async def card_sections(services: Services, meeting: Meeting, t: Translator) -> list[CardSection]:
    """Sections other features add under the agenda, through their ``meeting_card_sections``
    hooks (dialogs/events.py); a failing hook hides its section, never the card."""
    found: list[CardSection] = []
    for hook in feature_hooks(services, "meeting_card_sections"):
        try:
            found.extend(await hook(services, meeting, t))
        except Exception:
            logger.exception("meeting card sections failed for meeting %s", meeting.id)
    return found


async def full_agenda(services: Services, meeting: Meeting) -> tuple[AgendaEntry, ...]:
    """The stored agenda with the bank's scheduled topics and cases placed in their slots."""
    return rules.place_scheduled(meeting.agenda, await scheduled_items(services, meeting.id))


def committee_names(profile: CommunityProfile, ids: Sequence[str], locale: str) -> tuple[str, ...]:
    names = []
    for committee_id in ids:
        committee = profile.committee(committee_id)
        names.append(committee.name.get(locale) if committee else committee_id)
    return tuple(names)


def address_of(profile: CommunityProfile, place: str) -> str:
    return next((v.address for v in profile.venues if v.name == place), "")


async def meeting_view(
    services: Services, meeting: Meeting, t: Translator, answers: dict[str, str] | None = None
) -> MeetingView:
    profile = services.profile.current
    tz = services.timezone
    if answers is None:
        answers = await queries.rsvps(services, meeting.id)
    agenda = await full_agenda(services, meeting)
    return MeetingView(
        id=meeting.id,
        title=meeting.title,
        committee_names=committee_names(profile, meeting.committee_ids, t.locale),
        starts_at=meeting.starts_at.astimezone(tz),
        ends_at=meeting.ends_at.astimezone(tz),
        mode=meeting.mode,
        status=rules.effective_status(meeting.status, meeting.ends_at, services.clock()),
        place=meeting.place,
        address=address_of(profile, meeting.place),
        join_url=meeting.join_url,
        general_objective=meeting.general_objective,
        specific_objectives=meeting.specific_objectives,
        agenda=tuple(
            AgendaLine(
                start=rules.parse_hhmm(e.start) or rules.DEFAULT_START,
                end=rules.parse_hhmm(e.end) or rules.DEFAULT_END,
                kind=e.kind,
                title=e.title,
                presenter=e.presenter,
            )
            for e in agenda
        ),
        choices=rules.allowed_choices(meeting.mode),
        counts=rules.counts(answers.values()),
        sections=tuple(await card_sections(services, meeting, t)),
    )


async def refresh_user_ids(services: Services, meeting: Meeting) -> list[str]:
    """Teams ids of who gets their own view automatically: animateurs, then those who
    answered (latest first), at most 60."""
    members = services.members
    leads = []
    for animateur in services.profile.current.animateurs:
        if animateur.aad_object_id:
            found = await members.get(animateur.aad_object_id.casefold())
            if found is not None:
                leads.append(found.teams_user_id)
    answered = []
    for answer in reversed(await queries.meeting_repository(services).rsvps(meeting.id)):
        found = await members.get(answer.member_key)
        if found is not None:
            answered.append(found.teams_user_id)
        if len(answered) >= rules.REFRESH_USER_CAP:
            break
    return rules.refresh_user_ids(leads, answered)


async def shared_card(services: Services, meeting: Meeting) -> dict[str, Any]:
    """The channel card everyone sees: counts, no names."""
    t = community_translator(services)
    view = await meeting_view(services, meeting, t)
    return build_meeting_card(view, t, None, await refresh_user_ids(services, meeting))


async def personal_card(turn: Turn, meeting: Meeting, invite_url: str = "") -> dict[str, Any]:
    """The card as the caller sees it: their answer; for an animateur, the names by answer,
    how many have not answered yet, and the edit and cancel actions."""
    services = turn.services
    answers = await queries.rsvps(services, meeting.id)
    view = await meeting_view(services, meeting, turn.t, answers)
    viewer = Viewer(my_choice=answers.get(turn.caller.member_key, ""), invite_url=invite_url)
    if turn.caller.is_animateur:
        names: dict[str, list[str]] = {}
        for key, choice in answers.items():
            member = await services.members.get(key)
            name = member.name if member and member.name else turn.t("meetings.card.someone")
            names.setdefault(choice, []).append(name)
        roster = await queries.committee_members(services, meeting.committee_ids)
        unanswered = None
        if roster:
            invited = await queries.invited_member_keys(services, meeting.id)
            unanswered = len(rules.unanswered(invited, answers))
        viewer = replace(
            viewer,
            can_manage=True,
            names_by_choice={c: sorted(n, key=rules.fold) for c, n in names.items()},
            unanswered=unanswered,
        )
    return build_meeting_card(view, turn.t, viewer, await refresh_user_ids(services, meeting))


def is_invoke(turn: Turn) -> bool:
    """Action.Execute (an invoke, answered with a card for the caller only) rather than the
    Action.Submit fallback (a message whose returned card replaces the message for all)."""
    return turn.where.by_execute


def on_channel_card(turn: Turn, meeting: Meeting) -> bool:
    return bool(meeting.card_activity_id) and turn.where.reply_to_id == meeting.card_activity_id


async def update_channel_card(turn: Turn, meeting: Meeting) -> None:
    """Replace the channel card's content (same message, never re-posted). From the card's own
    conversation this is a plain update in the turn; from elsewhere (a 1:1, a job) the
    messenger updates the message proactively in the channel."""
    if not meeting.card_activity_id or not meeting.card_conversation_id:
        return
    services = turn.services
    card = await shared_card(services, meeting)
    if turn.where.conversation_id == meeting.card_conversation_id:
        await turn.update_card(meeting.card_activity_id, card)  # best effort: change is saved
        return
    await enqueue_card_update(services, meeting, card)


async def refresh_card(services: Services, meeting_id: str) -> None:
    """Redraw the meeting's channel card in place (through the messenger), e.g. after the
    topic bank put a topic on its agenda (the ``on_agenda_changed`` hook). Does nothing for an
    unknown meeting or one without a card."""
    meeting = await queries.meeting_repository(services).get(meeting_id)
    if meeting is None or not meeting.card_activity_id:
        return
    await enqueue_card_update(services, meeting, await shared_card(services, meeting))


async def enqueue_card_update(services: Services, meeting: Meeting, card: dict[str, Any]) -> None:
    channel = meeting.card_conversation_id.split(_CHANNEL_THREAD)[0]
    update = {**card_activity(card), "id": meeting.card_activity_id}
    await services.messenger.enqueue(
        [
            OutboxItem(
                id=f"meeting:{meeting.id}:card:{secrets.token_hex(6)}",
                target=conversation_key(channel),
                activity=update,
                batch=f"meeting:{meeting.id}:card",
            )
        ]
    )
