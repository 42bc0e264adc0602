"""Handlers of the commands every installation has: help, language, profile reload."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from cards.help import build_help_card
from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from dialogs.feature import Command
from dialogs.roles import Role
from dialogs.turn import CardReply, DomainError, Services, Turn
from storage.community import CommunityProfileError
from storage.member_repository import Member

logger = logging.getLogger(__name__)


def visible_commands(
    commands: Sequence[Command], role: Role, services: Services | None = None
) -> tuple[list[str], list[str]]:
    """Command ids for the help card: (everyone's, those reserved to a role ``role`` holds).
    With ``services``, a command's ``help_role`` (if any) places it for this community."""

    def listed(c: Command) -> Role:
        return c.help_role(services) if c.help_role and services else c.min_role

    members = [c.id for c in commands if listed(c) == Role.MEMBER]
    leads = [c.id for c in commands if listed(c) > Role.MEMBER and role.allows(listed(c))]
    return members, leads


def help_card(turn: Turn) -> dict[str, Any]:
    members, leads = visible_commands(turn.services.commands, turn.caller.role, turn.services)
    return build_help_card(
        turn.t,
        community_name=turn.services.profile.current.short_name,
        member_commands=members,
        animateur_commands=leads,
        is_animateur=bool(leads),
    )


async def show_help(turn: Turn) -> None:
    await turn.send_card(help_card(turn))


def _locale_from_words(text: str) -> str | None:
    """``français``, ``french``, ``fr``, ``anglais``, ``english``, ``en`` (any language)."""
    wanted = fold(text)
    if not wanted:
        return None
    for locale in SUPPORTED_LOCALES:
        names = {fold(Translator(loc)(f"language.name.{locale}")) for loc in SUPPORTED_LOCALES}
        names |= {fold(locale), fold(locale.split("-")[0])}
        if wanted in names:
            return locale
    return None


async def _save_locale(turn: Turn, locale: str) -> Turn:
    caller = turn.caller
    members = turn.services.members
    member = await members.get(caller.member_key) or Member(
        key=caller.member_key,
        teams_user_id=caller.teams_user_id,
        aad_object_id=caller.aad_object_id,
        name=caller.name,
    )
    await members.save(member.with_locale(locale))
    logger.info("member %s chose locale %s", caller.member_key, locale)
    return replace(turn, t=Translator(locale))


async def choose_language(turn: Turn) -> None:
    locale = _locale_from_words(turn.args)
    if locale is None:
        await turn.say("language.usage")
        return
    turn = await _save_locale(turn, locale)
    await turn.say("language.current")


async def set_language_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    locale = data.get("locale")
    if locale not in SUPPORTED_LOCALES:
        raise DomainError("errors.bad_card_data")
    turn = await _save_locale(turn, str(locale))
    return CardReply(help_card(turn))


async def show_help_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(help_card(turn))


async def reload_profile(turn: Turn) -> None:
    try:
        profile = turn.services.profile.reload()
    except CommunityProfileError as exc:
        logger.warning("community profile reload refused: field %s", exc.field)
        await turn.say("reload.failed", field=exc.field, problem=exc.problem)
        return
    await turn.services.jobs.replan()  # e.g. members asked again when the rules version rose
    await turn.say("reload.done", name=profile.name, version=profile.rules.version)
