"""Which language Veilleuse speaks with someone, and the one-click offer of their client's.

The policy itself is :func:`cards.i18n.member_locale` (own choice, then the community's
language, then the Teams client's locale). When a member who never chose writes from a client in
another supported language, Veilleuse offers that language once, after her answer, in that
language (« Prefer English? »). Who was offered it is kept (member keys only) so the offer comes
once, on first contact.
"""

from __future__ import annotations

import logging

from tinydb import Query, TinyDB

from cards.help import build_language_offer_card
from cards.i18n import Translator, language_to_offer
from dialogs.turn import Services, Turn

logger = logging.getLogger(__name__)
_DATABASE = "language_offers"


async def offer_client_language(turn: Turn) -> bool:
    """Send the offer if it is due (personal chats only); True when it was sent."""
    if not turn.where.personal:
        return False
    member = await turn.services.members.get(turn.caller.member_key)
    if member is None:  # unknown, or erased by this very message: keep nothing about them
        return False
    community = turn.services.profile.current.default_locale
    wanted = language_to_offer(member.locale, community, turn.where.client_locale)
    if wanted is None or not turn.caller.member_key:
        return False
    key = turn.caller.member_key
    database = turn.services.store.database(_DATABASE)

    def claim(db: TinyDB) -> bool:
        table = db.table("offers")
        if table.contains(Query().key == key):
            return False
        table.insert({"key": key})
        return True

    if not await database.run(claim):
        return False
    logger.info("language %s offered to member %s", wanted, key)
    await turn.send_card(build_language_offer_card(Translator(wanted), in_use=turn.t.locale))
    return True


async def offered_to(services: Services, member_key: str) -> bool:
    def find(db: TinyDB) -> bool:
        return bool(db.table("offers").contains(Query().key == member_key))

    return await services.store.database(_DATABASE).run(find)


async def forget_offer(services: Services, member_key: str) -> None:
    def remove(db: TinyDB) -> None:
        db.table("offers").remove(Query().key == member_key)

    await services.store.database(_DATABASE).run(remove)
