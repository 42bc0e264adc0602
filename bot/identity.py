"""Who is speaking: Teams identity, role from the community profile, language."""

from __future__ import annotations

import logging
from dataclasses import replace

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from cards.i18n import member_locale
from dialogs.roles import Role
from dialogs.turn import Caller
from storage.community import CommunityProfile
from storage.member_repository import Member, MemberRepository, member_key

logger = logging.getLogger(__name__)
_MAX_CACHED = 5000


class IdentityResolver:
    """Resolves the caller of a turn. E-mail lookups (for animateurs named by e-mail only) go
    to the Teams roster once per person and are cached."""

    def __init__(self, members: MemberRepository) -> None:
        self._members = members
        self._emails: dict[str, str] = {}

    async def caller(self, context: TurnContext, profile: CommunityProfile) -> Caller:
        activity: Activity = context.activity
        sender = activity.from_property
        user_id = (sender.id if sender else "") or ""
        aad = (getattr(sender, "aad_object_id", None) or "") if sender else ""
        name = (sender.name if sender else "") or ""
        key = member_key(user_id, aad)
        member = await self._known_member(activity, key, user_id, aad, name)
        role = _role(profile, aad, None)
        if role is Role.MEMBER and _needs_email(profile, aad):
            role = _role(profile, None, await self._email_of(context, user_id))
        locale = member_locale(
            member.locale if member else None, profile.default_locale, activity.locale
        )
        return Caller(
            teams_user_id=user_id,
            aad_object_id=aad,
            name=name,
            member_key=key,
            role=role,
            locale=locale,
        )

    async def _known_member(
        self, activity: Activity, key: str, user_id: str, aad: str, name: str
    ) -> Member | None:
        """The stored member, recording where a 1:1 chat can reach them when that changed
        (first contact, new serviceUrl). One write at most, and only on a change."""
        member = await self._members.get(key)
        if not user_id or activity.channel_id != "msteams":
            return member
        tenant = (activity.conversation.tenant_id if activity.conversation else None) or ""
        if not tenant and isinstance(activity.channel_data, dict):
            tenant = str((activity.channel_data.get("tenant") or {}).get("id") or "")
        service_url = activity.service_url or ""
        if member is None:
            member = Member(key, user_id, aad, name, "", tenant, service_url)
        elif (member.tenant_id, member.service_url) == (tenant, service_url):
            return member
        else:
            member = replace(member, tenant_id=tenant, service_url=service_url)
        await self._members.save(member)
        return member

    async def _email_of(self, context: TurnContext, user_id: str) -> str:
        if not user_id:
            return ""
        if user_id in self._emails:
            return self._emails[user_id]
        email = ""
        try:
            account = await TeamsInfo.get_member(context, user_id)
            email = (account.email or account.user_principal_name or "") if account else ""
        except Exception:  # roster lookups are best effort; the role then stays "member"
            logger.warning("roster lookup failed for a caller", exc_info=True)
            return ""
        if len(self._emails) >= _MAX_CACHED:
            self._emails.clear()
        self._emails[user_id] = email
        return email


def _role(profile: CommunityProfile, aad: str | None, email: str | None) -> Role:
    if profile.is_animateur(aad, email):
        return Role.ANIMATEUR
    if profile.is_sponsor(aad, email):
        return Role.SPONSOR
    return Role.MEMBER


def _needs_email(profile: CommunityProfile, aad: str) -> bool:
    """Ask the roster only when someone with a role is known by e-mail alone, or the caller has
    no AAD id."""
    people = (*profile.animateurs, *profile.sponsors)
    return any(p.email and (not p.aad_object_id or not aad) for p in people)
