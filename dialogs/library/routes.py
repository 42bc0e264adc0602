"""The CdeP's library (bibliothèque): commands, card actions, jobs, privacy and the hooks other
features read (dialogs/events.py): ``welcome_resources`` (onboarding's welcome dossier),
``topic_resources`` (a topic's card) and ``meeting_card_sections`` (a meeting's card)."""

from __future__ import annotations

from typing import Any

from cards.i18n import Translator
from cards.library import LibraryVerb
from cards.meetings import CardSection
from dialogs.feature import Action, Command
from dialogs.library import handlers, rules
from dialogs.library.jobs import plan_jobs
from dialogs.library.privacy import forget_member, member_data
from dialogs.library.queries import ResourceRef, essential_resources, resources_for_topic
from dialogs.library.repositories import resource_repository
from dialogs.library.views import agenda_section
from dialogs.roles import Role
from dialogs.turn import Services, Turn

COMMANDS = (
    Command("resource", handlers.share),
    Command("resources", handlers.search),
    Command("resources.pending", handlers.pending, Role.ANIMATEUR),
)

ACTIONS = (
    Action(LibraryVerb.new, handlers.new_action),
    Action(LibraryVerb.submit, handlers.submit),
    Action(LibraryVerb.useful, handlers.useful),
    Action(LibraryVerb.browse, handlers.list_action),
    Action(LibraryVerb.pending, handlers.pending_action, Role.ANIMATEUR),
    Action(LibraryVerb.approve, handlers.approve, Role.ANIMATEUR),
    Action(LibraryVerb.refuse, handlers.refuse, Role.ANIMATEUR),
    Action(LibraryVerb.essential, handlers.essential, Role.ANIMATEUR),
    Action(LibraryVerb.attach_form, handlers.attach_form),
    Action(LibraryVerb.attach, handlers.attach),
    Action(LibraryVerb.detach, handlers.detach),
)


async def welcome_resources(services: Services) -> list[ResourceRef]:
    """The essentials, linked from the welcome dossier (onboarding)."""
    return await essential_resources(services)


async def topic_resources(services: Services, topic_id: str) -> list[ResourceRef]:
    """Resources attached to a topic of the bank, shown on the topic's card (topics)."""
    return await resources_for_topic(services, topic_id)


async def meeting_card_sections(
    services: Services, meeting: Any, t: Translator
) -> list[CardSection]:
    """« Ressources de l'ordre du jour »: resources attached to the meeting's agenda slots."""
    meeting_id = str(getattr(meeting, "id", "") or "")
    pairs = rules.attached_to(await resource_repository(services).all(), "meeting", meeting_id)
    return [agenda_section(pairs, t)] if pairs else []


async def on_bot_installed(turn: Turn, scope: str) -> bool:
    """Installed in a team: its channel receives the weekly digest. Never greets."""
    await handlers.remember_channel(turn)  # does nothing outside a channel
    return False


__all__ = [
    "ACTIONS",
    "COMMANDS",
    "forget_member",
    "meeting_card_sections",
    "member_data",
    "on_bot_installed",
    "plan_jobs",
    "topic_resources",
    "welcome_resources",
]
