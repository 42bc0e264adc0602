"""« qui peut m'aider ? » / "who can help?": members of the directory, ranked."""

from __future__ import annotations

import logging

from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.onboarding import (
    HelperView,
    build_helpers_card,
)
from dialogs.onboarding import rules
from dialogs.onboarding.profiles import (
    MAX_SHOWN_QUERY,
    profile_store,
)
from dialogs.turn import Turn
from storage.profile_repository import MemberProfile

logger = logging.getLogger(__name__)


# ---- « qui peut m'aider ? » ------------------------------------------------------------------


def _every_language(key: str) -> str:
    return " ".join(Translator(locale)(key) for locale in SUPPORTED_LOCALES)


def _helper(profile: MemberProfile) -> rules.Helper:
    discipline = (
        _every_language(f"onboarding.discipline.{profile.discipline}")
        if (profile.discipline in rules.DISCIPLINES)
        else ""
    )
    kind = (
        _every_language(f"onboarding.kind.{profile.institution_kind}")
        if (profile.institution_kind in rules.INSTITUTION_KINDS)
        else ""
    )
    return rules.Helper(
        key=profile.key,
        name=profile.name,
        email=profile.email,
        expertise=profile.expertise,
        discipline=discipline,
        institution=f"{profile.institution} {kind}".strip(),
        territory=profile.territory,
    )


async def who_can_help(turn: Turn) -> None:
    query = " ".join(turn.args.split())
    if not rules.search_terms(query):
        await turn.say("onboarding.who.usage")
        return
    shown = query if len(query) <= MAX_SHOWN_QUERY else query[: MAX_SHOWN_QUERY - 1] + "…"
    profiles = await profile_store(turn.services).all()
    directory = [
        _helper(p)
        for p in profiles
        if p.is_active and p.in_directory and p.key != turn.caller.member_key
    ]
    matches = rules.rank_helpers(query, directory)
    logger.info("who: %d of %d directory members matched", len(matches), len(directory))
    if not matches:
        await turn.say("onboarding.who.none", query=shown)
        return
    by_key = {p.key: p for p in profiles}
    views = []
    for match in matches:
        profile = by_key[match.helper.key]
        views.append(
            HelperView(
                name=profile.name,
                discipline=profile.discipline,
                institution=profile.institution,
                institution_kind=profile.institution_kind,
                territory=profile.territory,
                expertise=profile.expertise,
                chat_url=rules.chat_link([profile.email]) if profile.email else "",
            )
        )
    await turn.send_card(build_helpers_card(shown, views, turn.t))
